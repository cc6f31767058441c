"""The 追蹤者 page, tagging, the ``areas`` setting and staff LINE ids; and 訂閱設定 end to end
(the resident's choice in the bot reaches the database and the page)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping import rocdate
from lianping.bot import texts
from lianping.context import Context
from lianping.services import content
from lianping.storage import areas
from lianping.storage.models import AuditEntry, Resident, ResidentTag, utcnow
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import logged_in, staff
from tests.support import WorkerProcess, wait_until

PAGE = "/admin/followers/"


class Staff:
    """A signed-in staff member posting forms with the session's CSRF token."""

    def __init__(self, app: Any, ctx: Context, role: str) -> None:
        self.user = staff(ctx, f"{role}-1", role)
        self.client, self.csrf = logged_in(app, ctx, self.user)

    def post(self, path: str, **data: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.csrf, **data})

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, query_string=params)


def add_residents(ctx: Context, count: int, **values: Any) -> list[int]:
    """``count`` residents with ``values``; returns their ids in creation order."""
    now = utcnow()
    with ctx.sessions.begin() as session:
        start = int(session.scalar(select(func.count()).select_from(Resident)) or 0)
        rows = [
            Resident(
                line_user_id=f"U{start + n:032x}",
                display_name=values.get("display_name", f"居民{start + n:03d}"),
                following=values.get("following", True),
                followed_at=now - timedelta(days=1),
                district=values.get("district"),
                village=values.get("village"),
                promotions_opt_out=values.get("opt_out", False),
                promotions_opt_out_at=now if values.get("opt_out") else None,
                conversation={},
            )
            for n in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def shown_ids(response: Any) -> list[int]:
    return [int(n) for n in re.findall(r'id="follower-(\d+)"', response.get_data(as_text=True))]


def tags(ctx: Context) -> set[tuple[int, str]]:
    with ctx.sessions() as session:
        rows = session.execute(select(ResidentTag.resident_id, ResidentTag.tag))
        return {(resident_id, tag) for resident_id, tag in rows}


def audit_actions(ctx: Context, prefix: str) -> list[AuditEntry]:
    with ctx.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action.startswith(prefix))))


# -- the list ---------------------------------------------------------------------------


def test_the_list_shows_followers_masked_with_area_tags_and_opt_out(app: Any, ctx: Context) -> None:
    officer = Staff(app, ctx, "officer")
    (shown,) = add_residents(ctx, 1, display_name="王小明", district="中正區", village="建國里")
    (paused,) = add_residents(ctx, 1, display_name="<b>陳</b>", district="大同區", opt_out=True)
    add_residents(ctx, 1, display_name="封鎖者", following=False)
    with ctx.sessions.begin() as session:
        session.add(ResidentTag(resident_id=shown, tag="村里長"))
        followed = session.get(Resident, shown)
        assert followed is not None and followed.followed_at is not None
        when = rocdate.roc_datetime(followed.followed_at)

    response = officer.get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shown_ids(response) == [paused, shown]  # newest first; the blocked one is left out
    assert "王○明" in html and "王小明" not in html
    assert "&lt;○○○○○○&gt;" in html and "<b>陳" not in html  # masked and escaped
    assert "中正區" in html and "建國里" in html and "大同區" in html and "（不指定）" in html
    assert "村里長" in html and "已暫停" in html and "接收中" in html
    assert when in html
    assert "符合條件的追蹤者：2 位" in html
    assert 'name="resident_id"' in html  # officers may tag


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"district": "中正區"}, "a b"),
        ({"district": "中正區", "village": "建國里"}, "a"),
        ({"village": "延平里"}, "c"),
        ({"tag": "志工"}, "b c"),
        ({"opt_out": "yes"}, "c"),
        ({"opt_out": "no", "district": "中正區"}, "a b"),
        ({"tag": "志工", "opt_out": "no"}, "b"),
    ],
)
def test_filters(app: Any, ctx: Context, params: dict[str, str], expected: str) -> None:
    viewer = Staff(app, ctx, "viewer")
    (a,) = add_residents(ctx, 1, district="中正區", village="建國里")
    (b,) = add_residents(ctx, 1, district="中正區")
    (c,) = add_residents(ctx, 1, district="大同區", village="延平里", opt_out=True)
    with ctx.sessions.begin() as session:
        session.add_all(
            [ResidentTag(resident_id=b, tag="志工"), ResidentTag(resident_id=c, tag="志工")]
        )
    names = {"a": a, "b": b, "c": c}
    response = viewer.get(PAGE, **params)
    assert response.status_code == 200
    assert sorted(shown_ids(response)) == sorted(names[key] for key in expected.split())
    assert 'name="resident_id"' not in response.get_data(as_text=True)  # viewers do not tag


