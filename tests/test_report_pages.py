"""The 工作成果彙報表 pages: period chooser, print view, downloads, submission and its list."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from lianping.context import Context
from lianping.reports import biweekly_files
from lianping.rocdate import taipei_today
from lianping.services import content, report_periods
from lianping.storage.models import AuditEntry, Case, ReportDraft, ReportSubmission
from tests.admin_support import logged_in, staff

FROM, TO = date(2026, 10, 26), date(2026, 11, 8)
QUERY = {"from": FROM.isoformat(), "to": TO.isoformat()}
INSIDE = datetime(2026, 10, 28, 2, 0, tzinfo=UTC)
TIP_NUMBER, TIP_TEXT = "1151028-0009", "某課長收受回扣"


def _case(number: str, nature: str, description: str) -> Case:
    return Case(
        number=number,
        channel="walk_in",
        nature=nature,
        description=description,
        status="received",
        created_at=INSIDE,
        updated_at=INSIDE,
        due_at=INSIDE + timedelta(days=30),
        confidential=nature == "tip",
    )


@pytest.fixture
def cases(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        session.add_all(
            [
                _case("1151028-0001", "need", "路燈故障<script>alert(1)</script>請修復。"),
                _case("1151028-0002", "reform", "建議公開補助款運用情形。"),
                _case(TIP_NUMBER, "tip", TIP_TEXT),
            ]
        )
        content.put(session, "agency_name", "臺北市政府政風處", by="test")


def client_for(app: Any, ctx: Context, role: str, ethics: bool = False) -> tuple[Any, str]:
    return logged_in(app, ctx, staff(ctx, f"{role}-r", role, ethics=ethics))


def _submissions(ctx: Context) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ReportSubmission)) or 0)


def test_the_page_preselects_the_last_complete_period(app: Any, ctx: Context) -> None:
    client, _ = client_for(app, ctx, "viewer")
    # A period starts today: the last complete one is the fortnight before it.
    with ctx.sessions.begin() as session:
        content.put(
            session, "report_anchor_date", (taipei_today() - timedelta(28)).isoformat(), None
        )
    start, end = taipei_today() - timedelta(days=14), taipei_today() - timedelta(days=1)
    response = client.get("/admin/reports/biweekly")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="from" min="1912-01-01" max="2999-12-31" required\n' in html
    assert f'value="{start.isoformat()}"' in html and f'value="{end.isoformat()}"' in html
    previous, following = report_periods.shift(start, end, -1), report_periods.shift(start, end, 1)
    assert f"from={previous[0].isoformat()}&amp;to={previous[1].isoformat()}" in html
    assert f"from={following[0].isoformat()}&amp;to={following[1].isoformat()}" in html
    assert "工作報表" in html and 'aria-current="page">工作報表' in html
    # Viewers read the report; they are not offered the submission.
    assert "/admin/reports/biweekly/submit" not in html
    assert "由主管或系統管理者核對、簽陳首長核可並送出" in html


def test_the_report_reads_like_the_form_and_never_quotes_residents(
    app: Any, ctx: Context, cases: None
) -> None:
    client, _ = client_for(app, ctx, "admin", ethics=True)
    html = client.get("/admin/reports/biweekly", query_string=QUERY).get_data(as_text=True)
    assert "臺北市政府政風處115年11月辦理村里廉政平臺工作成果彙報表" in html
    assert "【資料統計期間：115年10月26日-11月8日】" in html
    assert "統計期間：115年10月26日至115年11月8日" in html
    for words in (
        "項次",
        "實施方式",
        "內容摘要",
        "處理意見",
        "（計1案）。",
        "（計0案）。",
        "（未分細項）1案。",
    ):
        assert words in html
    # An officer's summary: no resident's words (escaped or not) in the report.
    assert "路燈故障" not in html and "alert(1)" not in html
    # Tips are on neither form: not even counted, for an ethics administrator either.
    assert "檢舉" not in html.split('id="report-heading"')[1].split('id="submissions"')[0]
    assert TIP_NUMBER not in html and TIP_TEXT not in html
    for extension in ("ods", "xlsx", "csv"):
        assert f"/admin/reports/biweekly/{extension}?from=2026-10-26&amp;to=2026-11-08" in html


def test_print_view_and_downloads(app: Any, ctx: Context, cases: None) -> None:
    client, _ = client_for(app, ctx, "officer")
    printed = client.get("/admin/reports/biweekly/print", query_string=QUERY)
    assert printed.status_code == 200
    html = printed.get_data(as_text=True)
    assert "print.css" in html and "report.css" in html and "（附件2）" in html
    assert "【註】「宣揚反貪倡廉資訊」免記載於附件1紀錄表" in html
    assert TIP_TEXT not in html
    for extension in ("ods", "xlsx", "csv"):
        response = client.get(f"/admin/reports/biweekly/{extension}", query_string=QUERY)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == biweekly_files.MEDIA_TYPES[extension]
        assert response.headers["Content-Disposition"].startswith(
            f'attachment; filename="biweekly-report-20261026-20261108.{extension}"'
        )
    xlsx = client.get("/admin/reports/biweekly/xlsx", query_string=QUERY).get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet["A1"].value == "（附件2）"
    assert sheet["C5"].value.endswith("（計1案）。") and sheet["C6"].value.endswith("（計1案）。")


def test_the_form_as_pdf(app: Any, ctx: Context, cases: None) -> None:
    client, _ = client_for(app, ctx, "viewer")
    page = client.get("/admin/reports/biweekly", query_string=QUERY).get_data(as_text=True)
    assert "/admin/reports/biweekly/pdf?from=2026-10-26&amp;to=2026-11-08" in page
    response = client.get("/admin/reports/biweekly/pdf", query_string=QUERY)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.get_data().startswith(b"%PDF-")
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="biweekly-report-20261026-20261108.pdf"'
    )
    assert client.get("/admin/reports/biweekly/doc", query_string=QUERY).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-11-08", "to": "2026-10-26"}, "統計期間起日不得晚於迄日。"),
        ({"from": "2026-11-0", "to": "2026-11-08"}, "統計期間起日格式不正確"),
        ({"from": "2026-11-01"}, "請輸入統計期間迄日。"),
    ],
)
def test_a_bad_period_is_explained(app: Any, ctx: Context, query: Any, message: str) -> None:
    client, _ = client_for(app, ctx, "viewer")
    response = client.get("/admin/reports/biweekly", query_string=query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'role="alert"' in html
    assert "最近一期（預設）" in html
    download = client.get("/admin/reports/biweekly/ods", query_string=query)
    assert download.status_code == 400 and message in download.get_data(as_text=True)


APPROVAL = {"approved_by": "處長 林大同", "approved_on": "2026-11-10"}


def test_a_supervisor_submits_after_confirming(app: Any, ctx: Context, cases: None) -> None:
    client, csrf = client_for(app, ctx, "supervisor")
    page = client.get("/admin/reports/biweekly", query_string=QUERY).get_data(as_text=True)
    assert 'action="/admin/reports/biweekly/submit"' in page and 'name="confirm"' in page
    assert 'name="approved_by"' in page and 'name="approved_on"' in page
    # The period has ended: no question about an unfinished one.
    assert 'name="confirm_unfinished"' not in page

    unconfirmed = client.post(
        "/admin/reports/biweekly/submit", data={"csrf_token": csrf, **QUERY, **APPROVAL}
    )
    assert unconfirmed.status_code == 400
    assert "請勾選確認本期彙報表內容無誤後再送出。" in unconfirmed.get_data(as_text=True)
    bad = client.post(
        "/admin/reports/biweekly/submit",
        data={"csrf_token": csrf, "from": "2026-11-09", "to": "2026-11-01", "confirm": "yes"},
    )
    assert bad.status_code == 400 and "起日不得晚於迄日" in bad.get_data(as_text=True)
    assert _submissions(ctx) == 0

    reviewed = re.search(r'name="digest" value="([0-9a-f]{64})"', page)
    assert reviewed is not None
    form = {"csrf_token": csrf, "confirm": "yes", "digest": reviewed.group(1), **QUERY}
    for missing, words in (
        ({"approved_on": "2026-11-10"}, "請填寫核可人（首長姓名及職稱）。"),
        ({"approved_by": "處長 林大同"}, "請填寫核可日期。"),
        ({"approved_by": "處長 林大同", "approved_on": "明天"}, "核可日期格式不正確"),
    ):
        refused = client.post("/admin/reports/biweekly/submit", data={**form, **missing})
        assert refused.status_code == 400 and words in refused.get_data(as_text=True), words
    assert _submissions(ctx) == 0
    form.update(APPROVAL)
    with ctx.sessions.begin() as session:
        # A case answered while the supervisor was reading: that report is not the one sent.
        changing = session.scalars(select(Case).where(Case.number == "1151028-0002")).one()
        status_before, changing.status = changing.status, "replied"
    stale = client.post("/admin/reports/biweekly/submit", data=form)
    assert stale.status_code == 409
    assert "在您核對後已有異動，本次未送出" in stale.get_data(as_text=True)
    assert _submissions(ctx) == 0
    with ctx.sessions.begin() as session:
        changing = session.scalars(select(Case).where(Case.number == "1151028-0002")).one()
        changing.status = status_before

    sent = client.post("/admin/reports/biweekly/submit", data=form)
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(
        "/admin/reports/biweekly?from=2026-10-26&to=2026-11-08&submitted=1#submissions"
    )
    after = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "已送出本期工作成果彙報表" in after and "本期已送出1次" in after

    with ctx.sessions.begin() as session:
        submission = session.scalars(select(ReportSubmission)).one()
        assert (submission.approved_by, submission.approved_on) == (
            "處長 林大同",
            date(2026, 11, 10),
        )
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "report.submit"))
        assert entry.one().actor == "supervisor-r"
        submission_id, stored_ods = submission.id, submission.ods
        # A later edit to a case changes the live report, not the submitted one.
        case = session.scalars(select(Case).where(Case.number == "1151028-0002")).one()
        case.sub_item = "reform-3"

    listing = client.get("/admin/reports/submissions").get_data(as_text=True)
    assert "115年10月26日至115年11月8日" in listing and "supervisor-r 測試" in listing
    assert "處長 林大同（115年11月10日）" in listing
    assert f"/admin/reports/submissions/{submission_id}/ods" in listing
    frozen = client.get(f"/admin/reports/submissions/{submission_id}").get_data(as_text=True)
    assert "（未分細項）1案。" in frozen and "（三）機關政策涉及多數民眾權益爭議事項" not in frozen
    assert "核可：處長 林大同　115年11月10日" in frozen
    assert hashlib.sha256(stored_ods).hexdigest() in frozen
    live = client.get("/admin/reports/biweekly", query_string=QUERY).get_data(as_text=True)
    assert "（三）機關政策涉及多數民眾權益爭議事項1案。" in live
    download = client.get(f"/admin/reports/submissions/{submission_id}/ods")
    assert download.status_code == 200 and download.get_data() == stored_ods
    assert download.headers["Content-Type"] == biweekly_files.MEDIA_TYPES["ods"]
    assert client.get("/admin/reports/submissions/999999").status_code == 404
    assert client.get("/admin/reports/submissions/999999/ods").status_code == 404


def test_a_period_not_yet_ended_asks_for_confirmation(app: Any, ctx: Context) -> None:
    client, csrf = client_for(app, ctx, "supervisor")
    today = taipei_today()
    query = {"from": (today - timedelta(days=13)).isoformat(), "to": today.isoformat()}
    page = client.get("/admin/reports/biweekly", query_string=query).get_data(as_text=True)
    assert 'name="confirm_unfinished"' in page and "尚未結束" in page
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page)
    assert digest is not None
    form = {"csrf_token": csrf, "confirm": "yes", "digest": digest.group(1), **query,
            "approved_by": "處長 林大同", "approved_on": today.isoformat()}  # fmt: skip
    refused = client.post("/admin/reports/biweekly/submit", data=form)
    assert refused.status_code == 400
    assert "尚未結束" in refused.get_data(as_text=True) and _submissions(ctx) == 0
    sent = client.post("/admin/reports/biweekly/submit", data={**form, "confirm_unfinished": "yes"})
    assert sent.status_code == 302 and _submissions(ctx) == 1


def test_the_officer_edits_the_drafted_texts_and_reverts_them(
    app: Any, ctx: Context, cases: None
) -> None:
    client, csrf = client_for(app, ctx, "officer")
    page = client.get("/admin/reports/biweekly", query_string=QUERY).get_data(as_text=True)
    assert 'action="/admin/reports/biweekly/draft"' in page and 'id="summary-need"' in page
    assert 'action="/admin/reports/biweekly/submit"' not in page  # 主管 sends it
    assert "還原為系統草稿" not in page  # nothing edited yet
    edit = {"csrf_token": csrf, **QUERY, "row": "need",
            "summary": "路燈<script>alert(1)</script>故障1案。",
            "handling": "已請工務科修復。"}  # fmt: skip
    saved = client.post("/admin/reports/biweekly/draft", data=edit)
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#row-need")
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "已儲存「民情需求事項」的編修內容" in page and "還原為系統草稿" in page
    assert "路燈&lt;script&gt;alert(1)&lt;/script&gt;故障1案。\n（計1案）。" in page
    assert "<script>alert(1)" not in page
    printed = client.get("/admin/reports/biweekly/print", query_string=QUERY).get_data(as_text=True)
    assert "已請工務科修復。" in printed
    csv_text = client.get("/admin/reports/biweekly/csv", query_string=QUERY).get_data().decode()
    assert "路燈<script>alert(1)</script>故障1案。\n（計1案）。" in csv_text.replace("\r\n", "\n")

    empty = client.post("/admin/reports/biweekly/draft", data={**edit, "summary": "  "})
    assert empty.status_code == 400
    assert "民情需求事項的內容摘要不得空白" in empty.get_data(as_text=True)
    reverted = client.post(
        "/admin/reports/biweekly/draft/revert", data={"csrf_token": csrf, **QUERY, "row": "need"}
    )
    assert reverted.status_code == 302
    page = client.get(reverted.headers["Location"]).get_data(as_text=True)
    assert "「民情需求事項」已還原為系統草稿" in page and "故障1案" not in page

    viewer, viewer_csrf = client_for(app, ctx, "viewer")
    html = viewer.get("/admin/reports/biweekly", query_string=QUERY).get_data(as_text=True)
    assert 'action="/admin/reports/biweekly/draft"' not in html
    refused = viewer.post("/admin/reports/biweekly/draft", data={**edit, "csrf_token": viewer_csrf})
    assert refused.status_code == 403
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReportDraft)) == 1
        draft = session.scalars(select(ReportDraft)).one()
        assert draft.texts == {}


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_others_cannot_submit(app: Any, ctx: Context, cases: None, role: str) -> None:
    client, csrf = client_for(app, ctx, role, ethics=True)
    response = client.post(
        "/admin/reports/biweekly/submit",
        data={"csrf_token": csrf, "confirm": "yes", **QUERY, **APPROVAL},
    )
    assert response.status_code == 403
    assert "僅主管或系統管理者可送出工作成果彙報表" in response.get_data(as_text=True)
    assert _submissions(ctx) == 0


def test_submitting_needs_the_csrf_token(app: Any, ctx: Context, cases: None) -> None:
    client, _ = client_for(app, ctx, "supervisor")
    response = client.post("/admin/reports/biweekly/submit", data={"confirm": "yes", **QUERY})
    assert response.status_code == 400
    assert _submissions(ctx) == 0


def test_the_anchor_date_is_an_editable_validated_setting(app: Any, ctx: Context) -> None:
    client, csrf = client_for(app, ctx, "admin")
    page = client.get("/admin/settings/texts").get_data(as_text=True)
    assert re.search(
        r'<input type="date" id="value-report_anchor_date"[^>]*value="2026-01-05"', page
    )
    for bad in ("2026/01/12", "115-01-12", "", "1900-01-01"):
        refused = client.post(
            "/admin/settings/texts/report_anchor_date", data={"csrf_token": csrf, "value": bad}
        )
        assert refused.status_code == 400, bad
        assert "工作成果彙報表起算日請以西元年-月-日輸入" in refused.get_data(as_text=True)
    with ctx.sessions() as session:
        assert content.get(session, "report_anchor_date") == "2026-01-05"
    saved = client.post(
        "/admin/settings/texts/report_anchor_date", data={"csrf_token": csrf, "value": "2026-01-12"}
    )
    assert saved.status_code == 302
    with ctx.sessions() as session:
        assert content.get(session, "report_anchor_date") == "2026-01-12"
    # The default period follows the new anchor.
    anchor = date(2026, 1, 12)
    start, end = report_periods.default_period(taipei_today(), anchor)
    html = client.get("/admin/reports/biweekly").get_data(as_text=True)
    assert f'value="{start.isoformat()}"' in html and f'value="{end.isoformat()}"' in html
