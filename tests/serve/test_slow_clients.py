"""`rft serve` under slow clients: connections that send their request a byte a second do not
block anyone else (each has a thread of its own, and its request a deadline), and a connection
beyond --max-connections is answered 503 at once.

Run with RFT_BIN pointing at the `rft` binary (tests/CMakeLists.txt does).
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from test_serve import RFT, Served  # noqa: E402


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("slow") / "tiny")
    subprocess.run([RFT, "init-model", d, "--seed", "3"], check=True, capture_output=True)
    return d


class Trickle:
    """Connections that each send a request's header a byte a second and never finish it."""

    def __init__(self, port, n):
        self.socks = []
        self.closed_by_server = set()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        # The trickle starts with the first connection, so that none stays silent while the
        # others connect.
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"G")
            with self.lock:
                self.socks.append(s)

    def _run(self):
        text = b"ET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
        i = 0
        while not self.stop.is_set():
            with self.lock:
                socks = list(self.socks)
            for k, s in enumerate(socks):
                if k in self.closed_by_server:
                    continue
                try:
                    s.send(text[i % len(text):i % len(text) + 1])
                except OSError:
                    self.closed_by_server.add(k)
            i += 1
            self.stop.wait(1.0)

    def count_closed(self):
        """How many connections the server has closed (EOF or reset when read)."""
        for k, s in enumerate(self.socks):
            if k in self.closed_by_server:
                continue
            s.setblocking(False)
            try:
                if s.recv(4096) == b"":
                    self.closed_by_server.add(k)
            except BlockingIOError:
                pass
            except OSError:
                self.closed_by_server.add(k)
        return len(self.closed_by_server)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        for s in self.socks:
            s.close()


def test_hundred_slow_connections_block_no_one(model_dir):
    server = Served(model_dir, "--max-new-tokens", "4", "--header-timeout", "15")
    try:
        slow = Trickle(server.port, 100)
        try:
            time.sleep(2)  # every slow connection is open and trickling
            assert slow.count_closed() == 0
            start = time.time()
            status, _, text = server.request("GET", "/health")
            assert status == 200, text
            status, _, text = server.request(
                "POST", "/v1/chat/completions",
                {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4})
            assert status == 200, text
            assert json.loads(text)["choices"][0]["message"]["role"] == "assistant"
            answered = time.time() - start
            # Both were answered while the 100 connections were still held open.
            assert slow.count_closed() == 0, "slow connections were closed before the requests"
            print(f"/health and a chat request answered in {answered:.2f} s "
                  f"with 100 slow connections open")
            # The header deadline (15 s) then closes every slow connection.
            deadline = time.time() + 30
            while slow.count_closed() < 100 and time.time() < deadline:
                time.sleep(0.5)
            assert slow.count_closed() == 100
        finally:
            slow.close()
    finally:
        server.stop()


def test_connections_over_the_limit_get_503(model_dir):
    server = Served(model_dir, "--max-new-tokens", "4", "--max-connections", "5",
                    "--header-timeout", "30")
    try:
        time.sleep(1)  # the start-up /health connections have ended
        slow = Trickle(server.port, 5)
        try:
            time.sleep(1)
            status, headers, text = server.request("GET", "/health")
            assert status == 503, text
            body = json.loads(text)
            assert body["error"]["code"] == "too_many_connections"
            assert headers.get("Retry-After") == "1"
        finally:
            slow.close()
        # Once the slow ones are gone, requests are served again.
        deadline = time.time() + 20
        while True:
            try:
                status, _, _ = server.request("GET", "/health")
            except OSError:
                status = None
            if status == 200 or time.time() > deadline:
                break
            time.sleep(0.2)
        assert status == 200
    finally:
        server.stop()
