"""`rft serve` and what does not fit: a request whose client goes away is cancelled (the model
stops generating for it), and a request that does not fit the model's context length is refused
with the OpenAI API's error, or cut to fit when it gave no max_tokens.

Run with RFT_BIN pointing at the `rft` binary (tests/CMakeLists.txt does).
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_serve import RFT, Served, check_error  # noqa: E402

# A max_tokens that the tiny model would take hours to reach on one thread: a test that waits for
# a request behind one cancelled with it can only pass when the cancelled generation stopped.
ENDLESS = 1_000_000
CONTEXT = 2048  # the context length of `rft init-model`'s models


def make_model(tmp_path_factory, name, context=None):
    d = str(tmp_path_factory.mktemp(name) / "tiny")
    subprocess.run([RFT, "init-model", d, "--seed", "3"], check=True, capture_output=True)
    if context is not None:
        path = os.path.join(d, "config.json")
        with open(path) as f:
            config = json.load(f)
        config["max_position_embeddings"] = context
        with open(path, "w") as f:
            json.dump(config, f)
    return d


def stop_server(s):
    try:
        s.stop()
    finally:
        if s.proc.poll() is None:
            s.proc.kill()


@pytest.fixture(scope="module")
def cancel_server(tmp_path_factory):
    # RoPE has no table to outgrow, so the model runs with a context long enough for ENDLESS.
    model = make_model(tmp_path_factory, "cancel", context=2 * ENDLESS)
    s = Served(model, "--max-tokens-limit", str(ENDLESS), "--max-batch", "2", "--batch-wait-ms",
               "1000")
    yield s
    stop_server(s)


@pytest.fixture(scope="module")
def context_server(tmp_path_factory):
    s = Served(make_model(tmp_path_factory, "context"), "--max-new-tokens", "16")
    yield s
    stop_server(s)


def call(server, body, path="/v1/completions"):
    status, headers, text = server.request("POST", path, body)
    return status, headers, json.loads(text)


def health(server):
    status, _, text = server.request("GET", "/health")
    assert status == 200
    return json.loads(text)


def open_stream(server, body):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.request("POST", "/v1/completions", body=json.dumps({**body, "stream": True}),
                 headers={"Content-Type": "application/json"})
    return conn


def read_event(resp):
    """The next server-sent event's JSON."""
    line = resp.readline()
    while line in (b"\n", b"\r\n"):
        line = resp.readline()
    assert line.startswith(b"data: {"), line
    return json.loads(line[len(b"data: "):])


def hang_up(conn, resp):
    # shutdown, not only close: the response still holds the socket open.
    conn.sock.shutdown(socket.SHUT_RDWR)
    resp.close()
    conn.close()


def wait_for(server, what, counter, value):
    deadline = time.time() + 60
    while health(server)[counter] < value:
        assert time.time() < deadline, "the server never counted " + what
        time.sleep(0.02)


# ---- cancellation ----


def test_streaming_client_that_goes_away_is_cancelled(cancel_server):
    before = health(cancel_server)
    conn = open_stream(cancel_server,
                       {"prompt": "Once upon a time", "temperature": 0, "max_tokens": ENDLESS})
    resp = conn.getresponse()
    assert resp.status == 200
    for _ in range(2):
        assert read_event(resp)["choices"][0]["finish_reason"] is None
    hang_up(conn, resp)
    # One thread runs the model, one call at a time: this request is answered only once the
    # cancelled one's call has ended, which it would not do for hours had it run on.
    status, _, body = call(cancel_server, {"prompt": "next", "temperature": 0, "max_tokens": 4})
    assert status == 200, body
    after = health(cancel_server)
    assert after["cancelled"] - before["cancelled"] == 1
    assert after["generate_calls"] - before["generate_calls"] == 2
    assert after["prompts"] - before["prompts"] == 2


def test_non_streaming_client_that_goes_away_is_cancelled(cancel_server):
    before = health(cancel_server)
    body = json.dumps({"prompt": "Once upon a time", "temperature": 0, "max_tokens": ENDLESS})
    sock = socket.create_connection(("127.0.0.1", cancel_server.port), timeout=60)
    sock.sendall(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                  % (len(body), body)).encode())
    wait_for(cancel_server, "the prompt's generate call", "prompts", before["prompts"] + 1)
    sock.close()
    status, _, reply = call(cancel_server, {"prompt": "next", "temperature": 0, "max_tokens": 4})
    assert status == 200, reply
    after = health(cancel_server)
    assert after["cancelled"] - before["cancelled"] == 1
    assert after["generate_calls"] - before["generate_calls"] == 2


