"""The conversation's editable content is loaded once per process and kept while its
version token stands: one small query per batch, and a change is seen at the next one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from lianping.bot.conversation.model import Content
from lianping.context import Context
from lianping.services import content


@contextmanager
def statements(ctx: Context) -> Iterator[list[str]]:
    """The SQL statements run on the context's engine inside the block."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(ctx.engine, "before_cursor_execute", note)


def kept(ctx: Context) -> Content:
    """Load the content until this process keeps it (the very first load writes notice
    version 1, and with it the first token)."""
    for _ in range(2):
        with ctx.sessions.begin() as session:
            loaded = content.for_conversation(session)
    return loaded


def test_unchanged_content_costs_one_query(ctx: Context) -> None:
    first = kept(ctx)
    with ctx.sessions() as session, statements(ctx) as ran:
        again = content.for_conversation(session)
    assert again == first
    queries = [statement for statement in ran if not statement.startswith("BEGIN")]
    assert len(queries) == 1 and "FROM settings" in queries[0]


def test_a_change_made_elsewhere_is_seen_at_the_next_load(ctx: Context) -> None:
    assert kept(ctx).due_days == 30
    # Another process (the admin's web app) commits a change.
    with ctx.sessions.begin() as session:
        content.put(session, "due_days", 14, by="chief")
    with ctx.sessions() as session:
        assert content.for_conversation(session).due_days == 14


def test_a_new_privacy_notice_is_seen_at_the_next_load(ctx: Context) -> None:
    first = kept(ctx)
    with ctx.sessions.begin() as session:
        content.add_privacy_notice(session, "新版告知事項", by="chief")
    with ctx.sessions() as session:
        now = content.for_conversation(session)
    assert (now.privacy_version, now.privacy_notice) == (first.privacy_version + 1, "新版告知事項")
