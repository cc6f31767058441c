"""The 工作成果彙報表 as files: ODS (the primary format, ODF as government systems require),
XLSX and CSV, laid out like seed 004's 附件2.

Every format has the same grid: the form's 「（附件2）」, title, 統計期間, the header
項次／實施方式／內容摘要／處理意見, the three rows, and the form's 【註】. The
spreadsheets wrap text, size the columns for A4 portrait and set the print area to the form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from urllib.parse import quote

from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import (
    FontFace,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TableRowProperties,
    TextProperties,
)
from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
from odf.text import P

from lianping.reports.biweekly_model import BiweeklyReport
from lianping.rocdate import roc_period

SHEET_NAME = "工作成果彙報表"
ATTACHMENT = "（附件2）"
HEADERS = ("項次", "實施方式", "內容摘要", "處理意見")
# Rows above the header: 「（附件2）」, the title and the period.
HEAD_ROWS = 3
NOTE = (
    "【註】「宣揚反貪倡廉資訊」免記載於附件1紀錄表；惟仍應填寫於本彙報表，"
    "並請各主管機關政風機構每隔二週，將本彙報表報送廉政署。"
)
# Column widths in millimetres: 180 mm, the width of A4 inside 15 mm margins.
COLUMN_MM = (14, 30, 78, 58)
FONT = "標楷體"

MEDIA_TYPES = {
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def period_line(report: BiweeklyReport) -> str:
    """The form's second line: ``【資料統計期間：○年○月○-○日】``."""
    return f"【{report.period_text}】"


def grid(report: BiweeklyReport) -> list[list[str]]:
    """The form as rows of cells (「（附件2）」, title and period in the first cell of theirs)."""
    rows = [[ATTACHMENT], [report.title], [period_line(report)], list(HEADERS)]
    for number, row in enumerate(report.rows, start=1):
        rows.append([str(number), row.title, row.summary_text, row.handling_text])
    rows.append([NOTE])
    return rows


def filename(report: BiweeklyReport, extension: str) -> tuple[str, str]:
    """The download's zh-TW name and its ASCII fallback."""
    period = roc_period(report.period_from, report.period_to)
    ascii_name = (
        f"biweekly-report-{report.period_from:%Y%m%d}-{report.period_to:%Y%m%d}.{extension}"
    )
    return f"村里廉政平臺工作成果彙報表_{period}.{extension}", ascii_name


def content_disposition(report: BiweeklyReport, extension: str) -> str:
    """``attachment`` with the ASCII name and the zh-TW name RFC 5987-encoded (``filename*``)."""
    name, ascii_name = filename(report, extension)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


# -- ODS -----------------------------------------------------------------------------------


def _style(doc: OpenDocumentSpreadsheet, name: str, family: str, *properties: object) -> Style:
    style = Style(name=name, family=family)
    for item in properties:
        style.addElement(item)
    doc.automaticstyles.addElement(style)
    return style


def _text(size: str, bold: bool = False) -> TextProperties:
    weight = "bold" if bold else "normal"
    return TextProperties(
        fontname=FONT,
        fontnameasian=FONT,
        fontsize=size,
        fontsizeasian=size,
        fontweight=weight,
        fontweightasian=weight,
    )


def _cell(text: str, style: Style, span: int = 1) -> TableCell:
    cell = TableCell(valuetype="string", stylename=style)
    if span > 1:
        cell.setAttribute("numbercolumnsspanned", str(span))
    # One paragraph per line: that is how ODF keeps line breaks inside a cell.
    for line in text.split("\n"):
        cell.addElement(P(text=line))
    return cell


