"""Judges in the Python module: endpoints refused at rft.load unless allowed, the judge cache
switch, and Grader.judge_counters() after grading (tests/judge/fake_judge.py as the judge)."""
import json
import os
import socket
import subprocess
import sys
import time

import pytest

import rft

SPEC = """
judge polite {{
  endpoint = "{endpoint}"
  model = "judge-model"
  prompt = "Rate this reply from 1 to 10.\\nReply: {{completion}}"
  scale = 1..10
  on_error = 0.25
  retries = 0
}}

reward support {{
  component safe = !matches(completion, r"(?i)guaranteed\\s+refund")
  component tone = polite()
  total = if safe then tone else -1
}}
"""

UNSAFE = "A guaranteed refund for you!"


def spec_for(tmp_path, endpoint):
    path = tmp_path / "judged.reward"
    path.write_text(SPEC.format(endpoint=endpoint))
    return str(path)


def closed_loopback_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def fake_judge(root, tmp_path):
    port_file, log = tmp_path / "port", tmp_path / "requests.log"
    log.write_text("")
    proc = subprocess.Popen([sys.executable, os.path.join(root, "tests", "judge", "fake_judge.py"),
                             "--port-file", str(port_file), "--log", str(log)])
    for _ in range(200):
        if port_file.exists():
            break
        time.sleep(0.05)
    proc.url = "http://127.0.0.1:%s/v1" % port_file.read_text()
    proc.requests = lambda: [json.loads(l) for l in log.read_text().splitlines() if l.strip()]
    yield proc
    proc.kill()
    proc.wait()


def test_endpoint_off_this_machine_is_refused_before_grading(tmp_path, cache_env):
    url = "https://judge.example.invalid/v1"
    spec = spec_for(tmp_path, url)
    with pytest.raises(rft.SpecError) as e:
        rft.load(spec, "support", engine="interp")
    message = str(e.value)
    assert "judge `polite`: endpoint `%s` is not on this machine" % url in message
    assert "no data was sent" in message
    assert "allow_endpoints: %s" % url in message
    assert "--allow-endpoint" not in message
    # Allowed, it loads; a row that gating keeps from the judge grades without the network.
    g = rft.load(spec, "support", engine="interp", allow_endpoints=[url + "/"])
    r = g.grade([UNSAFE])
    assert r.total == [-1] and r.flags == [["skipped:tone"]]
    assert g.judge_counters() == {"calls": 0, "cache_hits": 0, "misses": 0, "skipped": 1,
                                  "errors": 0}
    # Allowing another endpoint does not allow this one.
    with pytest.raises(rft.SpecError, match="not on this machine"):
        rft.load(spec, "support", engine="interp", allow_endpoints=["https://judge.example.com"])
    with pytest.raises(TypeError, match="list of URLs"):
        rft.load(spec, "support", allow_endpoints=url)


@pytest.mark.parametrize("engine", ["interp", "jit"])
def test_counters_of_a_judge_that_fails_fast(tmp_path, cache_env, engine):
    spec = spec_for(tmp_path, "http://127.0.0.1:%d/v1" % closed_loopback_port())
    g = rft.load(spec, "support", engine=engine)
    assert g.judge_counters() == {"calls": 0, "cache_hits": 0, "misses": 0, "skipped": 0,
                                  "errors": 0}
    r = g.grade(["Thanks, it ships today.", "Sorry about that.", UNSAFE, "On its way."],
                threads=2)
    assert r.total == [0.25, 0.25, -1, 0.25]
    assert r.flags == [["judge_error:polite"]] * 2 + [["skipped:tone"], ["judge_error:polite"]]
    assert g.judge_counters() == {"calls": 3, "cache_hits": 0, "misses": 3, "skipped": 1,
                                  "errors": 3}
    # Counters add up over batches.
    g.grade([UNSAFE, UNSAFE])
    assert g.judge_counters()["skipped"] == 3 and g.judge_counters()["calls"] == 3


def test_judge_cache_switch(tmp_path, cache_env, fake_judge):
    spec = spec_for(tmp_path, fake_judge.url)
    replies = ["Fine. SCORE=10", "Meh. SCORE=4"]
    first = rft.load(spec, "support", engine="interp")
    assert first.grade(replies).total == pytest.approx([1, 1 / 3])
    assert first.judge_counters()["misses"] == 2
    cached = rft.load(spec, "support", engine="interp")
    assert cached.grade(replies).total == pytest.approx([1, 1 / 3])
    assert cached.judge_counters() == {"calls": 2, "cache_hits": 2, "misses": 0, "skipped": 0,
                                       "errors": 0}
    fresh = rft.load(spec, "support", engine="interp", judge_cache=False)
    fresh.grade(replies)
    assert fresh.judge_counters()["cache_hits"] == 0 and fresh.judge_counters()["misses"] == 2
    assert len(fake_judge.requests()) == 4


def test_a_reward_without_judges_has_no_counters(root, cache_env):
    g = rft.load(os.path.join(root, "examples", "gsm8k.reward"), "gsm8k")
    g.grade(["#### 42"], answer=["42"])
    assert g.judge_counters() == {}
