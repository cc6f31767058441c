"""The biweekly 工作成果彙報表 (附件2): periods, what each row counts and says, the files.

A known set of cases and broadcasts straddles the period's edges (Taipei midnight
on both ends); every count, summary and handling line of the JSON is checked, and
the ODS and XLSX files are read back with reader libraries (pyexcel-ods3, openpyxl).
A tip is not counted (tips are on neither form) and never appears anywhere; a former tip
reclassified as a need is counted and never told.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zipfile import ZipFile

import openpyxl
import pyexcel_ods3
import pytest
from sqlalchemy import func, select

from lianping.context import Context
from lianping.reports import biweekly, biweekly_files, drafts, submissions
from lianping.reports.biweekly_model import BiweeklyReport
from lianping.rocdate import taipei_today
from lianping.services import content, report_periods
from lianping.services.access import Actor, PermissionDenied
from lianping.storage import areas
from lianping.storage.models import (
    Agency,
    AuditEntry,
    Broadcast,
    BroadcastLink,
    Case,
    FieldActivity,
    Place,
    QuizAnswer,
    ReportDraft,
    ReportSubmission,
    Resident,
    Unit,
)
from tests.admin_support import api_token, staff

FROM, TO = date(2026, 10, 26), date(2026, 11, 8)
# Taipei midnights at the period's two edges, in UTC.
OPENS = datetime(2026, 10, 25, 16, 0, tzinfo=UTC)
CLOSES = datetime(2026, 11, 8, 16, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)

TIP_NUMBER = "1151030-0009"
TIP_TEXT = "某課長收受廠商回扣新臺幣五十萬元"
NAME, PHONE, ADDRESS = "王小明", "0912345678", "臺北市中正區重慶南路一段122號"


def _case(number: str, nature: str, at: datetime, description: str, **fields: Any) -> Case:
    return Case(
        number=number,
        channel=fields.pop("channel", "line"),
        nature=nature,
        description=description,
        status=fields.pop("status", "received"),
        created_at=at,
        updated_at=at,
        due_at=at + timedelta(days=30),
        **fields,
    )


@pytest.fixture
def seeded(ctx: Context) -> dict[str, Any]:
    """Cases and broadcasts inside the period, and just outside both of its edges."""
    with ctx.sessions.begin() as session:
        unit, agency = Unit(name="工務科"), Agency(name="臺北市政府工務局")
        session.add_all([unit, agency])
        session.flush()
        session.add_all(
            [
                _case(
                    "1151026-0001", "need", OPENS, "公園路燈故障，夜間行人危險。",
                    sub_item="need-2", theme="works", status="in_progress", unit_id=unit.id,
                ),
                _case(
                    "1151027-0001", "need", OPENS + timedelta(days=1),
                    f"我是{NAME}，住{ADDRESS}，水溝蓋破損請修復，電話 0912-345-678。",
                    sub_item="need-2", status="replied", reporter_name=NAME,
                    reporter_phone=PHONE, reporter_address=ADDRESS,
                ),
                _case(
                    "1151028-0001", "need", OPENS + timedelta(days=2),
                    "戶政事務所等候時間過長，建議增設線上預約。",
                    sub_item="need-3", status="transferred", agency_id=agency.id,
                    letter_number="北政字第1150001號", letter_date=date(2026, 10, 29),
                ),
                _case(
                    "1151108-0001", "need", CLOSES - SECOND, "社區活動中心冷氣故障已報修多次。",
                    status="closed",
                ),
                _case(TIP_NUMBER, "tip", OPENS + timedelta(days=4), TIP_TEXT, confidential=True),
                _case(
                    "1151029-0001", "reform", OPENS + timedelta(days=3),
                    "建議公開里鄰經費使用明細。", sub_item="reform-1", theme="neighbourhood-funds",
                ),
                _case(
                    "1151101-0001", "reform", OPENS + timedelta(days=6),
                    "停車費調漲影響居民權益。", sub_item="reform-2", status="rejected",
                    rejection_reason="no_content",
                ),
                # Outside: one second before the period opens, at the moment it closes.
                _case("1151025-0001", "need", OPENS - SECOND, "期間開始前一秒的案件。"),
                _case("1151109-0001", "need", CLOSES, "期間結束後的案件。"),
                _case("1151109-0002", "reform", CLOSES + timedelta(hours=5), "期間外的建議。"),
                _case("1151109-0003", "tip", CLOSES + SECOND, "期間外的檢舉。", confidential=True),
            ]
        )  # fmt: skip
        quiz = Broadcast(
            title="反賄選有獎徵答", audience={"kind": "all"}, status="sent",
            started_at=OPENS + timedelta(days=2, hours=2), recipients=1234,
            chunks_total=3, chunks_sent=3,
        )  # fmt: skip
        partial = Broadcast(
            title="廉政志工招募", audience={"kind": "area", "district": "中正區"},
            status="stopped", started_at=OPENS + timedelta(days=6), recipients=2000,
            chunks_total=5, chunks_sent=2, reached=1000,
        )  # fmt: skip
        session.add_all(
            [
                quiz,
                partial,
                Broadcast(
                    title="未送出即中止", audience={"kind": "all"}, status="stopped",
                    started_at=OPENS + timedelta(days=3), chunks_total=2, chunks_sent=0,
                ),
                Broadcast(
                    title="同仁測試", audience={"kind": "test"}, status="sent",
                    started_at=OPENS + timedelta(days=3), recipients=2,
                ),
                Broadcast(
                    title="下期宣導", audience={"kind": "all"}, status="sent",
                    started_at=CLOSES, recipients=10,
                ),
                Broadcast(title="草稿", audience={"kind": "all"}, status="draft"),
            ]
        )  # fmt: skip
        session.flush()
        people = [Resident(line_user_id=f"U{index:032x}") for index in range(3)]
        session.add_all(people)
        session.flush()
        session.add_all(
            [
                QuizAnswer(
                    broadcast_id=quiz.id, message_index=1, resident_id=person.id,
                    choice=1, correct=index < 2,
                )
                for index, person in enumerate(people)
            ]
        )  # fmt: skip
        session.add_all(
            [
                BroadcastLink(
                    broadcast_id=quiz.id, token="tok1", url="https://a.example", clicks=5
                ),
                BroadcastLink(
                    broadcast_id=quiz.id, token="tok2", url="https://b.example", clicks=2
                ),
            ]
        )
        content.put(session, "agency_name", "臺北市政府政風處", by="test")
    return {"unit": unit.id, "agency": agency.id}


def build(ctx: Context, period_from: date = FROM, period_to: date = TO) -> BiweeklyReport:
    with ctx.sessions() as session:
        return biweekly.build(session, period_from, period_to)


# ---------------------------------------------------------------- periods


def test_default_period_is_the_last_complete_two_weeks() -> None:
    anchor = date(2026, 1, 5)  # a Monday
    assert report_periods.default_period(date(2026, 11, 21), anchor) == (FROM, TO)
    # On the first day of a period the report due is the one that just ended.
    assert report_periods.default_period(date(2026, 11, 9), anchor) == (FROM, TO)
    assert report_periods.default_period(date(2026, 11, 8), anchor) == (
        date(2026, 10, 12),
        date(2026, 10, 25),
    )
    # An anchor in the future aligns the same way, backwards.
    assert report_periods.default_period(date(2026, 11, 21), date(2027, 1, 4)) == (FROM, TO)
    # Across the new year: the period is named by its two ROC dates.
    period = report_periods.default_period(date(2027, 1, 6), anchor)
    assert period == (date(2026, 12, 21), date(2027, 1, 3))
    report = BiweeklyReport("政風處", *period, rows=())
    assert report.period_text == "資料統計期間：115年12月21日-116年1月3日"
    assert report.title == "政風處116年1月辦理村里廉政平臺工作成果彙報表"


def test_previous_and_next_periods_keep_the_length() -> None:
    assert report_periods.shift(FROM, TO, -1) == (date(2026, 10, 12), date(2026, 10, 25))
    assert report_periods.shift(FROM, TO, 1) == (date(2026, 11, 9), date(2026, 11, 22))
    assert report_periods.shift(date(2026, 11, 1), date(2026, 11, 3), 1) == (
        date(2026, 11, 4),
        date(2026, 11, 6),
    )


@pytest.mark.parametrize(
    ("raw_from", "raw_to", "message"),
    [
        ("2026-11-10", "2026-11-01", "起日不得晚於迄日"),
        ("2026/11/01", "2026-11-10", "格式不正確"),
        ("2026-02-30", "2026-03-01", "格式不正確"),
        ("", "2026-11-10", "請輸入統計期間起日"),
        ("1911-12-01", "1912-01-10", "民國元年"),
        ("20261101", "2026-11-10", "格式不正確"),
    ],
)
def test_bad_custom_periods_are_refused_in_words(raw_from: str, raw_to: str, message: str) -> None:
    with pytest.raises(report_periods.PeriodError, match=message):
        report_periods.parse(raw_from, raw_to)


def test_a_period_is_taipei_days_from_midnight_to_midnight() -> None:
    start, end = report_periods.utc_bounds(FROM, TO)
    assert (start, end) == (OPENS, CLOSES)
    one_day = report_periods.utc_bounds(date(2027, 1, 1), date(2027, 1, 1))
    assert one_day == (
        datetime(2026, 12, 31, 16, tzinfo=UTC),
        datetime(2027, 1, 1, 16, tzinfo=UTC),
    )


# ---------------------------------------------------------------- what the rows say


def test_every_count_summary_and_handling_line(ctx: Context, seeded: dict[str, Any]) -> None:
    data = build(ctx).to_json()
    assert data["agency"] == "臺北市政府政風處"
    assert data["title"] == "臺北市政府政風處115年11月辦理村里廉政平臺工作成果彙報表"
    assert data["period"] == {
        "from": "2026-10-26",
        "to": "2026-11-08",
        "text": "資料統計期間：115年10月26日-11月8日",
    }
    need, reform, promotion = (data["rows"][key] for key in ("need", "reform", "promotion"))

    # Four need cases (both edges included); the tip is on neither form. The summary is the
    # officer's kind: by sub-item in seed 004's order, themes counted, never a resident's words.
    assert need["count"] == 4
    assert need["summaries"] == [
        "（二）公共設施欠缺或設置管理不當2案：地方工程1案。",
        "（三）民眾申辦案件作業效率、服務品質滿意度1案。",
        "（未分細項）1案。",
    ]
    assert need["handling"] == [
        "已回復反映者2案，其中1案已結案。",
        "簽會本機關權責單位處理中1案（工務科1案）。",
        "函請相關機關參處1案（臺北市政府工務局1案）。",
    ]
    assert reform["count"] == 2
    assert reform["summaries"] == [
        "（一）民眾對機關各項施政作為之意見1案：里鄰經費1案。",
        "（二）機關法令規章或行政措施1案。",
    ]
    assert reform["handling"] == ["新收待分案1案。", "依行政程序法第173條規定不予處理1案。"]
    assert data["edited_rows"] == [] and not need["edited"]["summary"]

    # Sent, and stopped after some chunks; not the trial, the unsent or the next period's.
    assert promotion["count"] == 2
    assert promotion["summaries"] == [
        "1. 115年10月28日以LINE發送「反賄選有獎徵答」（全部追蹤者）。",
        "2. 115年11月1日以LINE發送「廉政志工招募」（依區／村里）。",
    ]
    assert promotion["handling"] == [
        "「反賄選有獎徵答」已發送，發送對象1,234人；有獎徵答3人作答，答對2人；連結點閱7次。",
        "「廉政志工招募」發送中止，已送出1,000人（預定2,000人）。",
    ]


def test_the_form_text_ends_each_summary_with_its_count(ctx: Context, seeded: Any) -> None:
    """The form's 「……（計○案）。」, its closing 「。」 included."""
    report = build(ctx)
    assert report.row("need").summary_text.endswith("。\n（計4案）。")
    assert report.row("reform").summary_text.startswith("（一）民眾對機關各項施政作為之意見")
    assert report.row("promotion").summary_text.endswith("（計2案）。")


