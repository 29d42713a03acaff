"""Judges served by a real `rft serve` on loopback, graded by `rft grade`: the customer-support
example end to end (scores, the reply cache, gating), a server killed mid-batch, API keys, and the
std.judges templates (what they send, and that they score against a served model).

The judge is a small model that examples/support/make_judge.py fine-tunes to answer every prompt
with 8 (made once per run, in about half a minute on 2 cores). Needs RFT_BIN.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent / "serve"))
from test_serve import Served  # noqa: E402  (the rft serve process helper)

RFT = os.environ["RFT_BIN"]
KEY = "sk-judge-4b1d9e0c27"
SCORE = 8
TONE = (SCORE - 1) / 9  # the judge's answer on `polite`'s scale 1..10

# examples/support.reward's judge and reward, with settings the tests vary.
SPEC = """
item {{ order_id: str }}

judge polite {{
  endpoint = env("RFT_JUDGE_URL", "http://127.0.0.1:9/v1")
  model = "judge"
  prompt = \"\"\"
    Rate how polite and helpful this customer-support reply is, from 1 (rude) to 10 (excellent).
    Customer: {{prompt}}
    Reply: {{completion}}
    Answer with the number only.
    \"\"\"
  scale = 1..10
  on_error = 0.25
  max_tokens = 8
  {settings}
}}

