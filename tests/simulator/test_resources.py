"""Profile, followers, quota, narrowcast progress, loading, leave and rich menus."""

from __future__ import annotations

from lianping_dev.simulator import images
from tests.simulator.conftest import Client, text_messages


def test_profile_of_known_user_and_404_otherwise(client: Client) -> None:
    user = client.resident("林美玲")
    profile = client.api("GET", f"/v2/bot/profile/{user}")
    assert profile.status_code == 200
    assert profile.json()["displayName"] == "林美玲"
    assert profile.json()["userId"] == user
    assert client.api("GET", "/v2/bot/profile/U" + "0" * 32).status_code == 404


def test_followers_are_paged_with_a_continuation_token(client: Client) -> None:
    users = [client.resident(f"居民{i}") for i in range(5)]
    client.resident("未加好友", follow=False)
    seen, start = [], None
    while True:
        params = {"limit": 2, **({"start": start} if start else {})}
        page = client.api("GET", "/v2/bot/followers/ids", params=params).json()
        seen += page["userIds"]
        start = page.get("next")
        if not start:
            break
    assert seen == users


def test_follower_insight_counts_friends_and_blocks(client: Client) -> None:
    friends = [client.resident(f"好友{i}") for i in range(3)]
    client.resident("未加好友", follow=False)
    client.sim("POST", f"/residents/{friends[0]}/send", json={"type": "unfollow"})
    insight = client.api("GET", "/v2/bot/insight/followers", params={"date": "20261201"})
    assert insight.json() == {"status": "ready", "followers": 3, "targetedReaches": 2, "blocks": 1}
    refused = client.api("GET", "/v2/bot/insight/followers", params={"date": "2026-12-01"})
    assert refused.status_code == 400


def test_multicast_counts_quota_consumption_by_recipients(client: Client) -> None:
    users = [client.resident() for _ in range(3)]
    response = client.api(
        "POST", "/v2/bot/message/multicast", json={"to": users, "messages": text_messages("a", "b")}
    )
    assert response.status_code == 200
    assert response.json() == {}
    assert client.api("GET", "/v2/bot/message/quota/consumption").json() == {"totalUsage": 3}
    assert client.api("GET", "/v2/bot/message/quota").json()["type"] == "limited"
    assert all(len(client.bot_messages(u)) == 2 for u in users)


def test_quota_exhaustion_answers_the_monthly_limit_message(client: Client) -> None:
    user = client.resident()
    client.sim("POST", "/quota", json={"value": 1})
    assert (
        client.api(
            "POST", "/v2/bot/message/push", json={"to": user, "messages": text_messages("1")}
        ).status_code
        == 200
    )
    over = client.api(
        "POST", "/v2/bot/message/push", json={"to": user, "messages": text_messages("2")}
    )
    assert (over.status_code, over.json()) == (
        429,
        {"message": "You have reached your monthly limit."},
    )
    assert len(client.bot_messages(user)) == 1


def test_broadcast_reaches_followers_only(client: Client) -> None:
    follower = client.resident()
    blocked = client.resident()
    client.sim("POST", f"/residents/{blocked}/send", json={"type": "unfollow"})
    assert (
        client.api(
            "POST", "/v2/bot/message/broadcast", json={"messages": text_messages("反貪倡廉")}
        ).status_code
        == 200
    )
    assert [d["via"] for d in client.bot_messages(follower)] == ["broadcast"]
    assert client.bot_messages(blocked) == []


def test_narrowcast_progress_reports_success(client: Client) -> None:
    users = [client.resident() for _ in range(2)]
    accepted = client.api(
        "POST", "/v2/bot/message/narrowcast", json={"messages": text_messages("問卷")}
    )
    assert accepted.status_code == 202
    progress = client.api(
        "GET",
        "/v2/bot/message/progress/narrowcast",
        params={"requestId": accepted.headers["x-line-request-id"]},
    ).json()
    assert progress["phase"] == "succeeded"
    assert progress["successCount"] == progress["targetCount"] == 2
    assert all(client.bot_messages(u) for u in users)