def test_a_former_tip_stays_untold_and_a_transfer_keeps_its_agency(
    ctx: Context, seeded: dict[str, Any]
) -> None:
    """A tip reclassified as a need is counted in its row, never summarised and never called
    a tip; an answered transfer still names the agency it went to."""
    with ctx.sessions.begin() as session:
        tip = session.scalars(select(Case).where(Case.number == TIP_NUMBER)).one()
        tip.nature, tip.sub_item = "need", "need-2"
        transferred = session.scalars(select(Case).where(Case.number == "1151028-0001")).one()
        transferred.status = "closed"
    need = build(ctx).to_json()["rows"]["need"]
    assert need["count"] == 5
    assert all(TIP_NUMBER not in line and "回扣" not in line for line in need["summaries"])
    # Its sub-item is not told either: (二) still counts the two open-to-tell cases.
    assert need["summaries"][0] == "（二）公共設施欠缺或設置管理不當2案：地方工程1案。"
    assert need["summaries"][-1] == "另有1案依規定保密，不予摘述。"
    assert need["handling"] == [
        "已回復反映者3案，其中2案已結案。",
        "簽會本機關權責單位處理中1案（工務科1案）。",
        "函請相關機關參處1案（臺北市政府工務局1案）。",
        "另有1案依規定保密處理。",
    ]
    assert "檢舉" not in str(need)


