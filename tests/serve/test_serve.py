"""End-to-end tests of `rft serve`: a tiny random model from `rft init-model`, served on a free
loopback port, checked against the shapes of the OpenAI chat-completions and completions APIs.

Run with RFT_BIN pointing at the `rft` binary (tests/CMakeLists.txt does).
"""

import http.client
import json
import os
import queue
import signal
import subprocess
import threading
import time

import pytest

RFT = os.environ.get("RFT_BIN", "rft")
API_KEY = "sk-test-0123456789"


class Served:
    """A running `rft serve`; its stderr is collected in the background."""

    def __init__(self, model_dir, *args, env=None):
        self.proc = subprocess.Popen(
            [RFT, "serve", "--model", model_dir, "--port", "0", "--threads", "1", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
        self.log = []
        self.port = None
        lines = queue.Queue()
        self.reader = threading.Thread(target=self._drain, args=(lines,), daemon=True)
        self.reader.start()
        deadline = time.time() + 60
        while self.port is None:
            left = deadline - time.time()
            assert left > 0, "rft serve did not start: " + "".join(self.log)
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                continue
            assert line is not None, "rft serve exited: " + "".join(self.log)
            if " on http://127.0.0.1:" in line:
                self.port = int(line.split("127.0.0.1:")[1].split("/")[0])
        # /health answers once the server accepts connections.
        while True:
            try:
                status, _, _ = self.request("GET", "/health")
                if status == 200:
                    break
            except OSError:
                pass
            assert time.time() < deadline, "no /health answer"
            time.sleep(0.05)

    def _drain(self, lines):
        for line in self.proc.stderr:
            self.log.append(line)
            lines.put(line)
        lines.put(None)

    def request(self, method, path, body=None, headers=None, raw=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        conn.request(method, path, body=data,
                     headers={"Content-Type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        text = resp.read().decode("utf-8")
        conn.close()
        return resp.status, dict(resp.getheaders()), text

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("serve") / "tiny")
    subprocess.run([RFT, "init-model", d, "--seed", "3"], check=True, capture_output=True)
    return d


@pytest.fixture(scope="module")
def server(model_dir):
    env = dict(os.environ, RFT_TEST_KEY=API_KEY)
    s = Served(model_dir, "--api-key-env", "RFT_TEST_KEY", "--name", "judge",
               "--max-new-tokens", "16", "--batch-wait-ms", "300", "--max-batch", "8", env=env)
    yield s
    s.stop()


AUTH = {"Authorization": "Bearer " + API_KEY}


def call(server, path, body, **kw):
    status, headers, text = server.request("POST", path, body, headers=AUTH, **kw)
    return status, headers, json.loads(text)


def check_usage(usage):
    assert set(usage) == {"prompt_tokens", "completion_tokens", "total_tokens"}
    assert all(isinstance(v, int) and v >= 0 for v in usage.values())
    assert usage["prompt_tokens"] > 0
    assert usage["prompt_tokens"] + usage["completion_tokens"] == usage["total_tokens"]


def check_error(status, body, want_status, param=None, code=None):
    assert status == want_status, body
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["type"], str)
    assert err["param"] == param
    if code is not None:
        assert err["code"] == code


def rft_generate(model_dir, prompt, max_new_tokens, chat=False):
    args = [RFT, "generate", "--model", model_dir, "--prompt", prompt, "--temperature", "0",
            "--max-new-tokens", str(max_new_tokens), "--threads", "1"]
    if chat:
        args.append("--chat")
    out = subprocess.run(args, check=True, capture_output=True).stdout.decode("utf-8")
    assert out.endswith("\n")
    return out[:-1]  # the newline rft generate prints after the text


def read_sse(server, path, body):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.request("POST", path, body=json.dumps(body),
                 headers={"Content-Type": "application/json", **AUTH})
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.getheader("Content-Type").startswith("text/event-stream")
    raw = resp.read().decode("utf-8")
    conn.close()
    events = [e for e in raw.split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events), raw
    payloads = [e[len("data: "):] for e in events]
    assert payloads[-1] == "[DONE]"
    return [json.loads(p) for p in payloads[:-1]]


def test_health_and_models(server):
    status, _, text = server.request("GET", "/health")
    assert status == 200
    health = json.loads(text)
    assert health["status"] == "ok" and health["model"] == "judge"
    status, _, body = server.request("GET", "/v1/models", headers=AUTH)
    body = json.loads(body)
    assert status == 200
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == ["judge"]
    model = body["data"][0]
    assert model["object"] == "model" and isinstance(model["created"], int)
    assert isinstance(model["owned_by"], str)
    status, _, one = server.request("GET", "/v1/models/judge", headers=AUTH)
    assert status == 200 and json.loads(one)["id"] == "judge"
    status, _, missing = server.request("GET", "/v1/models/other", headers=AUTH)
    check_error(status, json.loads(missing), 404, param="model", code="model_not_found")


def test_chat_completion_shape_and_greedy_matches_generate(server, model_dir):
    status, headers, body = call(server, "/v1/chat/completions", {
        "model": "judge", "messages": [{"role": "user", "content": "Hi there"}],
        "temperature": 0, "max_tokens": 12})
    assert status == 200, body
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    assert isinstance(body["created"], int) and abs(body["created"] - time.time()) < 600
    assert body["model"] == "judge"
    assert len(body["choices"]) == 1
    choice = body["choices"][0]
    assert choice["index"] == 0
    assert choice["message"]["role"] == "assistant"
    assert isinstance(choice["message"]["content"], str)
    assert choice["finish_reason"] in ("stop", "length")
    check_usage(body["usage"])
    assert body["usage"]["completion_tokens"] <= 12
    assert int(headers["X-Rft-Batch-Size"]) >= 1
    assert choice["message"]["content"] == rft_generate(model_dir, "Hi there", 12, chat=True)


def test_completion_shape_and_greedy_matches_generate(server, model_dir):
    status, _, body = call(server, "/v1/completions", {
        "prompt": "Once upon a time", "temperature": 0, "max_tokens": 20})
    assert status == 200, body
    assert body["object"] == "text_completion"
    assert body["id"].startswith("cmpl-")
    assert body["model"] == "judge"
    choice = body["choices"][0]
    assert choice["index"] == 0 and isinstance(choice["text"], str)
    assert choice["finish_reason"] in ("stop", "length")
    check_usage(body["usage"])
    # The built-in tokenizer is byte-level: the prompt is one token per byte.
    assert body["usage"]["prompt_tokens"] == len("Once upon a time")
    assert choice["text"] == rft_generate(model_dir, "Once upon a time", 20)
    if choice["finish_reason"] == "length":
        assert body["usage"]["completion_tokens"] == 20


def test_several_prompts_in_one_completion_request(server):
    status, _, body = call(server, "/v1/completions", {
        "prompt": ["ab", "abc"], "temperature": 0, "max_tokens": 4})
    assert status == 200, body
    assert [c["index"] for c in body["choices"]] == [0, 1]
    assert body["usage"]["prompt_tokens"] == 5
    check_usage(body["usage"])


def test_stop_string_ends_the_text(server):
    _, _, free = call(server, "/v1/completions", {"prompt": "xyz", "temperature": 0, "max_tokens": 16})
    text = free["choices"][0]["text"]
    if len(text) < 3:
        pytest.skip("the model's text is too short to cut")
    stop = text[2:4]
    _, _, cut = call(server, "/v1/completions",
                     {"prompt": "xyz", "temperature": 0, "max_tokens": 16, "stop": [stop]})
    assert cut["choices"][0]["text"] == text[:text.find(stop)]
    assert cut["choices"][0]["finish_reason"] == "stop"


def test_seeded_sampling_repeats(server):
    req = {"prompt": "seed", "temperature": 1.0, "max_tokens": 16, "seed": 1234}
    _, _, a = call(server, "/v1/completions", req)
    _, _, b = call(server, "/v1/completions", req)
    assert a["choices"][0]["text"] == b["choices"][0]["text"]


def test_streaming_chat(server):
    req = {"messages": [{"role": "system", "content": "Be brief."},
                        {"role": "user", "content": "Hello"}],
           "temperature": 0, "max_tokens": 10}
    _, _, whole = call(server, "/v1/chat/completions", req)
    chunks = read_sse(server, "/v1/chat/completions",
                      {**req, "stream": True, "stream_options": {"include_usage": True}})
    ids = {c["id"] for c in chunks}
    assert len(ids) == 1 and ids.pop().startswith("chatcmpl-")
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    check_usage(usage_chunk["usage"])
    assert usage_chunk["usage"] == whole["usage"]
    chunks = chunks[:-1]
    for c in chunks:
        assert c["object"] == "chat.completion.chunk"
        assert c["model"] == "judge" and isinstance(c["created"], int)
        assert len(c["choices"]) == 1 and c["choices"][0]["index"] == 0
        assert "delta" in c["choices"][0]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
    assert chunks[-1]["choices"][0]["finish_reason"] == whole["choices"][0]["finish_reason"]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == whole["choices"][0]["message"]["content"]


def test_streaming_completion(server):
    req = {"prompt": "Stream me", "temperature": 0, "max_tokens": 10}
    _, _, whole = call(server, "/v1/completions", req)
    chunks = read_sse(server, "/v1/completions", {**req, "stream": True})
    for c in chunks:
        assert c["object"] == "text_completion" and c["id"].startswith("cmpl-")
        assert "usage" not in c
    assert chunks[-1]["choices"][0]["finish_reason"] == whole["choices"][0]["finish_reason"]
    assert "".join(c["choices"][0]["text"] for c in chunks) == whole["choices"][0]["text"]


def test_concurrent_requests_are_answered_and_batched(server):
    _, _, before = server.request("GET", "/health")
    before = json.loads(before)
    _, _, solo = call(server, "/v1/completions", {"prompt": "batch", "temperature": 0, "max_tokens": 8})
    results = [None] * 6

    def one(i):
        results[i] = call(server, "/v1/completions",
                          {"prompt": "batch", "temperature": 0, "max_tokens": 8})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for status, headers, body in results:
        assert status == 200
        # Greedy text does not depend on what else is in the batch.
        assert body["choices"][0]["text"] == solo["choices"][0]["text"]
    sizes = [int(h["X-Rft-Batch-Size"]) for _, h, _ in results]
    assert max(sizes) > 1, sizes
    _, _, after = server.request("GET", "/health")
    after = json.loads(after)
    assert after["prompts"] - before["prompts"] == 7
    assert after["generate_calls"] - before["generate_calls"] < 7
    assert after["largest_batch"] > 1


@pytest.mark.parametrize("raw, param, code", [
    ("{not json", None, None),
    ("[1, 2]", None, None),
    ('{"model": "judge"}', "messages", "missing_required_parameter"),
    ('{"messages": []}', "messages", "empty_array"),
    ('{"messages": "hi"}', "messages", "invalid_type"),
    ('{"messages": [{"content": "hi"}]}', "messages[0].role", "missing_required_parameter"),
    ('{"messages": [{"role": "wizard", "content": "hi"}]}', "messages[0].role", "invalid_value"),
    ('{"messages": [{"role": "user", "content": "hi"}], "temperature": 3}', "temperature",
     "decimal_above_max_value"),
    ('{"messages": [{"role": "user", "content": "hi"}], "temperature": -1}', "temperature",
     "decimal_below_min_value"),
    ('{"messages": [{"role": "user", "content": "hi"}], "temperature": "hot"}', "temperature",
     "invalid_type"),
    ('{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 0}', "max_tokens",
     "integer_below_min_value"),
    ('{"messages": [{"role": "user", "content": "hi"}], "n": 2}', "n", "unsupported_parameter"),
    ('{"messages": [{"role": "user", "content": "hi"}], "stop": 5}', "stop", "invalid_type"),
])
def test_bad_chat_requests_get_400(server, raw, param, code):
    status, _, text = server.request("POST", "/v1/chat/completions", headers=AUTH, raw=raw)
    check_error(status, json.loads(text), 400, param=param, code=code)


def test_bad_completion_requests_get_400(server):
    status, _, body = call(server, "/v1/completions", {"max_tokens": 3})
    check_error(status, body, 400, param="prompt", code="missing_required_parameter")
    status, _, body = call(server, "/v1/completions", {"prompt": [[1, 2, 3]]})
    check_error(status, body, 400, param="prompt[0]", code="unsupported_parameter")


def test_unknown_model_and_route(server):
    status, _, body = call(server, "/v1/chat/completions",
                           {"model": "gpt-4", "messages": [{"role": "user", "content": "hi"}]})
    check_error(status, body, 404, param="model", code="model_not_found")
    status, _, text = server.request("GET", "/v1/nothing", headers=AUTH)
    check_error(status, json.loads(text), 404, code="unknown_url")
    status, _, text = server.request("POST", "/elsewhere", headers=AUTH, raw="{}")
    check_error(status, json.loads(text), 404, code="unknown_url")


def test_api_key_is_required(server):
    req = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
    for headers in ({}, {"Authorization": "Bearer sk-wrong"},
                    {"Authorization": "Bearer " + API_KEY + "x"},
                    {"Authorization": "Bearer " + API_KEY[:-1]}, {"Authorization": API_KEY}):
        status, _, text = server.request("POST", "/v1/chat/completions", req, headers=headers)
        check_error(status, json.loads(text), 401)
        status, _, text = server.request("GET", "/v1/models", headers=headers)
        check_error(status, json.loads(text), 401)
    status, _, _ = server.request("POST", "/v1/chat/completions", req, headers=AUTH)
    assert status == 200


def test_stops_cleanly_on_sigterm(model_dir):
    s = Served(model_dir)
    # A request in flight when the signal comes is still answered.
    result = {}

    def one():
        result["r"] = s.request("POST", "/v1/completions",
                                {"prompt": "last", "temperature": 0, "max_tokens": 64})

    t = threading.Thread(target=one)
    t.start()
    time.sleep(0.2)
    s.proc.send_signal(signal.SIGTERM)
    t.join()
    assert s.proc.wait(timeout=30) == 0
    assert result["r"][0] == 200
    assert "stopped after 1 prompts" in "".join(s.log)


def test_missing_api_key_variable_is_a_user_error(model_dir):
    env = {k: v for k, v in os.environ.items() if k != "RFT_UNSET_KEY"}
    p = subprocess.run([RFT, "serve", "--model", model_dir, "--api-key-env", "RFT_UNSET_KEY"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 1
    assert "RFT_UNSET_KEY" in p.stderr
