"""Administrator pages: units, agencies, reply templates, bot texts, privacy notice, users,
and the audit log viewer. Administrators only; every change is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from lianping import codes, context, rocdate
from lianping.admin.auth import current_actor
from lianping.services import accounts, administration, content
from lianping.services.access import SYSTEM, require_admin
from lianping.services.administration import SettingsError
from lianping.storage.models import AuditEntry, ReplyTemplate, utcnow

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
AUDIT_PAGE = 50

blueprint = Blueprint("settings", __name__, url_prefix="/admin", template_folder=str(TEMPLATES))

# Success messages, chosen by a code in the redirect (no user text is reflected).
DONE: dict[str, str] = {
    "added": "已新增。",
    "renamed": "已更名。",
    "deactivated": "已停用。",
    "activated": "已重新啟用。",
    "saved": "已儲存，立即生效。",
    "saved-template": "已儲存範本。",
    "published": "已發布新版本，新反映的民眾將以此版本告知；先前版本仍予保存。",
    "user-created": "已建立帳號。",
    "password-reset": "已重設密碼，該帳號原有的登入階段均已結束。",
    "unlocked": "已解除暫停登入。",
    # Every request reads the user's role afresh: no session needs ending.
    "role-changed": "已變更權限；該同仁下一個操作起即依新權限辦理，不必重新登入。",
    "line-unlinked": "已解除 LINE 帳號連結。",
}

SECTIONS: list[tuple[str, str]] = [
    ("settings.units", "簽會單位"),
    ("settings.agencies", "函轉機關"),
    ("settings.templates", "回覆範本"),
    ("settings.texts", "機構名稱及機器人文字"),
    ("settings.privacy", "個資告知"),
    ("settings.users", "使用者"),
]

ACTION_LABELS: dict[str, str] = {
    "auth.login": "登入",
    "auth.logout": "登出",
    "user.create": "新增使用者",
    "user.deactivate": "停用使用者",
    "user.activate": "啟用使用者",
    "user.password_reset": "重設密碼",
    "user.unlock": "解除暫停登入",
    "user.role": "變更角色",
    "user.line_id": "設定 LINE 使用者 ID",
    "user.line_link_code": "產生 LINE 連結碼",
    "user.line_link": "連結 LINE 帳號",
    "user.line_unlink": "解除 LINE 帳號連結",
    "resident.tag_add": "追蹤者加上標籤",
    "resident.tag_remove": "追蹤者移除標籤",
    "user.lock": "帳號暫停登入",
    "token.create": "核發 API 權杖",
    "unit.create": "新增簽會單位",
    "unit.rename": "簽會單位更名",
    "unit.deactivate": "停用簽會單位",
    "unit.activate": "啟用簽會單位",
    "agency.create": "新增函轉機關",
    "agency.rename": "函轉機關更名",
    "agency.deactivate": "停用函轉機關",
    "agency.activate": "啟用函轉機關",
    "template.create": "新增回覆範本",
    "template.update": "修改回覆範本",
    "template.deactivate": "停用回覆範本",
    "template.activate": "啟用回覆範本",
    "setting.update": "修改設定",
    "privacy_notice.publish": "發布個資告知",
    "case.create": "建立案件",
    "case.classify": "案件分類",
    "case.assign": "分案",
    "case.route_internal": "簽會",
    "case.route_external": "函轉",
    "case.opinion": "處理意見",
    "case.note": "備註",
    "case.reply": "回覆民眾",
    "case.status": "變更狀態",
    "case.extend": "展延期限",
    "case.reveal": "檢視個人資料",
    "case.read_update": "已讀民眾補充",
    "report.submit": "送出工作成果彙報表",
}
TARGET_TYPES: dict[str, str] = {
    "case": "案件",
    "user": "使用者",
    "unit": "簽會單位",
    "agency": "函轉機關",
    "template": "回覆範本",
    "setting": "設定",
    "privacy_notice": "個資告知",
    "report": "工作成果彙報表",
    "tag": "追蹤者標籤",
}


@blueprint.before_request
def _administrators_only() -> None:
    require_admin(current_actor())


def _page(template: str, status: int = 200, **values: Any) -> Response:
    done = DONE.get(request.args.get("done", ""))
    values.setdefault("sections", SECTIONS)
    body = render_template(
        template,
        done=done if status == 200 else None,
        roles=codes.ROLES,
        **values,
    )
    return Response(body, status=status, mimetype="text/html")


def _form_id(name: str) -> int:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        abort(400)


def _change(
    apply: Callable[[Session], object],
    done: str,
    on_error: Callable[[str], Response],
    target: str,
) -> BaseResponse:
    """Run one change in one transaction; bad input re-shows the page with the message."""
    ctx = context.of_app()
    try:
        with ctx.sessions.begin() as session:
            apply(session)
    except SettingsError as exc:
        return on_error(str(exc))
    path, _, anchor = target.partition("#")
    joined = f"{path}{'&' if '?' in path else '?'}done={done}"
    return redirect(joined + (f"#{anchor}" if anchor else ""))


@blueprint.get("/settings/")
def index() -> BaseResponse:
    return redirect(url_for("settings.units"))


# -- units and agencies ---------------------------------------------------------------------


def _names_page(
    kind: administration.NameKind, error: str | None = None, status: int = 200
) -> Response:
    with context.of_app().sessions() as session:
        model = kind.model
        rows = list(session.scalars(select(model).order_by(model.active.desc(), model.name)))
    return _page(
        "admin/settings/names.html",
        status,
        kind=kind,
        rows=rows,
        error=error,
        form=request.form if error else {},
        current=f"settings.{kind.key}",
    )


def _names_view(key: str) -> BaseResponse:
    kind = administration.NAME_KINDS[key]
    if request.method == "GET":
        return _names_page(kind)
    actor = current_actor()
    action = request.form.get("action", "")
    target = url_for(f"settings.{key}")

    def error(message: str) -> Response:
        return _names_page(kind, message, 400)

    if action == "add":
        name = request.form.get("name", "")
        return _change(
            lambda s: administration.add_name(s, actor, kind, name), "added", error, target
        )
    item_id = _form_id("id")
    if action == "rename":
        name = request.form.get("name", "")
        return _change(
            lambda s: administration.rename(s, actor, kind, item_id, name), "renamed", error, target
        )
    if action in ("deactivate", "activate"):
        active = action == "activate"
        return _change(
            lambda s: administration.set_name_active(s, actor, kind, item_id, active),
            "activated" if active else "deactivated",
            error,
            target,
        )
    return error("無法辨識的操作。")


@blueprint.route("/settings/units", methods=["GET", "POST"])
def units() -> BaseResponse:
    return _names_view("units")


@blueprint.route("/settings/agencies", methods=["GET", "POST"])
def agencies() -> BaseResponse:
    return _names_view("agencies")


# -- reply templates ------------------------------------------------------------------------


def _templates_page(error: str | None = None, status: int = 200) -> Response:
    with context.of_app().sessions() as session:
        rows = list(
            session.scalars(
                select(ReplyTemplate).order_by(ReplyTemplate.active.desc(), ReplyTemplate.title)
            )
        )
    return _page(
        "admin/settings/templates.html",
        status,
        rows=rows,
        error=error,
        form=request.form if error else {},
        current="settings.templates",
    )


@blueprint.route("/settings/templates", methods=["GET", "POST"])
def templates() -> BaseResponse:
    if request.method == "GET":
        return _templates_page()
    actor = current_actor()
    action = request.form.get("action", "")
    target = url_for("settings.templates")

    def error(message: str) -> Response:
        return _templates_page(message, 400)

    if action == "add":
        title, body = request.form.get("title", ""), request.form.get("body", "")
        return _change(
            lambda s: administration.add_template(s, actor, title, body), "added", error, target
        )
    item_id = _form_id("id")
    if action in ("deactivate", "activate"):
        active = action == "activate"
        return _change(
            lambda s: administration.set_template_active(s, actor, item_id, active),
            "activated" if active else "deactivated",
            error,
            target,
        )
    return error("無法辨識的操作。")


@blueprint.route("/settings/templates/<int:template_id>", methods=["GET", "POST"])
def template_edit(template_id: int) -> BaseResponse:
    actor = current_actor()

    def page(error: str | None = None, status: int = 200) -> Response:
        with context.of_app().sessions() as session:
            row = session.get(ReplyTemplate, template_id)
        if row is None:
            abort(404)
        form = request.form if error else {"title": row.title, "body": row.body}
        return _page(
            "admin/settings/template_edit.html",
            status,
            row=row,
            form=form,
            error=error,
            current="settings.templates",
        )

    if request.method == "GET":
        return page()
    title, body = request.form.get("title", ""), request.form.get("body", "")
    return _change(
        lambda s: administration.edit_template(s, actor, template_id, title, body),
        "saved-template",
        lambda message: page(message, 400),
        url_for("settings.templates"),
    )


# -- agency name, due days, bot texts -------------------------------------------------------


def _texts_page(
    error_key: str | None = None, error: str | None = None, status: int = 200
) -> Response:
    with context.of_app().sessions() as session:
        values = {key: content.get(session, key) for key in administration.CONTENT_FIELDS}
    if error_key:
        values[error_key] = request.form.get("value", "")
    return _page(
        "admin/settings/texts.html",
        status,
        fields=administration.CONTENT_FIELDS,
        values=values,
        error_key=error_key,
        error=error,
        saved_key=request.args.get("key") if status == 200 else None,
        current="settings.texts",
    )


@blueprint.get("/settings/texts")
def texts() -> BaseResponse:
    return _texts_page()


@blueprint.post("/settings/texts/<key>")
def text_save(key: str) -> BaseResponse:
    if key not in administration.CONTENT_FIELDS:
        abort(404)
    actor = current_actor()
    value = request.form.get("value", "")
    return _change(
        lambda s: administration.update_content(s, actor, key, value),
        "saved",
        lambda message: _texts_page(key, message, 400),
        url_for("settings.texts", key=key) + f"#{key}",
    )


# -- privacy notice -------------------------------------------------------------------------


def _privacy_page(error: str | None = None, status: int = 200) -> Response:
    ctx = context.of_app()
    with ctx.sessions.begin() as session:  # version 1 may be written on the first look
        history = administration.privacy_history(session)
        # A notice without an author is the built-in first version.
        names = accounts.actor_names(session, (n.created_by or SYSTEM.username for n in history))
    current = history[0]
    draft = request.form.get("body", "") if error else current.body
    return _page(
        "admin/settings/privacy.html",
        status,
        current_notice=current,
        history=history,
        draft=draft,
        error=error,
        roc=rocdate.roc_datetime,
        who=lambda username: names[username or SYSTEM.username],
        current="settings.privacy",
    )


@blueprint.route("/settings/privacy", methods=["GET", "POST"])
def privacy() -> BaseResponse:
    if request.method == "GET":
        return _privacy_page()
    actor = current_actor()
    body = request.form.get("body", "")
    return _change(
        lambda s: administration.publish_privacy_notice(s, actor, body),
        "published",
        lambda message: _privacy_page(message, 400),
        url_for("settings.privacy"),
    )


# -- users ----------------------------------------------------------------------------------


def _users_page(
    error: str | None = None, status: int = 200, error_for: int | None = None
) -> Response:
    with context.of_app().sessions() as session:
        rows = administration.users(session)
    if error_for not in {u.id for u in rows}:
        error_for = None  # no such row to show it on: the message goes to the top
    now = utcnow()
    return _page(
        "admin/settings/users.html",
        status,
        rows=rows,
        locked={u.id for u in rows if u.locked_until and u.locked_until > now},
        last_login={u.id: rocdate.roc_datetime(u.last_login_at) for u in rows if u.last_login_at},
        me=current_actor().user_id,
        error=error,
        error_for=error_for,
        form=request.form if error and error_for is None else {},
        posted=request.form if error else {},
        form_action=request.form.get("action") if error else None,
        min_password=administration.accounts.MIN_PASSWORD_LENGTH,
        current="settings.users",
    )


@blueprint.route("/settings/users", methods=["GET", "POST"])
def users() -> BaseResponse:
    if request.method == "GET":
        return _users_page()
    actor = current_actor()
    form = request.form
    action = form.get("action", "")
    target = url_for("settings.users")
    if action == "create":
        return _change(
            lambda s: administration.create_user(
                s,
                actor,
                username=form.get("username", ""),
                display_name=form.get("display_name", ""),
                role=form.get("role", ""),
                ethics=form.get("ethics") == "1",
                password=form.get("password", ""),
                confirm=form.get("confirm", ""),
            ),
            "user-created",
            lambda message: _users_page(message, 400),
            target,
        )
    user_id = _form_id("id")

    def error(message: str) -> Response:
        return _users_page(message, 400, error_for=user_id)

    if action in ("deactivate", "activate"):
        active = action == "activate"
        return _change(
            lambda s: administration.set_user_active(s, actor, user_id, active),
            "activated" if active else "deactivated",
            error,
            target,
        )
    if action == "password":
        password, confirm = form.get("password", ""), form.get("confirm", "")
        return _change(
            lambda s: administration.reset_password(s, actor, user_id, password, confirm),
            "password-reset",
            error,
            target,
        )
    if action == "unlock":
        return _change(
            lambda s: administration.unlock_user(s, actor, user_id), "unlocked", error, target
        )
    if action == "role":
        role, ethics = form.get("role", ""), form.get("ethics") == "1"
        return _change(
            lambda s: administration.change_role(s, actor, user_id, role, ethics),
            "role-changed",
            error,
            target + f"#user-{user_id}",
        )
    if action == "line_unlink":
        return _change(
            lambda s: administration.unlink_line(s, actor, user_id),
            "line-unlinked",
            error,
            target + f"#user-{user_id}",
        )
    return error("無法辨識的操作。")


# -- audit log ------------------------------------------------------------------------------


FIELD_LABELS: dict[str, str] = {
    "name": "名稱",
    "active": "啟用",
    "title": "標題",
    "body": "內容",
    "value": "內容",
    "version": "版本",
    "username": "帳號",
    "role": "角色",
    "ethics": "政風人員",
    "locked_until": "暫停登入至",
    "failed_logins": "連續登入失敗次數",
    "sessions_closed": "結束的登入階段",
    "tokens_revoked": "撤銷的 API 權杖",
    "line_user_id": "LINE 使用者 ID",
    "expires_at": "有效至",
    "tag": "標籤",
    "residents": "追蹤者編號",
    "changed": "異動人數",
    "reason": "原因",
    "token": "API 權杖編號",
    "status": "狀態",
    "note": "備註",
    "received_at": "收件時間",
}


def _display_value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "role" and value in codes.ROLES:
        return codes.ROLES[value]
    if key == "status" and value in codes.STATUSES:
        return codes.STATUSES[value]
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return rocdate.roc_datetime(moment)
    return str(value)


def _describe(values: dict[str, Any] | None) -> list[tuple[str, str]]:
    """An audit entry's before/after values as (label, text) pairs for people."""
    if not values:
        return []
    return [
        (FIELD_LABELS.get(key, key), _display_value(key, value)) for key, value in values.items()
    ]