def test_a_period_of_tips_only_counts_no_need(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        session.add(_case(TIP_NUMBER, "tip", OPENS, TIP_TEXT, confidential=True))
    need = build(ctx).to_json()["rows"]["need"]
    assert need["count"] == 0
    assert not any("檢舉" in line for line in need["summaries"] + need["handling"])


def test_control_characters_in_a_topic_do_not_break_the_files(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        session.add(
            FieldActivity(kind="forum", held_on=FROM, venue="里民\x07活動中心",
                          topic="門鈴\x1b宣導", promotion=True, created_by="test")
        )  # fmt: skip
    report = build(ctx)
    assert (
        report.row("promotion").summaries[0]
        == "1. 115年10月26日於里民活動中心舉辦小型座談（門鈴宣導）。"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(biweekly_files.to_xlsx(report))).active
    assert any("門鈴宣導" in str(cell.value) for row in sheet.iter_rows() for cell in row)
    assert biweekly_files.to_ods(report)[:2] == b"PK"


def test_an_empty_period_says_so(ctx: Context, seeded: Any) -> None:
    data = build(ctx, date(2026, 9, 1), date(2026, 9, 14)).to_json()
    assert [data["rows"][key]["count"] for key in ("need", "reform", "promotion")] == [0, 0, 0]
    assert data["rows"]["need"]["summaries"] == ["本期未受理民情需求事項。"]
    assert data["rows"]["need"]["summary_text"] == "本期未受理民情需求事項。\n（計0案）。"
    assert data["rows"]["need"]["handling"] == ["本期無待處理案件。"]
    assert data["rows"]["promotion"]["summaries"] == ["本期未辦理反貪倡廉宣導。"]
    assert data["rows"]["promotion"]["handling"] == [
        "本期未辦理宣導活動，亦未以LINE官方帳號發送宣導訊息。"
    ]


def test_many_cases_are_summarised_by_sub_item_theme_and_district(ctx: Context) -> None:
    """However many cases, one line per sub-item: the three main themes and 區, then 「等」."""
    themes = ["works", "works", "dredging", "disaster", "subsidies", "other"]
    places = ["臺北市大安區復興南路一段1號", "100台灣臺北市信義區市府路1號", "大安區和平東路",
              "花蓮縣花蓮市中山路", "某公園旁", None]  # fmt: skip
    total = 35
    with ctx.sessions.begin() as session:
        session.add_all(
            _case(
                f"1151027-{index:04d}", "need", OPENS + timedelta(minutes=index),
                f"第{index}件路面坑洞。", sub_item="need-2" if index % 5 else "need-4",
                theme=themes[index % 6],
                location={"address": places[index % 6]} if places[index % 6] else None,
            )
            for index in range(total)
        )  # fmt: skip
    row = build(ctx).row("need")
    assert row.count == total
    assert row.summaries == (
        "（二）公共設施欠缺或設置管理不當28案：地方工程9案、搶災搶險5案、河川疏濬5案等；"
        "大安區9案、信義區5案、花蓮市5案。",
        "（四）各機關行政業務整合、流程簡化需求建議7案：地方工程3案、搶災搶險1案、河川疏濬1案等；"
        "大安區3案、信義區1案、花蓮市1案。",
    )
    assert row.handling == ("新收待分案35案。",)
    assert not any("坑洞" in line for line in row.summaries)


def test_handling_says_which_cases_wait_for_the_residents_details(ctx: Context) -> None:
    """補陳 asked (details_requested_at) and not answered yet: said apart, while still open."""
    asked = OPENS + timedelta(days=2)
    with ctx.sessions.begin() as session:
        session.add_all(
            [
                _case("1151027-0001", "need", OPENS, "路燈。", status="assigned",
                      details_requested_at=asked),
                _case("1151027-0002", "need", OPENS, "水溝。", status="in_progress",
                      details_requested_at=asked),
                # Ended since: no longer waiting for anything.
                _case("1151027-0003", "need", OPENS, "路樹。", status="withdrawn",
                      details_requested_at=asked),
            ]
        )  # fmt: skip
    assert build(ctx).row("need").handling == (
        "簽會本機關權責單位處理中1案（未指定1案）。",
        "已分案由承辦人處理中1案。",
        "已請反映者補陳資料2案，俟補正後續行處理。",
        "反映者撤回1案。",
    )


@pytest.mark.parametrize(
    ("address", "district"),
    [
        ("臺北市大安區復興南路一段1號", "大安區"),
        ("100台灣臺北市中正區重慶南路一段122號", "中正區"),
        ("新北市 板橋區 中山路一段161號", "板橋區"),
        ("花蓮縣花蓮市中山路", "花蓮市"),
        ("嘉義縣阿里山鄉中山村", "阿里山鄉"),
        ("信義區松仁路", "信義區"),
        ("公園旁邊", None),
        ("", None),
    ],
)
def test_the_district_of_an_address(address: str, district: str | None) -> None:
    assert areas.district_of(address) == district


def _all_text(report: BiweeklyReport, tmp_path: Path) -> str:
    """Every cell of every rendering of the report, as one string."""
    ods = tmp_path / "report.ods"
    ods.write_bytes(biweekly_files.to_ods(report))
    parts = [str(report.to_json()), biweekly_files.to_csv(report).decode("utf-8-sig")]
    for rows in pyexcel_ods3.get_data(str(ods)).values():
        parts.extend(str(cell) for row in rows for cell in row)
    sheet = openpyxl.load_workbook(io.BytesIO(biweekly_files.to_xlsx(report))).active
    parts.extend(str(cell.value) for row in sheet.iter_rows() for cell in row)
    return "\n".join(parts)


def test_a_tip_never_appears_in_any_rendering(ctx: Context, seeded: Any, tmp_path: Path) -> None:
    everything = _all_text(build(ctx), tmp_path)
    for secret in (TIP_NUMBER, TIP_TEXT, "回扣", "檢舉"):
        assert secret not in everything
    for personal in (NAME, PHONE, "0912-345-678", ADDRESS, "重慶南路"):
        assert personal not in everything


# ---------------------------------------------------------------- files


def test_ods_reads_back_like_the_form(ctx: Context, seeded: Any, tmp_path: Path) -> None:
    path = tmp_path / "report.ods"
    path.write_bytes(biweekly_files.to_ods(build(ctx)))
    book = pyexcel_ods3.get_data(str(path))
    assert list(book) == ["工作成果彙報表"]
    rows = book["工作成果彙報表"]
    assert rows[0][0] == "（附件2）"
    assert rows[1][0] == "臺北市政府政風處115年11月辦理村里廉政平臺工作成果彙報表"
    assert rows[2][0] == "【資料統計期間：115年10月26日-11月8日】"
    assert rows[3] == ["項次", "實施方式", "內容摘要", "處理意見"]
    assert [row[:2] for row in rows[4:7]] == [
        ["1", "民情需求事項"],
        ["2", "施政興革反映"],
        ["3", "反貪倡廉宣導"],
    ]
    assert [row[2].rsplit("\n", 1)[-1] for row in rows[4:7]] == [
        "（計4案）。",
        "（計2案）。",
        "（計2案）。",
    ]
    assert rows[4][2].startswith("（二）公共設施欠缺或設置管理不當2案")
    assert rows[4][3].split("\n")[0] == "已回復反映者2案，其中1案已結案。"
    assert rows[7][0] == biweekly_files.NOTE
    # The layout: A4 portrait page, print area on the form, wrapped text in the rows.
    with ZipFile(path) as archive:
        styles = archive.read("styles.xml").decode()
        body = archive.read("content.xml").decode()
    assert 'fo:page-width="210mm"' in styles and 'style:print-orientation="portrait"' in styles
    assert "table:print-ranges=\"'工作成果彙報表'.A1:'工作成果彙報表'.D8\"" in body
    assert 'fo:wrap-option="wrap"' in body


def test_xlsx_reads_back_like_the_form(ctx: Context, seeded: Any) -> None:
    book = openpyxl.load_workbook(io.BytesIO(biweekly_files.to_xlsx(build(ctx))))
    sheet = book["工作成果彙報表"]
    assert sheet["A1"].value == "（附件2）"
    assert sheet["A2"].value == "臺北市政府政風處115年11月辦理村里廉政平臺工作成果彙報表"
    assert sheet["A3"].value == "【資料統計期間：115年10月26日-11月8日】"
    assert [sheet.cell(row=4, column=c).value for c in range(1, 5)] == list(biweekly_files.HEADERS)
    assert [sheet.cell(row=r, column=2).value for r in (5, 6, 7)] == [
        "民情需求事項",
        "施政興革反映",
        "反貪倡廉宣導",
    ]
    assert sheet["C5"].value.endswith("（計4案）。")
    assert sheet["C6"].value.endswith("（計2案）。")
    assert sheet["C7"].value.endswith("（計2案）。")
    assert sheet["A8"].value == biweekly_files.NOTE
    assert sheet["C5"].alignment.wrap_text
    assert {"A1:D1", "A2:D2", "A3:D3", "A8:D8"} <= {str(rng) for rng in sheet.merged_cells.ranges}
    assert sheet.print_area == "'工作成果彙報表'!$A$1:$D$8"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.orientation == "portrait"


def test_csv_is_utf8_with_a_bom(ctx: Context, seeded: Any) -> None:
    data = biweekly_files.to_csv(build(ctx))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["（附件2）"]
    assert rows[1] == ["臺北市政府政風處115年11月辦理村里廉政平臺工作成果彙報表"]
    assert rows[2] == ["【資料統計期間：115年10月26日-11月8日】"]
    assert rows[3] == list(biweekly_files.HEADERS)
    assert rows[4][1] == "民情需求事項" and rows[4][2].endswith("（計4案）。")
    assert rows[-1] == [biweekly_files.NOTE]


def test_download_names_are_zh_tw_with_an_ascii_fallback(ctx: Context, seeded: Any) -> None:
    header = biweekly_files.content_disposition(build(ctx), "ods")
    assert header.startswith('attachment; filename="biweekly-report-20261026-20261108.ods"; ')
    assert header.endswith(
        "filename*=UTF-8''%E6%9D%91%E9%87%8C%E5%BB%89%E6%94%BF%E5%B9%B3%E8%87%BA"
        "%E5%B7%A5%E4%BD%9C%E6%88%90%E6%9E%9C%E5%BD%99%E5%A0%B1%E8%A1%A8_"
        "115%E5%B9%B410%E6%9C%8826%E6%97%A5-11%E6%9C%888%E6%97%A5.ods"
    )


# ---------------------------------------------------------------- submissions


APPROVAL = {"approved_by": "處長 林大同", "approved_on": date(2026, 11, 10)}


def _drafted(report: BiweeklyReport, key: str) -> dict[str, str]:
    row = report.row(key)
    return {"summary": row.summary_body, "handling": row.handling_text}


def test_a_submission_keeps_the_edited_text_and_the_heads_approval(
    ctx: Context, seeded: Any
) -> None:
    chief = staff(ctx, "chief", "supervisor")
    actor = Actor.of(chief)
    edited = "（二）公共設施2案：路燈及水溝蓋。\n（三）戶政等候過長1案。"
    with ctx.sessions.begin() as session:
        drafted = biweekly.build(session, FROM, TO, edited=False)
        drafts.save(
            session, actor, FROM, TO, "need", {"summary": edited}, _drafted(drafted, "need")
        )
        submission = submissions.submit(session, actor, FROM, TO, **APPROVAL)
        submission_id, sent_ods = submission.id, submission.ods
    with ctx.sessions.begin() as session:
        case = session.scalar(select(Case).where(Case.number == "1151026-0001"))
        assert case is not None
        case.sub_item, case.status = "need-1", "closed"
        drafts.save(session, actor, FROM, TO, "need", {"summary": "改寫。"}, {})
    with ctx.sessions() as session:
        stored = submissions.fetch(session, submission_id)
        assert stored is not None
        frozen = submissions.report_of(stored)
        now = biweekly.build(session, FROM, TO)
        (listed,) = submissions.listed(session, period=(FROM, TO))
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "report.submit"))
    assert stored.ods == sent_ods
    assert stored.sha256 == hashlib.sha256(sent_ods).hexdigest() == listed.sha256
    assert frozen.row("need").summaries == (
        "（二）公共設施2案：路燈及水溝蓋。",
        "（三）戶政等候過長1案。",
    )
    assert frozen.row("need").edited_summary and not frozen.row("need").edited_handling
    assert stored.data["edited_rows"] == ["need"]
    assert now.row("need").summaries == ("改寫。",)
    assert (stored.approved_by, stored.approved_on) == ("處長 林大同", date(2026, 11, 10))
    assert (listed.approved_by, listed.approved_on) == ("處長 林大同", date(2026, 11, 10))
    path_text = _ods_text(sent_ods)
    assert "路燈及水溝蓋" in path_text and "（計4案）。" in path_text
    assert listed.submitted_by == "chief 測試" and listed.id == submission_id
    assert entry is not None and entry.actor == "chief" and entry.target_id == str(submission_id)
    assert entry.after == {
        "period_from": "2026-10-26",
        "period_to": "2026-11-08",
        "counts": {"need": 4, "reform": 2, "promotion": 2},
        "sha256": stored.sha256,
        "approved_by": "處長 林大同",
        "approved_on": "2026-11-10",
        "edited_rows": ["need"],
    }