def test_keyset_pages_cover_every_follower_once(app: Any, ctx: Context) -> None:
    viewer = Staff(app, ctx, "viewer")
    ids = add_residents(ctx, 120, district="萬華區")
    seen: list[int] = []
    path: str | None = PAGE + "?district=萬華區"
    while path:
        response = viewer.client.get(path)
        assert response.status_code == 200
        seen += shown_ids(response)
        found = re.search(r'rel="next" href="([^"]+)"', response.get_data(as_text=True))
        path = found.group(1).replace("&amp;", "&") if found else None
    assert seen == sorted(ids, reverse=True)
    assert "符合條件的追蹤者：120 位" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "params", [{"opt_out": "maybe"}, {"before": "abc"}, {"district": "區" * 21}, {"tag": "x" * 41}]
)
def test_bad_filters_get_a_clear_answer(app: Any, ctx: Context, params: dict[str, str]) -> None:
    viewer = Staff(app, ctx, "viewer")
    response = viewer.get(PAGE, **params)
    assert response.status_code == 400
    assert "篩選條件有誤" in response.get_data(as_text=True)


# -- tagging ----------------------------------------------------------------------------


def test_officers_add_and_remove_a_tag_on_selected_followers_audited(
    app: Any, ctx: Context
) -> None:
    officer = Staff(app, ctx, "officer")
    first, second, third = add_residents(ctx, 3, district="中正區")
    added = officer.post(
        PAGE + "tags", action="add", tag=" 座談會 參加者 ", resident_id=[first, second],
        f_district="中正區",
    )  # fmt: skip
    assert added.status_code == 302
    assert "district=" in added.headers["Location"] and "done=added" in added.headers["Location"]
    assert tags(ctx) == {(first, "座談會 參加者"), (second, "座談會 參加者")}
    page = officer.client.get(added.headers["Location"]).get_data(as_text=True)
    assert "已加上標籤" in page
    # Adding again changes nothing; removing takes it from the selected only.
    officer.post(PAGE + "tags", action="add", tag="座談會 參加者", resident_id=[first])
    assert len(tags(ctx)) == 2
    removed = officer.post(
        PAGE + "tags", action="remove", tag="座談會 參加者", resident_id=[second, third]
    )
    assert removed.status_code == 302
    assert tags(ctx) == {(first, "座談會 參加者")}
    entries = audit_actions(ctx, "resident.tag")
    assert [e.action for e in entries] == ["resident.tag_add"] * 2 + ["resident.tag_remove"]
    assert entries[0].after == {"tag": "座談會 參加者", "residents": [first, second], "changed": 2}
    assert entries[2].after == {"tag": "座談會 參加者", "residents": [second, third], "changed": 1}
    assert entries[0].user_id == officer.user.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tag": "  "}, "請輸入標籤名稱"),
        ({"tag": "長" * 41}, "標籤名稱不得超過40個字"),
        ({"tag": "志工", "resident_id": []}, "請先勾選要加上標籤的追蹤者"),
        ({"tag": "志工", "resident_id": [999_999]}, "部分已不存在"),
        ({"tag": "志工", "action": "rename"}, "無法辨識的操作"),
    ],
)
def test_bad_tagging_is_refused_and_changes_nothing(
    app: Any, ctx: Context, data: dict[str, Any], message: str
) -> None:
    officer = Staff(app, ctx, "officer")
    ids = add_residents(ctx, 2)
    response = officer.post(PAGE + "tags", **{"action": "add", "resident_id": ids, **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert tags(ctx) == set()
    assert audit_actions(ctx, "resident.tag") == []


def test_viewers_may_not_tag(app: Any, ctx: Context) -> None:
    viewer = Staff(app, ctx, "viewer")
    ids = add_residents(ctx, 1)
    response = viewer.post(PAGE + "tags", action="add", tag="志工", resident_id=ids)
    assert response.status_code == 403
    assert tags(ctx) == set()


def test_tags_are_escaped(app: Any, ctx: Context) -> None:
    officer = Staff(app, ctx, "officer")
    ids = add_residents(ctx, 1)
    officer.post(PAGE + "tags", action="add", tag="<script>x</script>", resident_id=ids)
    html = officer.get(PAGE).get_data(as_text=True)
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


# -- settings: areas and staff LINE ids ----------------------------------------------------


def test_areas_are_saved_in_canonical_form_and_reach_the_bot(app: Any, ctx: Context) -> None:
    admin = Staff(app, ctx, "admin")
    raw = "中正區:建國里,文北里\r\n\r\n大同區：延平里、雙連里"
    response = admin.post("/admin/settings/texts/areas", value=raw)
    assert response.status_code == 302
    with ctx.sessions() as session:
        assert content.get(session, "areas") == "中正區：建國里、文北里\n大同區：延平里、雙連里"
        assert content.for_conversation(session).areas == {
            "中正區": ["建國里", "文北里"],
            "大同區": ["延平里", "雙連里"],
        }
    page = admin.get(PAGE).get_data(as_text=True)
    assert '<optgroup label="大同區">' in page


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("中正區：建國里\n大同區 延平里", "第 2 行格式有誤"),
        ("中正區：建國里\n中正區：文北里", "第 2 行的「中正區」重複"),
        ("  \n ", "請輸入"),
    ],
)
def test_bad_areas_are_refused_naming_the_line(
    app: Any, ctx: Context, raw: str, message: str
) -> None:
    admin = Staff(app, ctx, "admin")
    response = admin.post("/admin/settings/texts/areas", value=raw)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with ctx.sessions() as session:
        assert content.get(session, "areas") == areas.SAMPLE