reward support {{
  component safe = !matches(completion, r"(?i)guaranteed\\s+refund")
  component tone = polite()
  total = if safe then tone else -1
}}
"""


@pytest.fixture(scope="module")
def judge_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("judge")
    subprocess.run([sys.executable, str(ROOT / "examples" / "support" / "make_judge.py"),
                    "--out", str(out), "--rft", RFT, "--score", str(SCORE)],
                   check=True, capture_output=True, timeout=600)
    return str(out / "sft" / "final")


def serve(model, *args, key=None):
    env = dict(os.environ)
    if key is not None:
        env["RFT_SERVE_KEY"] = key
        args = ("--api-key-env", "RFT_SERVE_KEY") + args
    return Served(model, "--name", "judge", *args, env=env)


@pytest.fixture(scope="module")
def server(judge_model):
    s = serve(judge_model)
    yield s
    s.stop()


def prompts_served(server):
    status, _, text = server.request("GET", "/health")
    assert status == 200
    return json.loads(text)["prompts"]


def url(server):
    return "http://127.0.0.1:%d/v1" % server.port


def rows(safe, unsafe=0, tag="r"):
    out = [{"prompt": "Where is order %s-%d?" % (tag, i),
            "completion": "Order %s-%d ships today." % (tag, i), "order_id": "%d" % i}
           for i in range(safe)]
    out += [{"prompt": "Refund?", "completion": "A guaranteed refund for %s-%d!" % (tag, i),
             "order_id": "x"} for i in range(unsafe)]
    return out


def run_grade(tmp_path, spec_file, reward, data, env_extra, extra=()):
    if not isinstance(data, (str, Path)):
        data_file = tmp_path / "data.jsonl"
        data_file.write_text("".join(json.dumps(r) + "\n" for r in data))
        data = data_file
    env = dict(os.environ, RFT_CACHE_DIR=str(tmp_path / "cache"), **env_extra)
    return subprocess.Popen([RFT, "grade", str(spec_file), "--reward", reward, "--data", str(data),
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)


def finish(p, timeout=120):
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()  # a hang is a failure; leave no process behind
        p.communicate()
        raise
    p.stdout_text, p.stderr_text = out, err
    p.results = [json.loads(l) for l in out.splitlines() if l.strip()]
    return p


def grade(tmp_path, server, data, settings="", env_extra=None, extra=()):
    spec = tmp_path / "judged.reward"
    spec.write_text(SPEC.format(settings=settings))
    env = {"RFT_JUDGE_URL": url(server), **(env_extra or {})}
    return finish(run_grade(tmp_path, spec, "support", data, env, extra))


def test_support_example_scores_cache_and_gating(tmp_path, server):
    """The example as shipped: two safe replies judged, two unsafe ones skipped, then all cached."""
    spec = ROOT / "examples" / "support.reward"
    data = ROOT / "examples" / "data" / "support.jsonl"
    env = {"RFT_JUDGE_URL": url(server)}
    before = prompts_served(server)
    first = finish(run_grade(tmp_path, spec, "support", data, env))
    assert first.returncode == 0, first.stderr_text
    assert [r["components"]["tone"] for r in first.results] == pytest.approx([TONE, 0, TONE, 0])
    assert [r["flags"] for r in first.results] == [[], ["skipped:tone"], [], ["skipped:tone"]]
    assert first.results[0]["total"] == pytest.approx(0.2 + 0.1 + 0.7 * TONE)
    assert "judges: 2 calls, 0 cache hits, 2 misses, 2 skipped by gating" in first.stderr_text
    # Only the safe rows reached the server.
    assert prompts_served(server) - before == 2
    second = finish(run_grade(tmp_path, spec, "support", data, env))
    assert "judges: 2 calls, 2 cache hits, 0 misses, 2 skipped by gating" in second.stderr_text
    assert second.results == first.results
    assert prompts_served(server) - before == 2


@pytest.mark.parametrize("engine", ["interp", "jit"])
def test_gating_and_cache_on_a_larger_batch(tmp_path, server, engine):
    data = rows(12, unsafe=5, tag=engine)
    before = prompts_served(server)
    p = grade(tmp_path, server, data, extra=["--engine", engine])
    assert p.returncode == 0, p.stderr_text
    assert [r["total"] for r in p.results] == pytest.approx([TONE] * 12 + [-1] * 5)
    assert all(r["flags"] == [] for r in p.results[:12])
    assert all(r["flags"] == ["skipped:tone"] for r in p.results[12:])
    assert "judges: 12 calls, 0 cache hits, 12 misses, 5 skipped by gating" in p.stderr_text
    assert prompts_served(server) - before == 12
    again = grade(tmp_path, server, data, extra=["--engine", engine])
    assert "judges: 12 calls, 12 cache hits, 0 misses, 5 skipped by gating" in again.stderr_text
    assert prompts_served(server) - before == 12
    fresh = grade(tmp_path, server, data, extra=["--engine", engine, "--no-judge-cache"])
    assert "judges: 12 calls, 0 cache hits, 12 misses" in fresh.stderr_text
    assert [r["total"] for r in fresh.results] == [r["total"] for r in p.results]
    assert prompts_served(server) - before == 24


def test_server_killed_mid_batch(tmp_path, judge_model):
    # Each request waits 300 ms for others to join its batch, so the 24 rows take seconds.
    s = serve(judge_model, "--batch-wait-ms", "300")
    try:
        spec = tmp_path / "judged.reward"
        spec.write_text(SPEC.format(settings="concurrency = 2\n  retries = 1\n  timeout = 10"))
        p = run_grade(tmp_path, spec, "support", rows(24, tag="kill"),
                      {"RFT_JUDGE_URL": url(s)}, ["--threads", "2"])
        deadline = time.time() + 60
        while (served := prompts_served(s)) < 4:
            assert p.poll() is None and time.time() < deadline, "the batch ended before the kill"
            time.sleep(0.02)
        s.proc.send_signal(signal.SIGKILL)
        killed_at = time.time()
        finish(p, timeout=60)
        elapsed = time.time() - killed_at
    finally:
        s.stop()
    assert p.returncode == 0, p.stderr_text
    assert elapsed < 20, elapsed
    assert [r["line"] for r in p.results] == list(range(1, 25))
    scored = [r for r in p.results if r["flags"] == []]
    failed = [r for r in p.results if r["flags"] == ["judge_error:polite"]]
    assert len(scored) + len(failed) == 24
    # /health counts a prompt when its batch starts: the last batch's replies may be lost.
    assert served - 2 <= len(scored) <= served and len(failed) >= 10
    assert all(r["total"] == pytest.approx(TONE) for r in scored)
    assert all(r["total"] == 0.25 for r in failed)
    assert "judge `polite`: %d errors, first: " % len(failed) in p.stderr_text


def test_api_key(tmp_path, judge_model):
    s = serve(judge_model, key=KEY)
    try:
        settings = 'api_key_env = "RFT_TEST_JUDGE_KEY"'
        before = prompts_served(s)
        wrong = grade(tmp_path, s, rows(3, tag="wrong"), settings,
                      {"RFT_TEST_JUDGE_KEY": "sk-not-the-key"})
        assert wrong.returncode == 0, wrong.stderr_text
        assert [r["total"] for r in wrong.results] == [0.25] * 3
        assert all(r["flags"] == ["judge_error:polite"] for r in wrong.results)
        # Refused, and not retried: a 401 will not change.
        assert "HTTP 401 (1 attempt)" in wrong.stderr_text
        assert prompts_served(s) == before
        right = grade(tmp_path, s, rows(3, tag="right"), settings, {"RFT_TEST_JUDGE_KEY": KEY})
        assert [r["total"] for r in right.results] == pytest.approx([TONE] * 3), right.stderr_text
        assert all(r["flags"] == [] for r in right.results)
        assert prompts_served(s) == before + 3
        for p in (wrong, right):
            assert KEY not in p.stdout_text and KEY not in p.stderr_text
        # A refused reply is not cached: with the right key the same rows are asked again.
        retry = grade(tmp_path, s, rows(3, tag="wrong"), settings, {"RFT_TEST_JUDGE_KEY": KEY})
        assert "judges: 3 calls, 0 cache hits, 3 misses" in retry.stderr_text
        assert [r["total"] for r in retry.results] == pytest.approx([TONE] * 3)
    finally:
        s.stop()


TEMPLATES = """
import std.judges

item { source: str, context: str }