def _ods_text(data: bytes) -> str:
    with ZipFile(io.BytesIO(data)) as archive:
        return re.sub("<[^>]+>", "", archive.read("content.xml").decode())


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_only_supervisors_and_administrators_submit(ctx: Context, role: str) -> None:
    actor = Actor.of(staff(ctx, f"{role}-x", role, ethics=True))
    with ctx.sessions() as session, pytest.raises(PermissionDenied, match="僅主管或系統管理者"):
        submissions.submit(session, actor, FROM, TO, **APPROVAL)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReportSubmission)) == 0


def test_the_officer_edits_the_texts_and_a_viewer_cannot(ctx: Context) -> None:
    viewer = Actor.of(staff(ctx, "viewer-x", "viewer"))
    with ctx.sessions() as session, pytest.raises(PermissionDenied, match="僅承辦人、主管"):
        drafts.save(session, viewer, FROM, TO, "need", {"summary": "改寫。"}, {})
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReportDraft)) == 0
    officer = Actor.of(staff(ctx, "officer-x", "officer"))
    with ctx.sessions.begin() as session:
        drafts.save(session, officer, FROM, TO, "need", {"summary": "改寫。"}, {})
    with ctx.sessions() as session:
        draft = session.scalars(select(ReportDraft)).one()
        assert draft.texts == {"need": {"summary": "改寫。"}}


