"""Administrator pages: units, agencies, reply templates, bot texts, privacy notice, users,
and the audit log viewer. Administrators only; every change is audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from lianping import codes, context, rocdate
from lianping.admin.auth import current_actor
from lianping.admin.settings import audit_words
from lianping.services import accounts, administration, content, two_factor
from lianping.services.access import SYSTEM, Actor, require_admin
from lianping.services.administration import SettingsError
from lianping.storage import ids
from lianping.storage.models import AuditEntry, ReplyTemplate, TwoFactor, Unit, utcnow

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
    "two-factor-reset": "已重設雙重驗證；系統管理者及政風人員下次登入時須重新設定。",
    # Every request reads the user's role afresh: no session needs ending.
    "role-changed": "已變更權限；該同仁下一個操作起即依新權限辦理，不必重新登入。",
    "line-unlinked": "已解除 LINE 帳號連結。",
    "head-changed": "已變更政風單位主管身分；該同仁下一個操作起即依新權限辦理。",
    "unit-changed": "已變更所屬單位；主管可檢視其單位承辦人案件的個人資料。",
}

SECTIONS: list[tuple[str, str]] = [
    ("settings.units", "簽會單位"),
    ("settings.agencies", "函轉機關"),
    ("settings.templates", "回覆範本"),
    ("settings.texts", "機構名稱及機器人文字"),
    ("settings.privacy", "個資告知"),
    ("settings.retention_schedule", "保存期限"),
    ("settings.users", "使用者"),
]


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
    found = ids.parse_id(request.form.get(name))
    if found is None:
        abort(400)
    return found


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
    except administration.EthicsRequired as exc:
        with ctx.sessions.begin() as session:  # the change rolled back; the attempt is kept
            administration.record_refusal(session, current_actor(), exc)
        return on_error(str(exc))
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
        default_body = content.default_privacy_notice(content.all_values(session))
    current = history[0]
    draft = request.form.get("body", "") if error else current.body
    return _page(
        "admin/settings/privacy.html",
        status,
        current_notice=current,
        history=history,
        default_body=default_body,
        placeholders=content.notice_placeholders(current.body),
        fallback=content.DEFAULTS["agency_name"],
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
        units = {u.id: u.name for u in session.scalars(select(Unit).order_by(Unit.name))}
        active_units = [
            (u.id, u.name)
            for u in session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name))
        ]
        enrolled = set(
            session.scalars(select(TwoFactor.user_id).where(TwoFactor.enrolled_at.is_not(None)))
        )
    if error_for not in {u.id for u in rows}:
        error_for = None  # no such row to show it on: the message goes to the top
    now = utcnow()
    return _page(
        "admin/settings/users.html",
        status,
        rows=rows,
        locked={u.id for u in rows if u.locked_until and u.locked_until > now},
        second_factor=enrolled,
        last_login={u.id: rocdate.roc_datetime(u.last_login_at) for u in rows if u.last_login_at},
        me=current_actor().user_id,
        error=error,
        error_for=error_for,
        form=request.form if error and error_for is None else {},
        posted=request.form if error else {},
        form_action=request.form.get("action") if error else None,
        min_password=administration.accounts.MIN_PASSWORD_LENGTH,
        units=units,
        active_units=active_units,
        current="settings.users",
    )


def _reset_two_factor(session: Session, actor: Actor, user_id: int) -> None:
    try:
        two_factor.reset(session, actor, user_id)
    except two_factor.TwoFactorError as exc:
        raise SettingsError(str(exc)) from exc


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
    if action == "two_factor_reset":
        return _change(
            lambda s: _reset_two_factor(s, actor, user_id), "two-factor-reset", error, target
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
    if action == "unit":
        raw = form.get("unit_id", "")
        unit_id = ids.parse_id(raw)
        if raw and unit_id is None:
            return error("請選擇單位。")
        return _change(
            lambda s: administration.set_user_unit(s, actor, user_id, unit_id),
            "unit-changed",
            error,
            target + f"#user-{user_id}",
        )
    if action == "head_of_ethics":
        head = form.get("head_of_ethics") == "1"
        return _change(
            lambda s: administration.set_head_of_ethics(s, actor, user_id, head),
            "head-changed",
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


@blueprint.get("/audit")
def audit() -> BaseResponse:
    """The audit log, newest first: filter by target and action, older pages by id."""
    target = administration.clean_line(request.args.get("target"))[:64]
    target_type = request.args.get("type", "")
    if target_type not in audit_words.TARGET_TYPES:
        target_type = ""
    action = administration.clean_line(request.args.get("action"))[:64]
    before_id = ids.parse_id(request.args.get("before_id"))
    error = None
    if request.args.get("before_id") and before_id is None:
        # A page link no page gave out: the newest entries, and a 400 saying so.
        error = "頁碼無效，以下為最新的紀錄。"

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
        more = len(found) > AUDIT_PAGE
        entries = found[:AUDIT_PAGE]
        names = accounts.actor_names(session, (entry.actor for entry in entries))
        referred = audit_words.load_names(session, entries)
    rows = [
        {
            "entry": entry,
            "at": rocdate.roc_datetime(entry.at),
            "who": names[entry.actor],
            "described": audit_words.describe(entry, referred),
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
        status=400 if error else 200,
        error=error,
        sections=[],
        rows=rows,
        target=target,
        target_type=target_type,
        action=action,
        target_types=audit_words.TARGET_TYPES,
        action_groups=audit_words.groups(),
        known_actions=audit_words.ACTIONS,
        older=older,
        newest=url_for("settings.audit", **filters) if before_id else None,
        current="settings.audit",
    )
