"""The retention purge: on a database with data of every kind just inside and just outside
each limit, it removes exactly what the schedule says, nothing else, and only once; the
dry run predicts it; case records and statistics stay; the audit entry holds counts only."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lianping import codes, queues
from lianping.context import Context
from lianping.jobs import purge as purge_job
from lianping.reports import biweekly, dashboard
from lianping.rocdate import taipei_date
from lianping.services import dispatch, retention
from lianping.services.access import SYSTEM, Actor
from lianping.storage import inbox, residents
from lianping.storage import purge as queries
from lianping.storage.models import (
    AuditEntry,
    Case,
    CaseEvent,
    DataRequest,
    InboxEvent,
    MediaFile,
    OutboxMessage,
    Place,
    PlaceContact,
    Resident,
    ResidentTag,
    TipReporter,
)
from lianping_dev.simulator import events as line_events
from tests.support import LIANPING

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
# The defaults' cutoffs (services.content.DEFAULTS).
DRAFT_CUTOFF = NOW - timedelta(hours=24)
PAYLOAD_CUTOFF = NOW - 30 * DAY
OUTBOX_CUTOFF = NOW - 30 * DAY
MEDIA_CUTOFF = NOW - 7 * DAY
UNFOLLOWED_CUTOFF = NOW - 90 * DAY
CASE_CUTOFF = NOW.replace(year=NOW.year - 5)
CONTACT_CUTOFF = NOW.replace(year=NOW.year - 5)
HEAD = Actor(None, "head", "政風主管", "admin", ethics=True)


@pytest.fixture(autouse=True)
def no_daily_purge(request: pytest.FixtureRequest) -> None:
    """The session's worker queues the daily purge on its sweep whenever the day's key is
    missing (another test may have emptied its Redis database): hold the key, so only the
    test purges what it seeded, at its own clock."""
    if "ctx" in request.fixturenames:
        ctx: Context = request.getfixturevalue("ctx")
        ctx.redis.set(purge_job.DAILY_KEY, 1, ex=purge_job.DAY)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass
class World:
    """Ids of the seeded rows, by what the purge should do to them."""

    ids: dict[str, int]
    files: dict[str, Path]


def _resident(session: Any, key: str, **values: Any) -> Resident:
    resident = residents.get_or_create(session, "U" + key.encode().hex().ljust(32, "0")[:32])
    resident.display_name = f"民眾{key}"
    resident.district, resident.village = "中山區", "民安里"
    for name, value in values.items():
        setattr(resident, name, value)
    session.flush()
    return resident


def _media(
    session: Any, media_dir: Path, message_id: str, created: datetime, **values: Any
) -> tuple[MediaFile, Path | None]:
    values.setdefault("status", "stored")
    media = MediaFile(line_message_id=message_id, kind="image", created_at=created, **values)
    path: Path | None = None
    if media.status == "stored":
        media.path = f"test-retention/{message_id}.png"
        media.sha256 = "a" * 64
        path = media_dir / media.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"png")
    session.add(media)
    session.flush()
    return media, path


def _case(session: Any, number: str, status: str, created: datetime, **values: Any) -> Case:
    fields: dict[str, Any] = {
        "nature": codes.NEED, "sub_item": "need-2", "theme": "works", "updated_at": created,
        "reporter_name": "王小明", "reporter_phone": "0912345678",
        "reporter_address": "中山區民安里1號", "reporter_occupation": "教師",
        "handling_opinion": "已函請工務局修復",
        "location": {"title": "民安公園", "address": "中山區民安路1號", "latitude": 25.0,
                     "longitude": 121.5},
    }  # fmt: skip
    fields.update(values)
    case = Case(number=number, channel="line", status=status, created_at=created,
                description=f"路燈故障，案號 {number}", due_at=created + 30 * DAY,
                **fields)  # fmt: skip
    session.add(case)
    session.flush()
    session.add(CaseEvent(case_id=case.id, kind="created", actor="resident", body="已收到",
                          public=True, created_at=created))  # fmt: skip
    return case


def _event(session: Any, key: str, received: datetime, **values: Any) -> InboxEvent:
    payload = {
        "type": "message", "webhookEventId": f"evt-{key}", "timestamp": _ms(received),
        "mode": "active", "replyToken": "reply-token-secret",
        "source": {"type": "user", "userId": "U" + "f" * 32},
        "message": {"id": f"msg-{key}", "type": "text", "text": "我的電話是0912345678"},
    }  # fmt: skip
    event = InboxEvent(webhook_event_id=f"evt-{key}", source_key="U" + "f" * 32, shard=1,
                       event_type="message", event_timestamp=_ms(received), payload=payload,
                       received_at=received, **values)  # fmt: skip
    session.add(event)
    session.flush()
    return event


def _outbox(session: Any, created: datetime, **values: Any) -> OutboxMessage:
    row = OutboxMessage(to="U" + "f" * 32, messages=[{"type": "text", "text": "王小明您好"}],
                        reply_token="reply-token", created_at=created, **values)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def seed(ctx: Context) -> World:
    """Every kind of data, each just inside and just outside its limit."""
    media_dir = Path(ctx.settings.media_dir)
    ids: dict[str, int] = {}
    files: dict[str, Path] = {}
    with ctx.sessions.begin() as session:
        # -- drafts: silent for just over and just under 24 hours, and an idle chat.
        draft = {**_draft("王小明"), "photos": ["draft-new", "draft-old"]}
        old_state = {"step": "description", "flow": "report", "draft": draft, "history": [],
                     "token": "t1", "seq": 3, "at": _ms(DRAFT_CUTOFF - MINUTE)}  # fmt: skip
        ids["draft_due"] = _resident(session, "draft-due", conversation=old_state).id
        fresh_state = {**old_state, "at": _ms(DRAFT_CUTOFF + MINUTE)}
        ids["draft_kept"] = _resident(session, "draft-kept", conversation=fresh_state).id
        idle_state = {"step": "idle", "token": "t2", "seq": 1, "at": _ms(NOW - 400 * DAY)}
        ids["idle"] = _resident(session, "idle", conversation=idle_state).id
        # The due draft's photos: one recent (the draft rule's), one old (the media rule's).
        media, path = _media(session, media_dir, "draft-new", NOW - 2 * DAY / 24,
                             resident_id=ids["draft_due"])  # fmt: skip
        ids["draft_photo"], files["draft_photo"] = media.id, path  # type: ignore[assignment]
        media, path = _media(session, media_dir, "draft-old", MEDIA_CUTOFF - DAY,
                             resident_id=ids["draft_due"])  # fmt: skip
        ids["draft_old_photo"], files["draft_old_photo"] = media.id, path  # type: ignore[assignment]
        # The fresh draft's photo stays.
        media, path = _media(session, media_dir, "fresh-draft-photo", NOW - 2 * DAY / 24,
                             resident_id=ids["draft_kept"])  # fmt: skip
        ids["fresh_draft_photo"], files["fresh_draft_photo"] = media.id, path  # type: ignore[assignment]

        # A draft in use keeps its photos past the media limit.
        media, path = _media(session, media_dir, "live-draft-old-photo", MEDIA_CUTOFF - DAY,
                             resident_id=ids["draft_kept"])  # fmt: skip
        ids["live_draft_photo"], files["live_draft_photo"] = media.id, path  # type: ignore[assignment]

        # -- media no case took.
        media, path = _media(session, media_dir, "stray-old", MEDIA_CUTOFF - MINUTE)
        ids["stray_due"], files["stray_due"] = media.id, path  # type: ignore[assignment]
        media, path = _media(session, media_dir, "stray-new", MEDIA_CUTOFF + MINUTE)
        ids["stray_kept"], files["stray_kept"] = media.id, path  # type: ignore[assignment]
        ids["unsent_due"] = _media(session, media_dir, "unsent-old", MEDIA_CUTOFF - MINUTE,
                                   status="unsent")[0].id  # fmt: skip

        # -- payloads.
        ids["payload_due"] = _event(session, "p1", PAYLOAD_CUTOFF - DAY,
                                    processed_at=PAYLOAD_CUTOFF - MINUTE).id  # fmt: skip
        ids["payload_kept"] = _event(session, "p2", PAYLOAD_CUTOFF - DAY,
                                     processed_at=PAYLOAD_CUTOFF + MINUTE).id  # fmt: skip
        ids["payload_given_up"] = _event(session, "p3", PAYLOAD_CUTOFF - MINUTE, attempts=5).id
        ids["payload_retrying"] = _event(session, "p4", PAYLOAD_CUTOFF - DAY, attempts=2).id

        # -- outbox bodies.
        ids["outbox_due"] = _outbox(session, OUTBOX_CUTOFF - DAY, status="sent",
                                    sent_at=OUTBOX_CUTOFF - MINUTE).id  # fmt: skip
        ids["outbox_kept"] = _outbox(session, OUTBOX_CUTOFF - DAY, status="sent",
                                     sent_at=OUTBOX_CUTOFF + MINUTE).id  # fmt: skip
        ids["outbox_failed"] = _outbox(session, OUTBOX_CUTOFF - MINUTE, status="failed").id
        ids["outbox_pending"] = _outbox(session, OUTBOX_CUTOFF - DAY).id

        # -- cases: ended just over and just under five years ago, and open for ten.
        reporter = _resident(session, "reporter", following=False,
                             unfollowed_at=UNFOLLOWED_CUTOFF - 400 * DAY)  # fmt: skip
        ids["reporter"] = reporter.id
        closed = _case(session, "1100101-0001", codes.CLOSED, CASE_CUTOFF - 60 * DAY,
                       closed_at=CASE_CUTOFF - MINUTE, updated_at=CASE_CUTOFF - MINUTE,
                       resident_id=reporter.id, satisfaction=4)  # fmt: skip
        ids["case_due"] = closed.id
        media, path = _media(session, media_dir, "filed-old", CASE_CUTOFF - 60 * DAY,
                             resident_id=reporter.id, case_id=closed.id)  # fmt: skip
        ids["case_photo"], files["case_photo"] = media.id, path  # type: ignore[assignment]
        tip = _case(session, "1100101-0002", codes.WITHDRAWN, CASE_CUTOFF - 90 * DAY,
                    updated_at=CASE_CUTOFF - MINUTE, nature=codes.TIP, sub_item=None,
                    confidential=True, reporter_name=None, reporter_phone=None,
                    reporter_address=None, reporter_occupation=None)  # fmt: skip
        session.add(TipReporter(case_id=tip.id, name="李檢舉", phone="0922000111"))
        ids["tip_due"] = tip.id
        recent = _case(session, "1100101-0003", codes.CLOSED, CASE_CUTOFF - 60 * DAY,
                       closed_at=CASE_CUTOFF + MINUTE, updated_at=CASE_CUTOFF + MINUTE)  # fmt: skip
        ids["case_kept"] = recent.id
        ancient = _case(session, "1050101-0001", codes.IN_PROGRESS, NOW - 3650 * DAY)
        ids["case_open"] = ancient.id
        media, path = _media(session, media_dir, "filed-open", NOW - 3650 * DAY,
                             case_id=ancient.id)  # fmt: skip
        ids["open_photo"], files["open_photo"] = media.id, path  # type: ignore[assignment]

        # -- residents who unfollowed.
        gone = _resident(session, "gone", following=False,
                         unfollowed_at=UNFOLLOWED_CUTOFF - MINUTE)  # fmt: skip
        ids["unfollowed_due"] = gone.id
        residents.add_tag(session, [gone.id], "志工")
        recent = _resident(session, "recent", following=False,
                           unfollowed_at=UNFOLLOWED_CUTOFF + MINUTE)  # fmt: skip
        ids["unfollowed_recent"] = recent.id
        with_case = _resident(session, "with-case", following=False,
                              unfollowed_at=UNFOLLOWED_CUTOFF - 200 * DAY)  # fmt: skip
        ids["unfollowed_with_case"] = with_case.id
        ancient.resident_id = with_case.id
        asking = _resident(session, "asking", following=False,
                           unfollowed_at=UNFOLLOWED_CUTOFF - 200 * DAY)  # fmt: skip
        ids["unfollowed_asking"] = asking.id
        session.add(DataRequest(resident_id=asking.id, kind="delete", status="pending",
                                due_at=NOW + 15 * DAY))  # fmt: skip
        ids["follower"] = _resident(session, "follower", followed_at=NOW - 4000 * DAY).id

        # -- 平臺聯絡人: ended just over and just under the years, and one still serving.
        place = Place(name="黎明里辦公處", kind="village_office", district="中正區")
        session.add(place)
        session.flush()
        for key, ended in (
            ("contact_due", CONTACT_CUTOFF - MINUTE),
            ("contact_recent", CONTACT_CUTOFF + MINUTE),
            ("contact_serving", None),
        ):
            contact = PlaceContact(place_id=place.id, role="chief", name="林大同",
                                   phone="0912-345-678", email="lin@example.gov.tw", note="里長",
                                   active=ended is None, created_at=NOW - 4000 * DAY,
                                   ended_at=ended)  # fmt: skip
            session.add(contact)
            session.flush()
            ids[key] = contact.id
    return World(ids, files)


def _draft(name: str) -> dict[str, Any]:
    return {"nature": "need", "sub_item": None, "theme": None, "description": "路燈壞了很久",
            "photos": [], "attachments": [], "location": None, "anonymous": False,
            "name": name, "phone": "0912345678", "phone_display": "0912-345-678",
            "address": "中山區民安里1號", "occupation": None, "notice_version": 1}  # fmt: skip


EXPECTED = {"orphan_media": 3, "drafts": 1, "payloads": 2, "outbox": 2, "unfollowed": 2,
            "cases": 2, "contacts": 1}  # fmt: skip


def _records(ctx: Context) -> list[tuple[Any, ...]]:
    """What a case record is: everything but the reporter's personal data."""
    with ctx.sessions() as session:
        return [
            (c.id, c.number, c.channel, c.nature, c.sub_item, c.theme, c.status, c.description,
             c.handling_opinion, c.satisfaction, c.created_at, c.updated_at, c.closed_at,
             c.due_at, c.confidential, c.anonymous)
            for c in session.scalars(select(Case).order_by(Case.id))
        ] + [
            (e.id, e.case_id, e.kind, e.body, e.public, e.created_at)
            for e in session.scalars(select(CaseEvent).order_by(CaseEvent.id))
        ]  # fmt: skip


