"""Seeding many followers at once, and counting what each LINE user received per endpoint."""

from __future__ import annotations

import secrets
import uuid

from tests.simulator.conftest import Client, text_messages


def new_ids(count: int) -> list[str]:
    return ["U" + secrets.token_hex(16) for _ in range(count)]


def test_bulk_followers_receive_a_multicast_once_each_and_a_repeat_counts_nothing(
    client: Client,
) -> None:
    ids = new_ids(500)
    created = client.sim("POST", "/residents/bulk", json={"user_ids": ids, "follow": True})
    assert created.status_code == 201 and created.json()["created"] == 500
    again = client.sim("POST", "/residents/bulk", json={"user_ids": ids[:10]})
    assert again.json()["created"] == 0  # existing residents are left as they are
    stranger = client.resident(follow=False)

    key = str(uuid.uuid4())
    body = {"to": ids, "messages": text_messages("反貪倡廉", "人人有責")}
    headers = {"X-Line-Retry-Key": key}
    assert client.api("POST", "/v2/bot/message/multicast", json=body, headers=headers).ok
    repeat = client.api("POST", "/v2/bot/message/multicast", json=body, headers=headers)
    assert repeat.status_code == 409

    receipts = client.sim("GET", "/receipts", params={"via": "multicast"}).json()
    assert receipts["recipients"] == 500 and receipts["histogram"] == {"1": 500}
    assert set(receipts["receipts"]) == set(ids) and stranger not in receipts["receipts"]
    assert client.sim("GET", "/receipts?via=broadcast").json()["recipients"] == 0
    # Every recipient's conversation shows both messages, in order.
    for user in (ids[0], ids[-1]):
        shown = client.bot_messages(user)
        assert [m["message"]["text"] for m in shown] == ["反貪倡廉", "人人有責"]
        assert shown[0]["seq"] < shown[1]["seq"]
    used = client.api("GET", "/v2/bot/message/quota/consumption").json()["totalUsage"]
    assert used == 500  # one per recipient, however many messages


def test_broadcast_reaches_every_follower_and_counts_quota(client: Client) -> None:
    followers, blocked = new_ids(3), new_ids(2)
    client.sim("POST", "/residents/bulk", json={"user_ids": followers, "follow": True})
    client.sim("POST", "/residents/bulk", json={"user_ids": blocked, "follow": False})
    key = {"X-Line-Retry-Key": str(uuid.uuid4())}
    body = {"messages": text_messages("全體宣導")}
    assert client.api("POST", "/v2/bot/message/broadcast", json=body, headers=key).ok
    got = client.sim("GET", "/receipts", params={"via": "broadcast"}).json()["receipts"]
    assert got == dict.fromkeys(followers, 1)


def test_bulk_input_is_checked(client: Client) -> None:
    for body in ({}, {"user_ids": []}, {"user_ids": ["not-an-id"]}, {"count": 0}):
        answer = client.sim("POST", "/residents/bulk", json=body)
        assert answer.status_code == 400, body
    made = client.sim("POST", "/residents/bulk", json={"count": 3, "follow": True}).json()
    assert made["created"] == 3 and len(made["user_ids"]) == 3
