"""A notice letter (函) as ODT and PDF, A4, in the layout of an official letter.

The agency's full name (and the sender line) centred at the top with 「函」, the
政風單位's 地址／聯絡電話／電子信箱 to the right below it, the reporter's address for a
window envelope (only in a revealed letter), then 受文者, 發文日期, 案件編號, 主旨 and
說明 with hanging indents; no signature image. The ODT reuses 附件1's writer (its
page, fonts, escaping) and the PDF the forms' machinery (``reports.pdf``: the shipped
CJK subset, 禁則 line breaks, 〓 for a character no font has). fpdf2 and fontTools cost
the web process ~25 MB: the pages import this module when a letter is first asked for.
"""

from __future__ import annotations

import io
import zipfile

from lianping.reports.notice_letter import NoticeLetter
from lianping.reports.pdf import FONT, _Document
from lianping.reports.work_record_files import (
    FONT_DECLS,
    MANIFEST,
    MIMETYPE,
    NS,
    STYLES,
    _clean,
    _inline,
    _paragraph_style,
    _size,
)

# The contact block starts this far from the left margin (mm), as a letter's does.
CONTACT_INDENT_MM = 100.0
BODY_PT = 14  # a letter's text is larger than a form's
SUBJECT, DETAILS = "主旨：", "說明："
MISSING_ADDRESS = "（受文者地址依個人資料保護規定未列印，請由承辦人填寫）"


def lines_before_subject(letter: NoticeLetter) -> list[tuple[str, str]]:
    """受文者, 發文日期 and 案件編號, each ``(label, value)``."""
    return [
        ("受文者：", letter.recipient),
        ("發文日期：", letter.issued_text),
        ("案件編號：", letter.number),
    ]


def address_line(letter: NoticeLetter) -> str:
    """The reporter's address for the envelope, or why it is not printed."""
    return f"地址：{letter.recipient_address}" if letter.revealed else MISSING_ADDRESS


# -- ODT -------------------------------------------------------------------------------------

_STYLES = "".join(
    [
        _paragraph_style(
            "Head",
            'fo:text-align="center" fo:margin-bottom="1mm"',
            _size(18) + ' fo:font-weight="bold" style:font-weight-asian="bold"',
        ),
        _paragraph_style(
            "Contact",
            f'fo:margin-left="{CONTACT_INDENT_MM}mm" fo:margin-top="0mm"',
            _size(11),
        ),
        _paragraph_style("Envelope", 'fo:margin-top="6mm" fo:margin-bottom="4mm"', _size(12)),
        _paragraph_style("Field", 'fo:margin-top="1mm" fo:margin-left="0mm"', _size(BODY_PT)),
        _paragraph_style(
            "Labelled",
            'fo:margin-top="3mm" fo:margin-left="3em" fo:text-indent="-3em"',
            _size(BODY_PT),
        ),
        _paragraph_style(
            "Point",
            'fo:margin-top="1mm" fo:margin-left="5em" fo:text-indent="-2em"',
            _size(BODY_PT),
        ),
        _paragraph_style(
            "Plain",
            'fo:margin-top="1mm" fo:margin-left="3em"',
            _size(BODY_PT),
        ),
    ]
)


def _p(style: str, text: str) -> str:
    return f'<text:p text:style-name="{style}">{_inline(text)}</text:p>'


def _details(letter: NoticeLetter) -> str:
    numbered = letter.numbered
    style = "Point" if len(numbered) > 1 else "Plain"
    return _p("Labelled", DETAILS) + "".join(_p(style, text) for text in numbered)


def _content(letter: NoticeLetter) -> str:
    body = "".join(
        [
            *(_p("Head", line) for line in letter.letterhead),
            *(_p("Contact", line) for line in letter.contact),
            _p("Envelope", address_line(letter)),
            *(_p("Field", label + value) for label, value in lines_before_subject(letter)),
            _p("Labelled", SUBJECT + letter.subject),
            _details(letter),
        ]
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {NS}>{FONT_DECLS}'
        f"<office:automatic-styles>{_STYLES}</office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>\n"
    )


def _meta(letter: NoticeLetter) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {NS}><office:meta>'
        f"<meta:generator>lianping</meta:generator><dc:title>{_clean(letter.title)}</dc:title>"
        "<dc:language>zh-TW</dc:language></office:meta></office:document-meta>\n"
    )


def to_odt(letter: NoticeLetter) -> bytes:
    """The letter as an ODF text document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as odt:
        # ODF: ``mimetype`` first and stored, so tools recognise the file by its first bytes.
        odt.writestr("mimetype", MIMETYPE, compress_type=zipfile.ZIP_STORED)
        odt.writestr("META-INF/manifest.xml", MANIFEST)
        odt.writestr("styles.xml", STYLES)
        odt.writestr("meta.xml", _meta(letter))
        odt.writestr("content.xml", _content(letter))
    return buffer.getvalue()


# -- PDF -------------------------------------------------------------------------------------


def to_pdf(letter: NoticeLetter) -> bytes:
    """The letter as a PDF in the shipped CJK font."""
    document = _Document(letter.title)
    document.add_page()
    for line in letter.letterhead:
        document.paragraph(line, 18, align="C", bold=True)
    document.ln(2)
    _block(document, letter.contact, 11, CONTACT_INDENT_MM)
    document.ln(6)
    _block(document, [address_line(letter)], 12, 0.0)
    document.ln(4)
    for label, value in lines_before_subject(letter):
        _hanging(document, label, value, 0.0)
    document.ln(2)
    _hanging(document, SUBJECT, letter.subject, 0.0)
    document.ln(2)
    _block(document, [DETAILS], BODY_PT, 0.0)
    numbered = letter.numbered
    for text in numbered:
        if len(numbered) > 1:
            label, _, rest = text.partition("、")
            _hanging(document, f"{label}、", rest, 3 * _em(document))
        else:
            _block(document, [text], BODY_PT, 3 * _em(document))
    return bytes(document.output())


def _em(document: _Document) -> float:
    document.set_font(FONT, size=BODY_PT)
    return document.char_width("　")


def _block(document: _Document, texts: list[str], size: float, indent: float) -> None:
    """Lines of text ``indent`` mm from the left margin, wrapped to what is left of the page."""
    document.set_font(FONT, size=size)
    width = document.epw - indent
    for text in texts:
        for line in document.lines(text, width):
            document.set_x(document.l_margin + indent)
            document.cell(width, size * 0.5, line, new_x="LMARGIN", new_y="NEXT")


def _hanging(document: _Document, label: str, text: str, indent: float) -> None:
    """``label`` then ``text``, its lines after the first under the text, not the label."""
    document.set_font(FONT, size=BODY_PT)
    label_width = sum(document.char_width(ch) for ch in label)
    width = document.epw - indent - label_width
    for index, line in enumerate(document.lines(text, width) or [""]):
        document.set_x(document.l_margin + indent)
        if index == 0:
            document.cell(label_width, BODY_PT * 0.5, label)
        else:
            document.set_x(document.l_margin + indent + label_width)
        document.cell(width, BODY_PT * 0.5, line, new_x="LMARGIN", new_y="NEXT")
