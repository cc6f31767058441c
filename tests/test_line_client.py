"""The LINE client: the environment's proxy and CA settings read once, as requests would;
kept-alive connections for every thread calling at once."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

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
    assert line.session.proxies["https"] == "http://proxy.intranet:3128"
    assert line.session.verify == "/etc/ssl/certs/agency-ca.pem"
    # Not per call: requests would read the environment (and ~/.netrc) on every request.
    assert line.session.trust_env is False
    # A host the environment says to reach directly (the simulator) gets no proxy.
    assert LineClient("token", api_base="http://127.0.0.1:8100").session.proxies == {}


def test_without_proxy_settings_calls_go_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                 "all_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    line = LineClient("token")
    assert line.session.proxies == {} and line.session.verify is True


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
