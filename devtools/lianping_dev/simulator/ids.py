"""Identifiers shaped like the ones the LINE platform issues."""

from __future__ import annotations

import secrets
import uuid

from ulid import ULID


def user_id() -> str:
    """A LINE user id: ``U`` followed by 32 lowercase hex digits."""
    return "U" + secrets.token_hex(16)


def message_id() -> str:
    """A message id: LINE uses 18-digit decimal strings."""
    return str(secrets.randbelow(9 * 10**17) + 10**17)


def quote_token() -> str:
    """An opaque quote token (LINE's are URL-safe base64 of about 100 characters)."""
    return secrets.token_urlsafe(64)


def reply_token() -> str:
    """An opaque reply token (LINE's are 32 hex digits)."""
    return secrets.token_hex(16)


def request_id() -> str:
    """The ``x-line-request-id`` value LINE puts on every API response."""
    return str(uuid.uuid4())


def webhook_event_id() -> str:
    """A webhook event id, which LINE documents as a ULID."""
    return str(ULID())


def rich_menu_id() -> str:
    """A rich menu id: ``richmenu-`` followed by 32 hex digits."""
    return "richmenu-" + secrets.token_hex(16)


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a UUID in the hyphenated hex form LINE accepts as a retry key."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False
