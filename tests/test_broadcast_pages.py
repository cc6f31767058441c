"""廉政宣導 pages: compose, preview data, audience count, quota, send, schedule, cancel, results."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping import rocdate
from lianping.context import Context
from lianping.jobs import broadcasts as broadcast_jobs
from lianping.storage.models import (
    AuditEntry,
    Broadcast,
    BroadcastChunk,
    BroadcastLink,
    PromotionImage,
    QuizAnswer,
    Resident,
    User,
    utcnow,
)
from lianping_dev.simulator.app import RunningSimulator
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import logged_in, staff
from tests.test_promotion_images import picture

BASE = "/admin/broadcasts"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _count(ctx: Context, model: Any) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _client(app: Any, ctx: Context, role: str = "officer", name: str = "") -> tuple[Any, str]:
    user = staff(ctx, name or f"bc.{role}", role)
    return logged_in(app, ctx, user)


def card_form(csrf: str, **extra: Any) -> dict[str, Any]:
    """A compose form with one card for the test audience."""
    form: dict[str, Any] = {
        "csrf_token": csrf,
        "action": "save",
        "title": "115年反貪宣導",
        "m-0-type": "card",
        "m-0-title": "廉政檢舉專線 0800-286-586",
        "m-0-body": "發現公務員貪瀆不法，請撥打檢舉專線，身分依法保密。",
        "m-0-image_id": "",
        "m-0-link_label": "了解更多",
        "m-0-link_url": "https://www.aac.moj.gov.tw/",
        "audience_kind": "test",
    }
    form.update(extra)
    return form


def _save(client: Any, form: dict[str, Any]) -> Any:
    return client.post(f"{BASE}/new", data=form, content_type="multipart/form-data")


def _draft(app: Any, ctx: Context, client: Any, csrf: str, **extra: Any) -> int:
    response = _save(client, card_form(csrf, **extra))
    assert response.status_code == 302, response.get_data(as_text=True)
    found = re.search(r"/admin/broadcasts/(\d+)\?done=saved$", response.headers["Location"])
    assert found is not None
    return int(found.group(1))


def _tester(ctx: Context, line_user_id: str = "U" + "a" * 32) -> None:
    with ctx.sessions.begin() as session:
        user = staff(ctx, "bc.tester", "officer")
        row = session.get(User, user.id)
        assert row is not None
        row.line_user_id = line_user_id


def _residents(ctx: Context) -> None:
    """Followers in two villages, one opted out, one unfollowed, one elsewhere."""
    people = [
        ("U" + "1" * 32, "中正區", "建國里", True, False),
        ("U" + "2" * 32, "中正區", "建國里", True, False),
        ("U" + "3" * 32, "中正區", "光復里", True, False),
        ("U" + "4" * 32, "中正區", "建國里", True, True),  # opted out
        ("U" + "5" * 32, "中正區", "建國里", False, False),  # blocked the account
        ("U" + "6" * 32, "大同區", "延平里", True, False),
    ]
    with ctx.sessions.begin() as session:
        for line_id, district, village, following, opted_out in people:
            session.add(
                Resident(
                    line_user_id=line_id,
                    district=district,
                    village=village,
                    following=following,
                    promotions_opt_out=opted_out,
                )
            )


@pytest.fixture
def quota(simulator: RunningSimulator) -> Iterator[Any]:
    """Set the simulator's remaining quota for the test; the limit is restored after."""
    limit, _ = simulator.store.quota()

    def remaining(value: int) -> None:
        _, used = simulator.store.quota()
        simulator.store.set_quota(used + value)

    yield remaining
    simulator.store.set_quota(limit)


