"""Tagging followers: validated and audited; the caller commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lianping.services import audit
from lianping.services.access import Actor, require_write
from lianping.storage import residents

MAX_TAG = 40  # ResidentTag.tag
MAX_SELECTED = 200


class FollowersError(ValueError):
    """Bad input; the message (zh-TW) says what to correct. Nothing was changed."""


def change_tag(
    session: Session, actor: Actor, resident_ids: list[int], raw_tag: str, *, add: bool
) -> int:
    """Add ``raw_tag`` to (or remove it from) the selected followers; returns how many changed.

    Viewers may not; an empty or too long tag, no selection, or a selection naming
    someone who is not a resident is refused before anything changes.
    """
    require_write(actor)
    tag = residents.clean_tag(raw_tag)
    if not tag:
        raise FollowersError("請輸入標籤名稱。")
    if len(tag) > MAX_TAG:
        raise FollowersError(f"標籤名稱不得超過{MAX_TAG}個字。")
    chosen = sorted(set(resident_ids))
    if not chosen:
        raise FollowersError("請先勾選要" + ("加上" if add else "移除") + "標籤的追蹤者。")
    if len(chosen) > MAX_SELECTED:
        raise FollowersError(f"一次最多可選擇{MAX_SELECTED}位追蹤者。")
    if residents.existing_ids(session, chosen) != set(chosen):
        raise FollowersError("勾選的追蹤者有部分已不存在，請重新整理頁面後再試一次。")
    if add:
        changed = residents.add_tag(session, chosen, tag)
    else:
        changed = residents.remove_tag(session, chosen, tag)
    audit.record(
        session, actor, "resident.tag_add" if add else "resident.tag_remove", "tag", tag,
        after={"tag": tag, "residents": chosen, "changed": changed},
    )  # fmt: skip
    return changed
