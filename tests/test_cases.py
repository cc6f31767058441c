"""Cases: numbering (unique under concurrency), creation from a LINE report, timelines."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import select

from lianping import codes, rocdate
from lianping.context import Context
from lianping.services import content
from lianping.storage import cases, media, residents
from lianping.storage.models import Case, CaseEvent, MediaFile

NOW = datetime(2026, 11, 21, 2, 30, tzinfo=UTC)  # 115年11月21日 10:30 in Taipei

DRAFT = {
    "nature": "need",
    "sub_item": "need-2",
    "theme": "works",
    "description": "中山路與民生路口的路燈已經壞了兩週，晚上很暗，行人容易跌倒。",
    "photos": ["900001"],
    "attachments": [],
    "location": {
        "title": "路口",
        "address": "臺北市中山區",
        "latitude": 25.05,
        "longitude": 121.52,
    },
    "anonymous": False,
    "name": "王小明",
    "phone": "+886912345678",
    "phone_display": "0912-345-678",
    "address": "臺北市中山區民生東路一段1號",
    "occupation": "教師",
    "notice_version": 1,
}


def test_numbers_carry_the_roc_date_and_restart_daily(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        assert cases.next_number(session, NOW) == "1151121-0001"
        assert cases.next_number(session, NOW) == "1151121-0002"
        # 16:00 UTC is already the next day in Taipei.
        assert cases.next_number(session, datetime(2026, 11, 21, 16, 0, tzinfo=UTC)) == (
            "1151122-0001"
        )


def test_hundred_concurrent_creations_get_distinct_numbers(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        resident_id = residents.get_or_create(session, "U" + "4" * 32).id

    def create(_: int) -> str:
        with ctx.sessions.begin() as session:
            resident = session.get(residents.Resident, resident_id)
            assert resident is not None
            draft = {**DRAFT, "photos": []}
            return cases.create_from_line(session, resident, draft, 1, NOW, 30).number

    with ThreadPoolExecutor(max_workers=20) as pool:
        numbers = list(pool.map(create, range(100)))
    assert len(set(numbers)) == 100
    assert sorted(numbers)[-1] == "1151121-0100"


def test_a_line_report_keeps_every_work_record_field(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, "U" + "5" * 32)
        media.register(session, resident.id, "900001", "image")
        case = cases.create_from_line(session, resident, DRAFT, 3, NOW, 30)
        case_id = case.id
    with ctx.sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert (case.channel, case.nature, case.sub_item, case.theme) == (
            "line", "need", "need-2", "works",
        )  # fmt: skip
        assert case.status == codes.RECEIVED
        assert (case.reporter_name, case.reporter_phone) == ("王小明", "+886912345678")
        assert (case.reporter_address, case.reporter_occupation) == (
            "臺北市中山區民生東路一段1號", "教師",
        )  # fmt: skip
        assert case.description == DRAFT["description"]
        assert case.location == DRAFT["location"]
        assert (case.notice_version, case.notice_read_at) == (3, NOW)
        assert rocdate.roc_date(case.due_at) == "115年12月21日"
        assert not case.confidential
        photo = session.scalars(select(MediaFile)).one()
        assert photo.case_id == case_id
        created = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).one()
        assert created.public and created.kind == "created"


def test_anonymous_report_keeps_no_personal_data(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, "U" + "6" * 32)
        draft = {**DRAFT, "nature": "reform", "sub_item": "reform-1", "anonymous": True}
        case = cases.create_from_line(session, resident, draft, 1, NOW, 30)
        assert case.anonymous
        assert (case.reporter_name, case.reporter_phone, case.reporter_address) == (None,) * 3


def test_tip_is_confidential(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, "U" + "7" * 32)
        case = cases.create_from_line(
            session, resident, {**DRAFT, "nature": "tip", "sub_item": None}, 1, NOW, 30
        )
        assert case.confidential and case.nature == "tip"
        (created,) = cases.public_timeline(session, case)
        assert created.body == "已收到您的檢舉，完成收件登記。", "a tip speaks of a tip"


def test_resident_additions_flag_open_cases_only(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, "U" + "8" * 32)
        case = cases.create_from_line(session, resident, {**DRAFT, "photos": []}, 1, NOW, 30)
        cases.add_resident_supplement(session, case, resident, NOW, text="補充：路燈編號 A-12")
        assert case.resident_update_at == NOW
        bodies = [e.body for e in cases.public_timeline(session, case)]
        assert "補充：路燈編號 A-12" in bodies
        case.status = codes.CLOSED
        try:
            cases.add_resident_supplement(session, case, resident, NOW, text="再補充")
        except ValueError:
            pass
        else:
            raise AssertionError("a closed case must refuse additions")
        other = residents.get_or_create(session, "U" + "9" * 32)
        assert cases.of_resident(session, other.id, case.number) is None


def test_privacy_notice_is_versioned_and_settings_override_defaults(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        content.put(session, "agency_name", "臺北市政府政風處", by="admin")
        first = content.current_privacy_notice(session)
        assert first.version == 1
        assert "個人資料保護法第8條" in first.body
        assert "一、蒐集機關：臺北市政府政風處。" in first.body
        content.add_privacy_notice(session, first.body + "\n（修正版）", by="admin")
        assert content.for_conversation(session).privacy_version == 2
        assert content.get(session, "due_days") == 30
        content.put(session, "due_days", 14, by="admin")
        assert content.for_conversation(session).due_days == 14
