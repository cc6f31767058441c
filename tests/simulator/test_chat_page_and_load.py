"""The chat page is served with its own assets; state holds up under concurrent clients."""

from __future__ import annotations

import threading

from tests.simulator.conftest import Client, text_messages


def test_chat_page_and_assets_are_served_locally(client: Client) -> None:
    page = client.http.get(client.base + "/", timeout=10)
    assert page.status_code == 200
    assert 'lang="zh-TW"' in page.text
    assert "//" not in page.text.replace("http://www.w3.org", "")  # no CDN or remote URL
    for asset in ("chat.js", "render.js", "chat.css"):
        response = client.http.get(f"{client.base}/_sim/static/{asset}", timeout=10)
        assert response.status_code == 200, asset
        assert "innerHTML" not in response.text
    assert client.http.get(client.base + "/chat/Uabc", timeout=10).status_code == 200


def test_concurrent_pushes_are_all_delivered_in_one_sequence(client: Client) -> None:
    users = [client.resident() for _ in range(4)]
    errors: list[int] = []

    def pusher(user: str) -> None:
        own = Client(client.base)
        for i in range(40):
            response = own.api(
                "POST", "/v2/bot/message/push", json={"to": user, "messages": text_messages(str(i))}
            )
            if response.status_code != 200:
                errors.append(response.status_code)

    threads = [threading.Thread(target=pusher, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    every_seq = []
    for user in users:
        delivered = client.bot_messages(user)
        assert [d["message"]["text"] for d in delivered] == [str(i) for i in range(40)]
        every_seq += [d["seq"] for d in delivered]
    assert len(set(every_seq)) == len(every_seq) == 160
    assert client.sim("GET", "/stats").json()["total_messages"] == 160


def test_messages_after_seq_returns_only_newer_entries(client: Client) -> None:
    user = client.resident()
    client.api(
        "POST", "/v2/bot/message/push", json={"to": user, "messages": text_messages("a", "b")}
    )
    first = client.sim("GET", f"/residents/{user}/messages").json()
    client.api("POST", "/v2/bot/message/push", json={"to": user, "messages": text_messages("c")})
    later = client.sim(
        "GET", f"/residents/{user}/messages", params={"after": first["last_seq"]}
    ).json()
    assert [i["message"]["text"] for i in later["items"]] == ["c"]
    assert later["last_seq"] > first["last_seq"]


def test_reset_forgets_everything(client: Client) -> None:
    client.resident()
    client.sim("POST", "/faults", json={"status": 500, "count": 5})
    assert client.sim("POST", "/reset").status_code == 200
    assert client.sim("GET", "/residents").json() == {"residents": []}
    assert client.api("GET", "/v2/bot/message/quota").status_code == 200
