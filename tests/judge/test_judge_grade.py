"""`rft grade` with judges, against fake_judge.py on a free loopback port: scores, gating, the
reply cache, retries, timeouts, limits, API keys, a server that dies, and endpoint governance."""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

RFT = os.environ["RFT_BIN"]
HERE = Path(__file__).resolve().parent
SECRET = "sk-test-5f3a9c1e7b"

SPEC = """
item {{ order_id: str }}

judge polite {{
  endpoint = env("RFT_JUDGE_URL", "http://127.0.0.1:9/v1")
  model = "judge-model"
  prompt = \"\"\"Rate this reply from 1 to 10.
Customer: {{prompt}}
Reply: {{completion}}\"\"\"
  scale = 1..10
  on_error = 0.25
  {settings}
}}

reward support {{
  component safe = !matches(completion, r"(?i)guaranteed\\s+refund")
  component tone = polite()
  total = if safe then tone else -1
}}
"""


class FakeJudge:
    def __init__(self, tmp, *flags):
        self.log = tmp / "requests.log"
        self.log.write_text("")
        port_file = tmp / "port"
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "fake_judge.py"), "--port-file", str(port_file),
             "--log", str(self.log), *flags])
        for _ in range(200):
            if port_file.exists():
                break
            time.sleep(0.05)
        self.port = int(port_file.read_text())
        self.url = "http://127.0.0.1:%d/v1" % self.port

    def requests(self):
        return [json.loads(l) for l in self.log.read_text().splitlines() if l.strip()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


@pytest.fixture
def server_factory(tmp_path):
    servers = []

    def make(*flags):
        d = tmp_path / ("server%d" % len(servers))
        d.mkdir()
        s = FakeJudge(d, *flags)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.stop()


def rows(scores, unsafe=0):
    out = []
    for i, s in enumerate(scores):
        out.append({"prompt": "Where is order %d?" % i,
                    "completion": "Order %d ships today. SCORE=%s" % (i, s), "order_id": str(i)})
    for i in range(unsafe):
        out.append({"prompt": "Refund?", "completion": "A guaranteed refund for you!",
                    "order_id": "x"})
    return out


def grade(tmp_path, data, url, settings="", engine="interp", extra=(), env_extra=None):
    spec = tmp_path / "judged.reward"
    spec.write_text(SPEC.format(settings=settings))
    data_file = tmp_path / "data.jsonl"
    data_file.write_text("".join(json.dumps(r) + "\n" for r in data))
    env = dict(os.environ)
    env["RFT_JUDGE_URL"] = url
    env["RFT_CACHE_DIR"] = str(tmp_path / "cache")
    env.update(env_extra or {})
    start = time.time()
    p = subprocess.run([RFT, "grade", str(spec), "--reward", "support", "--data", str(data_file),
                        "--engine", engine, *extra], capture_output=True, text=True, env=env,
                       timeout=120)
    p.seconds = time.time() - start
    p.results = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    return p


@pytest.mark.parametrize("engine", ["interp", "jit", "aot"])
def test_scores_gating_and_counters(tmp_path, server_factory, engine):
    s = server_factory()
    p = grade(tmp_path, rows([1, 10, 4, 7], unsafe=2), s.url, engine=engine)
    assert p.returncode == 0, p.stderr
    assert [r["total"] for r in p.results] == pytest.approx([0, 1, 1 / 3, 2 / 3, -1, -1])
    assert [r["flags"] for r in p.results[4:]] == [["skipped:tone"]] * 2
    # Gating is not a problem: the two gated rows are not counted as flagged.
    assert "graded 6 rows (0 errors, 0 flagged)" in p.stderr, p.stderr
    # The two unsafe rows never reached the judge.
    reqs = s.requests()
    assert len(reqs) == 4
    assert "judges: 4 calls, 0 cache hits, 4 misses, 2 skipped by gating" in p.stderr
    r = reqs[0]
    assert r["path"] == "/v1/chat/completions"
    assert r["request"]["model"] == "judge-model"
    assert r["request"]["temperature"] == 0
    assert r["request"]["messages"][-1]["content"].startswith("Rate this reply from 1 to 10.\n")
    assert "Order " in r["request"]["messages"][-1]["content"]


def test_cache_persists_across_runs(tmp_path, server_factory):
    s = server_factory()
    data = rows([3, 8, 8])
    first = grade(tmp_path, data, s.url, engine="jit")
    assert "judges: 3 calls, 0 cache hits, 3 misses" in first.stderr
    second = grade(tmp_path, data, s.url, engine="interp")
    assert second.returncode == 0, second.stderr
    assert "judges: 3 calls, 3 cache hits, 0 misses" in second.stderr
    assert [r["total"] for r in second.results] == [r["total"] for r in first.results]
    assert len(s.requests()) == 3
    # Another sampling setting is another question.
    third = grade(tmp_path, data, s.url, settings="temperature = 0.5")
    assert "0 cache hits, 3 misses" in third.stderr
    fourth = grade(tmp_path, data, s.url, extra=["--no-judge-cache"])
    assert "0 cache hits, 3 misses" in fourth.stderr
    assert len(s.requests()) == 9


@pytest.mark.parametrize("status", [429, 500, 503])
def test_retries_then_success(tmp_path, server_factory, status):
    s = server_factory("--fail", "2", "--status", str(status))
    p = grade(tmp_path, rows([10]), s.url, settings="retries = 3")
    assert p.returncode == 0, p.stderr
    assert p.results[0]["total"] == 1 and p.results[0]["flags"] == []
    assert len(s.requests()) == 3
    # Backoff: about 0.25-0.5 s, then 0.5-1 s.
    times = [r["t"] for r in s.requests()]
    assert times[1] - times[0] >= 0.2 and times[2] - times[1] >= 0.45


def test_retry_after_is_honoured(tmp_path, server_factory):
    s = server_factory("--fail", "1", "--status", "429", "--retry-after", "2")
    p = grade(tmp_path, rows([10]), s.url, settings="retries = 1")
    assert p.results[0]["flags"] == [], p.stderr
    times = [r["t"] for r in s.requests()]
    assert len(times) == 2 and times[1] - times[0] >= 1.9


def test_retries_exhausted_use_on_error(tmp_path, server_factory):
    s = server_factory("--fail", "1000", "--status", "500")
    p = grade(tmp_path, rows([10, 10]), s.url, settings="retries = 1")
    assert p.returncode == 0, p.stderr
    assert [r["total"] for r in p.results] == [0.25, 0.25]
    assert all(r["flags"] == ["judge_error:polite"] for r in p.results)
    assert len(s.requests()) == 4
    assert "HTTP 500 (2 attempts)" in p.stderr
    assert "judges: 2 calls, 0 cache hits, 2 misses" in p.stderr


def test_client_errors_are_not_retried(tmp_path, server_factory):
    s = server_factory("--fail", "1000", "--status", "400")
    p = grade(tmp_path, rows([10]), s.url, settings="retries = 3")
    assert p.results[0]["flags"] == ["judge_error:polite"]
    assert len(s.requests()) == 1


def test_unreadable_reply_is_flagged(tmp_path, server_factory):
    s = server_factory("--reply", "I would rather not say.")
    data = [{"prompt": "p", "completion": "no score here", "order_id": "1"}]
    p = grade(tmp_path, data, s.url)
    assert p.returncode == 0, p.stderr
    assert p.results[0]["total"] == 0.25
    assert p.results[0]["flags"] == ["judge_error:polite"]
    assert "which holds no number" in p.stderr
    # An unreadable answer is not cached: asking again may help.
    grade(tmp_path, data, s.url)
    assert len(s.requests()) == 2


def test_timeout(tmp_path, server_factory):
    s = server_factory("--delay", "5")
    p = grade(tmp_path, rows([10, 10]), s.url, settings="timeout = 0.5\n  retries = 0")
    assert p.returncode == 0, p.stderr
    assert all(r["flags"] == ["judge_error:polite"] for r in p.results)
    assert p.seconds < 4, p.seconds
    assert "timed out after 500 ms" in p.stderr


@pytest.mark.parametrize("engine", ["interp", "jit"])
def test_requests_of_a_batch_are_concurrent(tmp_path, server_factory, engine):
    # --threads 1 asks for one CPU thread; judge requests are still sent side by side.
    s = server_factory("--delay", "0.2")
    p = grade(tmp_path, rows([5] * 64), s.url, settings="concurrency = 8", engine=engine,
              extra=["--threads", "1"])
    assert p.returncode == 0, p.stderr
    assert max(r["in_flight"] for r in s.requests()) >= 4
    assert p.seconds < 64 * 0.2 / 2, p.seconds


def test_a_small_batch_sends_every_request_at_once(tmp_path, server_factory):
    # 16 rows with room for 16 requests: rows go to threads one at a time, not 8 to a thread,
    # so all 16 wait on the judge together instead of 2.
    s = server_factory("--delay", "0.5")
    p = grade(tmp_path, rows([5] * 16), s.url, settings="concurrency = 16")
    assert p.returncode == 0, p.stderr
    assert max(r["in_flight"] for r in s.requests()) >= 12
    assert p.seconds < 16 * 0.5 / 4, p.seconds  # two at a time would take 4 s


def test_concurrency_limit(tmp_path, server_factory):
    s = server_factory("--delay", "0.2")
    p = grade(tmp_path, rows([5] * 10), s.url, settings="concurrency = 2",
              extra=["--threads", "8"])
    assert p.returncode == 0, p.stderr
    assert max(r["in_flight"] for r in s.requests()) == 2


def test_requests_per_minute(tmp_path, server_factory):
    s = server_factory()
    p = grade(tmp_path, rows([5] * 4), s.url, settings="rpm = 300")
    assert p.returncode == 0, p.stderr
    times = sorted(r["t"] for r in s.requests())
    assert times[-1] - times[0] >= 3 * 0.2 * 0.9


def test_server_killed_mid_batch(tmp_path, server_factory):
    s = server_factory("--die-after", "3")
    p = grade(tmp_path, rows([10] * 8), s.url, settings="concurrency = 1\n  retries = 1",
              extra=["--threads", "1"])
    assert p.returncode == 0, p.stderr
    assert len(p.results) == 8
    assert [r["total"] for r in p.results] == [1, 1, 1] + [0.25] * 5
    assert all(r["flags"] == ["judge_error:polite"] for r in p.results[3:])


def test_api_key_is_sent_and_never_printed(tmp_path, server_factory):
    s = server_factory("--expect-key", SECRET)
    env = {"FAKE_JUDGE_KEY": SECRET}
    ok = grade(tmp_path, rows([10]), s.url, settings='api_key_env = "FAKE_JUDGE_KEY"',
               env_extra=env)
    assert ok.results[0]["flags"] == [], ok.stderr
    # A server that rejects every request: errors are reported, the key is not.
    bad = server_factory("--fail", "1000", "--status", "503")
    failed = grade(tmp_path, rows([9]), bad.url,
                   settings='api_key_env = "FAKE_JUDGE_KEY"\n  retries = 1', env_extra=env)
    assert failed.results[0]["flags"] == ["judge_error:polite"]
    for p in (ok, failed):
        assert SECRET not in p.stdout and SECRET not in p.stderr
    for f in (tmp_path / "cache").rglob("*"):
        if f.is_file():
            assert SECRET not in f.read_text()
    # A key that is not set stops the run before anything is sent, naming the variable only.
    missing = grade(tmp_path, rows([9]), bad.url, settings='api_key_env = "NO_SUCH_KEY_VAR"')
    assert missing.returncode == 1
    assert "$NO_SUCH_KEY_VAR, which is not set" in missing.stderr
    assert missing.stdout == ""


def non_loopback_address():
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.connect(("192.0.2.1", 9))  # no packet is sent
            addr = u.getsockname()[0]
    except OSError:
        return None
    return None if addr.startswith("127.") else addr


def test_governance_refuses_endpoints_not_allowed(tmp_path, server_factory):
    p = grade(tmp_path, rows([5]), "https://judge.example.invalid/v1")
    assert p.returncode == 1
    assert "--allow-endpoint https://judge.example.invalid/v1" in p.stderr
    assert p.stdout == ""
    addr = non_loopback_address()
    if addr is None:
        pytest.skip("no non-loopback address to serve on")
    s = server_factory("--host", "0.0.0.0")
    url = "http://%s:%d/v1" % (addr, s.port)
    refused = grade(tmp_path, rows([5, 6]), url)
    assert refused.returncode == 1 and refused.stdout == ""
    assert s.requests() == []
    allowed = grade(tmp_path, rows([5, 6]), url, extra=["--allow-endpoint", url])
    assert allowed.returncode == 0, allowed.stderr
    assert len(s.requests()) == 2


def test_reply_over_the_cap_fails_that_call(tmp_path, server_factory):
    # 9 MiB of content: more than the client keeps (8 MiB). The call fails without a retry and
    # the row gets on_error with its flag; the grader neither holds the reply nor aborts.
    s = server_factory("--reply-bytes", str(9 << 20))
    p = grade(tmp_path, rows([10]), s.url, settings="retries = 2")
    assert p.returncode == 0, p.stderr
    assert p.results[0]["total"] == 0.25
    assert p.results[0]["flags"] == ["judge_error:polite"]
    assert "the reply is larger than 8 MiB (1 attempt)" in p.stderr
    assert len(s.requests()) == 1
    # A reply under the cap is read as usual.
    small = server_factory("--reply-bytes", str(1 << 20))
    q = grade(tmp_path, rows([10]), small.url, extra=["--no-judge-cache"])
    assert q.results[0]["total"] == 1 and q.results[0]["flags"] == [], q.stderr


def explain(tmp_path, sample, url, extra=(), settings=""):
    spec = tmp_path / "judged.reward"
    spec.write_text(SPEC.format(settings=settings))
    env = dict(os.environ)
    env["RFT_JUDGE_URL"] = url
    env["RFT_CACHE_DIR"] = str(tmp_path / "cache")
    return subprocess.run([RFT, "explain", str(spec), "--reward", "support", "--sample",
                           json.dumps(sample), *extra], capture_output=True, text=True, env=env,
                          timeout=60)


def test_explain_calls_the_judge_and_shows_prompt_and_reply(tmp_path, server_factory):
    s = server_factory()
    sample = {"prompt": "Where is my order?", "completion": "It ships today. SCORE=7",
              "order_id": "A-1"}
    # Without --call-judges nothing is sent: the judge is unavailable and scores on_error.
    p = explain(tmp_path, sample, s.url)
    assert p.returncode == 0, p.stderr
    assert "judge_error:polite" in p.stdout and "judge polite:" not in p.stdout
    assert s.requests() == []
    p = explain(tmp_path, sample, s.url, ["--call-judges"])
    assert p.returncode == 0, p.stderr
    assert len(s.requests()) == 1
    sent = s.requests()[0]["request"]["messages"][-1]["content"]
    assert sent == ("Rate this reply from 1 to 10.\nCustomer: Where is my order?\n"
                    "Reply: It ships today. SCORE=7")
    assert "flags: (none)" in p.stdout, p.stdout
    assert ("judge polite: prompt\n  | Rate this reply from 1 to 10.\n"
            "  | Customer: Where is my order?\n  | Reply: It ships today. SCORE=7\n"
            "judge polite: reply\n  | Score: 7\n") in p.stdout, p.stdout
    # --json: the same, as data; the second time from the cache.
    p = explain(tmp_path, sample, s.url, ["--call-judges", "--json"])
    out = json.loads(p.stdout)
    assert out["total"] == pytest.approx(2 / 3) and out["flags"] == []
    assert out["judges"] == [{"judge": "polite", "prompt": sent, "reply": "Score: 7",
                              "cached": True}]
    assert len(s.requests()) == 1
    # A reply the judge's scale cannot read: the raw reply and the reason.
    bad = server_factory("--reply", "I would rather not say.")
    p = explain(tmp_path, {"completion": "hmm", "order_id": "1"}, bad.url,
                ["--call-judges", "--no-judge-cache"])
    assert "judge polite: reply\n  | I would rather not say.\njudge polite: error: " in p.stdout
    assert "judge_error:polite" in p.stdout
    # A dead endpoint: no reply, and what went wrong.
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()
    p = explain(tmp_path, {"completion": "hmm", "order_id": "1"}, "http://127.0.0.1:%d/v1" % port,
                ["--call-judges", "--no-judge-cache", "--json"], settings="retries = 0")
    j = json.loads(p.stdout)["judges"][0]
    assert j["reply"] == "" and j["error"].startswith("http://127.0.0.1:%d/v1: " % port), j
    # The judges are checked as rft grade checks them: an endpoint off this machine is refused.
    p = explain(tmp_path, sample, "https://judge.example.invalid/v1", ["--call-judges"])
    assert p.returncode == 1 and "is not on this machine" in p.stderr, p.stderr


def test_grade_show_judges_writes_each_rows_requests(tmp_path, server_factory):
    s = server_factory()
    for engine in ("interp", "jit"):
        p = grade(tmp_path, rows([3, 9], unsafe=1), s.url, engine=engine,
                  extra=["--show-judges", "--no-judge-cache"])
        assert p.returncode == 0, p.stderr
        first, second, unsafe = p.results
        assert [j["reply"] for j in first["judges"]] == ["Score: 3"], first
        assert first["judges"][0]["prompt"].endswith("Reply: Order 0 ships today. SCORE=3")
        assert first["judges"][0]["cached"] is False and "error" not in first["judges"][0]
        assert [j["reply"] for j in second["judges"]] == ["Score: 9"]
        assert unsafe["judges"] == [] and unsafe["flags"] == ["skipped:tone"]
    # Without the flag the lines are as before.
    p = grade(tmp_path, rows([3]), s.url)
    assert "judges" not in p.results[0]
