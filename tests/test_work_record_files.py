"""附件1 工作紀錄表 as ODT and PDF: per case, a period's batch, masking, tips, the PDF engine."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree

import pytest
from odf import teletype
from odf.opendocument import load as load_odf
from odf.table import Table
from odf.text import P
from pypdf import PdfReader
from sqlalchemy import select

from lianping import rocdate
from lianping.context import Context
from lianping.reports import pdf
from lianping.reports.biweekly_model import BiweeklyReport, ReportRow
from lianping.reports.work_record import WorkRecord
from lianping.services import content
from lianping.storage.models import Case, User
from tests.admin_support import staff
from tests.test_admin_pages import (
    ADDRESS,
    DESCRIPTION,
    NAME,
    Staff,
    line_case,
    personal_case,
    reveals,
)

ODT = "application/vnd.oasis.opendocument.text"


@pytest.fixture
def officer(app: Any, ctx: Context) -> Staff:
    return Staff(app, ctx, staff(ctx, "officer", "officer"))


def odt_paragraphs(data: bytes) -> list[str]:
    """Every paragraph's text, read back with odfpy."""
    document = load_odf(io.BytesIO(data))
    return [teletype.extractText(p) for p in document.getElementsByType(P)]


def odt_tables(data: bytes) -> int:
    return len(load_odf(io.BytesIO(data)).getElementsByType(Table))


def pdf_text(data: bytes) -> list[str]:
    """Each page's text, extracted with pypdf (whitespace removed: CJK has no word gaps).

    pypdf reads the two-byte codes of fpdf2's embedded identity CMap as a NUL and a
    character (poppler's pdftotext does not); the NULs are dropped.
    """
    pages = PdfReader(io.BytesIO(data)).pages
    return [re.sub(r"[\s\x00]+", "", page.extract_text()) for page in pages]


def today() -> date:
    return rocdate.taipei_today()


def assign_to_officer(ctx: Context, *numbers: str) -> None:
    """Give the cases to the ``officer`` fixture's user: need-to-know follows assignment."""
    with ctx.sessions.begin() as session:
        officer_id = session.scalar(select(User.id).where(User.username == "officer"))
        for case in session.scalars(select(Case).where(Case.number.in_(numbers))):
            case.officer_id = officer_id


def fill_staff_side(ctx: Context, number: str) -> None:
    assign_to_officer(ctx, number)
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        case.handling_opinion = "已函請工務局修復。\n並回復反映者。"
        case.recorder = "陳承辦"
        case.signing_agency = "臺北市政府工務局"


