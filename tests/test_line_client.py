"""The LINE client: the environment's proxy and CA settings read once, as requests would;
kept-alive connections for every thread calling at once."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import certifi
import pytest

from lianping.context import Context
from lianping.line.client import LineClient
from lianping_dev.simulator.client import SimulatorClient as Sim


def test_an_intranet_proxy_and_ca_bundle_from_the_environment_are_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.intranet:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/agency-ca.pem")
    line = LineClient("token")
    assert line.proxy_of(line.api_base) == "http://proxy.intranet:3128"
    assert line.proxy_of(line.data_base) == "http://proxy.intranet:3128"
    assert line.ca_certs == "/etc/ssl/certs/agency-ca.pem"
    # A host the environment says to reach directly (the simulator) gets no proxy.
    direct = LineClient("token", api_base="http://127.0.0.1:8100")
    assert direct.proxy_of(direct.api_base) is None


def test_without_proxy_settings_calls_go_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                 "all_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    line = LineClient("token")
    assert line.proxy_of(line.api_base) is None
    assert line.ca_certs == certifi.where()


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy that answers LINE's quota call itself and notes what it was asked."""

    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "15")
        self.end_headers()
        self.wfile.write(b'{"type":"none"}')

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def test_calls_go_through_the_environments_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for name in ("NO_PROXY", "no_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.server_port}")
        line = LineClient("token", api_base="http://api.line.invalid")
        assert line.get_quota() is None
    finally:
        server.shutdown()
    # The proxy was asked for the absolute address, as a forward proxy is.
    assert _Proxy.asked == ["http://api.line.invalid/v2/bot/message/quota"]


def test_many_threads_calling_line_at_once_keep_their_connections(
    sim: Sim, ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    # A worker's delivery threads call LINE together: each keeps its connection alive.
    sim.faults(latency_ms=300, path_prefix="/v2/bot/message/quota")
    try:
        with (
            caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"),
            ThreadPoolExecutor(40) as pool,
        ):
            quotas = list(pool.map(lambda _: ctx.line.get_quota(), range(80)))
    finally:
        sim.faults(clear=True)
    assert len(quotas) == 80
    discarded = [r for r in caplog.records if "Connection pool is full" in r.getMessage()]
    assert discarded == []
