"""PDF files of the printable forms: 附件1 工作紀錄表 and 附件2 工作成果彙報表.

Drawn with fpdf2 and a subset of Noto Sans CJK TC shipped in ``reports/assets``
(Big5, the CJK Unified Ideographs block, ASCII, full-width forms, CJK punctuation;
rebuilt by ``scripts/subset_report_font.py``). A character the subset lacks is drawn
as 〓 so the reader sees something is missing, and the file is still made. Long text
is split into continued rows, so no row is ever taller than a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, TextMode, WrapMode
from fpdf.table import Row
from fpdf.util import Padding

from lianping.reports.biweekly_model import BiweeklyReport
from lianping.reports.work_record import WorkRecord

FONT_FILE = Path(__file__).parent / "assets" / "NotoSansCJKtc-Regular-reports.otf"
FONT = "NotoSansCJKtc"
MISSING = "〓"  # the traditional mark for a character the type case lacks
LINE_MM = 6.2  # line height of 12 pt text
PADDING_MM = 2.5
MARGIN_MM = {"left": 16.0, "top": 18.0, "right": 16.0, "bottom": 16.0}
# Text lines of one table row on a fresh page (263 mm of A4 between the margins).
ROW_LINES = 40
# A text row with room for fewer lines than this on the current page starts on the next.
MIN_LINES = 6
NOTE_1 = "【註】「宣揚反貪倡廉資訊」免記載於本紀錄表。"
NOTE_2 = (
    "【註】「宣揚反貪倡廉資訊」免記載於附件1紀錄表；惟仍應填寫於本彙報表，"
    "並請各主管機關政風機構每隔二週，將本彙報表報送廉政署。"
)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# Closing punctuation never starts a line (禁則): it hangs at the end of the line
# before, in the cell's padding, as typeset Chinese does.
NO_LINE_START = frozenset("，。、；：？！）」』】〉》…")


@lru_cache(maxsize=1)
def font_codepoints() -> frozenset[int]:
    """The code points the shipped font draws."""
    font = TTFont(str(FONT_FILE), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def printable(value: str) -> str:
    """Text the font can draw: CR/LF as LF, control characters dropped, the rest as 〓."""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    drawable = font_codepoints()
    return "".join(ch if ch == "\n" or ord(ch) in drawable else MISSING for ch in value)


class _Document(FPDF):
    """An A4 portrait page set up with the shipped CJK font."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_margins(MARGIN_MM["left"], MARGIN_MM["top"], MARGIN_MM["right"])
        self.set_auto_page_break(True, margin=MARGIN_MM["bottom"])
        self.add_font(FONT, fname=str(FONT_FILE))
        self.set_title(title)
        self.set_lang("zh-TW")
        self.set_creator("lianping")
        self.set_line_width(0.3)

    def paragraph(self, text: str, size: float, align: str = "L", bold: bool = False) -> None:
        """A paragraph across the page (bold drawn as fill + stroke: the font has one weight)."""
        self.set_font(FONT, size=size)
        mode = TextMode.FILL_STROKE if bold else TextMode.FILL
        # A local context (q … Q) so the stroke mode ends with the paragraph.
        with self.local_context(text_mode=mode, line_width=0.25 if bold else 0.3):
            self.multi_cell(
                0, size * 0.5, printable(text), align=align, new_x="LMARGIN", new_y="NEXT",
                wrapmode=WrapMode.CHAR,
            )  # fmt: skip

    def wrapped(self, text: str, width: float) -> list[str]:
        """The lines ``text`` takes in a cell ``width`` wide (at the current font)."""
        lines = self.multi_cell(
            width,
            LINE_MM,
            printable(text),
            dry_run=True,
            output=MethodReturnValue.LINES,
            padding=Padding(0, PADDING_MM, 0, PADDING_MM),
            wrapmode=WrapMode.CHAR,
        )
        return hang_punctuation(cast(list[str], lines)) or [""]


