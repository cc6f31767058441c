"""Erasing residents' profiles: what goes, what stays for the statistics, and only once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from lianping.context import Context
from lianping.storage import erasure, residents
from lianping.storage.models import Resident, ResidentTag

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_erasing_removes_the_profile_and_keeps_the_row(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        gone = residents.get_or_create(session, "U" + "a" * 32)
        kept = residents.get_or_create(session, "U" + "b" * 32)
        for resident in (gone, kept):
            resident.display_name, resident.district, resident.village = "小明", "中山區", "民安里"
            resident.conversation = {"step": "description", "draft": {"name": "王小明"}}
        residents.add_tag(session, [gone.id, kept.id], "志工")
        gone_id, kept_id = gone.id, kept.id

    with ctx.sessions.begin() as session:
        assert erasure.erase_residents(session, [gone_id], NOW) == 1
        # A second run finds nothing left to erase.
        assert erasure.erase_residents(session, [gone_id], NOW) == 0

    with ctx.sessions() as session:
        erased = session.get(Resident, gone_id)
        assert erased is not None
        assert erased.line_user_id == f"erased:{gone_id}"
        assert (erased.display_name, erased.district, erased.village) == (None, None, None)
        assert erased.conversation == {} and erased.purged_at == NOW and not erased.following
        tags = session.scalars(select(ResidentTag.resident_id)).all()
        assert tags == [kept_id]
        untouched = session.get(Resident, kept_id)
        assert untouched is not None and untouched.display_name == "小明"
        assert untouched.conversation["draft"] == {"name": "王小明"}
