"""Staff accounts: passwords (scrypt), login throttling, server-side sessions, API tokens,
and the link to a staff member's own LINE account (by a one-time code)."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from lianping import codes
from lianping.services import audit, passwords
from lianping.services.access import CLI, RESIDENT, SYSTEM, Actor
from lianping.storage.models import ApiToken, Resident, User, WebSession, utcnow

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
# A session unused this long is closed (SESSION_IDLE_MINUTES sets it for an install).
IDLE_TIMEOUT = timedelta(minutes=30)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_DISPLAY_NAME = 100  # User.display_name
# Usernames are typed at the login prompt and on the command line, so no spaces and
# nothing a keyboard layout or a shell would change: ASCII letters, digits and . _ @ -.
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9._@-]{1,64}")
USERNAME_RULE = "帳號請使用1至64個英文字母、數字或 . _ @ - 符號"
# Who acts without a staff account, in the words staff read (timelines, the audit log).
NON_STAFF = {
    SYSTEM.username: SYSTEM.display_name,
    CLI.username: CLI.display_name,
    RESIDENT.username: RESIDENT.display_name,
}
# Verifying against this keeps a wrong username as slow as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class AccountError(ValueError):
    """A clear, user-facing reason an account operation was refused."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def valid_username(raw: str) -> str:
    """The username without surrounding spaces, if it follows the one rule for usernames."""
    username = raw.strip()
    if not USERNAME_PATTERN.fullmatch(username):
        raise AccountError(USERNAME_RULE)
    return username


def valid_display_name(raw: str | None, username: str) -> str:
    """The name colleagues see: spaces tidied, the username when none is given."""
    name = " ".join((raw or "").split()) or username
    if len(name) > MAX_DISPLAY_NAME:
        raise AccountError(f"姓名不得超過{MAX_DISPLAY_NAME}個字")
    return name


def check_password(password: str, personal: Iterable[str] = ()) -> None:
    """Refuse a new password shorter or longer than the rule allows, or easy to guess
    (common, or weak by the strength estimate; ``personal``: the account's username and
    name, which an attacker knows)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密碼至少需{MIN_PASSWORD_LENGTH}個字元")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"密碼不得超過{MAX_PASSWORD_LENGTH}個字元")
    weakness = passwords.weakness(password, personal)
    if weakness is not None:
        raise AccountError(weakness.removesuffix("。"))


def password_hash(password: str, personal: Iterable[str] = ()) -> str:
    """What is stored of a new password (scrypt), if it follows the rule."""
    check_password(password, personal)
    return generate_password_hash(password, method="scrypt")


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
    ethics: bool = False,
    actor: Actor = SYSTEM,
) -> User:
    """Add a staff account; the password is stored as a scrypt hash."""
    username = valid_username(username)
    name = valid_display_name(display_name, username)
    if role not in codes.ROLES:
        raise AccountError(f"角色必須是 {', '.join(codes.ROLES)} 之一")
    stored = password_hash(password, (username, name))
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"帳號 {username} 已存在")
    user = User(
        username=username,
        display_name=name,
        password_hash=stored,
        role=role,
        ethics=ethics,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor, "user.create", "user", user.id,
        after={"username": username, "role": role, "ethics": ethics},
    )  # fmt: skip
    return user


def actor_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """Each recorded actor in words: staff by display name, the system, the command line and
    the resident by what they are; a name no account has (any more) stays as it is."""
    wanted = set(usernames)
    staff = {
        username: name
        for username, name in session.execute(
            select(User.username, User.display_name).where(
                User.username.in_(wanted - NON_STAFF.keys())
            )
        )
    }
    return {u: NON_STAFF.get(u) or staff.get(u, u) for u in wanted}


def authenticate(
    session: Session, username: str, password: str, *, ip: str | None = None
) -> User | None:
    """The user if the password is right and the account is not locked; counts failures.

    Each failure is counted, and the account locked on the ``MAX_FAILED_LOGINS``th, by one
    conditional UPDATE that holds the row: parallel guesses queue on it, so none is lost
    and none gets past a lock another set. The lock is audited (from ``ip``).
    """
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        return None
    open_now = or_(User.locked_until.is_(None), User.locked_until <= now)
    if not check_password_hash(user.password_hash, password):
        _count_failure(session, user, now, ip)
        return None
    # Another request may have locked the account while the hash was checked.
    signed_in = session.execute(
        update(User)
        .where(User.id == user.id, open_now)
        .values(failed_logins=0, locked_until=None, last_login_at=now)
        .returning(User.id)
        .execution_options(synchronize_session="fetch")
    ).first()
    return user if signed_in is not None else None


def _count_failure(session: Session, user: User, now: datetime, ip: str | None) -> None:
    """One more failed login for ``user``, unless it is locked; a lock that has ended starts
    a new count. Locks the account when the count reaches the limit."""
    count = case((User.locked_until.is_not(None), 1), else_=User.failed_logins + 1)
    locked = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(
            failed_logins=count,
            locked_until=case(
                (count >= MAX_FAILED_LOGINS, literal(now + LOCKOUT, User.locked_until.type)),
                else_=None,
            ),
        )
        .returning(User.locked_until)
        .execution_options(synchronize_session="fetch")
    ).first()
    if locked is not None and locked.locked_until is not None:
        audit.record(
            session, dataclasses.replace(SYSTEM, ip=ip), "user.lock", "user", user.id,
            after={"locked_until": locked.locked_until, "reason": "failed_logins"},
        )  # fmt: skip


def is_locked(session: Session, username: str) -> bool:
    user = session.scalar(select(User).where(User.username == username.strip()))
    return bool(user and user.locked_until and user.locked_until > utcnow())


@dataclass(frozen=True)
class NewSession:
    cookie_value: str
    csrf_token: str


def open_session(session: Session, user: User) -> NewSession:
    """Start a server-side session; the cookie holds a random value, the table its hash."""
    value = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            id=_digest(value), user_id=user.id, csrf_token=csrf,
            created_at=now, expires_at=now + SESSION_LIFETIME, last_seen_at=now,
        )
    )  # fmt: skip
    return NewSession(value, csrf)


class SessionIdle(Exception):
    """The session was unused longer than the idle timeout; it has been deleted."""


def session_user(
    session: Session, cookie_value: str, idle_timeout: timedelta = IDLE_TIMEOUT
) -> tuple[User, WebSession] | None:
    """The user of a live session (expired sessions count as none).

    A session unused for longer than ``idle_timeout`` is deleted and ``SessionIdle`` raised,
    so the caller can say why the user must sign in again (and still commit the delete).
    """
    web = session.get(WebSession, _digest(cookie_value))
    now = utcnow()
    if web is None or web.expires_at <= now:
        return None
    if now - web.last_seen_at > idle_timeout:
        session.delete(web)
        raise SessionIdle
    user = session.get(User, web.user_id)
    if user is None or not user.active:
        return None
    return user, web


def close_session(session: Session, cookie_value: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == _digest(cookie_value)))


def create_token(session: Session, user: User, name: str, actor: Actor = SYSTEM) -> str:
    """A new API token for ``user``; returned once, stored only as its hash."""
    token = "lp_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_digest(token), name=name[:100])
    session.add(row)
    session.flush()
    audit.record(session, actor, "token.create", "user", user.id, after={"token": row.id})
    return token


def token_user(session: Session, token: str) -> User | None:
    """The user a bearer token belongs to (revoked tokens and inactive users: none)."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    return user