def _statistics(ctx: Context) -> list[Any]:
    """The dashboard's figures and 附件2 over the seeded periods."""
    periods = [(date(2021, 3, 1), date(2022, 12, 31)), (date(2025, 1, 1), date(2026, 12, 2))]
    with ctx.sessions() as session:
        figures: list[Any] = [dashboard.build(session, HEAD, *p, now=NOW) for p in periods]
        figures += [biweekly.build(session, date(2021, 6, 1), date(2021, 10, 31))]
    return figures


def _plan(ctx: Context) -> dict[str, int]:
    with ctx.sessions() as session:
        return {item.kind.code: item.due.count for item in retention.plan(session, NOW)}


def _run(ctx: Context, batch: int) -> purge_job.Run:
    return purge_job.run(ctx, SYSTEM, batch=batch, now=NOW)


@pytest.mark.parametrize("batch", [1, 500])
def test_the_purge_removes_exactly_what_the_schedule_says(ctx: Context, batch: int) -> None:
    world = seed(ctx)
    records, statistics = _records(ctx), _statistics(ctx)
    assert _plan(ctx) == EXPECTED

    done = _run(ctx, batch)

    assert done.counts == EXPECTED
    # Files: the due draft's recent photo, the stray and old draft photo, the case's photo.
    assert done.files == 4
    ids, files = world.ids, world.files
    for gone in ("draft_photo", "draft_old_photo", "stray_due", "case_photo"):
        assert not files[gone].exists(), gone
    for kept in ("fresh_draft_photo", "live_draft_photo", "stray_kept", "open_photo"):
        assert files[kept].exists(), kept
    # Records and statistics are untouched; nothing more is due; a second run does nothing.
    assert _records(ctx) == records
    assert _statistics(ctx) == statistics
    assert _plan(ctx) == dict.fromkeys(EXPECTED, 0)
    assert _run(ctx, batch).counts == dict.fromkeys(EXPECTED, 0)

    with ctx.sessions() as session:
        _check_drafts(session, ids)
        _check_media(session, ids)
        _check_payloads(session, ids)
        _check_outbox(session, ids)
        _check_residents(session, ids)
        _check_cases(session, ids)


