"""Group judges in `rft grade`, against fake_judge.py on a free loopback port: one request per
group of completions that share a prompt, rankings and per-answer scores mapped back to each
completion, gating, groups split at max_group, the reply cache, unreadable replies, and the
checker's errors. The fake judge ranks answers by the SCORE=N they hold."""
import json
import os
import re
import subprocess

import pytest

from test_judge_grade import RFT, server_factory  # noqa: F401 (a fixture)

RANK_SPEC = """
judge best {
  endpoint = env("RFT_JUDGE_URL", "http://127.0.0.1:9/v1")
  model = "judge-model"
  group = "rank"
  prompt = \"\"\"RANK these answers to the question, best first.
Question: {prompt}
{completions}\"\"\"
  on_error = 0.25
  %s
}

reward relative {
  component safe = !matches(completion, r"(?i)guaranteed\\s+refund")
  component rank = best()
  total = if safe then rank else -1
}
"""

SCORE_SPEC = """
judge each {
  endpoint = env("RFT_JUDGE_URL", "http://127.0.0.1:9/v1")
  model = "judge-model"
  group = "score"
  prompt = "Score each answer from 1 to 10.\\nQuestion: {prompt}\\n{completions}"
  scale = 1..10
  %s
}

judge polite {
  endpoint = env("RFT_JUDGE_URL", "http://127.0.0.1:9/v1")
  model = "judge-model"
  prompt = "Rate from 1 to 10: POLITE {completion}"
  scale = 1..10
}

reward mixed {
  component quality = each()
  component tone = polite()
  total = quality + tone
}
"""


def run_grade(tmp_path, spec_text, reward, data, url, engine="interp", extra=()):
    spec = tmp_path / "group.reward"
    spec.write_text(spec_text)
    data_file = tmp_path / "data.jsonl"
    data_file.write_text("".join(json.dumps(r) + "\n" for r in data))
    env = dict(os.environ, RFT_JUDGE_URL=url, RFT_CACHE_DIR=str(tmp_path / "cache"))
    p = subprocess.run([RFT, "grade", str(spec), "--reward", reward, "--data", str(data_file),
                        "--engine", engine, *extra], capture_output=True, text=True, env=env,
                       timeout=120)
    p.results = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    return p


def group_rows():
    # Two prompts with three completions each, and an unsafe completion for the first prompt.
    rows = []
    for q, scores in (("Where is my order?", [3, 9, 6]), ("Can I change the address?", [8, 2, 5])):
        for s in scores:
            rows.append({"prompt": q, "completion": "Reply %s. SCORE=%s" % (s, s)})
    rows.append({"prompt": "Where is my order?", "completion": "A guaranteed refund! SCORE=10"})
    return rows


def answers_in(request):
    content = request["request"]["messages"][-1]["content"]
    return re.findall(r'<answer id="(\d+)">\n(.*?)\n</answer>', content, re.S)


@pytest.mark.parametrize("engine", ["interp", "jit", "aot"])
def test_one_request_per_group_ranked(tmp_path, server_factory, engine):
    s = server_factory()
    p = run_grade(tmp_path, RANK_SPEC % "", "relative", group_rows(), s.url, engine=engine)
    assert p.returncode == 0, p.stderr
    # Best of three scores 1, the middle 0.5, the worst 0; the unsafe row is gated out.
    assert [r["total"] for r in p.results] == pytest.approx([0, 1, 0.5, 1, 0, 0.5, -1])
    assert p.results[6]["flags"] == ["skipped:rank"]
    assert all(r["flags"] == [] for r in p.results[:6])
    reqs = s.requests()
    assert len(reqs) == 2
    groups = sorted(tuple(t for _, t in answers_in(r)) for r in reqs)
    assert groups == [("Reply 3. SCORE=3", "Reply 9. SCORE=9", "Reply 6. SCORE=6"),
                      ("Reply 8. SCORE=8", "Reply 2. SCORE=2", "Reply 5. SCORE=5")]
    for r in reqs:
        assert [k for k, _ in answers_in(r)] == ["1", "2", "3"]
        assert "guaranteed refund" not in r["request"]["messages"][-1]["content"]
    assert "judges: 6 calls, 0 cache hits, 2 misses, 1 skipped by gating, 0 errors\n" in p.stderr