reward everything {
  component helpful = judges.helpfulness(prompt, completion)
  component follows = judges.instruction_following(prompt, completion)
  component faithful = judges.summary_faithfulness(item.source, completion)
  component grounded = judges.context_faithfulness(item.context, prompt, completion)
  component compliant = judges.policy_compliance("No refunds.", completion)
  component on_brand = judges.brand_tone("Warm and plain.", completion)
  total = helpful + follows + faithful + grounded + compliant + on_brand
}
"""
TEMPLATE_ROW = {"prompt": "Summarize: SRC-TEXT", "completion": "COMPLETION-TEXT",
                "source": "SOURCE-TEXT", "context": "CONTEXT-TEXT"}


def grade_templates(tmp_path, endpoint, env_extra):
    spec = tmp_path / "templates.reward"
    spec.write_text(TEMPLATES)
    env = {"RFT_JUDGE_URL": endpoint, **env_extra}
    return finish(run_grade(tmp_path, spec, "everything", [TEMPLATE_ROW], env))


def test_std_judges_send_their_parameters(tmp_path):
    """What each template sends, read from a fake endpoint's log: its arguments in the prompt,
    and the model and API key named by the environment."""
    log, port_file = tmp_path / "requests.log", tmp_path / "port"
    log.write_text("")
    fake = subprocess.Popen([sys.executable, str(HERE / "fake_judge.py"), "--port-file",
                             str(port_file), "--log", str(log), "--reply", "compliant 9"])
    try:
        for _ in range(200):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.05)
        endpoint = "http://127.0.0.1:%s/v1" % port_file.read_text()
        p = grade_templates(tmp_path, endpoint, {"RFT_JUDGE_MODEL": "grader-7b",
                                                 "RFT_JUDGE_KEY_ENV": "MY_JUDGE_KEY",
                                                 "MY_JUDGE_KEY": KEY})
        assert p.returncode == 0, p.stderr_text
        comps = p.results[0]["components"]
        # "compliant 9": the label for the verdict, the first number for the scales.
        assert comps == pytest.approx({"helpful": 8 / 9, "follows": 8 / 9, "faithful": 8 / 9,
                                       "grounded": 8 / 9, "compliant": 1, "on_brand": 8 / 9})
        reqs = [json.loads(l) for l in log.read_text().splitlines()]
        assert len(reqs) == 6
        assert all(r["request"]["model"] == "grader-7b" for r in reqs)
        assert all(r["auth"] == "Bearer " + KEY for r in reqs)
        prompts = sorted(r["request"]["messages"][-1]["content"] for r in reqs)
        want = {"helpful": ["SRC-TEXT", "COMPLETION-TEXT"],
                "instructions": ["SRC-TEXT", "COMPLETION-TEXT"],
                "summary against its source": ["SOURCE-TEXT", "COMPLETION-TEXT"],
                "grounded in the context": ["CONTEXT-TEXT", "SRC-TEXT", "COMPLETION-TEXT"],
                "compliance with a policy": ["No refunds.", "COMPLETION-TEXT"],
                "brand's voice": ["Warm and plain.", "COMPLETION-TEXT"]}
        for marker, parts in want.items():
            matching = [t for t in prompts if marker in t]
            assert len(matching) == 1, (marker, prompts)
            assert all(part in matching[0] for part in parts), (marker, matching[0])
            assert "{" not in matching[0]
        # Without RFT_JUDGE_KEY_ENV no key is sent.
        log.write_text("")
        grade_templates(tmp_path, endpoint, {"RFT_JUDGE_MODEL": "grader-7b"})
        reqs = [json.loads(l) for l in log.read_text().splitlines()]
        assert len(reqs) == 0  # all cached: the key is not part of the question
        p = finish(run_grade(tmp_path, tmp_path / "templates.reward", "everything",
                             [TEMPLATE_ROW], {"RFT_JUDGE_URL": endpoint}, ["--no-judge-cache"]))
        reqs = [json.loads(l) for l in log.read_text().splitlines()]
        assert len(reqs) == 6 and all(r["auth"] == "" for r in reqs)
        assert all(r["request"]["model"] == "judge" for r in reqs)
    finally:
        fake.kill()
        fake.wait()


def test_std_judges_against_rft_serve(tmp_path, server):
    """The templates against the served judge: every scale reads its 8; policy_compliance wants a
    verdict, which this judge never gives, so it scores its on_error value with a flag."""
    before = prompts_served(server)
    p = grade_templates(tmp_path, url(server), {})
    assert p.returncode == 0, p.stderr_text
    comps = p.results[0]["components"]
    for name in ("helpful", "follows", "faithful", "grounded", "on_brand"):
        assert comps[name] == pytest.approx(TONE), (name, p.stderr_text)
    assert comps["compliant"] == 0
    assert p.results[0]["flags"] == ["judge_error:policy_compliance"]
    assert prompts_served(server) - before == 6
