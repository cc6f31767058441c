"""個資法 §3 requests: filing from the chat, §13 clocks, deciding in the admin (roles, CSRF,
bad input), what a grant carries out, the outcome on LINE, and the copy's one-time link."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping import rocdate
from lianping.bot import texts
from lianping.bot.conversation.model import FileDataRequest, ListCorrectable, ShowMyData
from lianping.context import Context
from lianping.services import data_request_chat, data_requests
from lianping.storage import residents
from lianping.storage.models import (
    AuditEntry,
    Case,
    CaseEvent,
    DataRequest,
    MediaFile,
    OutboxMessage,
    QuizAnswer,
    Resident,
    ResidentTag,
    TipReporter,
    utcnow,
)
from tests.admin_support import logged_in, staff

LINE_ID = "U" + "d" * 32
PAGE = "/admin/data-requests/"


def seed(ctx: Context, *, case_status: str = "received", photo: bool = True) -> dict[str, Any]:
    """A resident with a profile, a tag, a case with contact details and a photo, a tip with
    its reporter kept apart, and an unfiled photo on disk."""
    now = utcnow()
    media_dir = ctx.settings.media_dir
    media_dir.mkdir(parents=True, exist_ok=True)
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, LINE_ID)
        resident.display_name, resident.district, resident.village = "王小明", "中正區", "建國里"
        resident.notice_version, resident.notice_read_at = 2, now
        resident.conversation = {"step": "description", "draft": {"name": "王小明"}}
        residents.add_tag(session, [resident.id], "志工")
        case = Case(
            number="1151201-0001", channel="line", nature="need", status=case_status,
            description="路燈不亮", resident_id=resident.id, reporter_name="王小明",
            reporter_phone="+886912345678", reporter_address="臺北市中正區重慶南路1號",
            due_at=now + timedelta(days=30), notice_version=2,
        )  # fmt: skip
        tip = Case(
            number="1151201-0002", channel="line", nature="tip", status="closed",
            description="檢舉內容", resident_id=resident.id, confidential=True,
            due_at=now + timedelta(days=30),
        )  # fmt: skip
        session.add_all([case, tip])
        session.flush()
        session.add(TipReporter(case_id=tip.id, name="王小明", phone="+886223456789"))
        files = {}
        for name, case_id in (("filed.jpg", case.id if photo else None), ("loose.jpg", None)):
            (media_dir / name).write_bytes(b"\xff\xd8photo-" + name.encode())
            session.add(
                MediaFile(
                    line_message_id=f"m-{name}", resident_id=resident.id, case_id=case_id,
                    kind="image", status="stored", content_type="image/jpeg", path=name,
                )
            )  # fmt: skip
            files[name] = media_dir / name
        return {"resident_id": resident.id, "case_id": case.id, "tip_id": tip.id, "files": files}


def chat(ctx: Context, effect: Any, when: datetime | None = None) -> str:
    with ctx.sessions.begin() as session:
        resident = session.scalars(select(Resident).where(Resident.line_user_id == LINE_ID)).one()
        answer = data_request_chat.answer(session, resident, effect, when or utcnow())
    return "\n".join(str(m.get("text")) for m in answer)


def only_request(ctx: Context) -> DataRequest:
    with ctx.sessions() as session:
        return session.scalars(select(DataRequest).order_by(DataRequest.id.desc())).first()  # type: ignore[return-value]


class Staff:
    def __init__(self, app: Any, ctx: Context, name: str, role: str, ethics: bool = False) -> None:
        self.user = staff(ctx, name, role, ethics=ethics)
        self.client, self.csrf = logged_in(app, ctx, self.user)

    def post(self, path: str, **data: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.csrf, **data})


# -- §13 clocks --------------------------------------------------------------------------------


def test_access_and_copy_are_due_in_15_days_and_the_others_in_30() -> None:
    received = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 09:00 in Taipei
    for kind, days in (("access", 15), ("copy", 15), ("correct", 30), ("stop", 30),
                       ("delete", 30)):  # fmt: skip
        due = data_requests.due_of(kind, received)
        assert rocdate.taipei_date(due) == rocdate.taipei_date(received) + timedelta(days=days)


# -- from the chat -----------------------------------------------------------------------------


def test_asking_what_is_held_answers_with_every_kind_and_is_recorded_as_granted(
    ctx: Context,
) -> None:
    seed(ctx)
    said = chat(ctx, ShowMyData())
    for expected in ("王小明", "中正區 建國里", "志工", "接收中", "第2版", "1151201-0001",
                     "0912-345-678", "臺北市中正區重慶南路1號", "照片：1張",
                     "1151201-0002", "02-2345-6789", "未列入案件的照片或檔案：1個",
                     "有獎徵答作答紀錄：0筆"):  # fmt: skip
        assert expected in said, expected
    request = only_request(ctx)
    assert (request.kind, request.status, request.decided_at is not None) == (
        "access", "granted", True,
    )  # fmt: skip


def test_a_copy_request_is_filed_once_with_its_due_date(ctx: Context) -> None:
    seed(ctx)
    said = chat(ctx, FileDataRequest("copy"))
    request = only_request(ctx)
    assert request.status == "pending"
    assert rocdate.roc_date(request.due_at) in said and str(request.id) in said
    again = chat(ctx, FileDataRequest("copy"))
    assert "正在處理中" in again
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DataRequest)) == 1
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions == ["data_request.file"]


def test_only_open_cases_are_offered_for_correction(ctx: Context) -> None:
    seed(ctx, case_status="closed")
    assert texts.DATA_CORRECT_NONE in chat(ctx, ListCorrectable())
    refused = chat(ctx, FileDataRequest("correct", "1151201-0001", "phone", "+886987654321"))
    assert "無法在這裡更正" in refused
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DataRequest)) == 0


# -- the admin: list, roles, CSRF, bad input ---------------------------------------------------


def file_request(ctx: Context, effect: FileDataRequest) -> int:
    chat(ctx, effect)
    return only_request(ctx).id


def test_the_list_shows_open_requests_with_due_dates_and_highlights_overdue(
    app: Any, ctx: Context
) -> None:
    seed(ctx)
    late = file_request(ctx, FileDataRequest("stop"))
    with ctx.sessions.begin() as session:
        session.get(DataRequest, late).due_at = utcnow() - timedelta(days=1)  # type: ignore[union-attr]
    fresh = file_request(ctx, FileDataRequest("copy"))
    viewer = Staff(app, ctx, "viewer-1", "viewer")
    page = viewer.client.get(PAGE).get_data(as_text=True)
    assert f'id="request-{late}" class="is-overdue"' in page
    assert f'id="request-{fresh}" class=""' in page
    assert "王○明" in page and "王小明" not in page
    overdue = viewer.client.get(PAGE, query_string={"show": "overdue"}).get_data(as_text=True)
    assert f"request-{late}" in overdue and f"request-{fresh}" not in overdue
    bad = viewer.client.get(PAGE, query_string={"show": "<x>"})
    assert bad.status_code == 400 and "無法辨識的篩選條件" in bad.get_data(as_text=True)
    # The navigation counts the open requests where staff see their work.
    assert re.search(r"個資請求 <span class=\"badge badge-overdue\"[^>]*>2</span>", page)


def test_an_officer_cannot_decide_and_nothing_changes(app: Any, ctx: Context) -> None:
    seed(ctx)
    rid = file_request(ctx, FileDataRequest("stop"))
    officer = Staff(app, ctx, "officer-1", "officer")
    response = officer.post(f"{PAGE}{rid}/decide", status="granted", reason="符合規定")
    assert response.status_code == 403
    assert "僅由系統管理者或主管決定" in response.get_data(as_text=True)
    assert only_request(ctx).status == "pending"
    with ctx.sessions() as session:
        assert not session.scalar(select(Resident.promotions_opt_out))


def test_a_decision_without_csrf_or_reason_is_refused_in_words(app: Any, ctx: Context) -> None:
    seed(ctx)
    rid = file_request(ctx, FileDataRequest("stop"))
    boss = Staff(app, ctx, "boss", "supervisor")
    no_csrf = boss.client.post(f"{PAGE}{rid}/decide", data={"status": "granted", "reason": "x"})
    assert no_csrf.status_code == 400
    for data in ({"status": "granted", "reason": "  "}, {"status": "maybe", "reason": "x"},
                 {"status": "granted", "reason": "理" * 501}):  # fmt: skip
        response = boss.post(f"{PAGE}{rid}/decide", **data)
        assert response.status_code == 400
        assert "未完成" in response.get_data(as_text=True)
    bad_days = boss.post(f"{PAGE}{rid}/extend", days="31", reason="需調閱資料")
    assert bad_days.status_code == 400 and "1至30日" in bad_days.get_data(as_text=True)
    request = only_request(ctx)
    assert (request.status, request.extended_at) == ("pending", None)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_one_extension_with_its_reason_told_to_the_resident(app: Any, ctx: Context) -> None:
    seed(ctx)
    rid = file_request(ctx, FileDataRequest("copy"))
    due = only_request(ctx).due_at
    boss = Staff(app, ctx, "boss", "supervisor")
    assert boss.post(f"{PAGE}{rid}/extend", days="16", reason="需調閱").status_code == 400
    assert boss.post(f"{PAGE}{rid}/extend", days="15", reason="因需調閱紙本資料").status_code == 302
    request = only_request(ctx)
    assert request.status == "extended"
    assert rocdate.taipei_date(request.due_at) == rocdate.taipei_date(due) + timedelta(days=15)
    with ctx.sessions() as session:
        (message,) = session.scalars(select(OutboxMessage)).all()
    assert message.to == LINE_ID
    assert "因需調閱紙本資料，本申請的決定期限延至" in message.messages[0]["text"]
    again = boss.post(f"{PAGE}{rid}/extend", days="1", reason="再延")
    assert again.status_code == 400 and "只能延長一次" in again.get_data(as_text=True)


# -- what a grant carries out -----------------------------------------------------------------


def outcome_text(ctx: Context, request_id: int) -> str:
    with ctx.sessions() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None and request.outcome_outbox_id is not None
        row = session.get(OutboxMessage, request.outcome_outbox_id)
        assert row is not None and row.to == LINE_ID
        return str(row.messages[0]["text"])


def test_a_granted_correction_changes_the_case_with_a_timeline_entry(
    quiet_app: Any, ctx: Context
) -> None:
    # No worker listens to the quiet app's queues: the outcome stays queued, as the page says.
    app = quiet_app
    ids = seed(ctx)
    rid = file_request(ctx, FileDataRequest("correct", "1151201-0001", "phone", "+886987654321"))
    officer = Staff(app, ctx, "officer-1", "officer")
    masked = officer.client.get(f"{PAGE}{rid}").get_data(as_text=True)
    assert "******4321" in masked and "0987-654-321" not in masked
    boss = Staff(app, ctx, "boss", "supervisor")
    shown = boss.client.get(f"{PAGE}{rid}").get_data(as_text=True)
    assert "電話更正為：0987-654-321" in shown
    assert (
        boss.post(f"{PAGE}{rid}/decide", status="granted", reason="經核對無誤").status_code == 302
    )
    with ctx.sessions() as session:
        case = session.get(Case, ids["case_id"])
        assert case is not None and case.reporter_phone == "+886987654321"
        event = session.scalars(select(CaseEvent).where(CaseEvent.kind == "data_correction")).one()
        assert not event.public
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"data_request.view", "data_request.decide", "case.correct"} <= actions
    assert "已將案件 1151201-0001 的電話更正" in outcome_text(ctx, rid)
    page = boss.client.get(f"{PAGE}{rid}").get_data(as_text=True)
    assert "已排入傳送佇列，尚未送達" in page
    timeline = boss.client.get("/admin/cases/1151201-0001").get_data(as_text=True)
    assert "依個資請求更正" in timeline


def test_a_refusal_changes_nothing_and_tells_the_reason(app: Any, ctx: Context) -> None:
    ids = seed(ctx)
    rid = file_request(ctx, FileDataRequest("correct", "1151201-0001", "name", "王大明"))
    boss = Staff(app, ctx, "boss", "admin")
    assert (
        boss.post(f"{PAGE}{rid}/decide", status="refused", reason="無法確認身分").status_code == 302
    )
    with ctx.sessions() as session:
        case = session.get(Case, ids["case_id"])
        assert case is not None and case.reporter_name == "王小明"
    assert "不予准許。理由：無法確認身分" in outcome_text(ctx, rid)
    again = boss.post(f"{PAGE}{rid}/decide", status="granted", reason="改判")
    assert again.status_code == 400 and "已經決定" in again.get_data(as_text=True)


def test_stopping_use_stops_promotions_and_removes_area_and_tags(app: Any, ctx: Context) -> None:
    seed(ctx)
    rid = file_request(ctx, FileDataRequest("stop"))
    Staff(app, ctx, "boss", "supervisor").post(
        f"{PAGE}{rid}/decide", status="granted", reason="依法辦理"
    )
    with ctx.sessions() as session:
        resident = session.scalars(select(Resident)).one()
        assert resident.promotions_opt_out and resident.district is None
        assert resident.line_user_id == LINE_ID  # cases still reach them
        assert session.scalar(select(func.count()).select_from(ResidentTag)) == 0
    assert texts.DATA_OUTCOME_STOP in outcome_text(ctx, rid)


def test_deletion_without_open_cases_erases_the_profile_keeps_the_cases_and_says_which(
    app: Any, ctx: Context
) -> None:
    ids = seed(ctx, case_status="closed")
    rid = file_request(ctx, FileDataRequest("delete"))
    boss = Staff(app, ctx, "boss", "supervisor")
    assert boss.post(f"{PAGE}{rid}/decide", status="granted", reason="依法刪除").status_code == 302
    said = outcome_text(ctx, rid)
    assert "已刪除：" in said and "（1個）" in said and "2件案件" in said
    assert texts.DATA_OUTCOME_GONE in said
    with ctx.sessions() as session:
        resident = session.get(Resident, ids["resident_id"])
        assert resident is not None and resident.purged_at is not None
        assert resident.line_user_id.startswith("erased:") and resident.display_name is None
        assert resident.conversation == {}
        assert session.scalar(select(func.count()).select_from(Case)) == 2
        filed, loose = session.scalars(select(MediaFile).order_by(MediaFile.id)).all()
    assert (filed.status, loose.status, loose.path) == ("stored", "purged", None)
    assert ids["files"]["filed.jpg"].exists() and not ids["files"]["loose.jpg"].exists()


def test_deletion_with_an_open_case_keeps_the_line_id_until_it_closes(
    app: Any, ctx: Context
) -> None:
    ids = seed(ctx)
    rid = file_request(ctx, FileDataRequest("delete"))
    Staff(app, ctx, "boss", "supervisor").post(
        f"{PAGE}{rid}/decide", status="granted", reason="依法刪除"
    )
    assert "暫時保留您的LINE識別碼" in outcome_text(ctx, rid)
    with ctx.sessions.begin() as session:
        resident = session.get(Resident, ids["resident_id"])
        assert resident is not None and resident.line_user_id == LINE_ID
        assert resident.display_name is None and resident.district is None
        assert data_requests.finish_deferred_deletions(session, utcnow()) == 0
        case = session.get(Case, ids["case_id"])
        assert case is not None
        case.status = "closed"
    with ctx.sessions.begin() as session:
        assert data_requests.finish_deferred_deletions(session, utcnow()) == 1
        assert data_requests.finish_deferred_deletions(session, utcnow()) == 0
    with ctx.sessions() as session:
        resident = session.get(Resident, ids["resident_id"])
        assert resident is not None and resident.line_user_id.startswith("erased:")


# -- the copy ------------------------------------------------------------------------------------


def test_a_granted_copy_is_a_zip_behind_a_link_that_works_once(
    app: Any, ctx: Context, client: Any
) -> None:
    seed(ctx)
    with ctx.sessions.begin() as session:
        session.add(QuizAnswer(broadcast_id=_broadcast(session), message_index=0,
                               resident_id=session.scalars(select(Resident.id)).one(),
                               choice=1, correct=True))  # fmt: skip
    rid = file_request(ctx, FileDataRequest("copy"))
    boss = Staff(app, ctx, "boss", "supervisor")
    assert boss.post(f"{PAGE}{rid}/decide", status="granted", reason="符合規定").status_code == 302
    said = outcome_text(ctx, rid)
    url = re.search(r"https?://\S+/my-data/(\S+)", said)
    assert url is not None and "限下載一次" in said
    token = url.group(1)
    with ctx.sessions() as session:
        request = session.get(DataRequest, rid)
        assert request is not None and request.export_token_hash != token
        assert request.export_token_hash == data_requests.token_hash(token)
        stored = ctx.settings.media_dir / str(request.export_path)
    assert stored.is_file()

    page = client.get(f"/my-data/{token}")
    assert page.status_code == 200 and "下載複製本" in page.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert csrf is not None
    first = client.post(f"/my-data/{token}", data={"csrf_token": csrf.group(1)})
    assert first.status_code == 200 and first.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(first.data))
    assert sorted(archive.namelist()) == ["個人資料.pdf", "照片/1151201-0001-1.jpg"]
    assert archive.read("個人資料.pdf").startswith(b"%PDF")
    assert not stored.exists()
    second = client.post(f"/my-data/{token}", data={"csrf_token": csrf.group(1)})
    assert second.status_code == 410 and "已使用過或已逾期" in second.get_data(as_text=True)
    assert client.get(f"/my-data/{token}").status_code == 410
    assert client.get("/my-data/nonsense").status_code == 404
    with ctx.sessions() as session:
        downloads = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "data_request.download")
        ).all()
    assert len(downloads) == 1
    page = boss.client.get(f"{PAGE}{rid}").get_data(as_text=True)
    assert "已於" in page and "下載" in page


def test_an_expired_copy_link_refuses_and_its_file_is_removed(
    app: Any, ctx: Context, client: Any
) -> None:
    seed(ctx)
    rid = file_request(ctx, FileDataRequest("copy"))
    Staff(app, ctx, "boss", "supervisor").post(
        f"{PAGE}{rid}/decide", status="granted", reason="符合"
    )
    token = re.search(r"/my-data/(\S+)", outcome_text(ctx, rid)).group(1)  # type: ignore[union-attr]
    later = utcnow() + timedelta(days=8)
    with ctx.sessions.begin() as session:
        request = session.get(DataRequest, rid)
        assert request is not None
        stored = ctx.settings.media_dir / str(request.export_path)
        request.export_expires_at = utcnow() - timedelta(seconds=1)
        paths = data_requests.expired_copies(session, later)
    assert paths == [str(stored.relative_to(ctx.settings.media_dir))]
    assert client.get(f"/my-data/{token}").status_code == 410


def _broadcast(session: Any) -> int:
    from lianping.storage.models import Broadcast

    row = Broadcast(title="有獎徵答", messages=[], audience={}, status="sent")
    session.add(row)
    session.flush()
    return row.id


@pytest.mark.parametrize("kind", ["copy", "stop"])
def test_a_resident_who_blocked_the_account_gets_no_message_and_the_page_says_so(
    app: Any, ctx: Context, kind: str
) -> None:
    seed(ctx)
    rid = file_request(ctx, FileDataRequest(kind))
    with ctx.sessions.begin() as session:
        session.scalars(select(Resident)).one().following = False
    boss = Staff(app, ctx, "boss", "supervisor")
    boss.post(f"{PAGE}{rid}/decide", status="refused", reason="查無資料")
    assert only_request(ctx).outcome_outbox_id is None
    page = boss.client.get(f"{PAGE}{rid}").get_data(as_text=True)
    assert "未傳送" in page


def test_the_hourly_housekeeping_removes_expired_copies_and_kept_line_ids(
    app: Any, ctx: Context
) -> None:
    from lianping.jobs import sweep

    ids = seed(ctx)
    copy_id = file_request(ctx, FileDataRequest("copy"))
    boss = Staff(app, ctx, "boss", "supervisor")
    boss.post(f"{PAGE}{copy_id}/decide", status="granted", reason="符合")
    delete_id = file_request(ctx, FileDataRequest("delete"))
    boss.post(f"{PAGE}{delete_id}/decide", status="granted", reason="依法刪除")
    with ctx.sessions.begin() as session:
        request = session.get(DataRequest, copy_id)
        assert request is not None
        stored = ctx.settings.media_dir / str(request.export_path)
        case = session.get(Case, ids["case_id"])
        assert case is not None
        case.status = "closed"
    ctx.redis.delete(sweep.HOUSEKEEPING_KEY)
    sweep._housekeeping(ctx, utcnow())
    assert stored.exists()  # its link is still good
    with ctx.sessions() as session:
        resident = session.get(Resident, ids["resident_id"])
        assert resident is not None and resident.purged_at is not None
    ctx.redis.delete(sweep.HOUSEKEEPING_KEY)
    sweep._housekeeping(ctx, utcnow() + timedelta(days=8))
    assert not stored.exists()


def test_the_chat_answer_fits_one_line_message_however_much_is_held(ctx: Context) -> None:
    """Many long tags and cases with the longest contact details still make one message."""
    seed(ctx)
    with ctx.sessions.begin() as session:
        resident = session.scalars(select(Resident)).one()
        for n in range(60):
            residents.add_tag(session, [resident.id], f"{n:02d}" + "標" * 38)
        for n in range(30):
            session.add(
                Case(
                    number=f"1151202-{n:04d}", channel="line", nature="need",
                    description="內容", resident_id=resident.id, reporter_name="名" * 20,
                    reporter_phone="+886912345678", reporter_address="址" * 100,
                    reporter_occupation="職" * 20, due_at=utcnow(),
                )
            )  # fmt: skip
    said = chat(ctx, ShowMyData())
    assert len(said.encode("utf-16-le")) // 2 <= 5000
    assert "等61個" in said and "另有22件案件未列出" in said


def test_a_tip_reporters_correction_is_decided_by_ethics_staff_and_kept_apart(
    app: Any, ctx: Context
) -> None:
    ids = seed(ctx)
    with ctx.sessions.begin() as session:
        tip = session.get(Case, ids["tip_id"])
        assert tip is not None
        tip.status = "received"
    rid = file_request(ctx, FileDataRequest("correct", "1151201-0002", "phone", "+886987654321"))
    plain = Staff(app, ctx, "boss", "supervisor")
    shown = plain.client.get(f"{PAGE}{rid}").get_data(as_text=True)
    assert "0987-654-321" not in shown and "******4321" in shown
    refused = plain.post(f"{PAGE}{rid}/decide", status="granted", reason="核對無誤")
    assert refused.status_code == 403 and "僅政風人員可決定" in refused.get_data(as_text=True)
    assert only_request(ctx).status == "pending"
    ethics = Staff(app, ctx, "head", "supervisor", ethics=True)
    assert "0987-654-321" in ethics.client.get(f"{PAGE}{rid}").get_data(as_text=True)
    assert (
        ethics.post(f"{PAGE}{rid}/decide", status="granted", reason="核對無誤").status_code == 302
    )
    with ctx.sessions() as session:
        reporter = session.get(TipReporter, ids["tip_id"])
        tip = session.get(Case, ids["tip_id"])
        assert reporter is not None and reporter.phone == "+886987654321"
        assert tip is not None and tip.reporter_phone is None
