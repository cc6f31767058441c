"""Case exports of an inbox filter as CSV, XLSX and ODS, streamed with flat memory.

Rows come from one query with the inbox's own filter (``storage.case_search``, so
an export holds exactly what the inbox lists; tips only for ethics staff), read
as plain columns ``PAGE`` rows at a time (``yield_per``: a server-side cursor on
PostgreSQL). CSV and ODS are produced as
the rows arrive; XLSX goes through openpyxl's write-only mode into a temporary
file, which is then sent in chunks. Personal data is in full only on the rows whose
case the actor may reveal (``services.access.may_reveal``: their own cases, their unit's
as its supervisor, every case as administrator); a tip's reporter is never in an export
(it is kept in ``tip_reporters``). The caller audits such an export and each tip in it.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.bot.conversation.phone import display_phone
from lianping.reports.cells import printable
from lianping.reports.work_record import ANONYMOUS, Names
from lianping.services.access import (
    Actor,
    mask_address,
    mask_name,
    mask_phone,
    revealable_officers,
    tip_scope,
)
from lianping.storage import case_search
from lianping.storage.case_search import CaseFilter
from lianping.storage.models import Case, utcnow

PAGE = 1000
SHEET = "案件"
HEADERS = (
    "案件編號",
    "收件日期",
    "受理管道",
    "性質",
    "細項",
    "主題",
    "狀態",
    "處理期限",
    "逾期",
    "承辦人",
    "承辦單位",
    "受文機關",
    "反映者姓名",
    "職業",
    "聯絡電話",
    "聯絡地址",
    "需求／反映等內容概述",
    "處理意見",
    "紀錄人",
    "簽辦機關",
)
# A CSV cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_START = frozenset("=+-@\t\r")


def reveals_personal_data(actor: Actor) -> bool:
    """Whether the actor's exports may carry personal data in full, on the rows they may
    reveal (then they are audited)."""
    return actor.can_reveal


# What an export reads of a case: plain columns, no ORM objects (100k rows stay cheap).
COLUMNS = (
    Case.number,
    Case.created_at,
    Case.channel,
    Case.nature,
    Case.sub_item,
    Case.theme,
    Case.status,
    Case.due_at,
    Case.officer_id,
    Case.unit_id,
    Case.agency_id,
    Case.anonymous,
    Case.reporter_name,
    Case.reporter_occupation,
    Case.reporter_phone,
    Case.reporter_address,
    Case.description,
    Case.handling_opinion,
    Case.recorder,
    Case.signing_agency,
    Case.details_requested_at,  # a 補陳 pauses the clock: never overdue meanwhile
)


@lru_cache(maxsize=65536)
def _roc_of_hour(day: date, hour: int) -> str:
    return rocdate.roc_date(datetime(day.year, day.month, day.day, hour, tzinfo=UTC))


def _roc(moment: datetime) -> str:
    """rocdate.roc_date of a stored (UTC) time, remembered per UTC hour: Taipei's offsets
    have always been whole hours, and 100k cases share a few thousand hours."""
    return _roc_of_hour(moment.date(), moment.hour)


# 細項 codes to the plan's wording, once.
_SUB_ITEM_WORDING = {code: item.wording for code, item in codes.SUB_ITEMS.items()}


def _cell_maker(
    names: Names, revealable: frozenset[int] | None, now: datetime
) -> Callable[[Any], list[str]]:
    """A function turning one fetched row into its cells (lookups bound once: 100k rows)."""
    channels, natures, themes = codes.CHANNELS.get, codes.NATURES.get, codes.THEMES.get
    statuses, sub_items = codes.STATUSES.get, _SUB_ITEM_WORDING.get
    users, units, agencies = names.users.get, names.units.get, names.agencies.get
    signing, overdue, roc = names.signing_agency, case_search.is_overdue, _roc

    def cells(case: Sequence[Any]) -> list[str]:
        (
            number, created_at, channel, nature, sub_item, theme, status, due_at, officer_id,
            unit_id, agency_id, anonymous, name, occupation, phone, address, description,
            opinion, recorder, signing_agency, details_requested_at,
        ) = case  # fmt: skip
        # Need-to-know, row by row: the masking of services.access.personal_data.
        if revealable is not None and officer_id not in revealable:
            name, phone, address = mask_name(name), mask_phone(phone), mask_address(address)
        # Free text may hold characters a file cannot take: each writer removes them
        # (reports.cells.printable), the CSV once per page rather than per cell.
        return [
            number,
            roc(created_at),
            channels(channel, channel),
            natures(nature, nature),
            sub_items(sub_item, ""),
            themes(theme, ""),
            statuses(status, status),
            roc(due_at),
            "是" if overdue(status, due_at, now, details_requested_at) else "",
            users(officer_id, ""),
            units(unit_id, ""),
            agencies(agency_id, ""),
            name or (ANONYMOUS if anonymous else ""),
            occupation or "",
            display_phone(phone),
            address or "",
            description or "",
            opinion or "",
            recorder or "",
            signing(signing_agency, agency_id, unit_id),
        ]

    return cells


def confidential_numbers(session: Session, actor: Actor, flt: CaseFilter) -> list[str]:
    """The confidential cases (tips) the actor's export of ``flt`` holds, by number."""
    query = case_search.filtered(select(Case.number), flt, tip_scope(actor))
    return list(session.scalars(query.where(Case.confidential.is_(True)).order_by(Case.number)))