def _check_drafts(session: Any, ids: dict[str, int]) -> None:
    due = session.get(Resident, ids["draft_due"])
    assert "draft" not in due.conversation and due.conversation["step"] == "idle"
    # Back at the menu with the latest time kept and old buttons expired.
    assert due.conversation["at"] == _ms(DRAFT_CUTOFF - MINUTE)
    assert due.conversation["seq"] == 4 and due.conversation["token"] != "t1"
    assert due.display_name == "民眾draft-due"  # the profile is not the draft's
    kept = session.get(Resident, ids["draft_kept"])
    assert kept.conversation["draft"]["name"] == "王小明"
    assert session.get(Resident, ids["idle"]).conversation["token"] == "t2"


def _check_media(session: Any, ids: dict[str, int]) -> None:
    for gone in ("draft_photo", "draft_old_photo", "stray_due", "unsent_due", "case_photo"):
        media = session.get(MediaFile, ids[gone])
        assert (media.status, media.path, media.sha256) == ("purged", None, None), gone
        assert media.purged_at == NOW
    for kept in ("fresh_draft_photo", "live_draft_photo", "stray_kept", "open_photo"):
        media = session.get(MediaFile, ids[kept])
        assert media.status == "stored" and media.path and media.purged_at is None, kept


def _check_payloads(session: Any, ids: dict[str, int]) -> None:
    for gone in ("payload_due", "payload_given_up"):
        event = session.get(InboxEvent, ids[gone])
        key = event.webhook_event_id.removeprefix("evt-")
        assert event.payload == {
            "type": "message", "webhookEventId": f"evt-{key}", "timestamp": event.event_timestamp,
            "mode": "active", "source": {"type": "user"},
            "message": {"id": f"msg-{key}", "type": "text"},
        }  # fmt: skip
        assert event.source_key == "purged" and event.payload_purged_at == NOW
    for kept in ("payload_kept", "payload_retrying"):
        event = session.get(InboxEvent, ids[kept])
        assert event.payload["message"]["text"] and event.payload_purged_at is None


