"""Staff link their LINE account with a one-time code sent to the bot, not a typed user id.

The staff member asks for a code on 我的帳號, sends it to the official account from the
LINE account to link, and the bot says it is linked; the page then shows it. A wrong or
expired code links nothing; a code works once; wrong codes are throttled per LINE account.
The LINE side runs through the real inbox job and the simulator.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from lianping.bot import texts
from lianping.bot.conversation import LinkStaff
from lianping.context import Context
from lianping.services import accounts
from lianping.storage.models import AuditEntry, Resident, User, utcnow
from lianping_dev.simulator import events as line_events
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import logged_in, staff
from tests.support import handled_as_worker
from tests.test_engine import Chat

CODE = re.compile(r"LP-\d{4}-\d{4}")


class Member:
    """A signed-in staff member on 我的帳號."""

    def __init__(self, app: Any, ctx: Context, username: str = "linker", role: str = "officer"):
        self.ctx = ctx
        self.user = staff(ctx, username, role)
        self.client, self.csrf = logged_in(app, ctx, self.user)

    def page(self) -> str:
        response = self.client.get("/admin/account")
        assert response.status_code == 200
        return str(response.get_data(as_text=True))

    def new_code(self) -> str:
        response = self.client.post("/admin/account/line-code", data={"csrf_token": self.csrf})
        assert response.status_code == 200
        found = CODE.search(response.get_data(as_text=True))
        assert found, "the page shows the code"
        return found.group(0)

    def stored(self) -> User:
        with self.ctx.sessions() as session:
            user = session.get(User, self.user.id)
            assert user is not None
            session.expunge(user)
            return user


@pytest.fixture
def member(app: Any, ctx: Context) -> Member:
    return Member(app, ctx)


def say(ctx: Context, sim: Sim, user: str, words: str) -> str:
    """``user`` types ``words`` in LINE; the inbox job handles it; returns the bot's answer."""
    event = line_events.text(user, "x" * 32, words, timestamp=int(time.time() * 1000))
    answer = handled_as_worker(ctx, sim, user, event)
    return "\n".join(message.get("text", "") for message in answer)


def audit_actions(ctx: Context) -> list[str]:
    with ctx.sessions() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_code_sent_from_line_links_that_account(sim: Sim, ctx: Context, member: Member) -> None:
    assert "尚未連結" in member.page()
    code = member.new_code()
    stored = member.stored()
    # Kept only as a hash, for a short while.
    digits = code.replace("LP-", "").replace("-", "")
    assert digits not in repr(vars(stored)) and stored.line_link_code_hash
    assert stored.line_link_expires_at is not None
    left = stored.line_link_expires_at - utcnow()
    assert timedelta(minutes=9) < left <= accounts.LINE_LINK_LIFETIME

    phone = sim.new_resident("王承辦的手機")
    # Typed as a phone keyboard may give it: lower case, full-width digits, spaces.
    typed = "lp " + digits[:4].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    answer = say(ctx, sim, phone, f"{typed} {digits[4:]}")
    assert "已連結" in answer and member.user.display_name in answer
    assert member.stored().line_user_id == phone
    assert member.stored().line_link_code_hash is None
    assert "user.line_link" in audit_actions(ctx)
    page = member.page()
    assert "已連結" in page and "尚未連結" not in page

    # Single use: the same code from another account links nothing.
    other = sim.new_resident("別人")
    assert texts.STAFF_LINK_REFUSED in say(ctx, sim, other, code)
    assert member.stored().line_user_id == phone


def test_a_wrong_or_expired_code_links_nothing(sim: Sim, ctx: Context, member: Member) -> None:
    phone = sim.new_resident("測試手機")
    code = member.new_code()
    wrong = "LP-0000-0000" if code != "LP-0000-0000" else "LP-1111-1111"
    assert texts.STAFF_LINK_REFUSED in say(ctx, sim, phone, wrong)
    with ctx.sessions.begin() as session:
        session.execute(
            update(User)
            .where(User.id == member.user.id)
            .values(line_link_expires_at=utcnow() - timedelta(seconds=1))
        )
    assert texts.STAFF_LINK_REFUSED in say(ctx, sim, phone, code)
    assert member.stored().line_user_id is None
    # A new code replaces the old one.
    first, second = member.new_code(), member.new_code()
    assert texts.STAFF_LINK_REFUSED in say(ctx, sim, phone, first) or first == second
    assert "已連結" in say(ctx, sim, phone, second)


def test_wrong_codes_are_throttled_per_line_account(sim: Sim, ctx: Context, member: Member) -> None:
    guesser = sim.new_resident("猜碼的人")
    code = member.new_code()
    wrong = "LP-0000-0000" if code != "LP-0000-0000" else "LP-1111-1111"
    for _ in range(accounts.LINE_LINK_MAX_FAILURES):
        assert texts.STAFF_LINK_REFUSED in say(ctx, sim, guesser, wrong)
    # Locked now: even the right code is not tried.
    assert texts.STAFF_LINK_LOCKED in say(ctx, sim, guesser, code)
    assert member.stored().line_user_id is None
    # Another account is not held back by it.
    assert "已連結" in say(ctx, sim, sim.new_resident("本人"), code)
    with ctx.sessions() as session:
        locked = session.scalar(select(Resident).where(Resident.line_user_id == guesser))
        assert locked is not None and locked.line_link_locked_until is not None


def test_unlinking_from_the_page_and_by_an_administrator(
    app: Any, sim: Sim, ctx: Context, member: Member
) -> None:
    phone = sim.new_resident("手機")
    assert "已連結" in say(ctx, sim, phone, member.new_code())
    done = member.client.post("/admin/account/line-unlink", data={"csrf_token": member.csrf})
    assert done.status_code == 302
    assert "已解除" in member.client.get(done.headers["Location"]).get_data(as_text=True)
    assert member.stored().line_user_id is None

    assert "已連結" in say(ctx, sim, phone, member.new_code())
    admin, csrf = logged_in(app, ctx, staff(ctx, "boss", "admin"))
    users = admin.get("/admin/settings/users").get_data(as_text=True)
    assert "已連結 LINE" in users and 'name="line_user_id"' not in users
    unlinked = admin.post(
        "/admin/settings/users",
        data={"csrf_token": csrf, "action": "line_unlink", "id": str(member.user.id)},
    )
    assert unlinked.status_code == 302
    assert member.stored().line_user_id is None
    assert audit_actions(ctx).count("user.line_unlink") == 2


def test_the_code_never_touches_a_report_in_progress() -> None:
    chat = Chat()
    chat.text("我要反映")
    before = dict(chat.state)
    outcome = chat.text("LP-1234-5678")
    assert outcome.state == before
    assert outcome.effects == [LinkStaff("12345678")]
    # Words that only look a little like a code stay the resident's words.
    for words in ("LP-1234", "help 1234-5678", "1234-5678", "LP-1234-56789"):
        assert not any(isinstance(e, LinkStaff) for e in chat.text(words).effects), words
