"""TOTP two-factor sign-in (RFC 6238, 30-second steps, six digits) with recovery codes.

Administrators and ethics staff must enrol; others may. The secret is stored encrypted
under the app's secret key and shown only while enrolling; a code is accepted once (the
time step it matched is remembered); ten recovery codes are shown once at enrolment and
kept only as SHA-256 digests, each usable once. Wrong codes count like wrong passwords:
``MAX_FAILED_CODES`` of them lock the account for ``accounts.LOCKOUT``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Literal

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from lianping.services import accounts, administration, audit
from lianping.services.access import Actor, require_admin
from lianping.storage.models import TwoFactor, User, utcnow

ISSUER = "村里廉政平臺"
STEP_SECONDS = 30
# A code from the step before or after the current one is accepted (clock drift).
DRIFT_STEPS = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
RECOVERY_LENGTH = 10  # about 50 bits each
MAX_FAILED_CODES = 5

MSG_WRONG_CODE = "驗證碼不正確或已使用過，請輸入驗證器目前顯示的6位數字，或一組未使用的備用碼。"
MSG_LOCKED = (
    f"驗證碼連續錯誤{MAX_FAILED_CODES}次，帳號暫停登入"
    f"{int(accounts.LOCKOUT.total_seconds() // 60)}分鐘。如需協助，請洽系統管理者。"
)
MSG_ALREADY = "此帳號已啟用雙重驗證。"


class TwoFactorError(ValueError):
    """A clear, user-facing reason a code or an enrolment was refused."""


# How a code at sign-in fared; "locked": that wrong code reached MAX_FAILED_CODES.
Outcome = Literal["totp", "recovery", "wrong", "locked"]


def required(user: User) -> bool:
    """Must this staff member sign in with a second factor? Administrators and ethics staff."""
    return user.role == "admin" or user.ethics


def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(b"lianping two-factor secret\0" + key.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _secret(row: TwoFactor, key: str) -> str:
    try:
        return _fernet(key).decrypt(row.secret_encrypted.encode("ascii")).decode("ascii")
    except InvalidToken as error:  # the secret key changed: only a reset helps
        raise TwoFactorError("無法讀取雙重驗證設定，請洽系統管理者重設。") from error


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def _normalize_recovery(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def enrolled(session: Session, user_id: int) -> bool:
    """Has this staff member confirmed a second factor?"""
    row = session.get(TwoFactor, user_id)
    return row is not None and row.enrolled_at is not None


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the secret as text and as an otpauth:// URI."""

    secret: str
    uri: str


def enrolment(session: Session, user: User, key: str) -> Enrolment:
    """The secret being enrolled (a new one the first time; the same one until confirmed, so
    a QR code already scanned stays good)."""
    row = session.get(TwoFactor, user.id)
    if row is not None and row.enrolled_at is not None:
        raise TwoFactorError(MSG_ALREADY)
    if row is None:
        secret = pyotp.random_base32()
        row = TwoFactor(
            user_id=user.id,
            secret_encrypted=_fernet(key).encrypt(secret.encode("ascii")).decode("ascii"),
            recovery_code_hashes=[],
            failed_codes=0,
        )
        session.add(row)
        session.flush()
    else:
        secret = _secret(row, key)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return Enrolment(secret, uri)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _claim_step(session: Session, user_id: int, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was: one conditional UPDATE,
    so two requests with the same code cannot both pass."""
    result = session.execute(
        update(TwoFactor)
        .where(TwoFactor.user_id == user_id)
        .where(or_(TwoFactor.last_used_step.is_(None), TwoFactor.last_used_step < step))
        .values(last_used_step=step, failed_codes=0)
    )
    return bool(getattr(result, "rowcount", 0))


def _new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def confirm(
    session: Session, actor: Actor, user: User, key: str, code: str, now: float | None = None
) -> list[str]:
    """Finish enrolment with a first code from the authenticator; returns the ten recovery
    codes, shown to the staff member this once."""
    row = session.get(TwoFactor, user.id)
    if row is None:
        raise TwoFactorError("請重新開始設定雙重驗證。")
    if row.enrolled_at is not None:
        raise TwoFactorError(MSG_ALREADY)
    step = _matching_step(_secret(row, key), code, time.time() if now is None else now)
    if step is None or not _claim_step(session, user.id, step):
        raise TwoFactorError("驗證碼不正確，請確認驗證器已加入此帳號，並輸入目前顯示的6位數字。")
    codes = _new_recovery_codes()
    session.refresh(row)
    row.enrolled_at = utcnow()
    row.recovery_code_hashes = [_digest(_normalize_recovery(c)) for c in codes]
    audit.record(session, actor, "user.two_factor_enrol", "user", user.id)
    return codes


def verify(session: Session, user: User, key: str, code: str, now: float | None = None) -> Outcome:
    """Check the second step of a sign-in. A recovery code is used up; a wrong code counts
    toward the lockout (the caller commits: the count must stick)."""
    row = session.get(TwoFactor, user.id, with_for_update=True)
    if row is None or row.enrolled_at is None:
        raise TwoFactorError("此帳號尚未設定雙重驗證。")
    step = _matching_step(_secret(row, key), code, time.time() if now is None else now)
    if step is not None:
        if _claim_step(session, user.id, step):
            return "totp"
    else:
        digest = _digest(_normalize_recovery(code))
        remaining = list(row.recovery_code_hashes)
        if digest in remaining:
            remaining.remove(digest)
            row.recovery_code_hashes, row.failed_codes = remaining, 0
            audit.record(
                session, Actor.of(user), "user.two_factor_recovery_used", "user", user.id,
                after={"recovery_codes_left": len(remaining)},
            )  # fmt: skip
            return "recovery"
    session.refresh(row)
    row.failed_codes += 1
    if row.failed_codes < MAX_FAILED_CODES:
        return "wrong"
    row.failed_codes = 0
    user.locked_until = utcnow() + accounts.LOCKOUT
    audit.record(
        session, Actor.of(user), "user.lock", "user", user.id,
        after={"locked_until": user.locked_until, "reason": "failed_codes"},
    )  # fmt: skip
    return "locked"


def recovery_codes_left(session: Session, user_id: int) -> int | None:
    """How many recovery codes are unused (None when not enrolled)."""
    row = session.get(TwoFactor, user_id)
    if row is None or row.enrolled_at is None:
        return None
    return len(row.recovery_code_hashes)


def reset(session: Session, actor: Actor, user_id: int) -> None:
    """An administrator removes a staff member's second factor (a lost phone): they enrol
    again at their next sign-in, or may, if it is optional for them. An ethics user's is
    reset only by an administrator who is ethics staff too."""
    require_admin(actor)
    user = session.get(User, user_id)
    row = session.get(TwoFactor, user_id)
    if user is None or row is None:
        raise TwoFactorError("此帳號未設定雙重驗證。")
    if user.ethics:
        administration.require_ethics_admin(actor, "two_factor", user_id)
    was_enrolled = row.enrolled_at is not None
    session.delete(row)
    audit.record(
        session, actor, "user.two_factor_reset", "user", user_id,
        before={"enrolled": was_enrolled},
    )  # fmt: skip
