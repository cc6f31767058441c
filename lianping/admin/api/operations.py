"""THE table of the API: every operation once, with its path, schemas, access and view.

Routing (``routes``), request validation (``validation``) and the OpenAPI
document (``openapi``) are all generated from ``OPERATIONS``, so the
documentation cannot drift from what the server does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from lianping.admin.api import broadcast_views, views
from lianping.admin.api.schemas import (
    BIWEEKLY_PARAMETERS,
    BROADCAST_ID,
    BROADCAST_LIST_PARAMETERS,
    CASE_FILTER_PARAMETERS,
    CASE_NUMBER,
    PAGING_PARAMETERS,
    Schema,
)
from lianping.reports.biweekly_files import MEDIA_TYPES as REPORT_MEDIA_TYPES
from lianping.storage.case_search import CaseFilter

PREFIX = "/api/v1"
READ, WRITE, REVEAL = "read", "write", "reveal"
PATH_PARAMETERS: dict[str, Schema] = {"number": CASE_NUMBER, "broadcast_id": BROADCAST_ID}


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str  # OpenAPI template below PREFIX, e.g. "/cases/{number}/classify"
    summary: str
    tag: str
    # None for the OpenAPI document itself: it is built from this table, so no view of
    # the table's may import it; the blueprint answers it (``api.__init__``).
    view: Callable[..., views.Payload] | None
    response: str  # component schema of the success body
    status: int = 200
    body: str | None = None  # component schema of the request body
    body_optional: bool = False
    query: dict[str, Schema] = field(default_factory=dict)
    access: str = READ  # read | write (admin, supervisor, officer) | reveal
    conflicts: bool = False  # moves the status: may answer 409
    rules: bool = False  # casework rules may refuse: 422
    upstream: bool = False  # asks LINE first: 503 when LINE cannot be reached
    description: str = ""
    files: tuple[str, ...] = ()  # media types of files also answered (besides JSON)

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def rule(self) -> str:
        """The Flask URL rule."""
        return PREFIX + re.sub(r"{(\w+)}", r"<\1>", self.path)

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(PREFIX + self.path)) + "$")

    def error_statuses(self) -> list[int]:
        statuses = {401}
        if self.body or self.query:
            statuses.add(400)
        if self.body:
            statuses |= {413, 415}
        if self.access != READ:
            statuses.add(403)
        if self.path_parameters:
            statuses.add(404)
        if self.conflicts:
            statuses.add(409)
        if self.rules:
            statuses.add(422)
        if self.upstream:
            statuses.add(503)
        return sorted(statuses)


CASE_WRITE = "寫入：系統管理者、主管、承辦人；檢視者 403。"
TIP_404 = (
    "檢舉（tip）案件僅承辦的政風人員與政風單位主管可開啟（每次開啟記入稽核紀錄），"
    "其他人一律 404，與不存在的案件相同。"
)

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "listCases", "GET", "/cases", "案件清單與查詢", "cases", views.list_cases, "CaseList",
        query={**CASE_FILTER_PARAMETERS, **PAGING_PARAMETERS},
        description="篩選條件與收件匣相同（參數名稱即 CaseFilter 欄位）；以 cursor 分頁"
        "（keyset，依 sort 排序）。個人資料遮罩。無 ethics 者看不到檢舉案件。",
    ),
    Operation(
        "createCase", "POST", "/cases", "登錄臨櫃、座談會、電話或書面反映", "cases",
        views.create_case, "CaseResponse", status=201, body="ManualIntakeRequest",
        access=WRITE, rules=True,
        description=CASE_WRITE + "言詞陳情須經朗讀或使其閱覽並簽名或蓋章確認（行政程序法第169條）；"
        "須記錄個人資料蒐集告知的方式（notice_method，個人資料保護法第8條）；"
        "檢舉案件僅政風人員可登錄。回應 Location 標頭指向新案件。",
    ),
    Operation(
        "getCase", "GET", "/cases/{number}", "案件明細與處理歷程", "cases", views.get_case,
        "CaseResponse",
        description="個人資料遮罩；歷程含內部註記，回覆附 LINE 送達狀態。" + TIP_404,
    ),
    Operation(
        "classifyCase", "POST", "/cases/{number}/classify", "分類（性質、細項、主題）",
        "casework", views.classify, "CaseResponse", body="ClassifyRequest", access=WRITE,
        rules=True, description=CASE_WRITE + TIP_404,
    ),
    Operation(
        "assignCase", "POST", "/cases/{number}/assign", "分案（承辦人、承辦單位）", "casework",
        views.assign, "CaseResponse", body="AssignRequest", access=WRITE, rules=True,
        description=CASE_WRITE + "檢舉案件只能分給政風人員。" + TIP_404,
    ),
    Operation(
        "routeCase", "POST", "/cases/{number}/route", "簽會內部單位或函轉他機關", "casework",
        views.route, "CaseNoticeResponse", body="RouteRequest", access=WRITE, conflicts=True,
        rules=True,
        description=CASE_WRITE + "to=unit：簽會（處理中），不通知反映者；to=agency：函請參處"
        "（已函轉），反映者仍追蹤本帳號的 LINE 案件會以 LINE 通知（回應 notices 列出排入的"
        "訊息，空陣列為未通知）。" + TIP_404,
    ),
    Operation(
        "replyCase", "POST", "/cases/{number}/reply", "以 LINE 回覆反映者", "casework",
        views.reply, "ReplyResponse", body="ReplyRequest", access=WRITE, conflicts=True,
        rules=True,
        description=CASE_WRITE + "僅 LINE 案件；案件改為已回覆（已結案者維持）。"
        "回應含 outbox id 與送達狀態。" + TIP_404,
    ),
    Operation(
        "changeCaseStatus", "POST", "/cases/{number}/status", "變更案件狀態", "casework",
        views.change_status, "CaseNoticeResponse", body="StatusRequest", access=WRITE,
        conflicts=True, rules=True,
        description=CASE_WRITE + "不符案件生命週期者 409。結案時，反映者仍追蹤本帳號的 LINE "
        "案件會以 LINE 詢問滿意度（見回應 notices）。" + TIP_404,
    ),
    Operation(
        "addCaseNote", "POST", "/cases/{number}/notes", "新增內部註記", "casework",
        views.add_note, "CaseResponse", body="NoteRequest", access=WRITE, rules=True,
        description=CASE_WRITE + TIP_404,
    ),
    Operation(
        "setCaseOpinion", "POST", "/cases/{number}/opinion", "填寫處理意見", "casework",
        views.set_opinion, "CaseResponse", body="OpinionRequest", access=WRITE,
        description=CASE_WRITE + TIP_404,
    ),
    Operation(
        "extendCase", "POST", "/cases/{number}/extend", "延長處理期限", "casework",
        views.extend, "CaseNoticeResponse", body="ExtendRequest", access=WRITE, rules=True,
        description=CASE_WRITE + "須說明理由；反映者仍追蹤本帳號的 LINE 案件會以 LINE 通知"
        "（見回應 notices）。" + TIP_404,
    ),
    Operation(
        "revealCase", "POST", "/cases/{number}/reveal", "檢視反映者個人資料（記錄）", "casework",
        views.reveal, "RevealResponse", body="RevealRequest", access=REVEAL, rules=True,
        description="限需要知悉者：案件的承辦人、承辦人所屬單位的主管、系統管理者（檢舉案件："
        "承辦的政風人員與政風單位主管）；其他人 403。須說明原因（200字以內），"
        "每次檢視連同原因記入稽核紀錄與案件歷程。" + TIP_404,
    ),
    Operation(
        "markCaseRead", "POST", "/cases/{number}/read", "標示反映者補充為已讀", "casework",
        views.mark_read, "CaseResponse", body="EmptyRequest", body_optional=True, access=WRITE,
        description=CASE_WRITE + TIP_404,
    ),
    Operation(
        "listUnits", "GET", "/units", "內部單位（簽會、分案用）", "reference", views.list_units,
        "UnitList",
    ),
    Operation(
        "listAgencies", "GET", "/agencies", "他機關（函轉用）", "reference", views.list_agencies,
        "AgencyList",
    ),
    Operation(
        "listReplyTemplates", "GET", "/reply-templates", "回覆範本", "reference",
        views.list_reply_templates, "ReplyTemplateList",
    ),
    Operation(
        "getBiweeklyReport", "GET", "/reports/biweekly", "工作成果彙報表（附件2）", "reports",
        views.biweekly_report, "BiweeklyReport", query=BIWEEKLY_PARAMETERS,
        files=tuple(REPORT_MEDIA_TYPES.values()),
        description="統計期間內（依收件日，臺北時間，起訖日均含）的民情需求事項、施政興革反映與"
        "反貪倡廉宣導三列：件數、內容摘要與處理意見。未指定期間為最近一個已結束的二週期間。"
        "檢舉案件計入民情需求事項件數，但不摘述。format 為 ods、xlsx、csv 時回傳檔案"
        "（Content-Disposition 附中文檔名）。",
    ),
    Operation(
        "listBroadcasts", "GET", "/broadcasts", "反貪倡廉宣導推播清單", "broadcasts",
        broadcast_views.list_broadcasts, "BroadcastList", query=BROADCAST_LIST_PARAMETERS,
        description="依發送時間新到舊（已排程者依排程時間，已取消者依取消時間，草稿依最後修改"
        "時間）；可依狀態篩選。每筆附發送進度。",
    ),
    Operation(
        "createBroadcast", "POST", "/broadcasts", "建立推播草稿", "broadcasts",
        broadcast_views.create_broadcast, "BroadcastResponse", status=201,
        body="BroadcastDraftRequest", access=WRITE, rules=True,
        description=CASE_WRITE + "1 至 5 則訊息（文字、圖片、圖文卡片、有獎徵答）與發送對象；"
        "依 LINE 的格式與長度限制檢查，不符者 422（details 逐則列出）。"
        "回應 Location 標頭指向新推播。",
    ),
    Operation(
        "getBroadcast", "GET", "/broadcasts/{broadcast_id}", "推播內容、發送進度與成效",
        "broadcasts", broadcast_views.get_broadcast, "BroadcastResponse",
        description="狀態、收訊人數、已送出與失敗的批次、LINE 的錯誤訊息、"
        "有獎徵答作答統計與連結點擊數。",
    ),
    Operation(
        "sendBroadcast", "POST", "/broadcasts/{broadcast_id}/send", "立即發送或排程",
        "broadcasts", broadcast_views.send_broadcast, "BroadcastResponse",
        body="SendBroadcastRequest", body_optional=True, access=WRITE, conflicts=True,
        rules=True, upstream=True,
        description=CASE_WRITE + "草稿或已排程者才能發送（否則 409）。發送前向 LINE 查詢本月"
        "額度：預估超出時 422（details.estimate），僅系統管理者可以 confirm_over_quota 確認送出"
        "（其他人 403）；LINE 無法連線時 503。at 為未來時間時排程，否則立即發送。",
    ),
    Operation(
        "cancelBroadcast", "POST", "/broadcasts/{broadcast_id}/cancel", "取消草稿或排程",
        "broadcasts", broadcast_views.cancel_broadcast, "BroadcastResponse",
        body="EmptyRequest", body_optional=True, access=WRITE, conflicts=True,
        description=CASE_WRITE + "發送中或已結束的推播無法取消（409）。",
    ),
    Operation(
        "getOpenApi", "GET", "/openapi.json", "本 API 的 OpenAPI 文件", "meta", None,
        "OpenApiDocument",
    ),
)  # fmt: skip

BY_ID: dict[str, Operation] = {op.operation_id: op for op in OPERATIONS}


def _check_table() -> None:
    """Fail at import if the table and the code it stands for disagree."""
    missing = {f.name for f in fields(CaseFilter)} - set(CASE_FILTER_PARAMETERS)
    extra = set(CASE_FILTER_PARAMETERS) - {f.name for f in fields(CaseFilter)}
    if missing or extra:
        raise RuntimeError(f"CaseFilter and its query parameters differ: {missing or extra}")
    if len(BY_ID) != len(OPERATIONS):
        raise RuntimeError("operation ids must be unique")
    seen: set[tuple[str, str]] = set()
    for op in OPERATIONS:
        if (op.method, op.path) in seen:
            raise RuntimeError(f"{op.method} {op.path} appears twice")
        seen.add((op.method, op.path))
        unknown = set(op.path_parameters) - set(PATH_PARAMETERS)
        if unknown:
            raise RuntimeError(f"{op.operation_id}: no schema for path parameters {unknown}")


_check_table()


def allowed_methods(path: str) -> list[str]:
    """The methods of the operations whose path template matches ``path``."""
    return sorted({op.method for op in OPERATIONS if op.pattern.match(path)})