# -- pages and roles -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "officer", "supervisor", "admin"])
def test_every_role_reads_the_list_and_a_broadcast(
    app: Any, ctx: Context, sim: Sim, role: str
) -> None:
    officer, csrf = _client(app, ctx, "officer", "bc.author")
    broadcast_id = _draft(app, ctx, officer, csrf)
    client, _ = _client(app, ctx, role)
    listing = client.get(f"{BASE}/")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "<h1>廉政宣導</h1>" in html and "115年反貪宣導" in html and "草稿" in html
    assert ('aria-current="page">廉政宣導</a>' in html) is True
    assert ("新增推播" in html) is (role != "viewer")
    page = client.get(f"{BASE}/{broadcast_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "收訊人數與本月訊息額度" in text
    assert ("確認發送" in text) is (role != "viewer")
    assert ("修改草稿" in text) is (role != "viewer")


def _listed(client: Any) -> list[int]:
    """The broadcast ids of the list, page after page (older pages by their link)."""
    ids: list[int] = []
    url: str | None = f"{BASE}/"
    while url:
        html = client.get(url).get_data(as_text=True)
        ids += [int(n) for n in re.findall(r'<a href="/admin/broadcasts/(\d+)">', html)]
        more = re.search(r'<a class="btn" href="([^"]+)">較早的推播</a>', html)
        url = unescape(more.group(1)) if more else None
    return ids


def test_the_list_is_newest_first_by_the_time_each_was_or_will_be_sent(
    app: Any, ctx: Context
) -> None:
    """Sent and sending broadcasts by when sending started, scheduled ones by their time,
    drafts and cancelled ones by their last change; ids are created in another order."""
    now = utcnow()
    days = {  # title → (status, days from now); created in this order
        "十日前發送": ("sent", -10),
        "昨日修改的草稿": ("draft", -1),
        "二十日前發送": ("sent", -20),
        "後天排程": ("scheduled", 2),
        "五日前取消": ("cancelled", -5),
        "三日前中止": ("stopped", -3),
        "今早開始發送": ("sending", -0.2),
    }
    with ctx.sessions.begin() as session:
        for title, (status, offset) in days.items():
            moment = now + timedelta(days=offset)
            row = Broadcast(title=title, status=status, audience={"kind": "test"},
                            created_at=now - timedelta(days=30), updated_at=moment)  # fmt: skip
            if status == "scheduled":
                row.scheduled_at = moment
            elif status in ("sent", "sending", "stopped"):
                row.started_at, row.updated_at = moment, now  # figures keep changing the row
                row.finished_at = None if status == "sending" else moment + timedelta(hours=1)
            elif status == "cancelled":
                row.cancelled_at = moment
            session.add(row)
        # More than a page, many sent at the same moment: paging must neither skip nor repeat.
        for index in range(55):
            session.add(Broadcast(title=f"批次{index:02d}", status="sent", audience={"kind": "all"},
                                  started_at=now - timedelta(days=40), updated_at=now))  # fmt: skip
    with ctx.sessions() as session:
        rows = session.execute(select(Broadcast.id, Broadcast.title))
        title_of = {row.id: row.title for row in rows}
    expected = ["後天排程", "今早開始發送", "昨日修改的草稿", "三日前中止", "五日前取消",
                "十日前發送", "二十日前發送"]  # fmt: skip
    client, _ = _client(app, ctx, "viewer")
    listed = _listed(client)
    assert [title_of[i] for i in listed[:7]] == expected
    assert sorted(listed) == sorted(title_of) and len(listed) == len(set(listed)) == 62
    html = client.get(f"{BASE}/").get_data(as_text=True)
    assert "依發送時間由新到舊排列" in html
    assert f"排程 {rocdate.roc_datetime(now + timedelta(days=2))}" in html
    assert f"發送 {rocdate.roc_datetime(now - timedelta(days=10))}" in html


def test_viewers_cannot_compose_send_cancel_or_upload(app: Any, ctx: Context, sim: Sim) -> None:
    officer, officer_csrf = _client(app, ctx, "officer")
    broadcast_id = _draft(app, ctx, officer, officer_csrf)
    viewer, csrf = _client(app, ctx, "viewer")
    assert viewer.get(f"{BASE}/new").status_code == 403
    assert viewer.get(f"{BASE}/{broadcast_id}/edit").status_code == 403
    for path, data in (
        (f"{BASE}/new", card_form(csrf)),
        (f"{BASE}/{broadcast_id}/edit", card_form(csrf)),
        (f"{BASE}/{broadcast_id}/send", {"csrf_token": csrf, "when": "now"}),
        (f"{BASE}/{broadcast_id}/cancel", {"csrf_token": csrf}),
        (f"{BASE}/images", {"csrf_token": csrf, "file": (io.BytesIO(picture()), "a.jpg")}),
    ):
        response = viewer.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code == 403, path
        assert "檢視者無法變更資料" in response.get_data(as_text=True)
    assert _count(ctx, Broadcast) == 1 and _count(ctx, PromotionImage) == 0
    with ctx.sessions() as session:
        assert session.get_one(Broadcast, broadcast_id).status == "draft"


def test_every_post_needs_the_csrf_token(app: Any, ctx: Context, sim: Sim) -> None:
    client, csrf = _client(app, ctx)
    broadcast_id = _draft(app, ctx, client, csrf)
    for path, data in (
        (f"{BASE}/new", card_form("")),
        (f"{BASE}/{broadcast_id}/edit", card_form("wrong")),
        (f"{BASE}/{broadcast_id}/send", {"when": "now"}),
        (f"{BASE}/{broadcast_id}/cancel", {}),
        (f"{BASE}/images", {"file": (io.BytesIO(picture()), "a.jpg")}),
    ):
        response = client.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code == 400, path
        assert "表單驗證碼不正確" in response.get_data(as_text=True)
    assert _count(ctx, Broadcast) == 1 and _count(ctx, PromotionImage) == 0
    with ctx.sessions() as session:
        assert session.get_one(Broadcast, broadcast_id).status == "draft"


def test_unknown_broadcasts_are_a_404_in_words(app: Any, ctx: Context) -> None:
    client, csrf = _client(app, ctx)
    for path in (f"{BASE}/999", f"{BASE}/999/edit"):
        response = client.get(path)
        assert response.status_code == 404
        assert "找不到這則推播" in response.get_data(as_text=True)
    assert client.get(f"{BASE}/999/progress.json").status_code == 404
    assert client.post(f"{BASE}/999/cancel", data={"csrf_token": csrf}).status_code == 404


# -- composing -------------------------------------------------------------------------------


def test_the_compose_page_labels_every_control(app: Any, ctx: Context) -> None:
    client, _ = _client(app, ctx)
    response = client.get(f"{BASE}/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    html = re.sub(r"<template.*?</template>", "", html, flags=re.S)
    controls = re.findall(r"<(?:input|select|textarea)(?![^>]*type=\"hidden\")[^>]*>", html)
    ids = set(
        re.findall(
            r"<(?:input|select|textarea)(?![^>]*type=\"hidden\")[^>]*\bid=\"([^\"]+)\"", html
        )
    )
    labelled = set(re.findall(r"<label[^>]*\bfor=\"([^\"]+)\"", html))
    assert len(ids) == len(controls) and ids <= labelled, ids - labelled
    # The 區/村里 of the areas setting are offered.
    assert '<option value="中正區"' in html and 'value="中正區|建國里"' in html


def test_an_officer_saves_a_card_with_an_image_and_a_quiz(app: Any, ctx: Context) -> None:
    client, csrf = _client(app, ctx)
    form = card_form(
        csrf,
        **{
            "m-0-file": (io.BytesIO(picture("JPEG", (1040, 680))), "poster.jpg"),
            "m-1-type": "quiz",
            "m-1-question": "公務員收受廠商招待，應如何處理？",
            "m-1-choice": ["婉拒並簽報", "", "收下即可"],
            "m-1-answer": "2",
            "m-1-explanation": "依公務員廉政倫理規範應婉拒並知會政風單位。",
        },
    )
    response = _save(client, form)
    assert response.status_code == 302, response.get_data(as_text=True)
    with ctx.sessions() as session:
        broadcast = session.scalars(select(Broadcast)).one()
        image = session.scalars(select(PromotionImage)).one()
        assert broadcast.status == "draft" and broadcast.audience == {"kind": "test"}
        card, quiz = broadcast.messages
        assert card["type"] == "card" and card["image_id"] == image.id
        assert card["link_url"] == "https://www.aac.moj.gov.tw/"
        # The blank second box is dropped; the answer still names 「收下即可」.
        assert quiz["choices"] == ["婉拒並簽報", "收下即可"] and quiz["answer"] == 1
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
        assert "broadcast.create" in list(actions)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "草稿已儲存" in page
    assert f"/promo/{image.token}.jpg" in page  # the preview's image data


def test_problems_are_shown_on_their_block_and_nothing_is_saved(app: Any, ctx: Context) -> None:
    client, csrf = _client(app, ctx)
    form = card_form(
        csrf,
        **{
            "m-0-link_url": "http://not-https.example",
            "m-1-type": "text",
            "m-1-text": "字" * 5001,
            "m-2-type": "quiz",
            "m-2-question": "只有一個選項？",
            "m-2-choice": ["唯一", "", "", ""],
            "m-2-answer": "0",
        },
    )
    response = _save(client, form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    errors = re.findall(
        r'<ul class="bc-errors" role="alert" id="m-(\d)-errors">(.*?)</ul>', html, re.S
    )
    by_block = {int(index): body for index, body in errors}
    assert "https://" in by_block[0]
    assert "超過 5,000 字" in by_block[1]
    assert "選項須有 2 至 4 個" in by_block[2]
    assert "尚未儲存" in html
    assert "字" * 5001 in html  # what was typed comes back
    assert _count(ctx, Broadcast) == 0


def test_blocks_are_added_moved_and_removed_without_scripts(app: Any, ctx: Context) -> None:
    client, csrf = _client(app, ctx)
    form = card_form(csrf, action="add-text")
    html = _save(client, form).get_data(as_text=True)
    assert 'name="m-1-type" value="text"' in html
    form = card_form(csrf, action="up-1", **{"m-1-type": "text", "m-1-text": "第二則文字"})
    html = _save(client, form).get_data(as_text=True)
    assert 'name="m-0-type" value="text"' in html and 'name="m-1-type" value="card"' in html
    assert "第二則文字</textarea>" in html
    form = card_form(csrf, action="remove-0", **{"m-1-type": "text", "m-1-text": "x"})
    html = _save(client, form).get_data(as_text=True)
    assert 'name="m-0-type" value="text"' in html and "m-1-type" not in html.split("<template")[0]
    full = card_form(csrf, action="add-image")
    for index in range(1, 5):
        full[f"m-{index}-type"] = "text"
        full[f"m-{index}-text"] = str(index)
    response = _save(client, full)
    assert response.status_code == 400 and "每則推播最多 5 則訊息" in response.get_data(
        as_text=True
    )
    last = _save(client, card_form(csrf, action="remove-0"))
    assert last.status_code == 400 and "至少需要 1 則訊息" in last.get_data(as_text=True)
    assert _count(ctx, Broadcast) == 0


def test_a_draft_is_edited_and_a_sent_one_is_not(app: Any, ctx: Context, sim: Sim) -> None:
    client, csrf = _client(app, ctx)
    broadcast_id = _draft(app, ctx, client, csrf)
    page = client.get(f"{BASE}/{broadcast_id}/edit")
    assert page.status_code == 200 and "廉政檢舉專線 0800-286-586" in page.get_data(as_text=True)
    response = client.post(
        f"{BASE}/{broadcast_id}/edit",
        data=card_form(csrf, title="改過的名稱"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with ctx.sessions.begin() as session:
        broadcast = session.get_one(Broadcast, broadcast_id)
        assert broadcast.title == "改過的名稱"
        broadcast.status = "sent"
    assert client.get(f"{BASE}/{broadcast_id}/edit").status_code == 302
    refused = client.post(
        f"{BASE}/{broadcast_id}/edit", data=card_form(csrf, title="再改"),
        content_type="multipart/form-data",
    )  # fmt: skip
    assert refused.status_code == 400 and "只有草稿可以修改" in refused.get_data(as_text=True)
    with ctx.sessions() as session:
        assert session.get_one(Broadcast, broadcast_id).title == "改過的名稱"


def test_a_tested_broadcast_is_duplicated_into_a_new_draft(app: Any, ctx: Context) -> None:
    client, csrf = _client(app, ctx)
    broadcast_id = _draft(app, ctx, client, csrf)
    with ctx.sessions.begin() as session:
        session.get_one(Broadcast, broadcast_id).status = "sent"
    page = client.get(f"{BASE}/{broadcast_id}").get_data(as_text=True)
    assert f'action="{BASE}/{broadcast_id}/duplicate"' in page and "複製為新草稿" in page
    copied = client.post(f"{BASE}/{broadcast_id}/duplicate", data={"csrf_token": csrf})
    assert copied.status_code == 302 and copied.headers["Location"].endswith(
        "/edit?done=duplicated"
    )
    form = client.get(copied.headers["Location"]).get_data(as_text=True)
    assert "已複製為新草稿" in form and "廉政檢舉專線 0800-286-586" in form
    with ctx.sessions() as session:
        drafts = session.scalars(select(Broadcast).where(Broadcast.status == "draft")).all()
        assert len(drafts) == 1 and drafts[0].id != broadcast_id


def test_titles_and_texts_are_escaped_everywhere(app: Any, ctx: Context, sim: Sim) -> None:
    client, csrf = _client(app, ctx)
    broadcast_id = _draft(
        app, ctx, client, csrf, title=XSS, **{"m-1-type": "text", "m-1-text": XSS}
    )
    for path in (f"{BASE}/", f"{BASE}/{broadcast_id}", f"{BASE}/{broadcast_id}/edit"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert" in html or "\\u003cscript\\u003e" in html, path


# -- images --------------------------------------------------------------------------------


def test_the_scripted_upload_returns_the_image_or_a_reason(app: Any, ctx: Context) -> None:
    client, csrf = _client(app, ctx)
    good = client.post(
        f"{BASE}/images",
        data={"file": (io.BytesIO(picture("PNG", (800, 400))), "poster.png")},
        headers={"X-CSRF-Token": csrf},
        content_type="multipart/form-data",
    )
    assert good.status_code == 201
    body = good.get_json()
    assert body["width"] == 800 and body["height"] == 400
    assert re.fullmatch(r"/promo/[0-9a-f]{32}\.png", body["url"])
    assert body["preview_url"].endswith("/preview.jpg")
    assert client.get(body["url"]).status_code == 200
    for data in (b"GIF89a" + b"\x00" * 50, b"", b"\xff\xd8\xff broken"):
        bad = client.post(
            f"{BASE}/images",
            data={"file": (io.BytesIO(data), "x.jpg")},
            headers={"X-CSRF-Token": csrf},
            content_type="multipart/form-data",
        )
        assert bad.status_code == 400 and bad.get_json()["error"]
    missing = client.post(f"{BASE}/images", headers={"X-CSRF-Token": csrf})
    assert missing.status_code == 400 and "沒有收到圖片檔案" in missing.get_json()["error"]
    assert _count(ctx, PromotionImage) == 1


def test_a_bad_file_in_the_plain_form_is_reported_on_its_block(app: Any, ctx: Context) -> None:
    client, csrf = _client(app, ctx)
    form = card_form(csrf, **{"m-0-file": (io.BytesIO(b"<svg></svg>"), "poster.svg")})
    response = _save(client, form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="m-0-errors">\s*<li>僅接受 JPEG 或 PNG', html)
    assert _count(ctx, Broadcast) == 0 and _count(ctx, PromotionImage) == 0


# -- audience --------------------------------------------------------------------------------


def test_the_live_count_follows_the_filter(app: Any, ctx: Context) -> None:
    _residents(ctx)
    _tester(ctx)
    client, _ = _client(app, ctx)

    def count(query: str) -> Any:
        return client.get(f"{BASE}/audience-count?{query}")

    assert count("audience_kind=all").get_json()["count"] == 4
    area = count("audience_kind=area&district=中正區&villages=中正區|建國里").get_json()
    assert area == {"count": 2, "audience": "中正區：建國里"}
    whole = count("audience_kind=area&district=中正區").get_json()
    assert whole == {"count": 3, "audience": "中正區：全區"}
    # A village box of another district does not narrow this one.
    assert (
        count("audience_kind=area&district=大同區&villages=中正區|建國里").get_json()["count"] == 1
    )
    assert count("audience_kind=test").get_json()["count"] == 1
    refused = count("audience_kind=tag")
    assert refused.status_code == 400 and refused.get_json()["errors"] == ["請至少選擇一個標籤"]
    assert count("audience_kind=nobody").status_code == 400


# -- sending ---------------------------------------------------------------------------------


def test_send_now_runs_to_the_end_and_the_page_shows_the_figures(
    app: Any, ctx: Context, sim: Sim
) -> None:
    tester = sim.new_resident("陳同仁", follow=True)
    _tester(ctx, tester)
    client, csrf = _client(app, ctx)
    broadcast_id = _draft(app, ctx, client, csrf)
    page = client.get(f"{BASE}/{broadcast_id}").get_data(as_text=True)
    assert re.search(r"<dt>目前收訊人數</dt><dd>1 人</dd>", page)
    response = client.post(f"{BASE}/{broadcast_id}/send", data={"csrf_token": csrf, "when": "now"})
    assert response.status_code == 302 and response.headers["Location"].endswith("done=sending")
    progress = client.get(f"{BASE}/{broadcast_id}/progress.json").get_json()
    assert progress["status"] == "sending" and progress["finished"] is False
    # The jobs, run here (a worker runs the same functions from the queue).
    broadcast_jobs.start_now(ctx, broadcast_id)
    with ctx.sessions() as session:
        chunk_ids = list(session.scalars(select(BroadcastChunk.id)))
    for chunk_id in chunk_ids:
        broadcast_jobs.send_chunk_now(ctx, chunk_id)
    progress = client.get(f"{BASE}/{broadcast_id}/progress.json").get_json()
    assert progress["status"] == "sent" and progress["percent"] == 100
    assert progress["finished"] is True and progress["recipients"] == 1
    html = client.get(f"{BASE}/{broadcast_id}").get_data(as_text=True)
    assert 'data-finished="1"' in html and "已發送" in html and "確認發送" not in html
    # LINE accepts a multicast without confirming delivery: the figures say sent, not delivered.
    assert re.search(r"<dt>已送出人數</dt><dd[^>]*>1</dd>", html) and "送達" not in html
    assert "連結點擊" in html and "https://www.aac.moj.gov.tw/" in html
    cards = [m for m in sim.bot_messages(tester) if m["message"]["type"] == "flex"]
    assert len(cards) == 1
    again = client.post(f"{BASE}/{broadcast_id}/send", data={"csrf_token": csrf, "when": "now"})
    assert again.status_code == 400 and "無法再發送" in again.get_data(as_text=True)


def test_a_send_with_nobody_to_reach_is_refused(app: Any, ctx: Context, sim: Sim) -> None:
    client, csrf = _client(app, ctx)
    broadcast_id = _draft(app, ctx, client, csrf)  # the test audience, but no staff LINE id
    response = client.post(f"{BASE}/{broadcast_id}/send", data={"csrf_token": csrf, "when": "now"})
    assert response.status_code == 400
    assert "目前沒有符合條件的收訊對象" in response.get_data(as_text=True)
    with ctx.sessions() as session:
        assert session.get_one(Broadcast, broadcast_id).status == "draft"


def test_schedule_shows_roc_time_and_cancel_stops_it(app: Any, ctx: Context, sim: Sim) -> None:
    _tester(ctx)
    client, csrf = _client(app, ctx)
    broadcast_id = _draft(app, ctx, client, csrf)
    when = rocdate.to_taipei(utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    for bad, message in (
        ("", "請選擇排程發送的日期與時間"),
        ("2020-01-01T09:00", "須為未來的時間"),
    ):
        refused = client.post(
            f"{BASE}/{broadcast_id}/send", data={"csrf_token": csrf, "when": "later", "at": bad}
        )
        assert refused.status_code == 400 and message in refused.get_data(as_text=True)
    response = client.post(
        f"{BASE}/{broadcast_id}/send",
        data={"csrf_token": csrf, "when": "later", "at": when.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    with ctx.sessions() as session:
        broadcast = session.get_one(Broadcast, broadcast_id)
        assert broadcast.status == "scheduled" and broadcast.scheduled_at == when
    html = client.get(f"{BASE}/{broadcast_id}?done=scheduled").get_data(as_text=True)
    assert rocdate.roc_datetime(when) in html and "已排程" in html and "取消排程" in html
    assert (
        client.post(f"{BASE}/{broadcast_id}/cancel", data={"csrf_token": csrf}).status_code == 302
    )
    html = client.get(f"{BASE}/{broadcast_id}").get_data(as_text=True)
    assert "已取消" in html and "取消排程" not in html
    refused = client.post(f"{BASE}/{broadcast_id}/cancel", data={"csrf_token": csrf})
    assert refused.status_code == 400 and "無法取消" in refused.get_data(as_text=True)


def test_over_the_quota_only_an_admin_may_confirm(
    app: Any, ctx: Context, sim: Sim, quota: Any
) -> None:
    _tester(ctx)
    officer, csrf = _client(app, ctx)
    broadcast_id = _draft(app, ctx, officer, csrf)
    quota(0)
    page = officer.get(f"{BASE}/{broadcast_id}").get_data(as_text=True)
    assert "超出本月額度" in page and "請洽系統管理者確認後發送" in page
    assert "confirm_over_quota" not in page
    data = {"csrf_token": csrf, "when": "now", "confirm_over_quota": "1"}
    refused = officer.post(f"{BASE}/{broadcast_id}/send", data={"csrf_token": csrf, "when": "now"})
    assert refused.status_code == 400 and "超過本月剩餘額度" in refused.get_data(as_text=True)
    assert officer.post(f"{BASE}/{broadcast_id}/send", data=data).status_code == 403
    admin, admin_csrf = _client(app, ctx, "admin")
    page = admin.get(f"{BASE}/{broadcast_id}").get_data(as_text=True)
    assert 'name="confirm_over_quota"' in page
    unconfirmed = admin.post(
        f"{BASE}/{broadcast_id}/send", data={"csrf_token": admin_csrf, "when": "now"}
    )
    assert unconfirmed.status_code == 400
    with ctx.sessions() as session:
        assert session.get_one(Broadcast, broadcast_id).status == "draft"
    confirmed = admin.post(f"{BASE}/{broadcast_id}/send", data={**data, "csrf_token": admin_csrf})
    assert confirmed.status_code == 302
    with ctx.sessions() as session:
        broadcast = session.get_one(Broadcast, broadcast_id)
        assert broadcast.status == "sending" and broadcast.over_quota_confirmed_by is not None


# -- results ---------------------------------------------------------------------------------


def test_results_show_answers_per_choice_and_link_taps(app: Any, ctx: Context) -> None:
    client, _ = _client(app, ctx)
    with ctx.sessions.begin() as session:
        broadcast = Broadcast(
            title="有獎徵答",
            status="sent",
            audience={"kind": "all"},
            messages=[
                {
                    "type": "quiz", "question": "檢舉專線號碼？",
                    "choices": ["0800-286-586", "110", "1999"], "answer": 0, "explanation": "",
                }
            ],
            recipients=10, chunks_total=1, chunks_sent=1, started_at=utcnow(), finished_at=utcnow(),
        )  # fmt: skip
        session.add(broadcast)
        session.flush()
        for number, choice in enumerate([0, 0, 0, 1]):
            resident = Resident(line_user_id=f"U{number:032d}")
            session.add(resident)
            session.flush()
            session.add(
                QuizAnswer(
                    broadcast_id=broadcast.id, message_index=0, resident_id=resident.id,
                    choice=choice, correct=choice == 0,
                )
            )  # fmt: skip
        session.add(
            BroadcastLink(
                broadcast_id=broadcast.id, token="abc", url="https://example.gov.tw/",
                label="看更多", clicks=7,
            )
        )  # fmt: skip
        broadcast_id = broadcast.id
    html = client.get(f"{BASE}/{broadcast_id}").get_data(as_text=True)
    assert "作答 4 人・答對 3 人・答對率 75.0%" in html
    assert re.search(r"0800-286-586 <span[^>]*>正解</span></td>\s*<td>3</td>", html)
    assert re.search(r"<td>看更多</td><td[^>]*>https://example.gov.tw/</td><td>7</td>", html)
    assert 'data-finished="1"' in html