def _check_outbox(session: Any, ids: dict[str, int]) -> None:
    for gone, status in (("outbox_due", "sent"), ("outbox_failed", "failed")):
        row = session.get(OutboxMessage, ids[gone])
        assert (row.messages, row.to, row.reply_token) == ([], "purged", None)
        assert row.status == status and row.body_purged_at == NOW
    for kept in ("outbox_kept", "outbox_pending"):
        row = session.get(OutboxMessage, ids[kept])
        assert row.messages and row.body_purged_at is None


def _check_residents(session: Any, ids: dict[str, int]) -> None:
    # Unfollowed long ago with no case left holding their data: the reporter's case
    # was purged in the same run, so the reporter goes too.
    for gone in ("unfollowed_due", "reporter"):
        resident = session.get(Resident, ids[gone])
        assert resident.purged_at == NOW and resident.display_name is None, gone
        assert resident.line_user_id == f"erased:{resident.id}"
    assert session.scalars(select(ResidentTag)).all() == []
    for kept in ("unfollowed_recent", "unfollowed_with_case", "unfollowed_asking", "follower",
                 "draft_due", "draft_kept", "idle"):  # fmt: skip
        resident = session.get(Resident, ids[kept])
        assert resident.purged_at is None and resident.display_name, kept


def _check_cases(session: Any, ids: dict[str, int]) -> None:
    for gone in ("case_due", "tip_due"):
        case = session.get(Case, ids[gone])
        assert (case.reporter_name, case.reporter_phone, case.reporter_address,
                case.reporter_occupation, case.resident_id) == (None,) * 5  # fmt: skip
        # The place's title and its 區 stay: coarse places the statistics count by.
        assert case.location == {"title": "民安公園", "address": None, "latitude": None,
                                 "longitude": None, "district": "中山區"}  # fmt: skip
        assert case.personal_data_purged_at == NOW
    assert session.get(TipReporter, ids["tip_due"]) is None
    for kept in ("case_kept", "case_open"):
        case = session.get(Case, ids[kept])
        assert case.reporter_name == "王小明" and case.location["latitude"] == 25.0
        assert case.personal_data_purged_at is None
    assert session.get(Case, ids["case_open"]).resident_id == ids["unfollowed_with_case"]


