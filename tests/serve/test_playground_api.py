"""`rft serve --compare` and the grading endpoint: two random models served side by side, chosen
by the request's `model`; GET and POST /v1/grade with tests/serve/playground.reward and the
arithmetic demo's reward; the playground's static files; and the command-line checks.

Run with RFT_BIN pointing at the `rft` binary (tests/CMakeLists.txt does).
"""

import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_serve import RFT, Served, check_error  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ARITHMETIC = os.path.join(ROOT, "examples", "arithmetic.reward")
KEY = "sk-playground-test"
AUTH = {"Authorization": "Bearer " + KEY}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("playground")
    dirs = {}
    for name, seed in (("tuned", 5), ("base", 6)):
        dirs[name] = str(d / "runs" / name / "final")
        subprocess.run([RFT, "init-model", dirs[name], "--seed", str(seed)], check=True,
                       capture_output=True)
    return dirs


@pytest.fixture(scope="module")
def server(models):
    env = dict(os.environ, RFT_PG_KEY=KEY)
    s = Served(models["tuned"], "--compare", models["base"], "--spec", ARITHMETIC, "--reward",
               "sum", "--max-new-tokens", "12", "--api-key-env", "RFT_PG_KEY", env=env)
    yield s
    s.stop()


def call(server, method, path, body=None):
    status, headers, text = server.request(method, path, body, headers=AUTH)
    return status, headers, json.loads(text)


def complete(server, model, prompt):
    body = {"prompt": prompt, "temperature": 0, "max_tokens": 12}
    if model is not None:
        body["model"] = model
    status, _, reply = call(server, "POST", "/v1/completions", body)
    assert status == 200, reply
    return reply


def test_both_models_are_listed_with_names_that_tell_them_apart(server):
    status, _, body = call(server, "GET", "/v1/models")
    assert status == 200
    # Both directories are called `final`, so their names carry the parent folder.
    assert [m["id"] for m in body["data"]] == ["tuned/final", "base/final"]
    for name in ("tuned/final", "base/final"):
        status, _, one = call(server, "GET", "/v1/models/" + name)
        assert status == 200 and one["id"] == name
    assert "serving `tuned/final` and `base/final` on http://127.0.0.1:" in "".join(server.log)


def test_the_model_field_selects_the_model(server, models):
    prompt = "Once upon a time"
    tuned = complete(server, "tuned/final", prompt)
    base = complete(server, "base/final", prompt)
    default = complete(server, None, prompt)
    assert tuned["model"] == "tuned/final" and base["model"] == "base/final"
    assert default["model"] == "tuned/final"
    assert default["choices"][0]["text"] == tuned["choices"][0]["text"]
    # Each answer is its own model's greedy text, as `rft generate` gives it.
    for name, reply in (("tuned", tuned), ("base", base)):
        out = subprocess.run([RFT, "generate", "--model", models[name], "--prompt", prompt,
                              "--temperature", "0", "--max-new-tokens", "12", "--threads", "1"],
                             check=True, capture_output=True).stdout.decode("utf-8")
        assert reply["choices"][0]["text"] == out[:-1], name
    assert tuned["choices"][0]["text"] != base["choices"][0]["text"]


def test_health_counts_each_model(server):
    before = json.loads(server.request("GET", "/health")[2])
    complete(server, "base/final", "count me")
    after = json.loads(server.request("GET", "/health")[2])
    assert [m["id"] for m in after["models"]] == ["tuned/final", "base/final"]
    assert after["models"][1]["prompts"] == before["models"][1]["prompts"] + 1
    assert after["models"][0]["prompts"] == before["models"][0]["prompts"]
    assert after["model"] == "tuned/final" and after["prompts"] == after["models"][0]["prompts"]


def test_unknown_model_names_both(server):
    status, _, body = call(server, "POST", "/v1/completions", {"model": "other", "prompt": "x"})
    check_error(status, body, 404, param="model", code="model_not_found")
    assert "`tuned/final`, `base/final`" in body["error"]["message"]


def test_grade_describes_the_reward(server):
    status, _, body = call(server, "GET", "/v1/grade")
    assert status == 200
    assert body == {"object": "grader", "spec": ARITHMETIC, "reward": "sum",
                    "components": [{"name": "correct", "type": "bool", "judge": False},
                                   {"name": "digits", "type": "num", "judge": False}],
                    "monitors": [], "judges": [], "item": [{"name": "answer", "type": "str"}]}


def test_grade_scores_samples_in_order(server):
    samples = [{"prompt": "12+34=", "completion": "46", "item": {"answer": "46"}},
               {"completion": "45\n", "item": {"answer": "46"}},
               {"prompt": "1+1=", "completion": "2"},
               {"completion": "x", "item": {"answer": 46}}]
    status, _, body = call(server, "POST", "/v1/grade", {"samples": samples})
    assert status == 200, body
    assert body["object"] == "list" and body["reward"] == "sum"
    assert body["components"] == ["correct", "digits"]
    data = body["data"]
    assert [d["index"] for d in data] == [0, 1, 2, 3]
    assert data[0]["total"] == pytest.approx(1.25)
    assert data[0]["components"] == {"correct": 1, "digits": 1}
    assert data[0]["flags"] == []
    assert data[1]["total"] == pytest.approx(0.1875)
    assert data[1]["components"] == {"correct": 0, "digits": 0.75}
    # Samples whose item does not fit the spec get an error of their own; the others are graded.
    assert set(data[2]) == {"index", "error"} and "answer" in data[2]["error"]
    assert set(data[3]) == {"index", "error"} and "answer" in data[3]["error"]


