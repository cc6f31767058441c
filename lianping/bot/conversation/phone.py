"""Reading "王小明 0912-345-678": a name and a Taiwan phone number in one message; and the
one way a stored number is written out, on every page, form and file."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from lianping.bot import texts

# A run of digits with the separators people type; an optional +886 in front.
_PHONE = re.compile(r"\+?\(?\d[\d\s\-()（）]{6,}\d")
# Punctuation between the values, and the labels people put before them.
_SEPARATORS = re.compile(r"[:：,，、;；/]")
_LABEL = re.compile(r"^(姓名|名字|聯絡電話|電話|手機|市話)")
_ACCEPTED_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)
MAX_NAME = 20
_TAIWAN = 886
_MOBILE = re.compile(r"(?:\+886|0)(9\d{8})")


@dataclass(frozen=True)
class Contact:
    """A resident's name and phone number, read from one message."""

    name: str
    phone: str  # E.164, e.g. +886912345678
    phone_display: str  # as Taiwan writes it, e.g. 0912-345-678


class ContactError(ValueError):
    """The name or the phone number could not be read; ``problem`` is "name", "phone"
    (a number that is not a Taiwan phone number) or "no_phone" (a name alone)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def parse_phone(raw: str) -> tuple[str, str] | None:
    """A Taiwan mobile or landline number as (E.164, display form), or None if not one.

    The one rule for a reporter's phone: the LINE flow and manual intake both use it.
    """
    try:
        number = phonenumbers.parse(raw.replace("（", "(").replace("）", ")"), "TW")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != _TAIWAN or not phonenumbers.is_valid_number(number):
        return None
    if number.extension:  # E.164 has no room for one: refused rather than silently dropped
        return None
    if phonenumbers.number_type(number) not in _ACCEPTED_TYPES:
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, display_phone(e164)


def display_phone(value: str | None) -> str:
    """A stored number as Taiwan writes it, the one form of every page, file and message:
    +886912345678 → 0912-345-678, +886223811234 → 02-2381-1234 (a number typed at intake,
    0912345678, too); a masked, foreign or unreadable value is shown as it is."""
    if not value:
        return ""
    mobile = _MOBILE.fullmatch(value)
    if mobile:  # most numbers: exports format 100k of them, phonenumbers takes ~30 µs each
        digits = mobile.group(1)
        return f"0{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    try:
        number = phonenumbers.parse(value, "TW")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code != _TAIWAN or not phonenumbers.is_valid_number(number):
        return value
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return str(national).replace(" ", "-")


def parse_contact(text: str) -> Contact:
    """The name and phone number in ``text``; raises ContactError saying which is wrong."""
    found = _PHONE.search(text)
    phone = parse_phone(found.group()) if found else None
    rest = text[: found.start()] + " " + text[found.end() :] if found else text
    words = (_LABEL.sub("", word) for word in _SEPARATORS.sub(" ", rest).split())
    name = " ".join(word for word in words if word)
    if phone is None:
        # Digits left next to a name are a mistyped phone; an empty message lacks both.
        if not name and not found:
            raise ContactError("name")
        typed_digits = found or any(char.isdigit() for char in name)
        raise ContactError("phone" if typed_digits else "no_phone")
    if not name or len(name) > MAX_NAME or any(char.isdigit() for char in name):
        raise ContactError("name")
    return Contact(name, *phone)


# An office number as a unit publishes it: digits and the usual separators, then maybe 分機.
_DIALLED = re.compile(r"\+?[\d\s\-()]{8,}")
_EXTENSION = re.compile(r"\s*(?:分機|轉|#|ext\.?|x)\s*(\d{1,6})$", re.IGNORECASE)
_TOLL_FREE = re.compile(r"080[09]-?\d{3}-?\d{3}")


def parse_office_phone(raw: str) -> str | None:
    """A number the public may call the unit on, as it is shown: a landline or mobile by
    ``parse_phone``'s rule, or a toll-free 0800/0809 number, with an optional 分機
    (``02-2960-3456 分機 1234``); None if it is not one."""
    text = " ".join(raw.replace("（", "(").replace("）", ")").split())
    extension = _EXTENSION.search(text)
    main = text[: extension.start()] if extension else text
    if not _DIALLED.fullmatch(main):
        return None
    if parse_phone(main) is None and not _TOLL_FREE.fullmatch(main.replace(" ", "")):
        return None
    if extension is None:
        return main
    return texts.OFFICE_PHONE_EXTENSION.format(phone=main, extension=extension.group(1))