def test_the_dry_run_follows_the_settings(ctx: Context) -> None:
    seed(ctx)
    with ctx.sessions.begin() as session:
        retention.update_period(session, HEAD, "payloads", "60")
        retention.update_period(session, HEAD, "cases", "10")
    with ctx.sessions() as session:
        planned = {item.kind.code: item for item in retention.plan(session, NOW)}
    assert planned["payloads"].due.count == 0 and planned["cases"].due.count == 0
    assert planned["outbox"].due.count == 2
    assert planned["outbox"].due.oldest == OUTBOX_CUTOFF - MINUTE
    # The reporter's case now waits ten years, and keeps its reporter's profile as long.
    assert planned["unfollowed"].due == queries.Due(1, UNFOLLOWED_CUTOFF - MINUTE)
    assert planned["drafts"].due.oldest == DRAFT_CUTOFF - MINUTE


def test_the_job_writes_one_audit_entry_of_counts_only(ctx: Context) -> None:
    seed(ctx)
    done = _run(ctx, 500)
    assert done.complete and done.counts == EXPECTED
    with ctx.sessions() as session:
        entries = session.scalars(select(AuditEntry)).all()
    assert [(e.action, e.actor, e.target_type) for e in entries] == [
        ("retention.purge", "system", "retention")
    ]
    after = entries[0].after
    assert after == {"counts": done.counts, "files": done.files, "complete": True}
    assert all(isinstance(n, int) for n in after["counts"].values())
    assert set(after["counts"]) == {kind.code for kind in retention.SCHEDULE}