def test_an_edit_is_used_in_every_format_and_reverts_to_the_draft(
    ctx: Context, seeded: Any, tmp_path: Path
) -> None:
    actor = Actor.of(staff(ctx, "chief", "supervisor"))
    with ctx.sessions.begin() as session:
        drafted = biweekly.build(session, FROM, TO, edited=False)
        drafts.save(
            session, actor, FROM, TO, "reform",
            {"summary": "  建議公開里鄰經費明細等2案。\r\n\r\n", "handling": "已簽會民政科研處。"},
            _drafted(drafted, "reform"),
        )  # fmt: skip
    report = build(ctx)
    row = report.row("reform")
    assert row.summary_text == "建議公開里鄰經費明細等2案。\n（計2案）。"
    assert row.handling == ("已簽會民政科研處。",)
    assert report.edited_rows == ["reform"] and report.to_json()["rows"]["reform"]["edited"] == {
        "summary": True,
        "handling": True,
    }
    assert report.row("need") == drafted.row("need")  # rows not edited keep the draft
    everything = _all_text(report, tmp_path)
    assert everything.count("建議公開里鄰經費明細等2案。") >= 4  # JSON, CSV, ODS, XLSX
    with ctx.sessions.begin() as session:
        assert drafts.revert(session, actor, FROM, TO, "reform")
        assert not drafts.revert(session, actor, FROM, TO, "reform")
    assert build(ctx) == drafted


