"""PDF files of the printable forms: 附件1 工作紀錄表 and 附件2 工作成果彙報表.

Drawn with fpdf2 and a subset of Noto Sans CJK TC shipped in ``reports/assets``
(Big5, every CJK ideograph the font has, Extensions A to H included, ASCII, full-width
forms, CJK punctuation; rebuilt by ``scripts/subset_report_font.py``), with Noto Emoji
(monochrome, rebuilt by ``scripts/subset_emoji_font.py``) for the emoji residents write.
A character neither font has is drawn as 〓 so the reader sees something is missing, and
the file is still made. Tables are drawn here, line by line: text is broken by
``linebreak``'s rules and a row flows over as many pages as its text needs, the table's
header row on each.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import TextMode

from lianping.reports import linebreak
from lianping.reports.biweekly_model import BiweeklyReport
from lianping.reports.work_record import NOTE as NOTE_1
from lianping.reports.work_record import WorkRecord, box

ASSETS = Path(__file__).parent / "assets"
FONT_FILE = ASSETS / "NotoSansCJKtc-Regular-reports.otf"
FONT = "NotoSansCJKtc"
EMOJI_FONT_FILE = ASSETS / "NotoEmoji-Regular-reports.ttf"
EMOJI_FONT = "NotoEmoji"
MISSING = "〓"  # the traditional mark for a character the type case lacks
LINE_MM = 6.2  # line height of 12 pt text
PADDING_MM = 2.5
MARGIN_MM = {"left": 16.0, "top": 18.0, "right": 16.0, "bottom": 16.0}
# A row with room for fewer of its lines than this on the current page starts on the next.
MIN_LINES = 6
HEADER_MM = 10.0  # a table's header row
NOTE_GAP_MM = 2.0  # between a form's table and its 【註】
NOTE_2 = (
    "【註】「宣揚反貪倡廉資訊」免記載於附件1紀錄表；惟仍應填寫於本彙報表，"
    "並請各主管機關政風機構每隔二週，將本彙報表報送廉政署。"
)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# Marks that only join or adjust the emoji around them: zero-width joiner, variation
# selectors, the keycap's enclosing mark, skin tones and tag characters. Text is drawn
# unshaped, so an emoji sequence prints as its parts and these are left out.
INVISIBLE = frozenset(
    [0x200D, 0xFE0E, 0xFE0F, 0x20E3, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)]
)


@lru_cache(maxsize=1)
def font_codepoints() -> frozenset[int]:
    """The code points the shipped fonts draw (the CJK face and the emoji fallback)."""
    found: set[int] = set()
    for path in (FONT_FILE, EMOJI_FONT_FILE):
        font = TTFont(str(path), lazy=True)
        try:
            found.update(font.getBestCmap())
        finally:
            font.close()
    return frozenset(found)


def printable(value: str) -> str:
    """Text the fonts can draw: CR/LF as LF, control characters and emoji joiners dropped,
    any other character neither font has as 〓."""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    drawable = font_codepoints()
    return "".join(
        ch if ch == "\n" or ord(ch) in drawable else MISSING
        for ch in value
        if ord(ch) not in INVISIBLE
    )


class _Document(FPDF):
    """An A4 portrait page set up with the shipped fonts."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_margins(MARGIN_MM["left"], MARGIN_MM["top"], MARGIN_MM["right"])
        self.set_auto_page_break(True, margin=MARGIN_MM["bottom"])
        self.add_font(FONT, fname=str(FONT_FILE))
        self.add_font(EMOJI_FONT, fname=str(EMOJI_FONT_FILE))
        self.set_fallback_fonts([EMOJI_FONT], exact_match=False)
        # Text is placed by this module's own line breaks: no margin inside a cell.
        self.c_margin = 0
        self.set_title(title)
        self.set_lang("zh-TW")
        self.set_creator("lianping")
        self.set_line_width(0.3)
        self._widths: dict[tuple[float, str], float] = {}

    def char_width(self, char: str) -> float:
        """The width of one character at the current font size (mm)."""
        key = (self.font_size_pt, char)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.get_string_width(char)
        return width

    def lines(self, text: str, width: float) -> list[str]:
        """The lines ``text`` takes ``width`` mm wide at the current font, broken by 禁則."""
        return linebreak.break_lines(printable(text), width, self.char_width)

    def wrapped(self, text: str, width: float) -> list[str]:
        """The lines ``text`` takes in a table cell ``width`` wide (its padding inside)."""
        return self.lines(text, width - 2 * PADDING_MM)

    def paragraph_height(self, text: str, size: float) -> float:
        """How tall ``paragraph(text, size)`` is (mm)."""
        table_size = self.font_size_pt
        self.set_font(FONT, size=size)
        height = len(self.lines(text, self.epw)) * size * 0.5
        self.set_font(FONT, size=table_size)
        return height

    def paragraph(self, text: str, size: float, align: str = "L", bold: bool = False) -> None:
        """A paragraph across the page (bold drawn as fill + stroke: the font has one weight)."""
        self.set_font(FONT, size=size)
        mode = TextMode.FILL_STROKE if bold else TextMode.FILL
        # A local context (q … Q) so the stroke mode ends with the paragraph.
        with self.local_context(text_mode=mode, line_width=0.25 if bold else 0.3):
            for line in self.lines(text, self.epw):
                self.cell(self.epw, size * 0.5, line, align=align, new_x="LMARGIN", new_y="NEXT")


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, the columns it spans and how it sits.

    Text flows from page to page with its row, top-left (or centred both ways with
    ``align="C"``); a label (``flows=False``) is centred both ways and drawn whole in
    every part of its row, as ``later`` on the parts after the first.
    """

    text: str
    span: int = 1
    align: str = "L"
    flows: bool = True
    later: str | None = None


class _Table:
    """A ruled table of the given column widths (mm), drawn from the current position.

    A row taller than what is left of the page is split between lines: its first part
    fills the page (unless fewer than ``MIN_LINES`` of its lines would fit there), the rest
    goes on, over as many pages as it needs, each page starting with the header row.
    """

    def __init__(
        self, pdf: _Document, columns: tuple[float, ...], header: Sequence[Cell] = ()
    ) -> None:
        self.pdf = pdf
        self.columns = columns
        self.header = tuple(header)
        # Below this a page holds nothing but the header row yet.
        self._fresh_y = pdf.t_margin + (HEADER_MM if self.header else 0.0) + 0.01
        self._draw_header()

    def _cells(self, cells: Sequence[Cell]) -> list[tuple[Cell, float]]:
        """Each cell with its width, the columns it spans added up."""
        found, column = [], 0
        for cell in cells:
            found.append((cell, sum(self.columns[column : column + cell.span])))
            column += cell.span
        return found

    def _space(self) -> float:
        """Millimetres left on the page."""
        return self.pdf.page_break_trigger - self.pdf.get_y()

    def _fresh(self) -> bool:
        """Whether the page holds nothing below the header row yet."""
        return self.pdf.get_y() <= self._fresh_y

    def _draw_header(self) -> None:
        """The header row (if any); the page's rows start below it."""
        if self.header:
            lines = [self.pdf.wrapped(cell.text, width) for cell, width in self._cells(self.header)]
            self._draw(self.header, lines, HEADER_MM)

    def _new_page(self) -> None:
        self.pdf.add_page()
        self._draw_header()

    def keep(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit on this one (rows that go together)."""
        if self._space() < height and not self._fresh():
            self._new_page()

    def row(self, cells: Sequence[Cell], min_height: float = 0.0, then: float = 0.0) -> None:
        """Draw a row, at least ``min_height`` mm tall where it fits, flowing over pages; its
        end keeps ``then`` mm free below it, for what must follow on the same page."""
        sized = self._cells(cells)
        flowing = [cell.flows for cell, _ in sized]
        text = [self.pdf.wrapped(cell.text, width) for cell, width in sized]
        later = [
            self.pdf.wrapped(cell.text if cell.later is None else cell.later, width)
            for cell, width in sized
        ]
        length = max(
            (len(lines) for lines, flows in zip(text, flowing, strict=True) if flows), default=0
        )
        done = 0
        while True:
            labels = text if done == 0 else later
            label_lines = max(
                (len(lines) for lines, flows in zip(labels, flowing, strict=True) if not flows),
                default=0,
            )
            room = int((self._space() - 2 * PADDING_MM) // LINE_MM)
            if room < max(min(length - done, MIN_LINES), label_lines) and not self._fresh():
                self._new_page()
                continue
            take = min(length - done, room)
            ending = int((self._space() - then - 2 * PADDING_MM) // LINE_MM)
            if 0 < take == length - done and ending < take:
                # What follows would be left alone on the next page: carry lines over to it.
                if ending >= MIN_LINES:
                    take = ending
                elif not self._fresh():
                    self._new_page()
                    continue
            part = [
                lines[done : done + take] if flows else label
                for lines, label, flows in zip(text, labels, flowing, strict=True)
            ]
            done += take
            if done < length:  # the page is full: the row's frame goes down to its foot
                self._draw(cells, part, self._space())
                self._new_page()
                continue
            content = max(take, label_lines) * LINE_MM + 2 * PADDING_MM
            # The form's height where the whole row fits on the page, else what it takes.
            wanted = min_height if take == length else 0.0
            self._draw(cells, part, max(content, min(wanted, self._space() - then)))
            return

    def _draw(self, cells: Sequence[Cell], parts: Sequence[list[str]], height: float) -> None:
        """One part of a row: its cells ruled, ``height`` mm tall, each with its lines."""
        pdf = self.pdf
        x, y = pdf.l_margin, pdf.get_y()
        for (cell, width), lines in zip(self._cells(cells), parts, strict=True):
            pdf.rect(x, y, width, height)
            centred = not cell.flows or cell.align == "C"
            top = y + (height - len(lines) * LINE_MM) / 2 if centred else y + PADDING_MM
            for index, line in enumerate(lines):
                pdf.set_xy(x + PADDING_MM, top + index * LINE_MM)
                pdf.cell(width - 2 * PADDING_MM, LINE_MM, line, align="C" if centred else "L")
            x += width
        pdf.set_xy(pdf.l_margin, y + height)


# -- 附件1 ---------------------------------------------------------------------------------------

# Column widths of the print view: 22/18/22/38 % of the text width (178 mm).
RECORD_COLUMNS = (39.16, 32.04, 39.16, 67.64)
TITLE_PT, DATE_PT = 17, 12
TITLE_GAP_MM = 8.0  # between the title and the date on its line


def _title_line(pdf: _Document, record: WorkRecord) -> None:
    """The form's title line: the title, then the date (「年 月 日」) after it, centred as one;
    a title too long for that gets its own lines and the date goes right under it."""
    title, when = printable(record.title), printable(record.date_text)
    pdf.set_font(FONT, size=DATE_PT)
    date_w = pdf.get_string_width(when)
    pdf.set_font(FONT, size=TITLE_PT)
    title_w = pdf.get_string_width(title)
    if title_w + TITLE_GAP_MM + date_w > pdf.epw:
        pdf.paragraph(record.title, TITLE_PT, align="C", bold=True)
        pdf.paragraph(record.date_text, DATE_PT, align="R")
        return
    height = TITLE_PT * 0.5
    x = pdf.l_margin + (pdf.epw - title_w - TITLE_GAP_MM - date_w) / 2
    y = pdf.get_y()
    with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.25):
        pdf.set_xy(x, y)
        pdf.cell(title_w, height, title)
    pdf.set_font(FONT, size=DATE_PT)
    # On the title's baseline: fpdf2 sets a cell's baseline 0.3 em below the cell's middle,
    # so the smaller date's cell goes down by 0.3 of the difference in size (pt → mm).
    pdf.set_xy(x + title_w + TITLE_GAP_MM, y + (TITLE_PT - DATE_PT) * 0.3 * 25.4 / 72)
    pdf.cell(date_w, height, when)
    pdf.set_xy(pdf.l_margin, y + height + 1)


def _nature_row(pdf: _Document, record: WorkRecord) -> None:
    """性質: the label, then the form's boxes (□, ■ when checked), then 細項 and 主題."""
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
        pdf.set_xy(cursor, top)
        pdf.cell(text=printable(box(checked) + words), h=LINE_MM)
        cursor = pdf.get_x() + 8
    pdf.set_font(FONT, size=10.5)
    for index, note in enumerate(notes):
        pdf.set_xy(x + label_w + PADDING_MM, top + LINE_MM * (index + 1))
        pdf.cell(text=note, h=LINE_MM)
    pdf.set_xy(x, y + height)


def _work_record(pdf: _Document, record: WorkRecord) -> None:
    pdf.add_page()
    pdf.paragraph("（附件1）", 11, align="R")  # at the right, as on the form
    _title_line(pdf, record)
    if record.number_line:
        pdf.paragraph(record.number_line, 10)
    pdf.ln(2)
    pdf.set_font(FONT, size=12)
    table = _Table(pdf, RECORD_COLUMNS)
    table.row([Cell(h, flows=False) for h in ("反映者姓名", "職業", "聯絡電話", "聯絡地址")], 10)
    person = (record.reporter_name, record.occupation, record.phone, record.address)
    table.row([Cell(value, align="C") for value in person], min_height=16)
    _nature_row(pdf, record)
    for label, text in (
        ("需求／反映等\n內容概述", record.description),
        ("處　理　意　見", record.opinion),
    ):
        title = Cell(label, flows=False, later=f"{label}\n（續）")
        table.row([title, Cell(text, span=3)], min_height=56)
    # The signature box's two rows stay together, with the form's note under them.
    table.keep(10 + 18 + NOTE_GAP_MM + pdf.paragraph_height(NOTE_1, 11))
    table.row(
        [Cell("紀　錄　人（簽名）", 2, flows=False), Cell("簽　辦　機　關", 2, flows=False)], 10
    )
    table.row([Cell(record.recorder, 2, "C"), Cell(record.signing_agency, 2, "C")], 18)
    pdf.ln(NOTE_GAP_MM)
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

REPORT_COLUMNS = (14.0, 34.0, 76.0, 54.0)
REPORT_HEADS = ("項次", "實施方式", "內容摘要", "處理意見")


def biweekly_pdf(report: BiweeklyReport) -> bytes:
    """附件2 工作成果彙報表: title, 統計期間, the three rows, and the form's note."""
    pdf = _Document(report.title)
    pdf.add_page()
    pdf.paragraph("（附件2）", 11)
    pdf.paragraph(report.title, 16, align="C", bold=True)
    pdf.paragraph(f"【{report.period_text}】", 12, align="C")
    pdf.ln(2)
    pdf.set_font(FONT, size=12)
    table = _Table(pdf, REPORT_COLUMNS, [Cell(word, flows=False) for word in REPORT_HEADS])
    note = NOTE_GAP_MM + pdf.paragraph_height(NOTE_2, 11)
    for number, row in enumerate(report.rows, start=1):
        cells = [
            Cell(str(number), flows=False),
            Cell(row.title, flows=False, later=f"{row.title}（續）"),
            Cell(row.summary_text),
            Cell(row.handling_text),
        ]
        # The last row ends with the form's note under it, never alone on a page.
        table.row(cells, min_height=30, then=note if number == len(report.rows) else 0.0)
    pdf.ln(NOTE_GAP_MM)
    pdf.paragraph(NOTE_2, 11)
    return bytes(pdf.output())


# -- a resident's copy of their personal data (個資法 §10 製給複製本) ---------------------------


def plain_pdf(title: str, paragraphs: list[str]) -> bytes:
    """An A4 document: ``title`` centred, then each paragraph (its lines kept as given)."""
    pdf = _Document(title)
    pdf.add_page()
    pdf.paragraph(title, 16, align="C", bold=True)
    pdf.ln(4)
    for paragraph in paragraphs:
        for line in paragraph.split("\n"):
            pdf.paragraph(line, 12)
        pdf.ln(2)
    return bytes(pdf.output())
