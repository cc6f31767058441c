"""我的帳號: the signed-in staff member's own account and the link to their LINE account.

LINE shows nobody their user id: the page gives a one-time code, which the staff member
sends to the official account from the LINE account to link (the bot answers).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lianping import context, rocdate
from lianping.admin.pages.common import current_actor
from lianping.services import accounts, two_factor
from lianping.storage.models import User

blueprint = Blueprint("account", __name__, url_prefix="/admin/account")

DONE = {"unlinked": "已解除 LINE 帳號連結。"}


def _page(
    code: str | None = None,
    expires_at: datetime | None = None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    actor = current_actor()
    with context.of_app().sessions() as session:
        user = session.get(User, actor.user_id)
        recovery_left = two_factor.recovery_codes_left(session, actor.user_id or 0)
    html = render_template(
        "admin/account.html",
        user=user,
        recovery_left=recovery_left,
        two_factor_required=user is not None and two_factor.required(user),
        code=code,
        expires=rocdate.roc_datetime(expires_at) if expires_at else None,
        minutes=int(accounts.LINE_LINK_LIFETIME.total_seconds() // 60),
        done=DONE.get(request.args.get("done", "")) if status == 200 else None,
        error=error,
    )
    return html, status


@blueprint.get("")
def show() -> tuple[str, int]:
    """The account, and whether a LINE account is linked to it."""
    return _page()


@blueprint.post("/line-code")
def line_code() -> tuple[str, int]:
    """A new link code, shown once on this page (never in a URL), the last one replaced."""
    actor = current_actor()
    with context.of_app().sessions.begin() as session:
        user = session.get(User, actor.user_id)
        assert user is not None  # a signed-in staff member has an account
        code, expires_at = accounts.issue_line_link_code(session, actor, user)
    return _page(code, expires_at)


@blueprint.post("/line-unlink")
def line_unlink() -> Response | tuple[str, int]:
    """Forget the linked LINE account (it no longer gets test sends)."""
    actor = current_actor()
    try:
        with context.of_app().sessions.begin() as session:
            user = session.get(User, actor.user_id)
            assert user is not None
            accounts.unlink_line(session, actor, user)
    except accounts.AccountError as exc:
        return _page(error=str(exc), status=400)
    return redirect(url_for("account.show", done="unlinked"))