# -- a staff member's own LINE account --------------------------------------------------------
# LINE shows nobody their user id, so staff link their account by sending the official account
# a one-time code from it: the code is only ever shown on the staff member's own page.
LINE_LINK_LIFETIME = timedelta(minutes=10)
LINE_LINK_DIGITS = 8
# Wrong codes from one LINE account before it must wait, and how long.
LINE_LINK_MAX_FAILURES = 5
LINE_LINK_LOCKOUT = timedelta(minutes=15)


class LineLinkLocked(Exception):
    """This LINE account sent too many wrong codes: nothing is checked until the lockout ends."""


def line_link_code_text(digits: str) -> str:
    """The code as staff read and type it: ``LP-1234-5678``."""
    return f"LP-{digits[:4]}-{digits[4:]}"


def issue_line_link_code(session: Session, actor: Actor, user: User) -> tuple[str, datetime]:
    """A new code for ``user`` (the previous one stops working) and when it expires.

    Only the code's SHA-256 is kept; it links once, within ``LINE_LINK_LIFETIME``.
    """
    while True:
        digits = f"{secrets.randbelow(10**LINE_LINK_DIGITS):0{LINE_LINK_DIGITS}d}"
        taken = select(User.id).where(User.line_link_code_hash == _digest(digits))
        if session.scalar(taken.where(User.id != user.id)) is None:
            break
    expires_at = utcnow() + LINE_LINK_LIFETIME
    user.line_link_code_hash, user.line_link_expires_at = _digest(digits), expires_at
    audit.record(
        session, actor, "user.line_link_code", "user", user.id, after={"expires_at": expires_at}
    )
    return line_link_code_text(digits), expires_at


def redeem_line_link_code(
    session: Session, resident: Resident, digits: str, now: datetime
) -> User | None:
    """Link the LINE account ``resident`` to the staff member whose live code it sent.

    A wrong, used or expired code links nothing (None) and counts against the LINE account;
    ``LINE_LINK_MAX_FAILURES`` of them lock it out (``LineLinkLocked``) for a while.
    """
    if resident.line_link_locked_until and resident.line_link_locked_until > now:
        raise LineLinkLocked
    user = session.scalar(select(User).where(User.line_link_code_hash == _digest(digits)))
    expires_at = user.line_link_expires_at if user is not None else None
    if user is None or not user.active or expires_at is None or expires_at <= now:
        resident.line_link_failures += 1
        if resident.line_link_failures >= LINE_LINK_MAX_FAILURES:
            resident.line_link_locked_until = now + LINE_LINK_LOCKOUT
            resident.line_link_failures = 0
        return None
    before = user.line_user_id
    user.line_user_id = resident.line_user_id
    user.line_link_code_hash = user.line_link_expires_at = None
    resident.line_link_failures, resident.line_link_locked_until = 0, None
    audit.record(
        session, Actor.of(user), "user.line_link", "user", user.id,
        before={"line_user_id": before}, after={"line_user_id": user.line_user_id},
    )  # fmt: skip
    return user


def unlink_line(session: Session, actor: Actor, user: User) -> None:
    """Forget ``user``'s LINE account (and any code not yet sent)."""
    if user.line_user_id is None:
        raise AccountError("此帳號尚未連結 LINE。")
    before = user.line_user_id
    user.line_user_id = user.line_link_code_hash = user.line_link_expires_at = None
    audit.record(
        session, actor, "user.line_unlink", "user", user.id,
        before={"line_user_id": before}, after={"line_user_id": None},
    )  # fmt: skip
