"""X-Line-Retry-Key: a repeat of an accepted request is answered 409 and delivers nothing."""

from __future__ import annotations

import uuid

import pytest

from tests.simulator.conftest import Client, FakeClock, text_messages


def test_repeat_push_gets_409_with_the_first_request_id_and_no_second_delivery(
    client: Client,
) -> None:
    user = client.resident()
    key = str(uuid.uuid4())
    body = {"to": user, "messages": text_messages("案件已受理")}

    first = client.api("POST", "/v2/bot/message/push", json=body, headers={"X-Line-Retry-Key": key})
    again = client.api("POST", "/v2/bot/message/push", json=body, headers={"X-Line-Retry-Key": key})

    assert first.status_code == 200
    assert again.status_code == 409
    assert again.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert again.json() == {
        "message": "The retry key is already accepted",
        "sentMessages": first.json()["sentMessages"],
    }
    delivered = client.bot_messages(user)
    assert len(delivered) == 1
    assert delivered[0]["retry_key"] == key
    assert client.api("GET", "/v2/bot/message/quota/consumption").json()["totalUsage"] == 1


@pytest.mark.parametrize(
    "path", ["/v2/bot/message/multicast", "/v2/bot/message/broadcast", "/v2/bot/message/narrowcast"]
)
def test_repeat_of_other_sends_gets_409_and_no_second_delivery(client: Client, path: str) -> None:
    user = client.resident()
    key = str(uuid.uuid4())
    body = {"messages": text_messages("宣導")}
    if path.endswith("multicast"):
        body["to"] = [user]

    first = client.api("POST", path, json=body, headers={"X-Line-Retry-Key": key})
    again = client.api("POST", path, json=body, headers={"X-Line-Retry-Key": key})

    assert first.status_code in (200, 202)
    assert again.status_code == 409
    assert again.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert again.json()["message"] == "The retry key is already accepted"
    assert len(client.bot_messages(user)) == 1


def test_retry_key_must_be_a_uuid(client: Client) -> None:
    user = client.resident()
    response = client.api(
        "POST",
        "/v2/bot/message/push",
        json={"to": user, "messages": text_messages("x")},
        headers={"X-Line-Retry-Key": "not-a-uuid"},
    )
    assert response.status_code == 400
    assert "X-Line-Retry-Key" in response.json()["message"]
    assert client.bot_messages(user) == []


def test_rejected_request_does_not_use_up_the_key(client: Client) -> None:
    user = client.resident()
    key = str(uuid.uuid4())
    bad = client.api(
        "POST",
        "/v2/bot/message/push",
        json={"to": user, "messages": [{"type": "text"}]},
        headers={"X-Line-Retry-Key": key},
    )
    good = client.api(
        "POST",
        "/v2/bot/message/push",
        json={"to": user, "messages": text_messages("ok")},
        headers={"X-Line-Retry-Key": key},
    )
    assert bad.status_code == 400
    assert good.status_code == 200


def test_retry_key_is_forgotten_after_24_hours(client: Client, clock: FakeClock) -> None:
    user = client.resident()
    key = str(uuid.uuid4())
    body = {"to": user, "messages": text_messages("x")}
    assert (
        client.api(
            "POST", "/v2/bot/message/push", json=body, headers={"X-Line-Retry-Key": key}
        ).status_code
        == 200
    )
    clock.advance(24 * 3600 + 1)
    assert (
        client.api(
            "POST", "/v2/bot/message/push", json=body, headers={"X-Line-Retry-Key": key}
        ).status_code
        == 200
    )
    assert len(client.bot_messages(user)) == 2