def test_an_edit_equal_to_the_draft_is_no_edit(ctx: Context, seeded: Any) -> None:
    actor = Actor.of(staff(ctx, "chief", "supervisor"))
    with ctx.sessions.begin() as session:
        drafted = biweekly.build(session, FROM, TO, edited=False)
        texts = _drafted(drafted, "need")
        drafts.save(session, actor, FROM, TO, "need", texts, texts)
    report = build(ctx)
    assert report.edited_rows == [] and report == drafted


@pytest.mark.parametrize(
    ("key", "texts", "words"),
    [
        ("need", {"summary": " \n "}, "民情需求事項的內容摘要不得空白"),
        ("need", {"handling": "長" * 4001}, "處理意見不得超過4,000字"),
        ("need", {}, "請填寫內容摘要或處理意見"),
        ("tip", {"summary": "某課長收賄。"}, "沒有這一列"),
        ("reform", {"summary": 5}, "須為文字"),
    ],
)
def test_a_bad_edit_is_refused_in_words_and_nothing_is_kept(
    ctx: Context, key: str, texts: dict[str, Any], words: str
) -> None:
    actor = Actor.of(staff(ctx, "chief", "supervisor"))
    with ctx.sessions() as session, pytest.raises(drafts.DraftError, match=words):
        drafts.save(session, actor, FROM, TO, key, texts, {})
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReportDraft)) == 0