def hang_punctuation(lines: list[str]) -> list[str]:
    """Move closing punctuation that starts a wrapped line to the end of the line before."""
    result: list[str] = []
    for line in lines:
        moved = False
        while result and result[-1] and line and line[0] in NO_LINE_START:
            result[-1] += line[0]
            line, moved = line[1:], True
        if line or not moved:
            result.append(line)
    return result


def _table_options(columns: tuple[float, ...]) -> dict[str, Any]:
    """A form's table: ruled cells of these widths (mm), wrapped by character, left-aligned."""
    return {
        "col_widths": columns,
        "width": sum(columns),
        "line_height": LINE_MM,
        "padding": (PADDING_MM, PADDING_MM),
        "wrapmode": WrapMode.CHAR,
        "first_row_as_headings": False,
        "text_align": "LEFT",
    }


def _heads(row: Row, words: tuple[str, ...]) -> None:
    for word in words:
        row.cell(word, align="C")


def _chunks(pdf: _Document, lines: list[str]) -> Iterator[str]:
    """Lines grouped so that each group fits one row: the first in what is left of the
    current page (unless that is too little), the others on a fresh page each."""
    left = int((pdf.page_break_trigger - pdf.get_y() - 2 * PADDING_MM) // LINE_MM)
    first = left if left >= MIN_LINES else ROW_LINES
    yield "\n".join(lines[:first])
    for start in range(first, len(lines), ROW_LINES):
        yield "\n".join(lines[start : start + ROW_LINES])


# -- 附件1 ---------------------------------------------------------------------------------------

# Column widths of the print view: 22/18/22/38 % of the text width (178 mm).
RECORD_COLUMNS = (39.16, 32.04, 39.16, 67.64)
BOX_MM = 3.6


def _box(pdf: _Document, x: float, y: float, checked: bool) -> None:
    """A ☐, or a ☑ with its tick drawn as two strokes."""
    pdf.rect(x, y, BOX_MM, BOX_MM)
    if checked:
        pdf.set_line_width(0.45)
        pdf.line(x + 0.7, y + 1.9, x + 1.5, y + 2.9)
        pdf.line(x + 1.5, y + 2.9, x + 3.0, y + 0.6)
        pdf.set_line_width(0.3)


def _nature_row(pdf: _Document, record: WorkRecord) -> None:
    """性質: the label, then the form's boxes drawn as boxes, then 細項 and 主題."""
    label_w = RECORD_COLUMNS[0]
    body_w = sum(RECORD_COLUMNS[1:])
    notes = [line for note in record.nature_notes for line in pdf.wrapped(note, body_w)]
    height = PADDING_MM * 2 + LINE_MM * (1 + len(notes))
    if pdf.will_page_break(height):
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y()
    pdf.rect(x, y, label_w, height)
    pdf.rect(x + label_w, y, body_w, height)
    pdf.set_font(FONT, size=12)
    pdf.set_xy(x, y)
    pdf.cell(label_w, height, "性　　質", align="C")
    cursor = x + label_w + PADDING_MM
    top = y + PADDING_MM
    for checked, words in record.nature_boxes:
        _box(pdf, cursor, top + (LINE_MM - BOX_MM) / 2, checked)
        pdf.set_xy(cursor + BOX_MM + 0.8, top)
        pdf.cell(text=printable(words), h=LINE_MM)
        cursor = pdf.get_x() + 8
    pdf.set_font(FONT, size=10.5)
    for index, note in enumerate(notes):
        pdf.set_xy(x + label_w + PADDING_MM, top + LINE_MM * (index + 1))
        pdf.cell(text=note, h=LINE_MM)
    pdf.set_xy(x, y + height)


def _work_record(pdf: _Document, record: WorkRecord) -> None:
    pdf.add_page()
    pdf.paragraph("（附件1）", 11)
    pdf.paragraph(record.title, 17, align="C", bold=True)
    pdf.paragraph(record.date_text, 12, align="R")
    pdf.paragraph(f"案件編號：{record.number}　受理管道：{record.channel}", 10)
    pdf.ln(1)
    pdf.set_font(FONT, size=12)
    with pdf.table(**_table_options(RECORD_COLUMNS)) as table:
        _heads(table.row(min_height=10), ("反映者姓名", "職業", "聯絡電話", "聯絡地址"))
        person = (record.reporter_name, record.occupation, record.phone, record.address)
        table.row([printable(v) for v in person], min_height=16)
    _nature_row(pdf, record)
    body_w = sum(RECORD_COLUMNS[1:])
    for label, text in (
        ("需求／反映等\n內容概述", record.description),
        ("處　理　意　見", record.opinion),
    ):
        # A table per text, so its first part can fill what is left of the page.
        with pdf.table(**_table_options(RECORD_COLUMNS)) as table:
            for index, chunk in enumerate(_chunks(pdf, pdf.wrapped(text, body_w))):
                row = table.row(min_height=56 if index == 0 else None)
                row.cell(label if index == 0 else "（續）", align="C")
                row.cell(chunk, colspan=3, v_align="TOP")
    with pdf.table(**_table_options(RECORD_COLUMNS)) as table:
        row = table.row(min_height=10)
        row.cell("紀　錄　人（簽名）", colspan=2, align="C")
        row.cell("簽　辦　機　關", colspan=2, align="C")
        row = table.row(min_height=18)
        row.cell(printable(record.recorder), colspan=2, align="C")
        row.cell(printable(record.signing_agency), colspan=2, align="C")
    pdf.ln(2)
    pdf.paragraph(NOTE_1, 11)


def work_records_pdf(records: list[WorkRecord]) -> bytes:
    """A PDF with one 工作紀錄表 per page (at least one record)."""
    if not records:
        raise ValueError("no records")
    title = records[0].title if len(records) == 1 else "村里廉政平臺工作紀錄表"
    pdf = _Document(title)
    for record in records:
        _work_record(pdf, record)
    return bytes(pdf.output())


# -- 附件2 ---------------------------------------------------------------------------------------

REPORT_COLUMNS = (14.0, 34.0, 76.0, 54.0)  # 項次, 實施方式, 內容摘要, 處理意見


def biweekly_pdf(report: BiweeklyReport) -> bytes:
    """附件2 工作成果彙報表: title, 統計期間, the three rows, and the form's note."""
    pdf = _Document(report.title)
    pdf.add_page()
    pdf.paragraph("（附件2）", 11)
    pdf.paragraph(report.title, 16, align="C", bold=True)
    pdf.paragraph(f"【{report.period_text}】", 12, align="C")
    pdf.ln(2)
    pdf.set_font(FONT, size=12)
    with pdf.table(**_table_options(REPORT_COLUMNS)) as table:
        _heads(table.row(min_height=10), ("項次", "實施方式", "內容摘要", "處理意見"))
    for number, row in enumerate(report.rows, start=1):
        # A table per row, so its first part can fill what is left of the page.
        summary = list(_chunks(pdf, pdf.wrapped(row.summary_text, REPORT_COLUMNS[2])))
        handling = list(_chunks(pdf, pdf.wrapped(row.handling_text, REPORT_COLUMNS[3])))
        with pdf.table(**_table_options(REPORT_COLUMNS)) as table:
            for index in range(max(len(summary), len(handling))):
                cells = table.row(min_height=30 if index == 0 else None, v_align="TOP")
                cells.cell(str(number) if index == 0 else "", align="C")
                cells.cell(row.title if index == 0 else "（續）", align="C")
                cells.cell(summary[index] if index < len(summary) else "")
                cells.cell(handling[index] if index < len(handling) else "")
    pdf.ln(2)
    pdf.paragraph(NOTE_2, 11)
    return bytes(pdf.output())
