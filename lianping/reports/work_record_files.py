"""附件1 工作紀錄表 as an ODF text document (ODT): one record per A4 page.

The layout follows the print view (``admin/templates/admin/print.html``) and seed
004's form: the title with the agency's full name and the date on the same line, a
four-column table of the reporter's fields, the 性質 line with the form's □/■ boxes,
內容概述 and 處理意見 in tall rows, 紀錄人（簽名） and 簽辦機關, then the form's note.
A batch is many pages in one file.
The XML is written by hand: the document is small and fixed, and every value
goes through ``_paragraphs`` (escaping, line breaks, no XML-invalid characters).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from lianping.reports.cells import printable
from lianping.reports.work_record import NOTE, WorkRecord, box

MIMETYPE = "application/vnd.oasis.opendocument.text"
FONT = "標楷體"  # the font of government forms; LibreOffice substitutes a CJK serif if absent

# Characters XML 1.0 forbids (C0 controls other than tab/newline/CR, lone surrogates, FFFE/F).
_SPACES = re.compile(" {2,}")

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'office:version="1.3"'
)

FONT_DECLS = (
    "<office:font-face-decls>"
    f'<style:font-face style:name="{FONT}" svg:font-family="{FONT}" '
    'style:font-family-generic="roman" style:font-pitch="variable"/>'
    "</office:font-face-decls>"
)

STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {NS}>{FONT_DECLS}
<office:styles>
<style:default-style style:family="paragraph">
<style:paragraph-properties fo:line-height="130%"/>
<style:text-properties style:font-name="{FONT}" style:font-name-asian="{FONT}"
 style:font-name-complex="{FONT}" fo:font-size="12pt" style:font-size-asian="12pt"
 fo:language="zh" fo:country="TW" style:language-asian="zh" style:country-asian="TW"/>
</style:default-style>
<style:style style:name="Standard" style:family="paragraph" style:class="text"/>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="A4">
<style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm"
 style:print-orientation="portrait" fo:margin-top="18mm" fo:margin-bottom="16mm"
 fo:margin-left="16mm" fo:margin-right="16mm"/>
</style:page-layout>
</office:automatic-styles>
<office:master-styles>
<style:master-page style:name="Standard" style:page-layout-name="A4"/>
</office:master-styles>
</office:document-styles>
"""


def _paragraph_style(name: str, para: str, text: str = "", extra: str = "") -> str:
    return (
        f'<style:style style:name="{name}" style:family="paragraph" '
        f'style:parent-style-name="Standard"{extra}>'
        f"<style:paragraph-properties {para}/>"
        + (f"<style:text-properties {text}/>" if text else "")
        + "</style:style>"
    )


def _size(points: float) -> str:
    return f'fo:font-size="{points}pt" style:font-size-asian="{points}pt"'


def _cell_style(name: str, align: str = "top") -> str:
    return (
        f'<style:style style:name="{name}" style:family="table-cell">'
        f'<style:table-cell-properties fo:border="0.5pt solid #000000" fo:padding="2.5mm" '
        f'style:vertical-align="{align}"/></style:style>'
    )


def _row_style(name: str, height_mm: int) -> str:
    return (
        f'<style:style style:name="{name}" style:family="table-row">'
        f'<style:table-row-properties style:min-row-height="{height_mm}mm"/></style:style>'
    )


# Column widths of the print view (22/18/22/38 % of 178 mm).
COLUMNS = {"C1": "39.2mm", "C2": "32mm", "C3": "39.2mm", "C4": "67.6mm"}

AUTOMATIC_STYLES = "".join(
    [
        '<style:style style:name="Form" style:family="table">'
        '<style:table-properties style:width="178mm" table:align="margins"/></style:style>',
        *(
            f'<style:style style:name="{name}" style:family="table-column">'
            f'<style:table-column-properties style:column-width="{width}"/></style:style>'
            for name, width in COLUMNS.items()
        ),
        _row_style("Person", 16),
        _row_style("Tall", 56),
        _row_style("Sign", 18),
        _cell_style("Box"),
        _cell_style("Middle", "middle"),
        # 「（附件1）」 at the right, above the title, as on the form.
        _paragraph_style("Attachment", 'fo:margin-bottom="2mm" fo:text-align="end"', _size(11)),
        _paragraph_style(
            "AttachmentBreak",
            'fo:margin-bottom="2mm" fo:text-align="end" fo:break-before="page"',
            _size(11),
        ),
        _paragraph_style(
            "Title",
            'fo:text-align="center" fo:margin-bottom="3mm"',
            _size(17) + ' fo:font-weight="bold" style:font-weight-asian="bold"',
        ),
        # The date on the title line (the form's 「年 月 日」), in the body's size.
        '<style:style style:name="DateSpan" style:family="text"><style:text-properties '
        + _size(12)
        + ' fo:font-weight="normal" style:font-weight-asian="normal"/></style:style>',
        _paragraph_style("Number", 'fo:margin-bottom="2mm"', _size(10) + ' fo:color="#333333"'),
        _paragraph_style("Head", 'fo:text-align="center"'),
        _paragraph_style("Value", 'fo:text-align="start"'),
        _paragraph_style("Centre", 'fo:text-align="center"'),
        _paragraph_style("Boxes", 'fo:text-align="start"', _size(12.5)),
        _paragraph_style("Sub", 'fo:margin-top="1mm"', _size(10.5)),
        _paragraph_style("Note", 'fo:margin-top="3mm"', _size(11)),
    ]
)