def test_grade_matches_rft_grade(server, tmp_path):
    rows = [{"prompt": "205+317=", "completion": c, "answer": "522"}
            for c in ("522", "512", "52", "five hundred", "0522")]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = subprocess.run([RFT, "grade", ARITHMETIC, "--reward", "sum", "--data", str(data)],
                         check=True, capture_output=True, text=True).stdout
    want = [json.loads(line) for line in out.splitlines()]
    samples = [{"prompt": r["prompt"], "completion": r["completion"],
                "item": {"answer": r["answer"]}} for r in rows]
    status, _, body = call(server, "POST", "/v1/grade", {"samples": samples})
    assert status == 200
    for got, w in zip(body["data"], want):
        assert got["total"] == pytest.approx(w["total"])
        assert got["components"] == pytest.approx(w["components"])


@pytest.mark.parametrize("body,param,code", [
    ({}, "samples", "missing_required_parameter"),
    ({"samples": "x"}, "samples", "invalid_type"),
    ({"samples": [3]}, "samples[0]", "invalid_type"),
    ({"samples": [{"prompt": "p"}]}, "samples[0].completion", "missing_required_parameter"),
    ({"samples": [{"completion": 1}]}, "samples[0].completion", "invalid_type"),
    ({"samples": [{"completion": "a", "item": []}]}, "samples[0].item", "invalid_type"),
    ({"samples": [{"completion": "a"}] * 1025}, "samples", "array_above_max_length"),
])
def test_bad_grade_requests_get_400(server, body, param, code):
    status, _, reply = call(server, "POST", "/v1/grade", body)
    check_error(status, reply, 400, param=param, code=code)


def test_grade_needs_the_key_and_the_page_does_not(server):
    status, _, text = server.request("POST", "/v1/grade", {"samples": []})
    check_error(status, json.loads(text), 401, code="missing_api_key")
    status, headers, page = server.request("GET", "/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert '<script src="/app.js"' in page and "rft playground" in page
    for path, kind in (("/app.js", "text/javascript"), ("/style.css", "text/css")):
        status, headers, text = server.request("GET", path)
        assert status == 200 and headers["Content-Type"].startswith(kind) and text
        # The page loads nothing from elsewhere.
        assert "http://" not in text and "https://" not in text


def test_without_a_spec_grade_is_404(models):
    s = Served(models["base"])
    try:
        for method in ("GET", "POST"):
            status, _, text = s.request(method, "/v1/grade", {"samples": []})
            check_error(status, json.loads(text), 404, code="no_grader")
        status, _, text = s.request("GET", "/v1/models")
        assert [m["id"] for m in json.loads(text)["data"]] == ["final"]
    finally:
        s.stop()


@pytest.mark.parametrize("args,message", [
    (["--compare-name", "b"], "--compare-name needs --compare"),
    (["--spec", ARITHMETIC], "--spec needs --reward"),
    (["--reward", "sum"], "--reward needs --spec"),
    (["--spec", ARITHMETIC, "--reward", "summ"], "no reward named `summ`"),
    (["--compare", "SELF"], "both called"),
    (["--compare", "/no/such/model"], "/no/such/model"),
])
def test_command_line_errors(models, args, message):
    args = [models["tuned"] if a == "SELF" else a for a in args]
    p = subprocess.run([RFT, "serve", "--model", models["tuned"], "--port", "0", *args],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    assert message in p.stderr


JUDGED = '''
judge polite {
  endpoint = "http://127.0.0.1:9/v1"
  model = "judge"
  prompt = """
    Rate the reply's politeness from 1 to 10.
    Reply: {completion}
    Score:
    """
  scale = 1..10
  on_error = 0.25
  retries = 0
  timeout = 5
}

reward judged {
  component tone = polite()
  component chars = len(completion)
  total = tone + chars
}
'''


def test_judge_components_are_marked_and_their_failures_flagged(models, tmp_path):
    spec = tmp_path / "judged.reward"
    spec.write_text(JUDGED)
    # Port 9 on loopback refuses connections: the judge fails and its on_error score is used.
    s = Served(models["base"], "--spec", str(spec), "--reward", "judged",
               env=dict(os.environ, RFT_CACHE_DIR=str(tmp_path / "cache"),
                        XDG_CACHE_HOME=str(tmp_path / "xdg")))
    try:
        status, _, text = s.request("GET", "/v1/grade")
        body = json.loads(text)
        assert status == 200
        assert body["judges"] == ["polite"]
        assert body["components"] == [{"name": "tone", "type": "num", "judge": True},
                                      {"name": "chars", "type": "num", "judge": False}]
        status, _, text = s.request("POST", "/v1/grade", {"samples": [{"completion": "Thanks!"}]})
        assert status == 200
        result = json.loads(text)["data"][0]
        assert result["components"] == {"tone": 0.25, "chars": 7}
        assert "judge_error:polite" in result["flags"]
    finally:
        s.stop()



def test_grade_body_with_a_number_beyond_the_double_range(server):
    # A number no double holds is a 400 that says so, not an aborted server.
    raw = '{"samples": [{"completion": "46", "item": {"answer": "46"}, "n": 1e999}]}'
    status, _, text = server.request("POST", "/v1/grade", raw=raw, headers=AUTH)
    reply = json.loads(text)
    check_error(status, reply, 400, code="invalid_json")
    assert "a number beyond the double range (`1e999`)" in reply["error"]["message"], reply
    status, _, body = call(server, "POST", "/v1/grade",
                           {"samples": [{"completion": "46", "item": {"answer": "46"}}]})
    assert status == 200 and body["data"][0]["total"] == pytest.approx(1.25), body