def test_a_period_not_yet_ended_is_submitted_only_when_confirmed(ctx: Context) -> None:
    actor = Actor.of(staff(ctx, "chief", "supervisor"))
    today = taipei_today()
    start = today - timedelta(days=13)
    approval = {"approved_by": "處長 林大同", "approved_on": today}
    with ctx.sessions() as session, pytest.raises(submissions.SubmissionError) as refused:
        submissions.submit(session, actor, start, today, **approval)
    assert "尚未結束" in str(refused.value) and "請勾選確認" in str(refused.value)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReportSubmission)) == 0
    with ctx.sessions.begin() as session:
        submissions.submit(session, actor, start, today, confirm_unfinished=True, **approval)
        # A period that ended yesterday needs no confirmation.
        yesterday = today - timedelta(days=1)
        submissions.submit(session, actor, yesterday - timedelta(days=13), yesterday, **approval)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReportSubmission)) == 2


@pytest.mark.parametrize(
    ("approved_by", "approved_on", "words"),
    [
        ("", date(2026, 11, 10), "請填寫核可人"),
        ("　 ", date(2026, 11, 10), "請填寫核可人"),
        ("處" * 101, date(2026, 11, 10), "核可人不得超過100個字"),
        ("處長 林大同", None, "請填寫核可日期"),
        ("處長 林大同", taipei_today() + timedelta(days=1), "核可日期不得晚於今天"),
    ],
)
def test_the_heads_approval_is_required(
    ctx: Context, approved_by: str, approved_on: date | None, words: str
) -> None:
    actor = Actor.of(staff(ctx, "chief", "supervisor"))
    with ctx.sessions() as session, pytest.raises(submissions.SubmissionError, match=words):
        submissions.submit(
            session, actor, FROM, TO, approved_by=approved_by, approved_on=approved_on
        )
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReportSubmission)) == 0


# ---------------------------------------------------------------- field activities (row 3)


