"""The PDF forms on realistic data, read back with pypdf line by line.

附件2 of a real two-week period and of a whole year of ``seed-demo`` data must download,
flow over as many pages as their text needs with the header row on each, start the
first row on page 1 and lose nothing; a 附件1 with emoji, a phone and punctuation-heavy
text must set no line that starts with closing punctuation nor one that holds a lone
mark. Lines are read with their positions, so each column's text is checked on its own.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import NameObject, StreamObject

from lianping.bot.conversation.phone import display_phone
from lianping.context import Context
from lianping.reports import biweekly, linebreak, pdf
from lianping.reports.biweekly_model import BiweeklyReport, ReportRow
from lianping.reports.work_record import WorkRecord
from lianping.rocdate import taipei_today
from lianping_dev import demo
from tests.admin_support import logged_in, staff

MM_PER_PT = 25.4 / 72
HEADS = ("項次", "實施方式", "內容摘要", "處理意見")
CLOSING = "，。、；：？！）」』】〉》…"
OPENING = "（「『【〈《"


@dataclass(frozen=True)
class Line:
    """One line of text as drawn: its page (from 0), left edge and baseline (mm from the top)."""

    page: int
    x: float
    y: float
    text: str


def read_pdf(data: bytes) -> PdfReader:
    """The PDF opened with pypdf, its CJK font's codes read as the two bytes they are.

    fpdf2 gives an OpenType (CFF) font an embedded CMap as its /Encoding, two-byte codes
    (codespace <0000>-<FFFF>) mapped to glyphs; pypdf reads any embedded /Encoding as a
    one-byte one, which garbles every code past 255. Text extraction needs only the code
    width and the /ToUnicode map, so the reader is told /Identity-H, the two-byte CMap.
    """
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if isinstance(font.get("/Encoding", NameObject()).get_object(), StreamObject):
                font[NameObject("/Encoding")] = NameObject("/Identity-H")
    return reader


def drawn_lines(data: bytes, columns: tuple[float, ...]) -> list[tuple[int, Line]]:
    """Every drawn line with the column it lies in (0-based, by the ``columns``' left edges in mm),
    top to bottom on each page; pieces of one line in one column (a fallback font's) are joined."""
    found: dict[tuple[int, float, int], list[tuple[float, str]]] = defaultdict(list)
    for number, page in enumerate(read_pdf(data).pages):

        def visit(
            text: str,
            cm: Any,
            tm: Any,
            font: Any,
            size: Any,
            number: int = number,
            height: float = float(page.mediabox.height),
        ) -> None:
            if not text.strip():
                return
            x, y = tm[4] * MM_PER_PT, (height - tm[5]) * MM_PER_PT
            column = sum(1 for edge in columns if x >= edge - 0.01) - 1
            found[(number, round(y, 1), column)].append((x, text))

        page.extract_text(visitor_text=visit)
    # Pieces in the order they are drawn: a fallback font's piece may carry its line's x.
    lines = [
        (column, Line(page, pieces[0][0], y, "".join(t for _, t in pieces).strip()))
        for (page, y, column), pieces in found.items()
    ]
    return sorted(lines, key=lambda item: (item[1].page, item[1].y, item[1].x))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def as_drawn(text: str) -> str:
    """Text as the PDF holds it: without whitespace, nor the marks that only join emoji."""
    return "".join(ch for ch in squeeze(text) if ord(ch) not in pdf.INVISIBLE)


def column_text(lines: list[tuple[int, Line]], column: int, skip: tuple[str, ...] = ()) -> str:
    """A column's text from the first page to the last, whitespace removed, ``skip`` lines out."""
    return "".join(squeeze(line.text) for c, line in lines if c == column and line.text not in skip)


def assert_well_set(lines: list[tuple[int, Line]]) -> None:
    """No line starts with closing punctuation, ends with opening, or is one mark alone."""
    for _, line in lines:
        text = line.text.strip()
        assert text[0] not in CLOSING, line
        assert text[-1] not in OPENING, line
        assert len(text) > 1 or text not in CLOSING + OPENING, line


# -- 附件2 on the demo data --------------------------------------------------------------------

REPORT_EDGES = tuple(
    pdf.MARGIN_MM["left"] + sum(pdf.REPORT_COLUMNS[:n]) for n in range(len(pdf.REPORT_COLUMNS))
)


def check_biweekly_pdf(data: bytes, report: BiweeklyReport) -> int:
    """The PDF holds the report, every cell's text in order: returns its number of pages."""
    assert data.startswith(b"%PDF-")
    pages = len(read_pdf(data).pages)
    lines = drawn_lines(data, REPORT_EDGES)
    # The table: from the header row on each page down to the form's note on the last.
    heads = {line.page: line.y for c, line in lines if line.text == HEADS[0]}
    [note] = [line for c, line in lines if line.text.startswith("【註】")]
    in_table = [
        (c, line)
        for c, line in lines
        if line.y >= heads.get(line.page, math.inf) - 0.5
        and (line.page, line.y) < (note.page, note.y)
    ]
    # The header row tops the table on every page.
    for page in range(pages):
        heads = [line for c, line in in_table if line.page == page and line.text in HEADS]
        assert [line.text for line in heads] == list(HEADS), page
    # The form's note follows the table's end on its page, never alone on a page of its own.
    assert any(line.page == note.page and line.text not in HEADS for c, line in in_table)
    # The first row starts on page 1, right under the header.
    first_number = next(line for c, line in in_table if c == 0 and line.text == "1")
    assert first_number.page == 0
    first_summary = next(line for c, line in in_table if c == 2 and line.text not in HEADS)
    first_text = as_drawn(report.rows[0].summary_text)
    assert first_summary.page == 0 and first_text.startswith(as_drawn(first_summary.text))
    # The form's 「（附件2）」 above the title, on the first page.
    assert any(line.page == 0 and line.text == "（附件2）" for _, line in lines)
    # Nothing lost, nothing twice, in order: each column read down the pages is the report's.
    summaries = "".join(as_drawn(row.summary_text) for row in report.rows)
    handling = "".join(as_drawn(row.handling_text) for row in report.rows)
    assert column_text(in_table, 2, HEADS) == summaries
    assert column_text(in_table, 3, HEADS) == handling
    # 實施方式 names each row once, and again with （續） on each page it goes on to.
    titles = [line.text for c, line in in_table if c == 1 and line.text not in HEADS]
    named = list(dict.fromkeys(title for title in titles if title != "（續）"))
    assert named == [row.title for row in report.rows]
    assert len(titles) == len(report.rows) + 2 * titles.count("（續）")
    assert_well_set([(c, line) for c, line in in_table if c >= 2])
    return pages


def test_biweekly_pdf_of_a_real_period_and_of_a_year_of_demo_data(app: Any, ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        seeded = demo.seed(session, 2000, password="demo-password-1", now=datetime.now(UTC))
    assert seeded.cases == 2000
    client, _ = logged_in(app, ctx, staff(ctx, "pdf-viewer", "viewer"))
    today = taipei_today()
    periods: list[dict[str, str]] = [
        {},  # the page's default: the last complete two weeks
        {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()},
    ]
    for query in periods:
        response = client.get("/admin/reports/biweekly/pdf", query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert response.headers["Content-Type"] == "application/pdf"
        period = response.headers["Content-Disposition"].split("biweekly-report-")[1][:17]
        start, end = (datetime.strptime(day, "%Y%m%d").date() for day in period.split("-"))
        with ctx.sessions() as session:
            report = biweekly.build(session, start, end)
        # A real period: many cases, told in a line per sub-item (the officer's summary).
        assert report.rows[0].count > 10 and 2 <= len(report.rows[0].summaries) <= 5
        assert check_biweekly_pdf(response.get_data(), report) >= 1


def _report(summaries: tuple[str, ...], handling: tuple[str, ...]) -> BiweeklyReport:
    return BiweeklyReport(
        "臺北市政府政風處",
        date(2026, 11, 9),
        date(2026, 11, 22),
        (
            ReportRow("need", len(summaries), summaries, handling),
            ReportRow("reform", 1, ("建議公開里鄰經費（含工程明細）：請於里辦公處公告。",), ()),
            ReportRow("promotion", 0, (), ("本期未以LINE官方帳號發送宣導訊息。",)),
        ),
    )


def test_any_amount_of_text_flows_over_pages() -> None:
    lines = tuple(
        f"1151110-{n:04d}（115年11月10日，道路）：路面坑洞，機車騎士險些摔倒。" for n in range(400)
    )
    endless = "反映" * 3000  # one line with no break in it, longer than a page
    report = _report((*lines, endless), ("已函請工務局（養護工程處）：儘速修復。" * 120,))
    pages = check_biweekly_pdf(pdf.biweekly_pdf(report), report)
    assert pages > 10


def test_a_short_row_after_a_long_one_fills_the_page_it_can() -> None:
    report = _report(("路燈不亮。",), ("已回覆反映者1案。",))
    data = pdf.biweekly_pdf(report)
    assert check_biweekly_pdf(data, report) == 1


# -- 附件1: emoji, phones, punctuation ---------------------------------------------------------

RECORD_EDGES = (
    pdf.MARGIN_MM["left"],
    pdf.MARGIN_MM["left"] + pdf.RECORD_COLUMNS[0],
)
PUNCTUATED = (
    "里長（代理）：您好，路燈壞了😀！請問（何時）：修復？「謝謝」、（急）；"
    "民生路（二段）：水溝蓋（破損）：已三週，👍🙏請儘速處理。" * 6
)


def _record(**changes: Any) -> WorkRecord:
    values: dict[str, Any] = {
        "number": "1151121-0001",
        "agency": "臺北市政府政風處",
        "recorded_on": date(2026, 11, 21),
        "channel": "LINE",
        "reporter_name": "王小明",
        "occupation": "教師",
        "phone": display_phone("+886912345678"),
        "address": "臺北市中正區重慶南路一段122號",
        "nature": "need",
        "sub_item": "",
        "theme": "",
        "description": PUNCTUATED,
        "opinion": "已函請工務局（養護工程處）：儘速修復，並回復反映者。",
        "recorder": "陳承辦",
        "signing_agency": "臺北市政府工務局",
        "revealed": True,
    }
    return WorkRecord(**{**values, **changes})


def test_a_record_prints_emoji_and_the_phone_as_written() -> None:
    data = pdf.work_records_pdf([_record()])
    lines = drawn_lines(data, RECORD_EDGES)
    text = "".join(squeeze(line.text) for _, line in lines)
    assert "〓" not in text
    assert "0912-345-678" in text
    assert column_text(lines, 1).count("路燈壞了😀！") == 6
    assert "👍🙏請儘速處理。" in column_text(lines, 1)


def test_no_line_of_a_record_starts_with_closing_punctuation_or_holds_one_mark() -> None:
    for extra in range(0, 24):
        record = _record(description="路" * extra + PUNCTUATED, opinion="意" * extra + PUNCTUATED)
        lines = drawn_lines(pdf.work_records_pdf([record]), RECORD_EDGES)
        body = [(c, line) for c, line in lines if c == 1]
        assert_well_set(body)
        assert column_text(body, 1).count(squeeze(PUNCTUATED)) == 2


def test_one_phone_rule_for_forms_and_pdfs() -> None:
    assert display_phone("+886912345678") == "0912-345-678"
    assert display_phone("+886223811234") == "02-2381-1234"
    assert display_phone("0922123456") == "0922-123-456"  # typed at manual intake
    assert display_phone("******5678") == "******5678"  # masked: as it is
    assert display_phone(None) == ""


# -- the line breaker --------------------------------------------------------------------------


def _width(text: str) -> float:
    """A stand-in for the font: full-width characters 1, ASCII 0.5."""
    return sum(0.5 if ord(ch) < 0x80 else 1.0 for ch in text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="路燈壞了請修復ab1-" + CLOSING + OPENING + "\n", max_size=120),
    st.integers(min_value=2, max_value=30),
)
def test_lines_keep_every_character_and_the_punctuation_rules(text: str, width: int) -> None:
    lines = linebreak.break_lines(text, width, _width)
    assert "".join(lines) == text.replace("\n", "")
    assert len(lines) >= text.count("\n") + 1  # the writer's own line breaks are kept
    for paragraph in text.split("\n"):
        wrapped = linebreak.break_lines(paragraph, width, _width)
        for line in wrapped:
            assert _width(line) <= width or len(line) == 1
        for before, line in itertools.pairwise(wrapped):
            if line[0] in CLOSING or before[-1] in OPENING:
                # Only where the rules leave no break at all: the line and the mark do not fit.
                assert _width(before + line[0]) > width, (before, line)


def test_a_closing_bracket_stays_with_the_colon_after_it() -> None:
    text = "路燈壞了（急件）：請修復"
    for width in range(3, 12):
        for line in linebreak.break_lines(text, width, _width):
            assert not line.startswith(("）", "：")), (width, line)


def test_a_wrap_at_a_space_keeps_the_marks_beside_it() -> None:
    text = "路燈壞了 。請修復「 急件」"
    for width in range(3, 10):
        lines = linebreak.break_lines(text, width, _width)
        assert squeeze("".join(lines)) == squeeze(text)
        for line in lines:
            assert line == line.strip() and line[0] not in CLOSING and line[-1] not in OPENING


@pytest.mark.parametrize("word", ["0912-345-678", "https://example.tw/a", "9:00–17:00", "——"])
def test_a_number_or_an_address_is_not_split_when_it_fits(word: str) -> None:
    text = "請來電" + word + "，謝謝"
    for width in range(int(_width(word + "，")) + 1, 20):  # the word and the mark it keeps
        lines = linebreak.break_lines(text, width, _width)
        assert any(word in line for line in lines), (width, lines)


def test_names_with_rare_characters_print_and_a_character_no_font_has_prints_as_the_mark() -> None:
    # 𡘙 and 𠮷 (CJK Extension B) are in names as Taiwanese residents write them; the demo
    # uses them. U+2EBF0 (Extension I) is in no shipped font: it must show as 〓, not vanish.
    for name in ("胡" + part for part in demo.RARE_GIVEN):
        record = _record(reporter_name=f"{name}\U0002ebf0")
        lines = drawn_lines(pdf.work_records_pdf([record]), RECORD_EDGES)
        text = "".join(squeeze(line.text) for _, line in lines)
        assert f"{name}〓" in text


def test_every_character_of_the_bots_texts_prints() -> None:
    # A copy of a resident's personal data (個資法 §3) prints the bot's own words, bullets
    # included: none of them may come out as 〓.
    from lianping.bot import texts

    words = "".join(value for value in vars(texts).values() if isinstance(value, str))
    lacking = sorted({ch for ch in words if ch != "\n" and ord(ch) not in pdf.font_codepoints()})
    assert lacking == []