def test_cancelled_request_leaves_its_batch_neighbour_unchanged(cancel_server):
    req = {"prompt": "Neighbours", "temperature": 0, "max_tokens": 300}
    status, _, solo = call(cancel_server, req)
    assert status == 200, solo
    before = health(cancel_server)
    # Both requests come within --batch-wait-ms and fill --max-batch 2: one generate call.
    conn = open_stream(cancel_server, req)
    result = {}
    neighbour = threading.Thread(target=lambda: result.update(r=call(cancel_server, req)))
    neighbour.start()
    resp = conn.getresponse()
    assert resp.status == 200
    first = read_event(resp)["choices"][0]
    assert first["finish_reason"] is None and solo["choices"][0]["text"].startswith(first["text"])
    hang_up(conn, resp)
    neighbour.join()
    status, headers, body = result["r"]
    assert status == 200, body
    assert headers["X-Rft-Batch-Size"] == "2"
    assert body["choices"] == solo["choices"]
    assert body["usage"] == solo["usage"]
    after = health(cancel_server)
    assert after["cancelled"] - before["cancelled"] == 1
    assert after["generate_calls"] - before["generate_calls"] == 1


def test_stop_line_counts_the_cancelled_requests(cancel_server):
    cancelled = health(cancel_server)["cancelled"]
    assert cancelled >= 1
    cancel_server.stop()
    assert cancel_server.proc.returncode == 0
    cancel_server.reader.join(timeout=30)  # the last lines of the log
    assert "(%d cancelled: their clients went away)" % cancelled in "".join(cancel_server.log)


# ---- the context length ----


def context_error(status, body, param):
    check_error(status, body, 400, param=param, code="context_length_exceeded")
    message = body["error"]["message"]
    assert message.startswith("This model's maximum context length is %d tokens." % CONTEXT)
    return message


def test_prompt_and_max_tokens_past_the_context_get_400(context_server):
    status, _, body = call(context_server, {"prompt": "x" * 100, "max_tokens": 2000})
    message = context_error(status, body, "prompt")
    assert "you requested 2100 tokens (100 in the prompt, 2000 in the completion)" in message


def test_chat_past_the_context_gets_400_and_what_fits_succeeds(context_server):
    messages = [{"role": "user", "content": "y" * 2000}]
    status, _, body = call(context_server, {"messages": messages, "max_tokens": 1},
                           "/v1/chat/completions")
    assert status == 200, body
    prompt_tokens = body["usage"]["prompt_tokens"]  # the message in the model's chat format
    room = CONTEXT - prompt_tokens
    assert 0 < room < 100
    status, _, body = call(context_server, {"messages": messages, "max_completion_tokens": room + 1},
                           "/v1/chat/completions")
    message = context_error(status, body, "messages")
    assert "you requested %d tokens (%d in the messages, %d in the completion)" % (
        CONTEXT + 1, prompt_tokens, room + 1) in message
    status, _, body = call(context_server, {"messages": messages, "max_tokens": room,
                                            "temperature": 0}, "/v1/chat/completions")
    assert status == 200, body
    assert body["usage"]["total_tokens"] <= CONTEXT


def test_longest_of_several_prompts_is_named(context_server):
    status, _, body = call(context_server, {"prompt": ["short", "x" * 2040], "max_tokens": 10})
    message = context_error(status, body, "prompt")
    assert "(2040 in prompt[1], 10 in the completion)" in message


@pytest.mark.parametrize("length", [CONTEXT, CONTEXT + 500])
def test_prompt_that_alone_fills_the_context_gets_400(context_server, length):
    status, _, body = call(context_server, {"prompt": "x" * length, "temperature": 0})
    message = context_error(status, body, "prompt")
    assert "the prompt resulted in %d tokens" % length in message


def test_without_max_tokens_the_reply_is_cut_to_fit(context_server):
    # The server's default (--max-new-tokens 16) does not fit after this prompt; 8 tokens do.
    status, _, body = call(context_server, {"prompt": "x" * (CONTEXT - 8), "temperature": 0})
    assert status == 200, body
    assert body["usage"] == {"prompt_tokens": CONTEXT - 8, "completion_tokens": 8,
                             "total_tokens": CONTEXT}
    assert body["choices"][0]["finish_reason"] == "length"
    # Chat too: what the messages leave, at most.
    messages = [{"role": "user", "content": "y" * (CONTEXT - 30)}]
    status, _, body = call(context_server, {"messages": messages, "temperature": 0},
                           "/v1/chat/completions")
    assert status == 200, body
    usage = body["usage"]
    assert usage["completion_tokens"] <= CONTEXT - usage["prompt_tokens"] < 16
    # A short prompt still gets the default.
    status, _, body = call(context_server, {"prompt": "Once upon a time", "temperature": 0})
    assert status == 200, body
    assert body["usage"]["completion_tokens"] == 16
