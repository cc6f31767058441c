"""The administrator's settings pages change what the bot and staff use, and audit it."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping import codes, rocdate
from lianping.bot import texts
from lianping.context import Context
from lianping.services import accounts, administration, audit, casework, content
from lianping.services.access import CLI, SYSTEM
from lianping.storage.models import (
    Agency,
    ApiToken,
    AuditEntry,
    Case,
    PrivacyNotice,
    ReplyTemplate,
    Unit,
    User,
    WebSession,
    utcnow,
)
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import PASSWORD, api_token, logged_in, staff
from tests.test_resident_case_cards import tap


class Admin:
    """A signed-in administrator posting forms with the session's CSRF token; ethics staff,
    since only such an administrator manages ethics accounts."""

    def __init__(self, app: Any, ctx: Context) -> None:
        self.user = staff(ctx, "chief", "admin", ethics=True)
        self.client, self.csrf = logged_in(app, ctx, self.user)

    def post(self, path: str, **data: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.csrf, **data})

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)


@pytest.fixture
def admin(app: Any, ctx: Context) -> Admin:
    return Admin(app, ctx)


def error_of(response: Any) -> str:
    found = re.search(r'class="lp-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return found.group(1) if found else ""


def audit_entries(ctx: Context, action: str) -> list[AuditEntry]:
    with ctx.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


def count(ctx: Context, model: Any) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# -- units and agencies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "model", "kind", "long"),
    [("units", Unit, "unit", 101), ("agencies", Agency, "agency", 201)],
)
def test_names_add_rename_deactivate(
    admin: Admin, ctx: Context, key: str, model: Any, kind: str, long: int
) -> None:
    path = f"/admin/settings/{key}"
    added = admin.post(path, action="add", name="  民政課\u3000")
    assert added.status_code == 302 and "done=added" in added.headers["Location"]
    with ctx.sessions() as session:
        row = session.scalars(select(model)).one()
    assert (row.name, row.active) == ("民政課", True)
    assert audit_entries(ctx, f"{kind}.create")[0].after == {"name": "民政課", "active": True}
    assert "已新增" in admin.get(added.headers["Location"]).get_data(as_text=True)

    for bad, message in [
        ("民政課", "已有相同名稱"),
        ("", "請輸入"),
        ("　 ", "請輸入"),
        ("長" * long, "不得超過"),
    ]:
        refused = admin.post(path, action="add", name=bad)
        assert refused.status_code == 400
        assert message in error_of(refused)
    assert count(ctx, model) == 1

    renamed = admin.post(path, action="rename", id=str(row.id), name="民政及戶政課")
    assert renamed.status_code == 302
    entry = audit_entries(ctx, f"{kind}.rename")[0]
    assert (entry.before, entry.after) == ({"name": "民政課"}, {"name": "民政及戶政課"})
    admin.post(path, action="add", name="工務課")
    clash = admin.post(path, action="rename", id=str(row.id), name="工務課")
    assert clash.status_code == 400 and "已有相同名稱" in error_of(clash)

    assert admin.post(path, action="deactivate", id=str(row.id)).status_code == 302
    with ctx.sessions() as session:
        stored = session.get(model, row.id)
        assert stored is not None and (stored.name, stored.active) == ("民政及戶政課", False)
    entry = audit_entries(ctx, f"{kind}.deactivate")[0]
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})
    again = admin.post(path, action="deactivate", id=str(row.id))
    assert again.status_code == 400
    # Re-adding a deactivated name is refused with a pointer to re-enable it.
    readd = admin.post(path, action="add", name="民政及戶政課")
    assert "已停用" in error_of(readd)
    assert admin.post(path, action="activate", id=str(row.id)).status_code == 302
    assert admin.post(path, action="rename", id="999999", name="x").status_code == 400


def test_names_are_escaped(admin: Admin, ctx: Context) -> None:
    admin.post("/admin/settings/units", action="add", name="<script>alert(1)</script>")
    html = admin.get("/admin/settings/units").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- reply templates ------------------------------------------------------------------------


def test_reply_templates(admin: Admin, ctx: Context) -> None:
    path = "/admin/settings/templates"
    body = "您好：\r\n您反映的事項已轉請權責單位處理。\r\n"
    assert admin.post(path, action="add", title="已轉權責單位", body=body).status_code == 302
    with ctx.sessions() as session:
        row = session.scalars(select(ReplyTemplate)).one()
    assert row.body == "您好：\n您反映的事項已轉請權責單位處理。"
    assert audit_entries(ctx, "template.create")

    for title, text, message in [
        ("", "內容", "請輸入範本標題"),
        ("標題", "  ", "請輸入範本內容"),
        ("已轉權責單位", "內容", "已有相同標題"),
        ("t" * 101, "內容", "不得超過100"),
        ("長文", "字" * 4001, "不得超過4,000字"),
    ]:
        refused = admin.post(path, action="add", title=title, body=text)
        assert refused.status_code == 400 and message in error_of(refused), title
    assert count(ctx, ReplyTemplate) == 1

    edit = f"/admin/settings/templates/{row.id}"
    assert "已轉權責單位" in admin.get(edit).get_data(as_text=True)
    assert admin.post(edit, title="已函轉", body="已函請權責機關處理。").status_code == 302
    entry = audit_entries(ctx, "template.update")[0]
    assert entry.before == {"title": "已轉權責單位", "body": row.body}
    assert entry.after == {"title": "已函轉", "body": "已函請權責機關處理。"}
    refused = admin.post(edit, title="", body="x")
    assert refused.status_code == 400
    assert admin.get("/admin/settings/templates/999999").status_code == 404

    assert admin.post(path, action="deactivate", id=str(row.id)).status_code == 302
    with ctx.sessions() as session:
        stored = session.get(ReplyTemplate, row.id)
        assert stored is not None
        assert (stored.title, stored.active) == ("已函轉", False)


# -- content the bot uses -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("reporting_channels", "檢舉管道\n・專線：0800-286-586\n・本處信箱", "reporting_channels"),
        ("promotion", "廉政宣導｜採購透明\n歡迎共同監督。", "promotion"),
        ("help", "使用說明\n請點選選單。", "help"),
        ("due_days", "14", "due_days"),
    ],
)
def test_content_edits_change_what_the_bot_uses(
    admin: Admin, ctx: Context, key: str, value: str, field: str
) -> None:
    with ctx.sessions() as session:
        before = getattr(content.for_conversation(session), field)
    response = admin.post(f"/admin/settings/texts/{key}", value=value)
    assert response.status_code == 302
    with ctx.sessions() as session:
        now = getattr(content.for_conversation(session), field)
    expected = int(value) if key == "due_days" else value
    assert now == expected != before
    entry = audit_entries(ctx, "setting.update")[0]
    assert (entry.target_type, entry.target_id) == ("setting", key)
    assert entry.before == {"value": before} and entry.after == {"value": expected}
    assert entry.actor == "chief" and entry.user_id == admin.user.id
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "已儲存，立即生效。" in page


def test_agency_name(admin: Admin, ctx: Context) -> None:
    assert (
        admin.post("/admin/settings/texts/agency_name", value=" 臺北市政府政風處 ").status_code
        == 302
    )
    with ctx.sessions() as session:
        assert content.get(session, "agency_name") == "臺北市政府政風處"
    for bad in ["", "政" * 101]:
        refused = admin.post("/admin/settings/texts/agency_name", value=bad)
        assert refused.status_code == 400 and "政風機構全銜" in error_of(refused)
    with ctx.sessions() as session:
        assert content.get(session, "agency_name") == "臺北市政府政風處"
    assert len(audit_entries(ctx, "setting.update")) == 1


@pytest.mark.parametrize("bad", ["0", "91", "-5", "30.5", "三十", "", "1e3"])
def test_due_days_must_be_1_to_90(admin: Admin, ctx: Context, bad: str) -> None:
    refused = admin.post("/admin/settings/texts/due_days", value=bad)
    assert refused.status_code == 400
    assert "1至90" in error_of(refused)
    with ctx.sessions() as session:
        assert content.for_conversation(session).due_days == 30
    assert audit_entries(ctx, "setting.update") == []


def test_bot_texts_are_required_and_bounded(admin: Admin, ctx: Context) -> None:
    for bad, message in [("  \n ", "請輸入"), ("字" * 4001, "不得超過4,000字")]:
        refused = admin.post("/admin/settings/texts/help", value=bad)
        assert refused.status_code == 400 and message in error_of(refused)
    assert admin.post("/admin/settings/texts/nonsense", value="x").status_code == 404
    with ctx.sessions() as session:
        assert content.get(session, "help") == content.DEFAULTS["help"]


# -- privacy notice -------------------------------------------------------------------------


def test_privacy_notice_edit_publishes_a_new_version(admin: Admin, ctx: Context) -> None:
    page = admin.get("/admin/settings/privacy").get_data(as_text=True)
    assert "目前版本：第1版" in page
    with ctx.sessions() as session:
        first = content.current_privacy_notice(session)
        first_body = first.body
    # The built-in first version names no agency yet: a new one must (test_notice.py).
    named = first_body.replace(content.DEFAULTS["agency_name"], "臺北市政府政風處")
    new_body = named + "\n七、聯絡窗口：本處政風室。"
    response = admin.post("/admin/settings/privacy", body=new_body)
    assert response.status_code == 302
    with ctx.sessions() as session:
        used = content.for_conversation(session)
        versions = list(session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version)))
    assert (used.privacy_version, used.privacy_notice) == (2, new_body)
    assert [(v.version, v.body) for v in versions] == [(1, first_body), (2, new_body)]
    assert versions[1].created_by == "chief"
    entry = audit_entries(ctx, "privacy_notice.publish")[0]
    assert entry.before == {"version": 1} and entry.after == {"version": 2, "body": new_body}

    page = admin.get("/admin/settings/privacy").get_data(as_text=True)
    assert "目前版本：第2版" in page and "第1版" in page

    same = admin.post("/admin/settings/privacy", body=new_body)
    assert same.status_code == 400 and "相同" in error_of(same)
    empty = admin.post("/admin/settings/privacy", body="   ")
    assert empty.status_code == 400 and "請輸入" in error_of(empty)
    assert count(ctx, PrivacyNotice) == 2


# -- users ----------------------------------------------------------------------------------


def create_form(**overrides: str) -> dict[str, str]:
    form = {
        "action": "create",
        "username": "clerk",
        "display_name": "林承辦",
        "role": "officer",
        "ethics": "1",
        "password": "a brand new password",
        "confirm": "a brand new password",
    }
    form.update(overrides)
    return form


def test_user_create(admin: Admin, ctx: Context) -> None:
    for overrides, message in [
        ({"confirm": "something else entirely"}, "不一致"),
        ({"password": "short", "confirm": "short"}, "至少需"),
        ({"username": "王小明"}, "英文字母"),
        ({"username": "has space"}, "英文字母"),
        ({"role": "boss"}, "請選擇角色"),
        ({"username": "chief"}, "已存在"),
    ]:
        refused = admin.post("/admin/settings/users", **create_form(**overrides))
        assert refused.status_code == 400 and message in error_of(refused), overrides
    assert count(ctx, User) == 1

    assert admin.post("/admin/settings/users", **create_form()).status_code == 302
    with ctx.sessions.begin() as session:
        user = accounts.authenticate(session, "clerk", "a brand new password")
        assert user is not None
        assert (user.display_name, user.role, user.ethics) == ("林承辦", "officer", True)
    entry = audit_entries(ctx, "user.create")[-1]
    assert entry.actor == "chief" and entry.after == {
        "username": "clerk",
        "role": "officer",
        "ethics": True,
    }
    assert "a brand new password" not in str(entry.after)
    assert "林承辦" in admin.get("/admin/settings/users").get_data(as_text=True)


def test_user_deactivate_ends_sessions_and_tokens(app: Any, admin: Admin, ctx: Context) -> None:
    clerk = staff(ctx, "clerk")
    clerk_client, _ = logged_in(app, ctx, clerk)
    headers = api_token(ctx, clerk)
    assert clerk_client.get("/admin/audit").status_code == 403  # signed in, not an admin

    assert (
        admin.post("/admin/settings/users", action="deactivate", id=str(clerk.id)).status_code
        == 302
    )
    assert clerk_client.get("/admin/audit").status_code == 302  # back to the login page
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).where(WebSession.user_id == clerk.id)) == 0
        assert all(t.revoked_at for t in session.scalars(select(ApiToken)))
        token = headers["Authorization"].removeprefix("Bearer ")
        assert accounts.token_user(session, token) is None
        assert accounts.authenticate(session, "clerk", PASSWORD) is None
    entry = audit_entries(ctx, "user.deactivate")[0]
    assert entry.after is not None and entry.after["active"] is False

    myself = admin.post("/admin/settings/users", action="deactivate", id=str(admin.user.id))
    assert myself.status_code == 400 and "無法停用目前登入的帳號" in error_of(myself)
    assert admin.get("/admin/settings/users").status_code == 200

    assert (
        admin.post("/admin/settings/users", action="activate", id=str(clerk.id)).status_code == 302
    )
    with ctx.sessions.begin() as session:
        assert accounts.authenticate(session, "clerk", PASSWORD) is not None


def test_user_password_reset(app: Any, admin: Admin, ctx: Context) -> None:
    clerk = staff(ctx, "clerk")
    clerk_client, _ = logged_in(app, ctx, clerk)
    mismatch = admin.post(
        "/admin/settings/users", action="password", id=str(clerk.id),
        password="new password 1234", confirm="new password 12345",
    )  # fmt: skip
    assert mismatch.status_code == 400 and "不一致" in error_of(mismatch)
    done = admin.post(
        "/admin/settings/users", action="password", id=str(clerk.id),
        password="new password 1234", confirm="new password 1234",
    )  # fmt: skip
    assert done.status_code == 302
    with ctx.sessions.begin() as session:
        assert accounts.authenticate(session, "clerk", PASSWORD) is None
    with ctx.sessions.begin() as session:
        assert accounts.authenticate(session, "clerk", "new password 1234") is not None
    assert clerk_client.get("/admin/").status_code == 302  # the old session ended
    entry = audit_entries(ctx, "user.password_reset")[0]
    assert entry.target_id == str(clerk.id) and "password" not in str(entry.after)


def test_user_unlock(admin: Admin, ctx: Context) -> None:
    clerk = staff(ctx, "clerk")
    with ctx.sessions.begin() as session:
        for _ in range(accounts.MAX_FAILED_LOGINS):
            accounts.authenticate(session, "clerk", "wrong password")
    with ctx.sessions() as session:
        assert accounts.is_locked(session, "clerk")
    assert "暫停登入中" in admin.get("/admin/settings/users").get_data(as_text=True)
    assert admin.post("/admin/settings/users", action="unlock", id=str(clerk.id)).status_code == 302
    with ctx.sessions.begin() as session:
        assert not accounts.is_locked(session, "clerk")
        assert accounts.authenticate(session, "clerk", PASSWORD) is not None
    entry = audit_entries(ctx, "user.unlock")[0]
    assert entry.before is not None and entry.before["locked_until"]
    not_locked = admin.post("/admin/settings/users", action="unlock", id=str(clerk.id))
    assert not_locked.status_code == 400 and "未被暫停" in error_of(not_locked)


def _intake(ctx: Context, nature: str = "need", officer: User | None = None) -> str:
    """A letter case (a tip when ``nature`` is tip), assigned to ``officer`` if given."""
    report = casework.ManualReport(
        channel="letter", nature=nature, sub_item=None, theme=None,
        description="來函反映里辦公處採購疑義。", reporter_name=None, reporter_phone=None,
        reporter_address=None, reporter_occupation=None, recorder="收文", petition_confirmed=False,
        notice_method="printed",
    )  # fmt: skip
    ethics_staff = dataclasses.replace(SYSTEM, ethics=True, head_of_ethics=True)
    with ctx.sessions.begin() as session:
        case = casework.manual_intake(session, ethics_staff, report, 30)
        if officer is not None:
            casework.assign(session, ethics_staff, case, officer.id, None)
        return case.number


def test_user_role_and_ethics_change_takes_effect_on_the_next_request(
    app: Any, admin: Admin, ctx: Context
) -> None:
    clerk = staff(ctx, "clerk", "supervisor", ethics=True)
    clerk.head_of_ethics = True  # opens every tip (logging in stores the account as it is)
    clerk_client, clerk_csrf = logged_in(app, ctx, clerk)
    tip = _intake(ctx, codes.TIP)
    ordinary = _intake(ctx)
    assert clerk_client.get(f"/admin/cases/{tip}").status_code == 200
    page = admin.get("/admin/settings/users").get_data(as_text=True)
    assert f'id="role-{clerk.id}"' in page and f'id="role-{admin.user.id}"' not in page

    changed = admin.post(
        "/admin/settings/users", action="role", id=str(clerk.id), role="viewer"
    )  # the ethics box left unticked: no longer 政風人員
    assert changed.status_code == 302
    shown = admin.get(changed.headers["Location"]).get_data(as_text=True)
    assert "已變更權限" in shown and "不必重新登入" in shown
    with ctx.sessions() as session:
        stored = session.get_one(User, clerk.id)
        assert (stored.role, stored.ethics) == ("viewer", False)
        # Rights are read again on every request: the session stays, with the new rights.
        assert session.scalar(select(func.count()).where(WebSession.user_id == clerk.id)) == 1
    assert clerk_client.get("/admin/cases").status_code == 200
    assert clerk_client.get(f"/admin/cases/{tip}").status_code == 404  # no longer 政風人員
    wrote = clerk_client.post(
        f"/admin/cases/{ordinary}/note", data={"csrf_token": clerk_csrf, "note": "試寫"}
    )
    assert wrote.status_code == 403
    # The head of ethics is ethics staff first: that flag went with it, audited.
    [head] = audit_entries(ctx, "user.head_of_ethics")
    assert (head.before, head.after) == ({"head_of_ethics": True}, {"head_of_ethics": False})
    [entry] = audit_entries(ctx, "user.role")
    assert (entry.actor, entry.target_id) == ("chief", str(clerk.id))
    assert entry.before == {"role": "supervisor", "ethics": True}
    assert entry.after == {"role": "viewer", "ethics": False}

    granted = admin.post(
        "/admin/settings/users", action="role", id=str(clerk.id), role="officer", ethics="1"
    )
    assert granted.status_code == 302
    # Ethics staff again, but not the head: an unassigned tip stays closed to them.
    assert clerk_client.get(f"/admin/cases/{tip}").status_code == 404
    made_head = admin.post(
        "/admin/settings/users", action="head_of_ethics", id=str(clerk.id), head_of_ethics="1"
    )
    assert made_head.status_code == 302
    assert "政風單位主管" in admin.get("/admin/settings/users").get_data(as_text=True)
    assert clerk_client.get(f"/admin/cases/{tip}").status_code == 200


def test_a_role_change_that_would_strand_work_or_the_site_is_refused(
    admin: Admin, ctx: Context
) -> None:
    clerk = staff(ctx, "clerk", "officer", ethics=True)
    _intake(ctx, officer=clerk)
    tip = _intake(ctx, codes.TIP, officer=clerk)

    def refused(message: str, **form: str) -> None:
        response = admin.post("/admin/settings/users", action="role", **form)
        assert response.status_code == 400 and message in error_of(response), form

    refused("請選擇角色", id=str(clerk.id), role="boss", ethics="1")
    refused("未變更", id=str(clerk.id), role="officer", ethics="1")
    refused("找不到指定的使用者", id="999999", role="officer")
    refused("無法變更目前登入帳號", id=str(admin.user.id), role="officer")
    refused("1 件未結的檢舉案件", id=str(clerk.id), role="officer")
    refused("2 件未結案件", id=str(clerk.id), role="viewer", ethics="1")
    with ctx.sessions() as session:
        stored = session.get_one(User, clerk.id)
        assert (stored.role, stored.ethics) == ("officer", True)
    assert audit_entries(ctx, "user.role") == []
    # Once the tip is closed, the flag may go; the ordinary case still holds the role.
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == tip)).one()
        case.status = codes.CLOSED
    assert (
        admin.post(
            "/admin/settings/users", action="role", id=str(clerk.id), role="officer"
        ).status_code
        == 302
    )


def test_the_last_administrator_keeps_the_role(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        only = accounts.create_user(session, "only", PASSWORD, "admin")
        session.flush()
        with pytest.raises(administration.SettingsError, match="唯一啟用中的系統管理者"):
            administration.change_role(session, CLI, only.id, "officer", False)
        other = accounts.create_user(session, "second", PASSWORD, "admin")
        session.flush()
        administration.change_role(session, CLI, only.id, "officer", False)
        with pytest.raises(administration.SettingsError, match="唯一啟用中的系統管理者"):
            administration.change_role(session, CLI, other.id, "supervisor", False)


# -- audit log ------------------------------------------------------------------------------


def test_audit_log_newest_first_filtered_and_paged(admin: Admin, ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        for index in range(60):
            audit.record(
                session, SYSTEM, "case.note", "case", "1151121001", after={"note": f"第{index}則"}
            )
        audit.record(session, SYSTEM, "case.reveal", "case", "1151121002")
        audit.record(session, SYSTEM, "case.note", "case", "<b>x</b>", after={"note": "<i>hi</i>"})

    first = admin.get("/admin/audit?target=1151121001").get_data(as_text=True)
    shown = [int(n) for n in re.findall(r"第(\d+)則", first)]
    assert shown == list(range(59, 9, -1))  # 50 newest, newest first
    assert rocdate.roc_date(utcnow()) in first
    older = re.search(r'href="([^"]+)" rel="next">較舊', first)
    assert older is not None
    link = older.group(1).replace("&amp;", "&")
    assert "before_id=" in link and "target=1151121001" in link
    second = admin.get(link).get_data(as_text=True)
    shown = [int(n) for n in re.findall(r"第(\d+)則", second)]
    assert shown == list(range(9, -1, -1))
    assert 'rel="next"' not in second

    reveals = admin.get("/admin/audit?action=case.reveal").get_data(as_text=True)
    assert "1151121002" in reveals and "1151121001" not in reveals
    family = admin.get("/admin/audit?action=case.&target=1151121002").get_data(as_text=True)
    assert "1151121002" in family

    escaped = admin.get("/admin/audit").get_data(as_text=True)
    assert "<b>x</b>" not in escaped and "&lt;b&gt;x&lt;/b&gt;" in escaped
    assert "<i>hi</i>" not in escaped


def test_audit_log_cannot_be_changed_through_the_web(app: Any, admin: Admin, ctx: Context) -> None:
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert (rule.methods or set()) <= {"GET", "HEAD", "OPTIONS"}, rule.rule
    with ctx.sessions.begin() as session:
        audit.record(session, SYSTEM, "case.note", "case", "1151121001")
    assert admin.post("/admin/audit").status_code == 405
    assert count(ctx, AuditEntry) >= 1


def test_a_change_is_one_transaction(admin: Admin, ctx: Context) -> None:
    """A refused change leaves neither the row nor an audit entry behind; an accepted one
    leaves both."""
    before = count(ctx, AuditEntry)
    with ctx.sessions() as session:
        last = session.scalar(select(func.max(AuditEntry.id))) or 0
    no_name = admin.post("/admin/settings/units", action="add", name="")
    assert no_name.status_code == 400 and "請輸入" in error_of(no_name)
    no_days = admin.post("/admin/settings/texts/due_days", value="0")
    assert no_days.status_code == 400 and "1至90" in error_of(no_days)
    assert count(ctx, Unit) == 0
    with ctx.sessions() as session:
        assert content.for_conversation(session).due_days == 30
    assert count(ctx, AuditEntry) == before

    assert admin.post("/admin/settings/units", action="add", name="民政課").status_code == 302
    assert admin.post("/admin/settings/texts/due_days", value="14").status_code == 302
    assert count(ctx, Unit) == 1
    with ctx.sessions() as session:
        assert content.for_conversation(session).due_days == 14
        written = session.scalars(
            select(AuditEntry.action).where(AuditEntry.id > last).order_by(AuditEntry.id)
        ).all()
    assert written == ["unit.create", "setting.update"]


# -- the 政風單位's own phone and e-mail, under 檢舉管道 ------------------------------------------


def _channels_shown(ctx: Context, sim: Sim) -> str:
    """What a resident reads on tapping 檢舉管道."""
    user = sim.new_resident("想檢舉的人")
    return str(tap(ctx, sim, user, "menu=channels")[0]["text"])


def test_the_units_own_phone_and_email_show_under_the_reporting_channels(
    admin: Admin, ctx: Context, sim: Sim
) -> None:
    page = admin.get("/admin/settings/texts").get_data(as_text=True)
    assert 'id="value-ethics_phone"' in page and 'id="value-ethics_email"' in page
    before = _channels_shown(ctx, sim)
    assert "電子郵件" not in before, "nothing is shown until the administrator sets it"

    for key, value in [
        ("agency_name", "新北市政府政風處"),
        ("ethics_phone", " 02-2960-3456 分機 1234 "),
        ("ethics_email", "ethics@ntpc.gov.tw"),
    ]:
        assert admin.post(f"/admin/settings/texts/{key}", value=value).status_code == 302
    shown = _channels_shown(ctx, sim)
    assert shown.startswith(before.split(texts.CHANNELS_TIP_HINT)[0].rstrip())
    assert "新北市政府政風處" in shown
    assert "02-2960-3456 分機 1234" in shown and "ethics@ntpc.gov.tw" in shown
    page = admin.get("/admin/settings/texts").get_data(as_text=True)
    assert 'value="02-2960-3456 分機 1234"' in page and 'value="ethics@ntpc.gov.tw"' in page

    # Cleared, the phone is no longer shown; the e-mail still is.
    assert admin.post("/admin/settings/texts/ethics_phone", value="").status_code == 302
    shown = _channels_shown(ctx, sim)
    assert "2960-3456" not in shown and "ethics@ntpc.gov.tw" in shown
    entries = audit_entries(ctx, "setting.update")
    assert [e.target_id for e in entries][-2:] == ["ethics_email", "ethics_phone"]
    assert entries[-1].before == {"value": "02-2960-3456 分機 1234"}
    assert entries[-1].after == {"value": ""}


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        ("ethics_phone", "12345", "電話"),
        ("ethics_phone", "02-1234-5678", "電話"),
        ("ethics_phone", "+1 212 555 0100", "電話"),
        ("ethics_phone", "政風處 02-2960-3456", "電話"),
        ("ethics_email", "ethics@", "電子郵件"),
        ("ethics_email", "ethics ntpc.gov.tw", "電子郵件"),
        ("ethics_email", "ethics@ntpc", "電子郵件"),
        ("ethics_email", "a..b@ntpc.gov.tw", "電子郵件"),
    ],
)
def test_a_bad_phone_or_email_is_refused_and_changes_nothing(
    admin: Admin, ctx: Context, key: str, bad: str, message: str
) -> None:
    refused = admin.post(f"/admin/settings/texts/{key}", value=bad)
    assert refused.status_code == 400
    assert message in error_of(refused) and "例如" in error_of(refused)
    assert f'value="{bad}"' in refused.get_data(as_text=True), "what was typed is kept"
    with ctx.sessions() as session:
        assert content.get(session, key) == ""
    assert audit_entries(ctx, "setting.update") == []