def test_a_forum_with_reports_taken_is_in_row_3_and_its_reports_in_rows_1_and_2(
    ctx: Context, seeded: Any
) -> None:
    """Issue 13's acceptance: a 小型座談 with 30 people and 50 leaflets, two reports taken
    there; row 3 shows it beside the broadcasts, rows 1 and 2 count the reports."""
    with ctx.sessions.begin() as session:
        office = Place(name="大安區龍安里辦公處", kind="village_office", district="大安區")
        session.add(office)
        session.flush()
        forum = FieldActivity(
            kind="forum", held_on=date(2026, 11, 3), place_id=office.id, topic="河川疏濬",
            theme="dredging", participants=30, promotion=True, created_by="test",
            materials=[{"name": "反貪宣導摺頁", "quantity": 50}, {"name": "", "quantity": 9}],
        )  # fmt: skip
        visit = FieldActivity(
            kind="visit", held_on=date(2026, 10, 27), venue="龍安國小", topic="校園廉政宣導",
            participants=0, promotion=True, created_by="test",
        )  # fmt: skip
        not_promotion = FieldActivity(
            kind="interview", held_on=date(2026, 11, 4), topic="里長晤談", created_by="test"
        )
        next_period = FieldActivity(
            kind="briefing", held_on=date(2026, 11, 9), topic="下期說明會", promotion=True,
            created_by="test",
        )  # fmt: skip
        session.add_all([forum, visit, not_promotion, next_period])
        session.flush()
        at = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
        session.add_all(
            [
                _case("1151103-0001", "need", at, "堤防旁路燈不亮。", sub_item="need-2",
                      theme="dredging", activity_id=forum.id, channel="meeting"),
                _case("1151103-0002", "reform", at, "建議疏濬工程公開招標資訊。",
                      sub_item="reform-1", activity_id=forum.id, channel="meeting"),
                _case("1151103-0003", "tip", at, "某承包商圍標。", confidential=True,
                      activity_id=forum.id, channel="meeting"),
            ]
        )  # fmt: skip
    data = build(ctx).to_json()
    need, reform, promotion = (data["rows"][key] for key in ("need", "reform", "promotion"))
    assert need["count"] == 5 and reform["count"] == 3
    assert (
        need["summaries"][0]
        == "（二）公共設施欠缺或設置管理不當3案：地方工程1案、河川疏濬1案；大安區1案。"
    )
    assert promotion["count"] == 4  # two activities and two broadcasts
    assert promotion["summaries"] == [
        "1. 115年10月27日於龍安國小親往拜會（校園廉政宣導）。",
        "2. 115年11月3日於大安區龍安里辦公處舉辦小型座談（河川疏濬），參加30人，"
        "發放反貪宣導摺頁50份。",
        "3. 115年10月28日以LINE發送「反賄選有獎徵答」（全部追蹤者）。",
        "4. 115年11月1日以LINE發送「廉政志工招募」（依區／村里）。",
    ]
    assert promotion["handling"][0] == (
        "辦理宣導活動2場，參加計30人次，發放宣導品計50份；現場受理民眾反映2案，"
        "已分別列入民情需求事項或施政興革反映列管。"
    )
    assert "圍標" not in str(data) and "檢舉" not in str(data)


# ---------------------------------------------------------------- the API


def test_the_api_gives_the_same_report_to_every_role(
    app: Any, ctx: Context, seeded: Any, tmp_path: Path
) -> None:
    client = app.test_client()
    answers = []
    for role, ethics in (("admin", True), ("viewer", False)):
        headers = api_token(ctx, staff(ctx, f"api-{role}", role, ethics=ethics))
        response = client.get(
            "/api/v1/reports/biweekly?from=2026-10-26&to=2026-11-08", headers=headers
        )
        assert response.status_code == 200
        answers.append(response.get_json())
    assert answers[0] == answers[1] == build(ctx).to_json()
    assert TIP_NUMBER not in str(answers[0]) and TIP_TEXT not in str(answers[0])

    files = {
        "ods": biweekly_files.MEDIA_TYPES["ods"],
        "xlsx": biweekly_files.MEDIA_TYPES["xlsx"],
        "csv": "text/csv; charset=utf-8",
    }
    for extension, media_type in files.items():
        response = client.get(
            f"/api/v1/reports/biweekly?from=2026-10-26&to=2026-11-08&format={extension}",
            headers=headers,
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"] == media_type
        assert response.headers["Content-Disposition"] == biweekly_files.content_disposition(
            build(ctx), extension
        )
    path = tmp_path / "api.ods"
    ods = client.get(
        "/api/v1/reports/biweekly?from=2026-10-26&to=2026-11-08&format=ods", headers=headers
    )
    path.write_bytes(ods.get_data())
    rows = pyexcel_ods3.get_data(str(path))["工作成果彙報表"]
    assert rows[4][2].endswith("（計4案）。")


def test_the_api_defaults_to_the_last_period_and_refuses_bad_ranges(app: Any, ctx: Context) -> None:
    client = app.test_client()
    headers = api_token(ctx, staff(ctx, "api-officer", "officer"))
    with ctx.sessions() as session:
        anchor = report_periods.anchor_from_setting(content.get(session, "report_anchor_date"))
    expected = report_periods.default_period(taipei_today(), anchor)
    body = client.get("/api/v1/reports/biweekly", headers=headers).get_json()
    assert (body["period"]["from"], body["period"]["to"]) == tuple(d.isoformat() for d in expected)
    for query, words in [
        ("from=2026-11-08&to=2026-10-26", "起日不得晚於迄日"),
        ("from=2026-11-08", "請輸入統計期間迄日"),
        ("from=2026-13-01&to=2026-12-01", "格式不正確"),
        ("format=pdf", "須為下列之一"),
        ("period=last", "不支援的查詢參數"),
    ]:
        response = client.get(f"/api/v1/reports/biweekly?{query}", headers=headers)
        assert response.status_code == 400, query
        error = response.get_json()["error"]
        assert error["code"] == "invalid_query" and words in error["message"], (query, error)
