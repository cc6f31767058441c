"""Texts bound for LINE are measured as LINE measures them: UTF-16 code units.

An emoji is one character but two units, so a text can fit by ``len`` and still be
refused by LINE; every place that sizes a LINE text must count units.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lianping.bot import cards, texts
from lianping.context import Context
from lianping.line.limits import LIMITS, utf16_units
from lianping.services import accounts, administration, casework
from lianping.services.access import Actor

EMOJI = "🏮"  # one character, two UTF-16 units


def test_an_emoji_counts_two_units() -> None:
    assert utf16_units(EMOJI * 3 + "里") == 7


def test_the_case_card_trims_to_lines_limit_in_units() -> None:
    card = cards.CaseCard(
        number="1150302-0001",
        nature="need",
        sub_item=None,
        status="in_progress",
        updated_at=datetime(2026, 3, 2, tzinfo=UTC),
        due_at=None,
        is_open=False,
    )
    start = datetime(2026, 3, 2, tzinfo=UTC)
    # 4,200 characters in all (within 5,000) but 8,400 units (over it).
    timeline = [
        cards.TimelineEntry(start + timedelta(hours=n), f"{n}" + EMOJI * 600) for n in range(7)
    ]
    [message] = cards.case_detail(card, timeline)
    text = message["text"]
    assert utf16_units(text) <= LIMITS["text_utf16_units"]
    assert texts.CASE_TIMELINE_TRIMMED in text
    assert text.rstrip().endswith("6" + EMOJI * 600)  # the newest entry stays


def test_bot_texts_the_administrator_edits_are_counted_in_units(ctx: Context) -> None:
    with ctx.sessions() as session:
        admin = Actor.of(accounts.create_user(session, "chief", "a long enough password", "admin"))
        # 2,001 characters, 4,002 units: over the 4,000 the settings allow.
        with pytest.raises(administration.SettingsError, match="不得超過"):
            administration.update_content(session, admin, "help", EMOJI * 2001)
        administration.update_content(session, admin, "help", EMOJI * 2000)
        session.rollback()


def test_a_reply_is_measured_in_units() -> None:
    # 2,490 characters with the frame (within 5,000), over 5,000 units.
    with pytest.raises(casework.CaseworkError, match="過長"):
        casework.reply_text("1150302-0001", EMOJI * 2490)
    fits = casework.reply_text("1150302-0001", EMOJI * 2400)
    assert EMOJI * 2400 in fits and utf16_units(fits) <= LIMITS["text_utf16_units"]
