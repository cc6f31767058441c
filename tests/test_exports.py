"""Case exports of an inbox filter: CSV, XLSX and ODS read back, masking, tips, audit, pages."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from odf import teletype
from odf.opendocument import load as load_odf
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import load_workbook
from sqlalchemy import insert, select

from lianping import rocdate
from lianping.context import Context
from lianping.reports import exports
from lianping.storage.models import AuditEntry, Case, utcnow
from tests.admin_support import staff
from tests.test_admin_pages import ADDRESS, NAME, Staff, line_case, personal_case

HEADERS = list(exports.HEADERS)


@pytest.fixture
def officer(app: Any, ctx: Context) -> Staff:
    return Staff(app, ctx, staff(ctx, "officer", "officer"))


@pytest.fixture
def viewer(app: Any, ctx: Context) -> Staff:
    return Staff(app, ctx, staff(ctx, "viewer", "viewer"))


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode())))
    assert rows[0] == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


def read_xlsx(data: bytes) -> list[dict[str, str]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True)["案件"]
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.values]
    assert rows[0] == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


def read_ods(data: bytes) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as ods:
        first = ods.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert ods.read("mimetype") == exports.ODS_MIMETYPE.encode()
    assert data[30:38] == b"mimetype"
    [table] = load_odf(io.BytesIO(data)).getElementsByType(Table)
    rows = []
    for row in table.getElementsByType(TableRow):
        cells = row.getElementsByType(TableCell)
        rows.append(
            ["\n".join(teletype.extractText(p) for p in c.getElementsByType(P)) for c in cells]
        )
    assert rows[0] == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


READERS = {"csv": read_csv, "xlsx": read_xlsx, "ods": read_ods}
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def export(client: Staff, fmt: str, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/admin/exports/cases.{fmt}?{query}")
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == MIMETYPES[fmt]
    assert response.headers["Cache-Control"] == "no-store"
    return READERS[fmt](response.get_data())


def export_audits(ctx: Context) -> list[AuditEntry]:
    with ctx.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "cases.export")))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_an_officer_exports_every_field_in_full_and_it_is_audited(
    ctx: Context, officer: Staff, fmt: str
) -> None:
    number = personal_case(ctx, "Uexp", theme="works", description="路燈不亮\n第二行")
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        case.officer_id = officer.user.id  # need-to-know: in full on the officer's own cases
        case.handling_opinion = "已簽會工務局。"
        case.recorder = "陳承辦"
        created, due = case.created_at, case.due_at
    [row] = export(officer, fmt)
    assert row["案件編號"] == number
    assert row["收件日期"] == rocdate.roc_date(created)
    assert row["處理期限"] == rocdate.roc_date(due)
    assert row["受理管道"] == "LINE" and row["性質"] == "民情需求事項"
    assert row["細項"] == "公共設施欠缺或設置管理不當，影響民眾權益之情"
    assert row["主題"] == "地方工程" and row["狀態"] == "新收" and row["逾期"] == ""
    assert row["反映者姓名"] == NAME and row["職業"] == "教師"
    assert row["聯絡電話"] == "0912-345-678" and row["聯絡地址"] == ADDRESS
    assert row["需求／反映等內容概述"] == "路燈不亮\n第二行"
    assert row["處理意見"] == "已簽會工務局。" and row["紀錄人"] == "陳承辦"
    [entry] = export_audits(ctx)
    assert entry.actor == "officer" and entry.target_id == fmt
    assert entry.after == {"filter": {}, "personal_data": True}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_a_viewer_gets_personal_data_masked_and_no_audit(
    ctx: Context, viewer: Staff, fmt: str
) -> None:
    personal_case(ctx, "Uexpv")
    [row] = export(viewer, fmt)
    assert row["反映者姓名"] == "王○明" and row["聯絡電話"] == "******5678"
    assert row["聯絡地址"] == "臺北市中正區＊＊＊"
    assert export_audits(ctx) == []


def test_a_tip_is_never_exported_to_a_non_ethics_role(app: Any, ctx: Context) -> None:
    plain = line_case(ctx, "Uplain")
    tip = line_case(ctx, "Utip", nature="tip", sub_item=None, description="疑似收賄。")
    for role in ("admin", "supervisor", "officer", "viewer"):
        user = Staff(app, ctx, staff(ctx, role, role))
        for fmt in ("csv", "xlsx", "ods"):
            numbers = [row["案件編號"] for row in export(user, fmt)]
            assert numbers == [plain], (role, fmt)
        # Asking for tips by name goes back to the inbox, which says the filter is wrong.
        refused = user.get("/admin/exports/cases.csv?nature=tip")
        assert refused.status_code == 302
        assert refused.headers["Location"] == "/admin/cases?nature=tip"
        assert "疑似收賄" not in refused.get_data(as_text=True)
    ethics = Staff(app, ctx, staff(ctx, "ethics", "officer", ethics=True))
    # Need-to-know: ethics staff export the tips assigned to them, not every tip.
    assert [row["案件編號"] for row in export(ethics, "csv")] == [plain]
    with ctx.sessions.begin() as session:
        session.scalars(select(Case).where(Case.number == tip)).one().officer_id = ethics.user.id
    assert sorted(row["案件編號"] for row in export(ethics, "csv")) == sorted([plain, tip])
    assert [row["案件編號"] for row in export(ethics, "ods", "nature=tip")] == [tip]
    # Each export holding the tip is a view of it, in the audit log.
    with ctx.sessions() as session:
        views = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "tip.view").order_by(AuditEntry.id)
        ).all()
    assert [(entry.target_id, entry.after["via"]) for entry in views] == [
        (tip, "export.csv"),
        (tip, "export.ods"),
    ]


def test_the_export_holds_what_the_inbox_filter_lists(ctx: Context, officer: Staff) -> None:
    need = line_case(ctx, "Uneed", description="排水溝堵塞")
    reform = line_case(ctx, "Ureform", nature="reform", sub_item="reform-1", description="公車")
    assert [r["案件編號"] for r in export(officer, "csv", "nature=reform")] == [reform]
    assert [r["案件編號"] for r in export(officer, "xlsx", "q=排水溝")] == [need]
    assert [r["案件編號"] for r in export(officer, "csv", "sort=oldest")] == [need, reform]
    assert export(officer, "ods", "status=closed") == []


def test_a_bad_filter_goes_back_to_the_inbox_and_changes_nothing(
    ctx: Context, officer: Staff
) -> None:
    personal_case(ctx, "Ubad")
    for query in ("status=nope&date_from=x", "date_from=9999-06-01&date_to=9999-12-31"):
        response = officer.get(f"/admin/exports/cases.csv?{query}")
        assert response.status_code == 302, query
        inbox = officer.get(response.headers["Location"])
        assert inbox.status_code == 400 and "篩選條件有誤" in inbox.get_data(as_text=True)
    assert export_audits(ctx) == []
    assert officer.get("/admin/exports/cases.pdf").status_code == 404


def test_the_filename_is_zh_tw_and_rfc_5987_encoded(officer: Staff) -> None:
    response = officer.get("/admin/exports/cases.ods")
    disposition = response.headers["Content-Disposition"]
    today = rocdate.taipei_today()
    assert disposition.startswith(f'attachment; filename="cases-{today:%Y%m%d}.ods"; ')
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert encoded.isascii()
    assert unquote(encoded) == f"案件匯出_{rocdate.roc_compact(today)}.ods"


def test_spreadsheet_formulas_in_citizen_text_stay_text(ctx: Context, officer: Staff) -> None:
    formula = '=HYPERLINK("http://evil.example","按我")'
    line_case(ctx, "Uformula", description=formula)
    assert export(officer, "csv")[0]["需求／反映等內容概述"] == "'" + formula
    assert export(officer, "xlsx")[0]["需求／反映等內容概述"] == formula  # a string cell
    sheet = load_workbook(io.BytesIO(officer.get("/admin/exports/cases.xlsx").data))["案件"]
    assert sheet["Q2"].data_type == "s"
    assert export(officer, "ods")[0]["需求／反映等內容概述"] == formula
    # A control character in front (dropped from the file) does not let one through.
    with ctx.sessions.begin() as session:
        session.scalars(select(Case)).one().description = "\x07" + formula
    assert export(officer, "csv")[0]["需求／反映等內容概述"] == "'" + formula


def test_control_characters_are_dropped_not_fatal(ctx: Context, officer: Staff) -> None:
    line_case(ctx, "Uctrl", description="鈴\x07聲\x1b<b>&</b>")
    for fmt in ("csv", "xlsx", "ods"):
        assert export(officer, fmt)[0]["需求／反映等內容概述"] == "鈴聲<b>&</b>", fmt


def test_many_cases_come_in_keyset_pages_each_exactly_once(ctx: Context, viewer: Staff) -> None:
    total = exports.PAGE * 2 + 7
    now = utcnow()
    with ctx.sessions.begin() as session:
        session.execute(
            insert(Case),
            [
                {
                    "number": f"1151121-{n:05d}",
                    "channel": "phone",
                    "nature": "need",
                    "status": "received",
                    "description": f"第{n}案",
                    # Every tenth case shares a timestamp: the keyset's id tie-break matters.
                    "created_at": now - timedelta(minutes=n - n % 10),
                    "due_at": now + timedelta(days=30),
                    "updated_at": now,
                }
                for n in range(total)
            ],
        )
    for fmt in ("csv", "ods"):
        numbers = [row["案件編號"] for row in export(viewer, fmt)]
        assert len(numbers) == total and len(set(numbers)) == total, fmt


def test_the_inbox_offers_the_export_of_its_filter(officer: Staff) -> None:
    html = officer.get("/admin/cases?nature=need&q=路燈").get_data(as_text=True)
    for fmt in ("csv", "xlsx", "ods"):
        assert f"/admin/exports/cases.{fmt}?nature=need&amp;q=%E8%B7%AF%E7%87%88" in html
    assert "/admin/records" in html