def test_odt_of_a_case_is_the_form_with_personal_data_for_an_officer(
    ctx: Context, officer: Staff
) -> None:
    with ctx.sessions.begin() as session:
        content.put(session, "agency_name", "臺北市政府政風處", by="test")
    number = personal_case(ctx, "Uodt", theme="works")
    fill_staff_side(ctx, number)
    response = officer.get(f"/admin/cases/{number}/record.odt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == ODT
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="work-record-')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"工作紀錄表_{number}.odt"
    data = response.get_data()
    # ODF: ``mimetype`` is the first entry, stored, so the file is recognised by its start.
    with zipfile.ZipFile(io.BytesIO(data)) as odt:
        first = odt.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert odt.read("mimetype") == ODT.encode()
    assert data[30:38] == b"mimetype" and data[38 : 38 + len(ODT)] == ODT.encode()
    text = odt_paragraphs(data)
    with ctx.sessions() as session:
        created = session.scalars(select(Case.created_at)).one()
    # The form's title line: the agency's name (no fill-in brackets), then the date.
    assert f"臺北市政府政風處村里廉政平臺工作紀錄表    {rocdate.roc_date(created)}" in text
    assert not any("（臺北市政府政風處）" in paragraph for paragraph in text)
    for label in ("反映者姓名", "職業", "聯絡電話", "聯絡地址", "處　理　意　見", "簽　辦　機　關"):
        assert label in text, label
    assert "紀　錄　人（簽名）" in text and "內容概述" in text
    assert NAME in text and "教師" in text and "0912-345-678" in text and ADDRESS in text
    assert "■民情需求事項　　□施政興革反映" in text
    # Only the form's lines: no 案件編號／受理管道, 細項 or 主題 unless the agency turns them on.
    assert not any(word in "".join(text) for word in ("案件編號", "受理管道", "細項：", "主題："))
    assert DESCRIPTION in text
    assert "已函請工務局修復。" in text and "並回復反映者。" in text  # one paragraph per line
    assert "陳承辦" in text and "臺北市政府工務局" in text
    assert "【註】「宣揚反貪倡廉資訊」免記載於本紀錄表。" in text
    [entry] = reveals(ctx, number)  # a full record is a reveal, logged like the print view's
    assert entry.actor == "officer"


def test_a_viewer_gets_the_record_masked_and_nothing_is_logged(app: Any, ctx: Context) -> None:
    viewer = Staff(app, ctx, staff(ctx, "viewer", "viewer"))
    number = personal_case(ctx, "Uviewer")
    for fmt in ("odt", "pdf"):
        response = viewer.get(f"/admin/cases/{number}/record.{fmt}")
        assert response.status_code == 200, fmt
        data = response.get_data()
        text = "".join(odt_paragraphs(data) if fmt == "odt" else pdf_text(data))
        assert "王○明" in text and "******5678" in text and "臺北市中正區＊＊＊" in text
        assert NAME not in text and "重慶南路" not in text
    assert reveals(ctx, number) == []


def test_an_anonymous_case_says_so_and_reveals_nothing(ctx: Context, officer: Staff) -> None:
    number = line_case(ctx, "Uanon", anonymous=True, nature="reform", sub_item="reform-2")
    text = odt_paragraphs(officer.get(f"/admin/cases/{number}/record.odt").get_data())
    assert "匿名" in text and "□民情需求事項　　■施政興革反映" in text
    assert reveals(ctx, number) == []


def test_a_tip_never_has_a_record(app: Any, ctx: Context, officer: Staff) -> None:
    number = line_case(
        ctx, "Utip", nature="tip", sub_item=None, description="疑似收賄。", name=NAME
    )
    for fmt in ("odt", "pdf"):
        refused = officer.get(f"/admin/cases/{number}/record.{fmt}")
        assert refused.status_code == 404  # not even told that it exists
        assert "疑似收賄" not in refused.get_data(as_text=True)
    ethics_user = staff(ctx, "ethics", "officer", ethics=True)
    ethics = Staff(app, ctx, ethics_user)
    with ctx.sessions.begin() as session:
        session.scalars(select(Case).where(Case.number == number)).one().officer_id = ethics_user.id
    # Its own officer is refused too, in words: the reporter's identity is never on 附件1.
    for fmt in ("odt", "pdf"):
        refused = ethics.get(f"/admin/cases/{number}/record.{fmt}")
        text = refused.get_data(as_text=True)
        assert refused.status_code == 403 and "不製作工作紀錄表" in text, fmt
        assert NAME not in text and "疑似收賄" not in text
    assert reveals(ctx, number) == []


def test_unknown_case_is_404(officer: Staff) -> None:
    assert officer.get("/admin/cases/1150101-9999/record.odt").status_code == 404
    assert officer.get("/admin/cases/1150101-9999/record.pdf").status_code == 404


def test_an_unknown_format_is_404(ctx: Context, officer: Staff) -> None:
    number = personal_case(ctx, "Ufmt")
    assert officer.get(f"/admin/cases/{number}/record.docx").status_code == 404
    assert officer.get("/admin/records/batch.docx?date_from=2026-11-01").status_code == 404
    assert reveals(ctx, number) == []


def test_citizen_text_is_escaped_and_control_characters_dropped(
    ctx: Context, officer: Staff
) -> None:
    hostile = '<text:p>注入</text:p> & "引號" \x07鈴\x1b'
    number = line_case(ctx, "Uxml", description=hostile + "\n第二行\t  三個空白")
    data = officer.get(f"/admin/cases/{number}/record.odt").get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as odt:
        ElementTree.fromstring(odt.read("content.xml"))  # well-formed XML
    text = odt_paragraphs(data)
    assert '<text:p>注入</text:p> & "引號" 鈴' in text
    assert "第二行\t  三個空白" in text  # tabs and runs of spaces survive


def test_pdf_of_a_case_has_the_form_text(ctx: Context, officer: Staff) -> None:
    number = personal_case(ctx, "Updf")
    fill_staff_side(ctx, number)
    response = officer.get(f"/admin/cases/{number}/record.pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF-")
    [page] = pdf_text(data)
    for words in (
        "村里廉政平臺工作紀錄表",
        "反映者姓名",
        "聯絡地址",
        "民情需求事項",
        "施政興革反映",
        "處理意見",
        "紀錄人（簽名）",
        "簽辦機關",
        NAME,
        "0912-345-678",
        ADDRESS,
        DESCRIPTION,
        "已函請工務局修復。",
        "陳承辦",
        "【註】「宣揚反貪倡廉資訊」免記載於本紀錄表。",
    ):
        assert words in page, words
    assert len(reveals(ctx, number)) == 1


def _record(**changes: Any) -> WorkRecord:
    values: dict[str, Any] = {
        "number": "1151121-0001",
        "agency": "臺北市政府政風處",
        "recorded_on": date(2026, 11, 21),
        "channel": "LINE",
        "reporter_name": "王堃喆",  # 堃 and 喆 are outside Big5: the subset has them too
        "occupation": "",
        "phone": "",
        "address": "",
        "nature": "need",
        "sub_item": "",
        "theme": "",
        "description": "路燈壞了",
        "opinion": "",
        "recorder": "",
        "signing_agency": "",
        "revealed": True,
    }
    return WorkRecord(**{**values, **changes})


def test_pdf_draws_emoji_and_a_mark_for_a_character_no_font_has() -> None:
    assert pdf.printable("王小明") == "王小明"
    # Emoji are drawn (their joiners and variation selectors left out); controls dropped.
    assert pdf.printable("燈😀壞\x07\r\n了👍🏻❤️") == "燈😀壞\n了👍❤"
    # U+2EBF0 (CJK Extension I) is in neither font; 𠀋 (Extension B) is in the CJK subset.
    [page] = pdf_text(pdf.work_records_pdf([_record(description="燈😀壞了\U0002ebf0𠀋")]))
    assert "王堃喆" in page and "燈😀壞了〓𠀋" in page and "115年11月21日" in page


def test_pdf_continues_a_long_text_on_the_next_page() -> None:
    long_text = "\n".join(f"第{n}行反映內容" for n in range(1, 121))
    pages = pdf_text(pdf.work_records_pdf([_record(description=long_text)]))
    assert len(pages) >= 3
    joined = "".join(pages)
    assert "第1行反映內容" in pages[0] and "第120行反映內容" in joined
    assert "（續）" in joined
    assert joined.index("第119行") < joined.index("第120行")


def test_biweekly_pdf_is_laid_out_like_form_2() -> None:
    report = BiweeklyReport(
        "臺北市政府政風處",
        date(2026, 11, 9),
        date(2026, 11, 22),
        (
            ReportRow("need", 2, ("民生路路燈不亮", "排水溝堵塞"), ("已簽會工務局並回復民眾。",)),
            ReportRow("reform", 1, ("建議公開里鄰經費",), ("函請民政局參處。",)),
            ReportRow("promotion", 1, ("LINE推播反賄選宣導",), ("已推播予追蹤者。",)),
        ),
    )
    data = pdf.biweekly_pdf(report)
    assert data.startswith(b"%PDF-")
    [page] = pdf_text(data)
    for words in (
        "臺北市政府政風處115年11月辦理村里廉政平臺工作成果彙報表",
        "資料統計期間：115年11月9-22日",
        "項次",
        "實施方式",
        "內容摘要",
        "處理意見",
        "民情需求事項",
        "（附件2）",
        "民生路路燈不亮排水溝堵塞（計2案）。",
        "施政興革反映",
        "函請民政局參處。",
        "反貪倡廉宣導",
        "LINE推播反賄選宣導",
        "【註】",
    ):
        assert words in page, words


def test_a_period_batch_is_one_file_with_a_page_per_case(
    app: Any, ctx: Context, officer: Staff
) -> None:
    numbers = [personal_case(ctx, f"Ubatch{n}") for n in range(3)]
    assign_to_officer(ctx, *numbers)
    tip = line_case(ctx, "Ubatchtip", nature="tip", sub_item=None, description="檢舉內容")
    day = today().isoformat()
    form = officer.get("/admin/records")
    assert form.status_code == 200 and "工作紀錄表批次下載" in form.get_data(as_text=True)
    response = officer.get(f"/admin/records/batch.odt?date_from={day}&date_to={day}")
    assert response.status_code == 200 and response.headers["Content-Type"] == ODT
    data = response.get_data()
    assert odt_tables(data) == 3  # a tip is never on 附件1
    text = "\n".join(odt_paragraphs(data))
    assert text.count(NAME) == 3 and tip not in text
    # The form has no case number line (the agency may turn it on: work_record_extras).
    assert not any(number in text for number in numbers)
    with zipfile.ZipFile(io.BytesIO(data)) as odt:
        assert (
            odt.read("content.xml").count(b'text:style-name="AttachmentBreak"') == 2
        )  # a page per record
    assert all(len(reveals(ctx, number)) == 1 for number in numbers)
    pages = pdf_text(officer.get(f"/admin/records/batch.pdf?date_from={day}&date_to={day}").data)
    assert len(pages) == 3 and all(NAME in page for page in pages)
    head = staff(ctx, "ethics", "officer", ethics=True)
    head.head_of_ethics = True  # opens every tip (logging in stores the account), yet:
    batch = Staff(app, ctx, head).get(f"/admin/records/batch.odt?date_from={day}&date_to={day}")
    assert odt_tables(batch.get_data()) == 3 and tip not in "\n".join(
        odt_paragraphs(batch.get_data())
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-11-22&date_to=2026-11-09", "起日不得晚於迄日"),
        ("date_from=昨天&date_to=2026-11-09", "起日格式不正確"),
        ("date_from=2020-01-01&date_to=2026-01-01", "期間最長為366日"),
        ("date_from=9999-06-01&date_to=9999-12-31", "西元2999年12月31日之間"),
        ("date_from=2020-01-01&date_to=2020-01-14", "此期間沒有案件"),
    ],
)
def test_a_bad_period_is_refused_in_words(
    ctx: Context, officer: Staff, query: str, message: str
) -> None:
    number = personal_case(ctx, "Ubad")
    response = officer.get(f"/admin/records/batch.pdf?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert reveals(ctx, number) == []


def test_the_case_page_and_print_view_link_the_files(ctx: Context, officer: Staff) -> None:
    number = line_case(ctx, "Ulinks")
    for url in (f"/admin/cases/{number}", f"/admin/cases/{number}/print"):
        html = officer.get(url).get_data(as_text=True)
        assert f"/admin/cases/{number}/record.odt" in html and "下載 ODT" in html
        assert f"/admin/cases/{number}/record.pdf" in html and "下載 PDF" in html


def test_period_defaults_to_the_last_complete_report_period(ctx: Context, officer: Staff) -> None:
    # A period starts today: the last complete one is the fortnight before it.
    with ctx.sessions.begin() as session:
        content.put(session, "report_anchor_date", (today() - timedelta(days=28)).isoformat(), None)
    html = officer.get("/admin/records").get_data(as_text=True)
    assert f'value="{(today() - timedelta(days=14)).isoformat()}"' in html
    assert f'value="{(today() - timedelta(days=1)).isoformat()}"' in html


# -- 附件1 exactly as seed 004's form, in every format (a test per deviation fixed) ----------


def _three_formats(officer: Staff, number: str) -> dict[str, str]:
    """The record's text as the print view, the ODT and the PDF give it."""
    html = officer.get(f"/admin/cases/{number}/print").get_data(as_text=True)
    odt = "\n".join(odt_paragraphs(officer.get(f"/admin/cases/{number}/record.odt").get_data()))
    [page] = pdf_text(officer.get(f"/admin/cases/{number}/record.pdf").get_data())
    return {"print": html, "odt": odt, "pdf": page}


def test_the_title_line_is_the_agency_without_brackets_and_then_the_date(
    ctx: Context, officer: Staff
) -> None:
    """The form's 「（政風機構全銜）」 marks a fill-in; its 「年 月 日」 is on the title line."""
    with ctx.sessions.begin() as session:
        content.put(session, "agency_name", "臺北市政府政風處", by="test")
    number = line_case(ctx, "Utitle")
    with ctx.sessions() as session:
        when = rocdate.roc_date(session.scalars(select(Case.created_at)).one())
    found = _three_formats(officer, number)
    assert (
        f'<h1 class="form-title">臺北市政府政風處村里廉政平臺工作紀錄表'
        f'<span class="form-date">{when}</span></h1>'
    ) in found["print"]
    assert f"臺北市政府政風處村里廉政平臺工作紀錄表    {when}" in found["odt"].split("\n")
    assert f"臺北市政府政風處村里廉政平臺工作紀錄表{when}" in found["pdf"]
    for text in found.values():
        assert "（臺北市政府政風處）" not in text
    # In the PDF the date sits on the title's baseline, to its right.
    from tests.test_report_pdfs import drawn_lines

    data = officer.get(f"/admin/cases/{number}/record.pdf").get_data()
    [title] = [line for _, line in drawn_lines(data, (0.0,)) if "工作紀錄表" in line.text]
    assert title.text.endswith(when)


def test_the_nature_line_is_the_forms_two_boxes_in_every_format(
    ctx: Context, officer: Staff
) -> None:
    """□ (U+25A1, the form's box) and ■ when checked; the same glyphs everywhere, no third box."""
    number = line_case(ctx, "Uboxes", nature="reform", sub_item="reform-1")
    for fmt, text in _three_formats(officer, number).items():
        flat = re.sub(r"<[^>]+>|\s", "", text)
        assert "□民情需求事項" in flat and "■施政興革反映" in flat, fmt
        for other in ("☐", "☑", "☒", "貪瀆", "檢舉"):
            assert other not in flat, (fmt, other)


def test_the_pdf_font_has_the_forms_box_glyphs() -> None:
    """The PDF draws □ and ■ as text, so its font subset must have them (not 〓)."""
    assert {ord("□"), ord("■")} <= pdf.font_codepoints()
    [page] = pdf_text(pdf.work_records_pdf([_record(nature="reform")]))
    assert "□民情需求事項■施政興革反映" in page and "〓" not in page


def test_lines_the_form_lacks_only_where_the_agency_turns_them_on(
    ctx: Context, officer: Staff
) -> None:
    """案件編號／受理管道, 細項／主題 and the 列印 footer are not on seed 004's form."""
    number = line_case(ctx, "Uextras", theme="works")
    extras = ("案件編號", "受理管道", "細項：", "主題：地方工程")
    for fmt, text in _three_formats(officer, number).items():
        for word in (*extras, "列印：officer"):
            assert word not in re.sub(r"\s", "", text), (fmt, word)
    with ctx.sessions.begin() as session:
        content.put(session, "work_record_extras", True, by="test")
    found = _three_formats(officer, number)
    for fmt, text in found.items():
        for word in extras:
            assert word in re.sub(r"\s", "", text), (fmt, word)
        assert number in text, fmt
    assert "列印：officer" in found["print"]


def test_the_settings_page_turns_the_extra_lines_on_and_refuses_anything_else(
    app: Any, ctx: Context
) -> None:
    admin = Staff(app, ctx, staff(ctx, "admin", "admin"))
    page = admin.get("/admin/settings/texts").get_data(as_text=True)
    assert 'id="value-work_record_extras"' in page and "工作紀錄表附加欄位" in page
    refused = admin.post("/admin/settings/texts/work_record_extras", {"value": "yes"})
    assert refused.status_code == 400
    assert "請選擇工作紀錄表附加欄位是否列印" in refused.get_data(as_text=True)
    with ctx.sessions() as session:
        assert content.get(session, "work_record_extras") is False
    assert (
        admin.post("/admin/settings/texts/work_record_extras", {"value": "on"}).status_code == 302
    )
    with ctx.sessions() as session:
        assert content.get(session, "work_record_extras") is True


def test_the_attachment_mark_sits_at_the_right_as_on_the_form(ctx: Context, officer: Staff) -> None:
    """Seed 004 sets 「（附件1）」 at the right above the title (附件2's stays at the left)."""
    number = line_case(ctx, "Umark")
    css = officer.get("/admin/static/print.css").get_data(as_text=True)
    assert ".attachment { margin: 0 0 2mm; font-size: 11pt; text-align: right; }" in css
    html = officer.get(f"/admin/cases/{number}/print").get_data(as_text=True)
    assert '<p class="attachment">（附件1）</p>' in html
    odt = officer.get(f"/admin/cases/{number}/record.odt").get_data()
    with zipfile.ZipFile(io.BytesIO(odt)) as archive:
        content_xml = archive.read("content.xml").decode()
    style = re.search(r'<style:style style:name="Attachment".*?</style:style>', content_xml)
    assert style is not None and 'fo:text-align="end"' in style.group()
    from tests.test_report_pdfs import drawn_lines

    data = officer.get(f"/admin/cases/{number}/record.pdf").get_data()
    [mark] = [line for _, line in drawn_lines(data, (0.0,)) if line.text == "（附件1）"]
    assert mark.x > 170  # mm: at the right margin (194 mm), not the left (16 mm)
