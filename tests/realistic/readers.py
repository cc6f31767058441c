"""Open what the admin serves as a person's software would: a browser, a PDF reader, LibreOffice
(odfpy), Excel (openpyxl), a CSV reader, an image viewer.

``read`` returns the text a person would see (and the rows or pages, where that means
something) or raises ``Unreadable`` saying why not.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import openpyxl
import pypdf
from odf import opendocument, table, teletype
from odf import text as odf_text
from PIL import Image
from pypdf.generic import ContentStream

HTML = "text/html"
JSON = "application/json"
PDF = "application/pdf"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODT = "application/vnd.oasis.opendocument.text"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
# What a page a person reads must never show: Python's own values and errors leaking through.
MISSING_GLYPH = "〓"  # what the PDFs print for a character their fonts lack
LEAKS = re.compile(r"\bNone\b|Traceback|\{'|'\}|\bundefined\b|\bNaN\b|\bnan\b")


class Unreadable(AssertionError):
    """The body does not open with its reader, or shows what no person should see."""


@dataclass(frozen=True)
class Opened:
    """What a person sees of a served body."""

    text: str
    rows: int | None = None  # spreadsheets and CSV: rows, the heading included
    pages: int | None = None  # PDF


def media_type(content_type: str) -> str:
    """The content type without its parameters, lower case."""
    return content_type.split(";")[0].strip().lower()


def read(content_type: str, body: bytes) -> Opened:
    """Open ``body`` with the reader for its content type."""
    kind = media_type(content_type)
    if not body:
        raise Unreadable("empty body")
    try:
        opener = READERS.get(kind)
        if opener is not None:
            return opener(body)
        if kind.startswith("image/"):
            return _image(body)
        if kind.startswith(("text/", "application/javascript")):
            return Opened(body.decode("utf-8"))
        return Opened("")  # videos, recordings, fonts: a player's job; non-empty is all we ask
    except Unreadable:
        raise
    except Exception as exc:  # whatever the reader raised, the person could not open it
        raise Unreadable(f"{kind} does not open: {type(exc).__name__}: {exc}") from exc


class _Visible(HTMLParser):
    """The text a browser shows (no scripts or styles), and the page's language and title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lang = ""
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        if tag in ("script", "style", "template"):
            self._skip += 1
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._skip -= 1
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def _html(body: bytes) -> Opened:
    page = _Visible()
    page.feed(body.decode("utf-8"))
    page.close()
    text = " ".join(" ".join(page.parts).split())
    if not page.lang.startswith("zh"):
        raise Unreadable(f"page language is {page.lang!r}, not zh-TW")
    if not page.title.strip():
        raise Unreadable("page has no title")
    leak = LEAKS.search(text) or LEAKS.search(page.title)
    if leak:
        around = text[max(0, leak.start() - 60) : leak.end() + 60]
        raise Unreadable(f"page shows {leak.group()!r}: …{around}…")
    return Opened(page.title.strip() + "\n" + text)


def _json(body: bytes) -> Opened:
    return Opened(json.dumps(json.loads(body), ensure_ascii=False))


def _pdf(body: bytes) -> Opened:
    document = pypdf.PdfReader(io.BytesIO(body), strict=True)
    if not document.pages:
        raise Unreadable("PDF has no pages")
    text = "".join(_page_text(document, page) for page in document.pages)
    if MISSING_GLYPH in text:
        around = text[max(0, text.index(MISSING_GLYPH) - 30) : text.index(MISSING_GLYPH) + 30]
        raise Unreadable(f"PDF prints {MISSING_GLYPH} for characters its fonts lack: …{around}…")
    return Opened(text, pages=len(document.pages))


def _page_text(document: pypdf.PdfReader, page: pypdf.PageObject) -> str:
    """The text a reader's search and copy find on the page: every shown string through its
    font's ToUnicode map (pypdf's own extract_text garbles these CID fonts after a few pages).
    Glyphs are placed one run at a time: the text has no spaces between runs."""
    fonts = page["/Resources"].get("/Font", {})
    maps = {name: _to_unicode(font.get_object()) for name, font in fonts.items()}
    shown: list[str] = []
    current: dict[int, str] = {}
    saved: list[dict[int, str]] = []  # the font is graphics state: q saves it, Q restores it
    for operands, operator in ContentStream(page.get_contents(), document).operations:
        if operator == b"q":
            saved.append(current)
        elif operator == b"Q" and saved:
            current = saved.pop()
        elif operator == b"Tf":
            current = maps.get(operands[0], {})
        elif operator in (b"Tj", b"'", b'"'):
            shown.append(_decode(operands[-1], current))
        elif operator == b"TJ":
            shown += [_decode(item, current) for item in operands[0] if not _is_number(item)]
    return "".join("".join(shown).split())


def _to_unicode(font: Any) -> dict[int, str]:
    if "/ToUnicode" not in font:
        return {}
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    found: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[int(code, 16)] = bytes.fromhex(target).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, start in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = int(start, 16)
            for offset in range(int(high, 16) - int(low, 16) + 1):
                found[int(low, 16) + offset] = chr(first + offset)
    return found


def _decode(string: Any, cmap: dict[int, str]) -> str:
    raw = getattr(string, "original_bytes", None) or bytes(string)
    return "".join(
        cmap.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw), 2)
    )


def _is_number(item: Any) -> bool:
    return isinstance(item, int | float)


def _odf(body: bytes) -> Opened:
    document = opendocument.load(io.BytesIO(body))
    paragraphs = document.getElementsByType(odf_text.P)
    text = "\n".join(teletype.extractText(p) for p in paragraphs)
    rows = len(document.getElementsByType(table.TableRow)) or None
    return Opened(text, rows=rows)


def _xlsx(body: bytes) -> Opened:
    if not zipfile.is_zipfile(io.BytesIO(body)):
        raise Unreadable("XLSX is not a zip file")
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    lines = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    book.close()
    return Opened("\n".join(lines), rows=len(lines))


def _csv(body: bytes) -> Opened:
    if not body.startswith(b"\xef\xbb\xbf"):
        raise Unreadable("CSV has no UTF-8 byte-order mark (Excel would garble the Chinese)")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    return Opened("\n".join("\t".join(row) for row in rows), rows=len(rows))


def _image(body: bytes) -> Opened:
    with Image.open(io.BytesIO(body)) as image:
        image.verify()
    return Opened("")


READERS = {HTML: _html, JSON: _json, PDF: _pdf, ODS: _odf, ODT: _odf, XLSX: _xlsx, CSV: _csv}
