"""The LINE client reads the environment's proxy and CA settings once, as requests would."""

from __future__ import annotations

import pytest

from lianping.line.client import LineClient


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