def test_a_run_out_of_time_stops_and_says_so(ctx: Context) -> None:
    seed(ctx)
    done = purge_job.run(ctx, SYSTEM, batch=1, budget=0, now=NOW)
    assert not done.complete and sum(done.counts.values()) == len(EXPECTED)
    with ctx.sessions() as session:
        entry = session.scalars(select(AuditEntry)).one()
    assert entry.after is not None and entry.after["complete"] is False


def _say(ctx: Context, user_id: str, words: str, at: datetime) -> list[str]:
    """A text message from ``user_id`` handled as the drain would; the texts answered."""
    body = line_events.text(user_id, "reply-" + words, words)
    body["timestamp"] = _ms(at)
    with ctx.sessions.begin() as session:
        inbox.store(session.connection(), [{
            "webhook_event_id": body["webhookEventId"], "source_key": user_id,
            "event_type": "message", "event_timestamp": body["timestamp"], "payload": body,
        }])  # fmt: skip
        event = session.scalars(
            select(InboxEvent).where(InboxEvent.webhook_event_id == body["webhookEventId"])
        ).one()
        after = dispatch.handle(session, event)
        session.flush()  # as the drain does once per batch
        rows = [session.get(OutboxMessage, outbox_id) for outbox_id in after.outbox_ids]
    return [str(m.get("text", m.get("altText", ""))) for row in rows if row for m in row.messages]


