"""CPU per LINE call for three HTTP clients: requests, httpx and urllib3, side by side.

The delivery makes one HTTP call per answer, so the client's own CPU per call is part of
the product's cost per event. This measures it apart from everything else: a keep-alive
HTTP/1.1 server in a child process answers every POST like LINE's reply endpoint (200,
``{}`` and an ``x-line-request-id``), and each client sends the same reply body with the
same headers from one thread over one kept-alive connection, as a delivery thread does.

Only this process's CPU is counted (``time.process_time``; the server is another
process). Rounds are interleaved (requests, httpx, urllib3, requests, …) so that a
busy neighbour on the machine weighs on all three alike; the median round is printed
with the ratio to the fastest.

    .venv/bin/python bench/http_clients.py [--calls 3000] [--rounds 5]

httpx is not a product dependency: ``pip install httpx`` beside the dev tools to compare it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import statistics
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
import urllib3

BODY = {
    "replyToken": "0f3779fba3b349968c5d07db31eab56f",
    "messages": [{"type": "text", "text": "您的陳情已收到，案件編號 A-115-000123。"}],
}
HEADERS = {"Authorization": "Bearer " + "t" * 172, "Content-Type": "application/json"}


class _LineLike(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as api.line.me
    # Headers and body go out in two writes: with Nagle's algorithm on, the second waits
    # for the client's delayed ACK (40 ms a call).
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-line-request-id", "a1b2c3d4-0000-4000-8000-000000000000")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per call would cost the server more than the call."""


def _serve(port: int) -> None:
    ThreadingHTTPServer(("127.0.0.1", port), _LineLike).serve_forever()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _requests_call(url: str) -> Callable[[], None]:
    session = requests.Session()
    session.trust_env = False

    def call() -> None:
        response = session.post(url, json=BODY, headers=HEADERS, timeout=10)
        response.json()
        response.headers.get("x-line-request-id")

    return call


def _httpx_call(url: str) -> Callable[[], None]:
    import httpx  # only for this comparison

    client = httpx.Client(timeout=10, trust_env=False)

    def call() -> None:
        response = client.post(url, json=BODY, headers=HEADERS)
        response.json()
        response.headers.get("x-line-request-id")

    return call


def _urllib3_call(url: str) -> Callable[[], None]:
    pool = urllib3.PoolManager(timeout=urllib3.Timeout(10), retries=False)

    def call() -> None:
        response = pool.request("POST", url, body=json.dumps(BODY).encode(), headers=HEADERS)
        json.loads(response.data)
        response.headers.get("x-line-request-id")

    return call


CLIENTS: dict[str, Callable[[str], Callable[[], None]]] = {
    "requests": _requests_call,
    "httpx": _httpx_call,
    "urllib3": _urllib3_call,
}


def _cpu_per_call(call: Callable[[], None], calls: int) -> float:
    """Microseconds of this process's CPU per call."""
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls * 1e6


def main() -> None:
    """Run the rounds and print the median CPU per call of each client."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=3000, help="calls per client per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    port = _free_port()
    server = multiprocessing.Process(target=_serve, args=(port,), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{port}/v2/bot/message/reply"
    try:
        clients: dict[str, Callable[[], None]] = {}
        for name, make in CLIENTS.items():
            try:
                clients[name] = make(url)
            except ImportError:
                print(f"{name}: not installed, skipped")
        deadline = time.monotonic() + 10
        while True:  # the server is up once a call goes through
            try:
                next(iter(clients.values()))()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        for call in clients.values():  # warm the connection and the code
            _cpu_per_call(call, 200)
        samples: dict[str, list[float]] = {name: [] for name in clients}
        for _ in range(args.rounds):
            for name, call in clients.items():
                samples[name].append(_cpu_per_call(call, args.calls))
        medians = {name: statistics.median(values) for name, values in samples.items()}
        best = min(medians.values())
        print(f"CPU per call, median of {args.rounds} rounds of {args.calls} calls:")
        for name, value in sorted(medians.items(), key=lambda item: item[1]):
            spread = f"{min(samples[name]):.0f}–{max(samples[name]):.0f}"
            print(f"  {name:9} {value:6.0f} µs  (rounds {spread} µs)  ×{value / best:.2f}")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