def to_ods(report: BiweeklyReport) -> bytes:
    """The report as an OpenDocument spreadsheet, one A4 portrait page wide."""
    doc = OpenDocumentSpreadsheet()
    doc.fontfacedecls.addElement(FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="roman"))
    layout = PageLayout(name="A4")
    layout.addElement(
        PageLayoutProperties(
            pagewidth="210mm",
            pageheight="297mm",
            printorientation="portrait",
            margintop="15mm",
            marginbottom="15mm",
            marginleft="15mm",
            marginright="15mm",
        )
    )
    doc.automaticstyles.addElement(layout)
    master = MasterPage(name="Default", pagelayoutname=layout)
    doc.masterstyles.addElement(master)
    table_style = _style(doc, "ta1", "table", TableProperties(display="true"))
    table_style.setAttribute("masterpagename", "Default")

    border = "0.5pt solid #000000"
    title = _style(
        doc,
        "title",
        "table-cell",
        TableCellProperties(verticalalign="middle"),
        ParagraphProperties(textalign="center"),
        _text("16pt", bold=True),
    )
    period = _style(
        doc,
        "period",
        "table-cell",
        TableCellProperties(verticalalign="middle"),
        ParagraphProperties(textalign="center"),
        _text("12pt"),
    )
    head = _style(
        doc,
        "head",
        "table-cell",
        TableCellProperties(border=border, verticalalign="middle", wrapoption="wrap"),
        ParagraphProperties(textalign="center"),
        _text("12pt", bold=True),
    )
    label = _style(
        doc,
        "label",
        "table-cell",
        TableCellProperties(border=border, verticalalign="middle", wrapoption="wrap"),
        ParagraphProperties(textalign="center"),
        _text("12pt"),
    )
    body = _style(
        doc,
        "body",
        "table-cell",
        TableCellProperties(border=border, verticalalign="top", wrapoption="wrap", padding="1mm"),
        ParagraphProperties(textalign="start"),
        _text("11pt"),
    )
    attachment = _style(
        doc,
        "attachment",
        "table-cell",
        TableCellProperties(verticalalign="middle"),
        ParagraphProperties(textalign="start"),
        _text("11pt"),
    )
    note = _style(
        doc,
        "note",
        "table-cell",
        TableCellProperties(verticalalign="top", wrapoption="wrap"),
        _text("10pt"),
    )
    # Rows grow with their wrapped text when the file is opened.
    optimal = _style(doc, "ro1", "table-row", TableRowProperties(useoptimalrowheight="true"))

    table = Table(
        name=SHEET_NAME,
        stylename=table_style,
        printranges=f"'{SHEET_NAME}'.A1:'{SHEET_NAME}'.D{len(report.rows) + HEAD_ROWS + 2}",
    )
    for index, width in enumerate(COLUMN_MM):
        column = _style(
            doc, f"co{index}", "table-column", TableColumnProperties(columnwidth=f"{width}mm")
        )
        table.addElement(TableColumn(stylename=column))

    def spanning(text: str, style: Style) -> None:
        row = TableRow(stylename=optimal)
        row.addElement(_cell(text, style, span=len(HEADERS)))
        for _ in HEADERS[1:]:
            row.addElement(CoveredTableCell())
        table.addElement(row)

    spanning(ATTACHMENT, attachment)
    spanning(report.title, title)
    spanning(period_line(report), period)
    header = TableRow(stylename=optimal)
    for word in HEADERS:
        header.addElement(_cell(word, head))
    table.addElement(header)
    for number, item in enumerate(report.rows, start=1):
        row = TableRow(stylename=optimal)
        row.addElement(_cell(str(number), label))
        row.addElement(_cell(item.title, label))
        row.addElement(_cell(item.summary_text, body))
        row.addElement(_cell(item.handling_text, body))
        table.addElement(row)
    spanning(NOTE, note)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


# -- XLSX ----------------------------------------------------------------------------------

# Excel column widths are in characters of the default font; a CJK character is about two.
_CHARS_PER_MM = 0.53
_LINE_POINTS = 16.0


def _lines(text: str, width_mm: int) -> int:
    """Lines the text takes when wrapped in a column (CJK characters count double)."""
    per_line = max(1, int(width_mm * _CHARS_PER_MM))
    total = 0
    for line in text.split("\n"):
        units = sum(2 if ord(char) > 0x2E7F else 1 for char in line)
        total += max(1, -(-units // per_line))
    return total


def to_xlsx(report: BiweeklyReport) -> bytes:
    """The report as an Excel workbook laid out like the ODS."""
    # Imported here: openpyxl costs the web process ~15 MB, paid on the first XLSX.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.page import PageMargins

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    thin = Side(style="thin", color="000000")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrapped = Alignment(horizontal="left", vertical="top", wrap_text=True)
    for index, width in enumerate(COLUMN_MM):
        sheet.column_dimensions["ABCD"[index]].width = round(width * _CHARS_PER_MM, 1)

    rows = grid(report)
    last = len(rows)
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    header_row = HEAD_ROWS + 1
    for number in (*range(1, header_row), last):
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=4)
    sheet["A1"].font = Font(name=FONT, size=11)
    sheet["A2"].font = Font(name=FONT, size=16, bold=True)
    sheet["A2"].alignment = centred
    sheet["A3"].font = Font(name=FONT, size=12)
    sheet["A3"].alignment = centred
    sheet.row_dimensions[2].height = 28
    for column in range(1, 5):
        cell = sheet.cell(row=header_row, column=column)
        cell.font, cell.alignment, cell.border = Font(name=FONT, size=12, bold=True), centred, boxed
    for number in range(header_row + 1, last):
        for column in range(1, 5):
            cell = sheet.cell(row=number, column=column)
            cell.border = boxed
            cell.font = Font(name=FONT, size=12 if column < 3 else 11)
            cell.alignment = centred if column < 3 else wrapped
        values = rows[number - 1]
        height = max(_lines(values[2], COLUMN_MM[2]), _lines(values[3], COLUMN_MM[3]), 3)
        sheet.row_dimensions[number].height = height * _LINE_POINTS
    note = sheet.cell(row=last, column=1)
    note.font, note.alignment = Font(name=FONT, size=10), wrapped
    sheet.row_dimensions[last].height = 2 * _LINE_POINTS

    sheet.print_area = f"A1:D{last}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.6, right=0.6, top=0.6, bottom=0.6)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- CSV -----------------------------------------------------------------------------------


def to_csv(report: BiweeklyReport) -> bytes:
    """The grid as CSV, UTF-8 with a byte-order mark so Excel reads the Chinese right."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(grid(report))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


RENDERERS: dict[str, Callable[[BiweeklyReport], bytes]] = {
    "ods": to_ods,
    "xlsx": to_xlsx,
    "csv": to_csv,
}