def test_after_its_draft_is_purged_the_resident_starts_afresh(ctx: Context) -> None:
    world = seed(ctx)
    with ctx.sessions() as session:
        resident = session.get(Resident, world.ids["draft_due"])
        assert resident is not None
        user_id = resident.line_user_id
    # Before the purge, the next message (within the engine's day) is offered the draft.
    kept = world.ids["draft_kept"]
    with ctx.sessions() as session:
        other = session.get(Resident, kept)
        assert other is not None
        other_id = other.line_user_id
    offered = _say(ctx, other_id, "你好", DRAFT_CUTOFF + 120 * MINUTE)
    assert any("尚未送出" in text for text in offered), offered

    _run(ctx, 500)
    answer = _say(ctx, user_id, "你好", NOW + MINUTE)
    assert answer and not any("尚未送出" in text for text in answer), answer
    # Word for word what a resident who never started a report is answered.
    with ctx.sessions() as session:
        idle = session.get(Resident, world.ids["idle"])
        assert idle is not None
        idle_id = idle.line_user_id
    assert answer == _say(ctx, idle_id, "你好", NOW + 2 * MINUTE)
    with ctx.sessions() as session:
        resident = session.get(Resident, world.ids["draft_due"])
        assert resident is not None and "draft" not in resident.conversation


def test_the_sweep_queues_the_purge_once_a_day(quiet: Context) -> None:
    assert purge_job.enqueue_daily(quiet) is True
    assert purge_job.enqueue_daily(quiet) is False
    jobs = queues.queue(queues.DEFAULT, quiet.redis).get_jobs()
    assert [job.func_name for job in jobs] == ["lianping.jobs.purge.purge"]
    assert 0 < int(quiet.redis.ttl(purge_job.DAILY_KEY)) <= purge_job.DAY


def test_the_command_dry_run_changes_nothing_and_the_run_is_audited(
    ctx: Context, env: dict[str, str]
) -> None:
    seed(ctx)
    dry = subprocess.run([LIANPING, "purge", "--dry-run"], env=env, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert [line.split("：")[0] for line in lines] == [k.label for k in retention.SCHEDULE]
    assert _plan(ctx) == EXPECTED
    with ctx.sessions() as session:
        assert session.scalars(select(AuditEntry)).all() == []

    done = subprocess.run([LIANPING, "purge"], env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "未附入案件的照片及檔案：已清除" in done.stdout
    assert _plan(ctx) == dict.fromkeys(EXPECTED, 0)
    with ctx.sessions() as session:
        entry = session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.actor) == ("retention.purge", "cli")


def test_a_purged_case_no_longer_quotes_its_reporter_and_reads_the_same_in_the_report(
    ctx: Context,
) -> None:
    with ctx.sessions.begin() as session:
        case = _case(
            session, "1100101-0009", codes.CLOSED, CASE_CUTOFF - 60 * DAY,
            closed_at=CASE_CUTOFF - MINUTE, updated_at=CASE_CUTOFF - MINUTE,
            handling_opinion="已電洽王小明說明",
        )  # fmt: skip
        case.description = "我是王小明，電話0912345678，住中山區民安里1號，巷口路燈不亮。"
        case.updated_at = CASE_CUTOFF - MINUTE
        added = "王小明補充：晚上完全看不到路"
        for actor, body in (("resident", added), ("officer", "王小明先生您好，路燈已修復。")):
            session.add(CaseEvent(case_id=case.id, kind="note", actor=actor, body=body,
                                  created_at=CASE_CUTOFF))  # fmt: skip
        case_id = case.id
    day = taipei_date(CASE_CUTOFF - 60 * DAY)
    with ctx.sessions() as session:
        before = biweekly.build(session, day, day).to_json()
    _run(ctx, 500)
    with ctx.sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert case.description == "我是＊＊＊，電話＊＊＊，住＊＊＊，巷口路燈不亮。"
        # Staff's words are the agency's record and stay as written.
        assert case.handling_opinion == "已電洽王小明說明"
        bodies = session.scalars(
            select(CaseEvent.body).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        ).all()
        assert bodies == ["已收到", "＊＊＊補充：晚上完全看不到路", "王小明先生您好，路燈已修復。"]
        # 附件2 never quoted the reporter: the period's report reads the same after the purge.
        assert biweekly.build(session, day, day).to_json() == before