def _clean(value: str) -> str:
    """Text as XML character data: forbidden characters dropped, markup escaped."""
    return escape(printable(value))


def _inline(value: str) -> str:
    """One line: runs of spaces kept (``text:s``), tabs as ``text:tab``."""
    cleaned = _clean(value).replace("\t", "<text:tab/>")
    return _SPACES.sub(lambda m: f' <text:s text:c="{len(m.group()) - 1}"/>', cleaned)


def _paragraphs(value: str, style: str = "Value") -> str:
    """Citizen or staff text as paragraphs, one per line (CRLF and CR as LF)."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "".join(f'<text:p text:style-name="{style}">{_inline(line)}</text:p>' for line in lines)


def _cell(body: str, *, span: int = 1, style: str = "Box") -> str:
    spanned = f' table:number-columns-spanned="{span}"' if span > 1 else ""
    covered = "<table:covered-table-cell/>" * (span - 1)
    return (
        f'<table:table-cell table:style-name="{style}" office:value-type="string"{spanned}>'
        f"{body}</table:table-cell>{covered}"
    )


def _row(cells: Iterable[str], style: str | None = None) -> str:
    styled = f' table:style-name="{style}"' if style else ""
    return f"<table:table-row{styled}>{''.join(cells)}</table:table-row>"


def _nature(record: WorkRecord) -> str:
    boxes = "　　".join(f"{box(checked)}{words}" for checked, words in record.nature_boxes)
    notes = "".join(_paragraphs(note, "Sub") for note in record.nature_notes)
    return f'<text:p text:style-name="Boxes">{_clean(boxes)}</text:p>{notes}'


def _record(record: WorkRecord, index: int) -> str:
    """One 工作紀錄表; every record after the first starts a new page."""
    head = "AttachmentBreak" if index else "Attachment"
    heads = ("反映者姓名", "職業", "聯絡電話", "聯絡地址")
    person = (record.reporter_name, record.occupation, record.phone, record.address)
    number = (
        f'<text:p text:style-name="Number">{_clean(record.number_line)}</text:p>'
        if record.number_line
        else ""
    )
    return "".join(
        [
            f'<text:p text:style-name="{head}">（附件1）</text:p>',
            f'<text:p text:style-name="Title">{_clean(record.title)}<text:s text:c="4"/>'
            f'<text:span text:style-name="DateSpan">{_clean(record.date_text)}</text:span>'
            "</text:p>",
            number,
            f"<table:table table:name={quoteattr('紀錄表' + str(index + 1))} "
            'table:style-name="Form">',
            *(
                f'<table:table-column table:style-name="{name}"/>'
                for name in ("C1", "C2", "C3", "C4")
            ),
            _row(_cell(_paragraphs(h, "Head"), style="Middle") for h in heads),
            _row((_cell(_paragraphs(v), style="Middle") for v in person), "Person"),
            _row(
                [
                    _cell(_paragraphs("性　　質", "Head"), style="Middle"),
                    _cell(_nature(record), span=3),
                ]
            ),
            _row(
                [
                    _cell(_paragraphs("需求／反映等\n內容概述", "Head"), style="Middle"),
                    _cell(_paragraphs(record.description), span=3),
                ],
                "Tall",
            ),
            _row(
                [
                    _cell(_paragraphs("處　理　意　見", "Head"), style="Middle"),
                    _cell(_paragraphs(record.opinion), span=3),
                ],
                "Tall",
            ),
            _row(
                [
                    _cell(_paragraphs("紀　錄　人（簽名）", "Head"), span=2, style="Middle"),
                    _cell(_paragraphs("簽　辦　機　關", "Head"), span=2, style="Middle"),
                ]
            ),
            _row(
                [
                    _cell(_paragraphs(record.recorder, "Centre"), span=2, style="Middle"),
                    _cell(_paragraphs(record.signing_agency, "Centre"), span=2, style="Middle"),
                ],
                "Sign",
            ),
            "</table:table>",
            f'<text:p text:style-name="Note">{_clean(NOTE)}</text:p>',
        ]
    )


def _content(records: list[WorkRecord]) -> str:
    body = "".join(_record(record, index) for index, record in enumerate(records))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {NS}>{FONT_DECLS}'
        f"<office:automatic-styles>{AUTOMATIC_STYLES}</office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>\n"
    )


def _meta(records: list[WorkRecord]) -> str:
    title = records[0].title if len(records) == 1 else "村里廉政平臺工作紀錄表"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {NS}><office:meta>'
        f"<meta:generator>lianping</meta:generator><dc:title>{_clean(title)}</dc:title>"
        "<dc:language>zh-TW</dc:language></office:meta></office:document-meta>\n"
    )


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.3">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>\n"
)


def to_odt(records: list[WorkRecord]) -> bytes:
    """An ODT with one 工作紀錄表 per page (at least one record)."""
    if not records:
        raise ValueError("no records")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as odt:
        # ODF: ``mimetype`` first and stored, so tools recognise the file by its first bytes.
        odt.writestr("mimetype", MIMETYPE, compress_type=zipfile.ZIP_STORED)
        odt.writestr("META-INF/manifest.xml", MANIFEST)
        odt.writestr("styles.xml", STYLES)
        odt.writestr("meta.xml", _meta(records))
        odt.writestr("content.xml", _content(records))
    return buffer.getvalue()