def statement(flt: CaseFilter, *, tips: case_search.TipScope) -> Select[*tuple[Any, ...]]:
    """The export's query: the inbox's own filter and order (tips as ``tips`` allows)."""
    column = Case.due_at if flt.sort == "due" else Case.created_at
    ascending = flt.sort in ("oldest", "due")
    order = (column.asc(), Case.id.asc()) if ascending else (column.desc(), Case.id.desc())
    # case_search's filter, so an export holds exactly what the inbox lists.
    return case_search.filtered(select(*COLUMNS), flt, tips).order_by(*order)


def rows(session: Session, actor: Actor, flt: CaseFilter) -> Iterator[list[list[str]]]:
    """The export's rows, ``PAGE`` at a time from one streamed query (a server-side cursor
    on PostgreSQL), so memory stays flat whatever the count."""
    cells = _cell_maker(Names.load(session), revealable_officers(session, actor), utcnow())
    # On the connection: plain rows, without the ORM's per-row bookkeeping.
    stream = session.connection().execution_options(yield_per=PAGE)
    for partition in stream.execute(statement(flt, tips=tip_scope(actor))).partitions(PAGE):
        yield [cells(case) for case in partition]


# -- CSV ---------------------------------------------------------------------------------------


# Columns of names and free text (from 承辦人 on); the others are codes, numbers and dates.
_TEXT_COLUMNS = range(HEADERS.index("承辦人"), len(HEADERS))


def _csv_safe(row: list[str]) -> list[str]:
    """A leading ' keeps a spreadsheet from reading people's text as a formula."""
    for index in _TEXT_COLUMNS:
        value = row[index]
        # Control characters are removed later: look past them for the first character.
        first = value[:1] if value[:1] >= " " else printable(value)[:1]
        if first and first in _FORMULA_START:
            row[index] = "'" + value
    return row


def csv_chunks(pages: Iterator[list[list[str]]]) -> Iterator[bytes]:
    """UTF-8 with a BOM (so Excel reads the Chinese), CRLF rows, one chunk per page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode()
    for page in pages:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_csv_safe(row) for row in page)
        yield printable(buffer.getvalue()).encode()


# -- XLSX --------------------------------------------------------------------------------------

READ_SIZE = 64 * 1024


def xlsx_chunks(pages: Iterator[list[list[str]]]) -> Iterator[bytes]:
    """An XLSX written row by row (openpyxl write-only) to a temporary file, then sent."""
    # Imported here: openpyxl costs the web process memory only once an XLSX is asked for.
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    sheet.append(HEADERS)
    for page in pages:
        for row in page:
            sheet.append([_xlsx_cell(sheet, printable(value)) for value in row])
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
        with open(path, "rb") as saved:
            while chunk := saved.read(READ_SIZE):
                yield chunk
    finally:
        os.unlink(path)


def _xlsx_cell(sheet: Any, value: str) -> Any:
    """A string cell; text starting with = is forced to text (openpyxl would make a formula)."""
    if not value.startswith("="):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


# -- ODS ---------------------------------------------------------------------------------------

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.3">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>\n"
)
ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
    f'<office:body><office:spreadsheet><table:table table:name="{SHEET}">'
    f'<table:table-column table:number-columns-repeated="{len(HEADERS)}"/>'
)
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>\n"


class _Pipe(io.RawIOBase):
    """A write-only stream the zip is written into and drained from; it cannot seek,
    so ``zipfile`` writes sizes in data descriptors and never goes back."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.written += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.written

    def drain(self) -> bytes:
        """What was written since the last drain."""
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _ods_cell(value: str) -> str:
    if not value:
        return "<table:table-cell/>"
    lines = "".join(f"<text:p>{escape(line)}</text:p>" for line in value.split("\n"))
    return f'<table:table-cell office:value-type="string">{lines}</table:table-cell>'


def _ods_rows(page: list[list[str]] | tuple[tuple[str, ...], ...]) -> bytes:
    rows = "".join(
        "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
        for row in page
    )
    return printable(rows).encode()


def ods_chunks(pages: Iterator[list[list[str]]]) -> Iterator[bytes]:
    """An ODS streamed as a zip: ``mimetype`` first and stored, content.xml row by row."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as ods:
        ods.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        ods.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        # A ZipInfo of its own: opened by name, the entry would be dated 1980. Zip times
        # are local: Taipei's, whatever the server's zone.
        moment = datetime.now(rocdate.TAIPEI).timetuple()[:6]
        entry = zipfile.ZipInfo("content.xml", date_time=moment)
        entry.compress_type = zipfile.ZIP_DEFLATED
        with ods.open(entry, "w") as content:
            content.write(ODS_HEAD.encode())
            content.write(_ods_rows((HEADERS,)))
            for page in pages:
                content.write(_ods_rows(page))
                yield pipe.drain()
            content.write(ODS_TAIL.encode())
    yield pipe.drain()


@dataclass(frozen=True)
class Format:
    """How one export format is written and sent."""

    extension: str
    mimetype: str
    write: Callable[[Iterator[list[list[str]]]], Iterator[bytes]]


FORMATS: dict[str, Format] = {
    "csv": Format("csv", "text/csv; charset=utf-8", csv_chunks),
    "xlsx": Format(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_chunks
    ),
    "ods": Format("ods", ODS_MIMETYPE, ods_chunks),
}