def test_loading_animation_accepts_multiples_of_five(client: Client) -> None:
    user = client.resident()
    assert (
        client.api(
            "POST", "/v2/bot/chat/loading/start", json={"chatId": user, "loadingSeconds": 10}
        ).status_code
        == 202
    )
    assert client.sim("GET", f"/residents/{user}/messages").json()["loading"] is True
    assert (
        client.api(
            "POST", "/v2/bot/chat/loading/start", json={"chatId": user, "loadingSeconds": 7}
        ).status_code
        == 400
    )


def test_leave_group_and_room(client: Client) -> None:
    assert client.api("POST", "/v2/bot/group/Cabc/leave").status_code == 200
    assert client.api("POST", "/v2/bot/room/Rabc/leave").status_code == 200
    assert client.sim("GET", "/stats").json()["left_chats"] == ["Cabc", "Rabc"]


MENU = {
    "size": {"width": 2500, "height": 843},
    "selected": True,
    "name": "主選單",
    "chatBarText": "選單",
    "areas": [
        {
            "bounds": {"x": 0, "y": 0, "width": 1250, "height": 843},
            "action": {"type": "postback", "data": "menu=report", "displayText": "我要反映"},
        },
        {
            "bounds": {"x": 1250, "y": 0, "width": 1250, "height": 843},
            "action": {"type": "message", "text": "查詢進度"},
        },
    ],
}


def test_rich_menu_lifecycle(client: Client) -> None:
    created = client.api("POST", "/v2/bot/richmenu", json=MENU)
    assert created.status_code == 200
    menu_id = created.json()["richMenuId"]
    assert (
        client.api("POST", f"/v2/bot/user/all/richmenu/{menu_id}").status_code == 400
    )  # no image yet

    wrong_size = client.api(
        "POST",
        f"/v2/bot/richmenu/{menu_id}/content",
        data=images.png(2500, 1686),
        headers={"Content-Type": "image/png"},
    )
    assert wrong_size.status_code == 400
    wrong_type = client.api(
        "POST",
        f"/v2/bot/richmenu/{menu_id}/content",
        data=images.png(2500, 843),
        headers={"Content-Type": "image/gif"},
    )
    assert wrong_type.status_code == 415
    image = images.png(2500, 843)
    assert (
        client.api(
            "POST",
            f"/v2/bot/richmenu/{menu_id}/content",
            data=image,
            headers={"Content-Type": "image/png"},
        ).status_code
        == 200
    )
    assert (
        client.api(
            "POST",
            f"/v2/bot/richmenu/{menu_id}/content",
            data=image,
            headers={"Content-Type": "image/png"},
        ).status_code
        == 400
    )

    assert client.api("POST", f"/v2/bot/user/all/richmenu/{menu_id}").status_code == 200
    assert client.api("GET", "/v2/bot/user/all/richmenu").json() == {"richMenuId": menu_id}
    assert client.api("GET", f"/v2/bot/richmenu/{menu_id}/content").content == image
    assert [
        m["richMenuId"] for m in client.api("GET", "/v2/bot/richmenu/list").json()["richmenus"]
    ] == [menu_id]
    shown = client.sim("GET", "/richmenu").json()
    assert shown["richMenu"]["areas"] == MENU["areas"]
    assert client.http.get(client.base + shown["imageUrl"], timeout=10).content == image


def test_rich_menu_rules(client: Client) -> None:
    narrow = {**MENU, "size": {"width": 1200, "height": 1000}}
    too_small = {**MENU, "size": {"width": 700, "height": 300}}
    long_bar = {**MENU, "chatBarText": "這是一段超過十四個字的選單列文字喔"}
    for bad, prop in ((narrow, "size"), (too_small, "size.width"), (long_bar, "chatBarText")):
        response = client.api("POST", "/v2/bot/richmenu", json=bad)
        assert response.status_code == 400
        assert prop in [d["property"] for d in response.json()["details"]]
    menu_id = client.api("POST", "/v2/bot/richmenu", json=MENU).json()["richMenuId"]
    huge = images.png(2500, 843) + b"\0" * (1024 * 1024)
    assert (
        client.api(
            "POST",
            f"/v2/bot/richmenu/{menu_id}/content",
            data=huge,
            headers={"Content-Type": "image/png"},
        ).status_code
        == 413
    )


def test_unknown_api_path_answers_json_404(client: Client) -> None:
    response = client.api("GET", "/v2/bot/nothing/here")
    assert response.status_code == 404
    assert "message" in response.json()
