"""Reply tokens: issued per event, single use, one minute, at most five messages."""

from __future__ import annotations

from tests.simulator.conftest import Client, FakeClock, Receiver, text_messages


def test_reply_token_is_single_use_and_delivers_to_the_sender(client: Client) -> None:
    user = client.resident()
    token = client.say(user, "我要反映")["event"]["replyToken"]

    first = client.api(
        "POST",
        "/v2/bot/message/reply",
        json={"replyToken": token, "messages": text_messages("收到")},
    )
    second = client.api(
        "POST",
        "/v2/bot/message/reply",
        json={"replyToken": token, "messages": text_messages("again")},
    )

    assert first.status_code == 200
    sent = first.json()["sentMessages"]
    assert len(sent) == 1 and sent[0]["id"].isdigit() and sent[0]["quoteToken"]
    assert first.headers["x-line-request-id"]
    assert second.status_code == 400
    assert second.json() == {"message": "Invalid reply token"}
    delivered = client.bot_messages(user)
    assert [d["message"]["text"] for d in delivered] == ["收到"]
    assert delivered[0]["via"] == "reply"


def test_reply_token_expires_after_a_minute(client: Client, clock: FakeClock) -> None:
    user = client.resident()
    fresh = client.say(user, "一")["event"]["replyToken"]
    stale = client.say(user, "二")["event"]["replyToken"]

    clock.advance(59)
    assert (
        client.api(
            "POST",
            "/v2/bot/message/reply",
            json={"replyToken": fresh, "messages": text_messages("ok")},
        ).status_code
        == 200
    )
    clock.advance(2)
    late = client.api(
        "POST",
        "/v2/bot/message/reply",
        json={"replyToken": stale, "messages": text_messages("late")},
    )

    assert late.status_code == 400
    assert late.json()["message"] == "Invalid reply token"
    assert [d["message"]["text"] for d in client.bot_messages(user)] == ["ok"]


def test_unknown_reply_token_is_rejected(client: Client) -> None:
    response = client.api(
        "POST",
        "/v2/bot/message/reply",
        json={"replyToken": "0" * 32, "messages": text_messages("x")},
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid reply token"


def test_reply_accepts_five_messages_and_rejects_six_without_spending_the_token(
    client: Client,
) -> None:
    user = client.resident()
    token = client.say(user, "hi")["event"]["replyToken"]

    six = client.api(
        "POST",
        "/v2/bot/message/reply",
        json={"replyToken": token, "messages": text_messages(*"123456")},
    )
    five = client.api(
        "POST",
        "/v2/bot/message/reply",
        json={"replyToken": token, "messages": text_messages(*"12345")},
    )

    assert six.status_code == 400
    assert six.json()["message"] == "The request body has 1 error(s)"
    assert six.json()["details"][0]["property"] == "messages"
    assert five.status_code == 200
    assert len(five.json()["sentMessages"]) == 5
    assert [d["message"]["text"] for d in client.bot_messages(user)] == list("12345")


def test_replies_do_not_count_against_the_quota(client: Client) -> None:
    user = client.resident()
    token = client.say(user, "hi")["event"]["replyToken"]
    client.api(
        "POST", "/v2/bot/message/reply", json={"replyToken": token, "messages": text_messages("a")}
    )
    assert client.api("GET", "/v2/bot/message/quota/consumption").json() == {"totalUsage": 0}


def test_follow_and_postback_carry_reply_tokens_unfollow_does_not(
    client: Client, receiver: Receiver
) -> None:
    user = client.resident(follow=False)
    follow = client.sim("POST", f"/residents/{user}/send", json={"type": "follow"}).json()["event"]
    postback = client.sim(
        "POST", f"/residents/{user}/send", json={"type": "postback", "data": "a=1"}
    ).json()["event"]
    unfollow = client.sim("POST", f"/residents/{user}/send", json={"type": "unfollow"}).json()[
        "event"
    ]

    assert follow["replyToken"] and postback["replyToken"]
    assert "replyToken" not in unfollow
    reply = client.api(
        "POST",
        "/v2/bot/message/reply",
        json={"replyToken": postback["replyToken"], "messages": text_messages("ok")},
    )
    assert reply.status_code == 200