@blueprint.get("/audit")
def audit() -> BaseResponse:
    """The audit log, newest first: filter by target and action, older pages by id."""
    target = administration.clean_line(request.args.get("target"))[:64]
    target_type = request.args.get("type", "")
    if target_type not in TARGET_TYPES:
        target_type = ""
    action = administration.clean_line(request.args.get("action"))[:64]
    before_raw = request.args.get("before_id", "")
    before_id = int(before_raw) if before_raw.isdigit() else None

    statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE + 1)
    if target:
        statement = statement.where(AuditEntry.target_id == target)
    if target_type:
        statement = statement.where(AuditEntry.target_type == target_type)
    if action:
        if action.endswith("."):  # a family, e.g. "case."
            pattern = action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            statement = statement.where(AuditEntry.action.like(pattern + "%", escape="\\"))
        else:
            statement = statement.where(AuditEntry.action == action)
    if before_id:
        statement = statement.where(AuditEntry.id < before_id)

    with context.of_app().sessions() as session:
        found = list(session.scalars(statement))
        names = accounts.actor_names(session, (entry.actor for entry in found))
    more = len(found) > AUDIT_PAGE
    entries = found[:AUDIT_PAGE]
    rows = [
        {
            "entry": entry,
            "at": rocdate.roc_datetime(entry.at),
            "who": names[entry.actor],
            "action": ACTION_LABELS.get(entry.action, entry.action),
            "target_type": TARGET_TYPES.get(entry.target_type, entry.target_type),
            "before": _describe(entry.before),
            "after": _describe(entry.after),
        }
        for entry in entries
    ]
    filters: dict[str, Any] = {
        k: v for k, v in (("target", target), ("type", target_type), ("action", action)) if v
    }
    older = (
        url_for("settings.audit", **filters, before_id=entries[-1].id) if more and entries else None
    )
    return _page(
        "admin/settings/audit.html",
        sections=[],
        rows=rows,
        target=target,
        target_type=target_type,
        action=action,
        target_types=TARGET_TYPES,
        action_labels=ACTION_LABELS,
        older=older,
        newest=url_for("settings.audit", **filters) if before_id else None,
        current="settings.audit",
    )
