"""A small OpenAI-compatible chat endpoint for the judge client's tests.

It answers POST .../chat/completions with "Score: N" where the user message holds SCORE=N (else
--reply), or, when it holds a group judge's <answer id="k"> elements, with a ranking or a score per
answer (group_reply), logs one JSON line per request to --log (with how many requests were in flight), and can
misbehave: fail the first requests with a status, answer slowly, demand an API key, send a huge
reply, or die.
"""
import argparse
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--fail", type=int, default=0, help="answer the first N requests with --status")
parser.add_argument("--status", type=int, default=500)
parser.add_argument("--retry-after", default="", help="a Retry-After header on failures")
parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
parser.add_argument("--expect-key", default="", help="answer 401 unless this bearer key is sent")
parser.add_argument("--die-after", type=int, default=0, help="exit when request N+1 arrives")
parser.add_argument("--reply", default="5", help="the answer when the prompt holds no SCORE=")
parser.add_argument("--reply-bytes", type=int, default=0,
                    help="pad each answer's content with spaces to this many bytes (a huge reply)")
args = parser.parse_args()

lock = threading.Lock()
state = {"count": 0, "in_flight": 0}


def group_reply(prompt, answers):
    """A group judge's answer: with RANK in the prompt, the answers' numbers ordered by their
    SCORE= values (highest first, as "2 > 1 > 3"); else a line "Answer k: N" per answer."""
    def score(text):
        m = re.search(r"SCORE=(\S+)", text)
        return float(m.group(1)) if m else 0.0
    if "RANK" in prompt:
        order = sorted(answers, key=lambda a: -score(a[1]))
        return "Ranking: " + " > ".join(k for k, _ in order)
    return "\n".join("Answer %s: %g" % (k, score(t)) for k, t in answers)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            state["count"] += 1
            n = state["count"]
            state["in_flight"] += 1
            in_flight = state["in_flight"]
        if args.die_after and n > args.die_after:
            os._exit(0)
        try:
            request = json.loads(body)
            auth = self.headers.get("Authorization", "")
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"n": n, "t": time.time(), "in_flight": in_flight,
                                    "path": self.path, "auth": auth, "request": request}) + "\n")
            time.sleep(args.delay)
            if args.expect_key and auth != "Bearer " + args.expect_key:
                return self.answer(401, {"error": {"message": "bad key"}})
            if n <= args.fail:
                return self.answer(args.status, {"error": {"message": "try later"}},
                                   {"Retry-After": args.retry_after} if args.retry_after else {})
            prompt = request["messages"][-1]["content"]
            answers = re.findall(r'<answer id="(\d+)">\n(.*?)\n</answer>', prompt, re.S)
            if answers and args.reply == "5":
                text = group_reply(prompt, answers)
            else:
                m = re.search(r"SCORE=(\S+)", prompt)
                text = "Score: " + m.group(1) if m else args.reply
            if args.reply_bytes:
                text += " " * max(0, args.reply_bytes - len(text))
            self.answer(200, {"choices": [{"message": {"role": "assistant", "content": text}}]})
        finally:
            with lock:
                state["in_flight"] -= 1

    def answer(self, status, obj, headers=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# Room for every connection of a batch: with the default backlog of 5, connections beyond it
# wait a second for the client's SYN retry, which hides how many requests were sent together.
ThreadingHTTPServer.request_queue_size = 64
server = ThreadingHTTPServer((args.host, 0), Handler)
server.daemon_threads = True
tmp = args.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, args.port_file)
server.serve_forever()