# -- 訂閱設定 end to end -------------------------------------------------------------------


@pytest.mark.e2e
def test_a_residents_choices_in_the_bot_are_stored_and_survive_a_block(
    app: Any, sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    user = sim.new_resident("林美華")
    sim.send(user, type="follow")
    wait_until(lambda: sim.bot_messages(user))

    def tap(label: str) -> None:
        last = sim.bot_messages(user)[-1]["message"]
        (action,) = [
            item["action"] for item in last["quickReply"]["items"]
            if item["action"]["label"] == label
        ]  # fmt: skip
        before = len(sim.bot_messages(user))
        sim.send(user, type="postback", data=action["data"], displayText=label)
        wait_until(lambda: len(sim.bot_messages(user)) > before)

    def stored() -> Resident:
        with ctx.sessions() as session:
            return session.scalars(select(Resident).where(Resident.line_user_id == user)).one()

    tap(texts.MENU_LABELS["subscription"])
    assert "所在區／村里：尚未設定" in sim.bot_messages(user)[-1]["message"]["text"]
    tap(texts.LABEL_SET_AREA)
    tap("大同區")
    tap("延平里")
    assert sim.bot_messages(user)[-2]["message"]["text"] == texts.AREA_SET.format(
        area="大同區 延平里"
    )
    tap(texts.LABEL_OPT_OUT)
    resident = stored()
    assert (resident.district, resident.village) == ("大同區", "延平里")
    assert resident.promotions_opt_out and resident.promotions_opt_out_at is not None

    sim.send(user, type="unfollow")
    wait_until(lambda: not stored().following)
    sim.send(user, type="follow")
    wait_until(lambda: stored().following)
    resident = stored()
    assert (resident.district, resident.village, resident.promotions_opt_out) == (
        "大同區", "延平里", True,
    )  # fmt: skip
    viewer = Staff(app, ctx, "viewer")
    response = viewer.get(PAGE, district="大同區", village="延平里", opt_out="yes")
    assert shown_ids(response) == [resident.id]