def test_large_groups_are_split_evenly_and_cached(tmp_path, server_factory):
    s = server_factory()
    rows = [{"prompt": "Q", "completion": "A%d SCORE=%d" % (i, i)} for i in range(1, 6)]
    p = run_grade(tmp_path, RANK_SPEC % "max_group = 3", "relative", rows, s.url, engine="jit")
    assert p.returncode == 0, p.stderr
    reqs = s.requests()
    assert sorted(len(answers_in(r)) for r in reqs) == [2, 3]
    # Rows 1-3 are ranked among themselves (3 best), rows 4-5 among themselves (5 best).
    assert [r["total"] for r in p.results] == pytest.approx([0, 0.5, 1, 0, 1])
    again = run_grade(tmp_path, RANK_SPEC % "max_group = 3", "relative", rows, s.url)
    assert again.returncode == 0, again.stderr
    assert [r["total"] for r in again.results] == [r["total"] for r in p.results]
    assert len(s.requests()) == 2
    assert "judges: 5 calls, 2 cache hits, 0 misses" in again.stderr


def test_scores_per_answer_and_single_judges_asked_once(tmp_path, server_factory):
    s = server_factory()
    rows = [{"prompt": "Q", "completion": "SCORE=%d" % v} for v in (1, 10, 4)]
    p = run_grade(tmp_path, SCORE_SPEC % "", "mixed", rows, s.url, engine="aot")
    assert p.returncode == 0, p.stderr
    quality = [r["components"]["quality"] for r in p.results]
    tone = [r["components"]["tone"] for r in p.results]
    assert quality == pytest.approx([0, 1, 1 / 3])
    assert tone == pytest.approx([0, 1, 1 / 3])
    reqs = s.requests()
    group = [r for r in reqs if answers_in(r)]
    single = [r for r in reqs if "POLITE" in r["request"]["messages"][-1]["content"]]
    # One group request; the single judge once per row, although rows were graded twice.
    assert len(group) == 1 and len(single) == 3 and len(reqs) == 4


def test_unreadable_group_reply_gives_on_error_to_each(tmp_path, server_factory):
    s = server_factory("--reply", "They are all fine.")
    rows = [{"prompt": "Q", "completion": "c%d" % i} for i in range(3)]
    p = run_grade(tmp_path, RANK_SPEC % "", "relative", rows, s.url)
    assert p.returncode == 0, p.stderr
    assert [r["total"] for r in p.results] == [0.25] * 3
    assert all("judge_error:best" in r["flags"] for r in p.results)
    assert len(s.requests()) == 1  # answered, though unreadably: not retried
    assert "judge `best`" in p.stderr and "ranks 0 of 3 answers" in p.stderr


def test_a_lone_completion_is_not_sent_to_a_ranking_judge(tmp_path, server_factory):
    s = server_factory()
    rows = [{"prompt": "Q1", "completion": "SCORE=1"}, {"prompt": "Q2", "completion": "SCORE=2"}]
    p = run_grade(tmp_path, RANK_SPEC % "", "relative", rows, s.url)
    assert p.returncode == 0, p.stderr
    assert [r["total"] for r in p.results] == [0.5, 0.5]
    assert s.requests() == []


@pytest.mark.parametrize("judge_body, message", [
    ('group = "rank"\n scale = 1..10\n prompt = "{completions}"',
     "ranks its group, so it takes no `scale` or `labels`"),
    ('group = "score"\n scale = 1..10\n prompt = "Rate {completion}"',
     "unknown placeholder `{completion}`"),
    ('group = "score"\n scale = 1..10\n prompt = "Rate it"', "has no `{completions}`"),
    ('scale = 1..10\n prompt = "Rate {completions}"', "{completions} is for group judges"),
    ('scale = 1..10\n max_group = 4\n prompt = "Rate {completion}"',
     "`max_group` is for group judges"),
    ('group = "pairs"\n prompt = "{completions}"', '`group` is "rank" or "score"'),
    ('group = "score"\n prompt = "{completions}"', "needs exactly one of `scale` and `labels`"),
])
def test_checker_errors(tmp_path, judge_body, message):
    spec = tmp_path / "bad.reward"
    spec.write_text('judge j {\n model = "m"\n %s\n}\nreward r {\n total = j()\n}\n' % judge_body)
    p = subprocess.run([RFT, "check", str(spec)], capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert message in p.stderr, p.stderr


def test_a_prompt_that_is_the_same_for_every_sample_is_warned_about(tmp_path):
    spec = tmp_path / "warn.reward"
    spec.write_text('judge j {\n model = "m"\n group = "rank"\n prompt = "Rank: {completions}"\n}\n'
                    'reward r {\n total = j()\n}\n')
    p = subprocess.run([RFT, "check", str(spec)], capture_output=True, text=True, timeout=60)
    assert "warning[W0006]: group judge `j` renders the same prompt for every sample" in p.stderr
    spec.write_text(spec.read_text().replace("Rank: {completions}", "Rank for {prompt}: {completions}"))
    p = subprocess.run([RFT, "check", str(spec)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "W0006" not in p.stderr, p.stderr
