"""Bearer token enforcement and run-time fault injection."""

from __future__ import annotations

import pytest
import requests

from lianping_dev.simulator.api import AUTH_FAILED
from tests.simulator.conftest import Client, text_messages


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v2/bot/message/push"),
        ("POST", "/v2/bot/message/reply"),
        ("GET", "/v2/bot/message/quota"),
        ("GET", "/v2/bot/profile/U0123456789abcdef0123456789abcdef"),
        ("GET", "/v2/bot/message/1/content"),
        ("POST", "/v2/bot/richmenu"),
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "test-access-token"])
def test_every_api_call_needs_the_bearer_token(
    client: Client, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.request(method, client.base + path, headers=headers, json={}, timeout=10)
    assert response.status_code == 401
    assert response.json() == {"message": AUTH_FAILED}


def test_unauthorized_push_delivers_nothing(client: Client) -> None:
    user = client.resident()
    requests.post(
        client.base + "/v2/bot/message/push",
        json={"to": user, "messages": text_messages("x")},
        timeout=10,
    )
    assert client.bot_messages(user) == []


def _push_statuses(client: Client, user: str, n: int) -> list[int]:
    return [
        client.api(
            "POST", "/v2/bot/message/push", json={"to": user, "messages": text_messages(str(i))}
        ).status_code
        for i in range(n)
    ]


def test_fixed_status_for_the_next_three_calls(client: Client) -> None:
    user = client.resident()
    assert client.sim("POST", "/faults", json={"status": 500, "count": 3}).status_code == 200

    statuses = _push_statuses(client, user, 5)

    assert statuses == [500, 500, 500, 200, 200]
    assert [d["message"]["text"] for d in client.bot_messages(user)] == ["3", "4"]


def test_429_faults_use_lines_wording_so_clients_can_branch(client: Client) -> None:
    user = client.resident()
    client.sim(
        "POST",
        "/faults",
        json={"status": 429, "count": 1, "message": "You have reached your monthly limit."},
    )
    monthly = client.api(
        "POST", "/v2/bot/message/push", json={"to": user, "messages": text_messages("x")}
    )
    client.sim("POST", "/faults", json={"status": 429, "count": 1})
    rate = client.api(
        "POST", "/v2/bot/message/push", json={"to": user, "messages": text_messages("x")}
    )
    assert (monthly.status_code, monthly.json()) == (
        429,
        {"message": "You have reached your monthly limit."},
    )
    assert (rate.status_code, rate.json()) == (429, {"message": "Too Many Requests"})


def test_seeded_error_rate_is_repeatable_and_failed_calls_deliver_nothing(client: Client) -> None:
    user = client.resident()
    runs = []
    for _ in range(2):
        client.sim("POST", "/faults", json={"error_rate": 0.5, "seed": 7})
        runs.append(_push_statuses(client, user, 20))

    assert runs[0] == runs[1]
    assert 0 < runs[0].count(500) < 20
    assert set(runs[0]) == {200, 500}
    assert len(client.bot_messages(user)) == 2 * runs[0].count(200)


def test_faults_can_be_limited_to_a_path_prefix_and_cleared(client: Client) -> None:
    user = client.resident()
    client.sim("POST", "/faults", json={"error_rate": 1.0, "path_prefix": "/v2/bot/message/push"})
    assert client.api("GET", "/v2/bot/message/quota").status_code == 200
    assert _push_statuses(client, user, 1) == [500]
    client.sim("POST", "/faults", json={"clear": True})
    assert _push_statuses(client, user, 1) == [200]


def test_latency_is_injected(client: Client) -> None:
    client.sim("POST", "/faults", json={"latency_ms": 300})
    response = client.api("GET", "/v2/bot/message/quota")
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.3


def test_bad_fault_settings_are_refused(client: Client) -> None:
    assert client.sim("POST", "/faults", json={"error_rate": 2}).status_code == 400
    assert client.sim("POST", "/faults", json={"nonsense": 1}).status_code == 400


def test_calls_are_logged_with_status_and_retry_key(client: Client) -> None:
    user = client.resident()
    key = "123e4567-e89b-12d3-a456-426614174000"
    client.api(
        "POST",
        "/v2/bot/message/push",
        json={"to": user, "messages": text_messages("x")},
        headers={"X-Line-Retry-Key": key},
    )
    calls = client.sim("GET", "/calls", params={"path_prefix": "/v2/bot/message/push"}).json()[
        "calls"
    ]
    assert len(calls) == 1
    assert calls[0]["status"] == 200
    assert calls[0]["headers"]["X-Line-Retry-Key"] == key
    assert calls[0]["json"]["to"] == user
    assert client.sim("GET", "/stats").json()["calls_by_status"]["200"] >= 1
