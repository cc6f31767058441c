"""Conversation tokens: every tokened button belongs to one conversation.

The engine is pure, so a token derives from the event that starts the
conversation (its timestamp) and a counter kept in the state, which makes a
new token differ from every earlier one even when two events share a timestamp.
"""

from __future__ import annotations

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(number: int) -> str:
    """``number`` (≥ 0) in base 36, lowercase."""
    if number <= 0:
        return "0"
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits))


def make(timestamp_ms: int, sequence: int) -> str:
    """The token of the ``sequence``-th conversation, started at ``timestamp_ms``."""
    return f"{base36(max(timestamp_ms, 0))}.{base36(sequence)}"
