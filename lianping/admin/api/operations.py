"""THE table of the API: every operation once, with its path, schemas, access and view.

Routing (``routes``), request validation (``validation``) and the OpenAPI
document (``openapi``) are all generated from ``OPERATIONS``, so the
documentation cannot drift from what the server does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from lianping.admin.api import broadcast_views, field_views, views
from lianping.admin.api.schemas import (
    ACTIVITY_ID,
    ACTIVITY_LIST_PARAMETERS,
    BIWEEKLY_PARAMETERS,
    BROADCAST_ID,
    BROADCAST_LIST_PARAMETERS,
    CASE_FILTER_PARAMETERS,
    CASE_NUMBER,
    CONTACT_ID,
    NOTICE_ID,
    NOTICE_PARAMETERS,
    PAGING_PARAMETERS,
    PLACE_ID,
    PLACE_LIST_PARAMETERS,
    Schema,
)
from lianping.admin.pages.notices import MEDIA_TYPES as NOTICE_MEDIA_TYPES
from lianping.reports.biweekly_files import MEDIA_TYPES as REPORT_MEDIA_TYPES
from lianping.storage.case_search import CaseFilter

PREFIX = "/api/v1"
READ, WRITE, REVEAL = "read", "write", "reveal"
PATH_PARAMETERS: dict[str, Schema] = {
    "number": CASE_NUMBER,
    "broadcast_id": BROADCAST_ID,
    "notice_id": NOTICE_ID,
    "place_id": PLACE_ID,
    "contact_id": CONTACT_ID,
    "activity_id": ACTIVITY_ID,
}


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
        description=CASE_WRITE + "兩者均須首長核可（approved_by、approved_on；實施計畫玖.一、二）。"
        "to=unit：簽會（處理中），不通知反映者；to=agency：函請參處（已函轉），依行政程序法第172條"
        "第1項通知反映者：仍追蹤本帳號的 LINE 案件以 LINE 通知（回應 notices 列出排入的訊息），"
        "其他建立待寄送的書面通知；不具名者通知處理情形由本機關通知。檢舉案件一律 422（請用"
        " referTip）。" + TIP_404,
    ),
    Operation(
        "replyCase", "POST", "/cases/{number}/reply", "以 LINE 回覆反映者", "casework",
        views.reply, "ReplyResponse", body="ReplyRequest", access=WRITE, conflicts=True,
        rules=True,
        description=CASE_WRITE + "僅 LINE 案件；案件改為已回覆（已結案者維持）；LINE 最終未能送達時"
        "改回處理中。可附加救濟途徑說明（remedy）。回應含 outbox id 與送達狀態。" + TIP_404,
    ),
    Operation(
        "recordReply", "POST", "/cases/{number}/reply-record", "記錄書面／電話回覆", "casework",
        views.record_reply, "CaseResponse", body="RecordReplyRequest", access=WRITE,
        conflicts=True, rules=True,
        description=CASE_WRITE + "已以郵寄、當面、電話或電子郵件回覆時登錄：案件改為已回覆，"
        "回覆內容記為處理結果通知（送達方式與日期）。檢舉案件 422。" + TIP_404,
    ),
    Operation(
        "requestDetails", "POST", "/cases/{number}/details-request", "請民眾補陳", "casework",
        views.request_details, "CaseNoticeResponse", body="DetailsRequest", access=WRITE,
        rules=True,
        description=CASE_WRITE + "非回覆：狀態不變，處理期限暫停計算（不列逾期），直到民眾在 LINE "
        "補充說明或以 recordDetails 記錄。仍追蹤本帳號者以 LINE 通知，其他建立待寄送的書面通知。"
        + TIP_404,
    ),
    Operation(
        "recordDetails", "POST", "/cases/{number}/details-answer", "記錄民眾補陳", "casework",
        views.record_details, "CaseResponse", body="DetailsAnswerRequest", access=WRITE,
        rules=True,
        description=CASE_WRITE + "處理期限依暫停的整日數順延（至該日臺北時間終了）並恢復計算。"
        + TIP_404,
    ),
    Operation(
        "referTip", "POST", "/cases/{number}/refer", "檢舉案件移送", "casework",
        views.refer_tip, "CaseResponse", body="ReferTipRequest", access=WRITE, conflicts=True,
        rules=True,
        description=CASE_WRITE + "限檢舉案件、限政風人員：移送法務部廉政署、地方檢察署（填全名）或"
        "其他權責機關，記錄函文文號與日期；案件改為已移送。不通知檢舉人。" + TIP_404,
    ),
    Operation(
        "changeCaseStatus", "POST", "/cases/{number}/status", "變更案件狀態", "casework",
        views.change_status, "CaseNoticeResponse", body="StatusRequest", access=WRITE,
        conflicts=True, rules=True,
        description=CASE_WRITE + "不符案件生命週期者 409；已回覆（replied）只能經由回覆設定"
        "（422）。"
        "不予處理須附行政程序法第173條事由（三款），並通知反映者事由：LINE 或待寄送的書面通知。"
        "結案時，反映者仍追蹤本帳號的 LINE 案件會以 LINE 詢問滿意度（見回應 notices）。" + TIP_404,
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
        "proposeExtension", "POST", "/cases/{number}/extend", "提出延長處理期限", "casework",
        views.extend, "CaseNoticeResponse", body="ExtendRequest", access=WRITE, rules=True,
        description=CASE_WRITE + "須說明理由，延長日數不得超過設定的上限（extension_max_days）。"
        "承辦人提出者待主管核定（extension_proposal）；主管或系統管理者提出者即時延長並通知"
        "反映者：LINE（見回應 notices）或待寄送的書面通知。" + TIP_404,
    ),
    Operation(
        "decideExtension", "POST", "/cases/{number}/extend/decision", "核定延長處理期限",
        "casework", views.decide_extension, "CaseNoticeResponse",
        body="ExtensionDecisionRequest", access=WRITE, rules=True,
        description="限主管或系統管理者（其他人 403）；主管不得核定自己提出者。核定後期限延長並"
        "以 LINE 或書面通知反映者延長理由；不同意則撤回提議、期限不變。" + TIP_404,
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
        "getCaseNotice", "GET", "/cases/{number}/notices/{notice_id}",
        "法定通知及其書面通知（函）", "notices", views.get_notice, "NoticeResponse",
        query=NOTICE_PARAMETERS, files=tuple(NOTICE_MEDIA_TYPES.values()),
        description="format=json：通知內容與送達情形；pdf、odt：A4 書面通知（函），"
        "供郵寄或當面交付。可檢視此案件個人資料者（承辦人、其單位主管、系統管理者；檢舉案件為"
        "承辦的政風人員與政風單位主管），函列受文者姓名及地址，每次下載記入稽核紀錄與案件歷程；"
        "其他人的函不列地址、姓名遮罩。通知不屬於此案件者 404。" + TIP_404,
    ),
    Operation(
        "recordNoticeDelivery", "POST", "/cases/{number}/notices/{notice_id}/delivery",
        "登錄書面通知已郵寄或當面交付", "notices", views.record_notice_delivery,
        "CaseResponse", body="NoticeDeliveryRequest", access=WRITE, rules=True,
        description=CASE_WRITE + "日期不晚於今天、不早於通知製作日；LINE 通知或已登錄寄送者 "
        "422。記入稽核紀錄與案件歷程。" + TIP_404,
    ),
    Operation(
        "listPendingNotices", "GET", "/notices/pending", "待寄送的書面通知", "notices",
        views.list_pending_notices, "NoticeList",
        description="反映者無法以 LINE 收到、尚未郵寄或當面交付的書面通知，依製作時間由舊到新"
        "（最多 500 件，total 為總數）。檢舉案件僅列入可開啟者（承辦的政風人員、政風單位主管）。",
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
        "反貪倡廉宣導三列：件數、內容摘要與處理意見。內容摘要與處理意見為系統草稿（依細項、"
        "主題及區歸納，不引用民眾原文），經編修者為編修後文字（rows.*.edited、edited_rows）；"
        "件數由系統計算。檢舉案件不列入；原為檢舉、改列者計入件數但保密不摘述。第3列為宣導"
        "活動與LINE推播。未指定期間為最近一個已結束的二週期間。format 為 ods、xlsx、csv 時"
        "回傳檔案（Content-Disposition 附中文檔名）。",
    ),
    Operation(
        "saveBiweeklyDraft", "PUT", "/reports/biweekly/draft", "編修彙報表一列的文字", "reports",
        views.save_biweekly_draft, "BiweeklyReport", body="BiweeklyDraftRequest",
        access=WRITE, rules=True,
        description="限承辦人、主管、系統管理者（檢視者 403）。編修一列的內容摘要及（或）處理意見，"
        "預覽、下載及送出均採用編修後文字；與系統草稿相同者視為未編修。空白或過長 422。"
        "回應為編修後的彙報表。",
    ),
    Operation(
        "revertBiweeklyDraft", "POST", "/reports/biweekly/draft/revert", "還原為系統草稿",
        "reports", views.revert_biweekly_draft, "BiweeklyReport", body="BiweeklyRevertRequest",
        access=WRITE,
        description="限承辦人、主管、系統管理者（檢視者 403）。該列改回系統草稿；回應為彙報表。",
    ),
    Operation(
        "submitBiweeklyReport", "POST", "/reports/biweekly/submissions", "送出彙報表（首長核可）",
        "reports", views.submit_biweekly_report, "BiweeklySubmission", status=201,
        body="BiweeklySubmitRequest", access=WRITE, conflicts=True, rules=True,
        description="限主管、系統管理者（其他角色 403）。記錄首長核可（核可人、核可日期，"
        "實施計畫玖、四），並將彙報表（含編修後文字）與 ODS 檔凍結保存。統計期間尚未結束者須"
        "confirm_unfinished: true，否則 422 且不送出；digest 與目前內容不同者 409 且不送出。"
        "回應 Location 標頭指向已送出彙報表的列印檢視。",
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
        "listPlaces", "GET", "/places", "平臺地點清單", "fieldwork", field_views.list_places,
        "PlaceList", query=PLACE_LIST_PARAMETERS,
        description="依區、村里、名稱排序（含已停用者，見 active）；district 篩選單一區。",
    ),
    Operation(
        "createPlace", "POST", "/places", "新增平臺地點", "fieldwork", field_views.create_place,
        "PlaceResponse", status=201, body="PlaceRequest", access=WRITE, rules=True,
        description=CASE_WRITE + "區須為設定的區域之一（已設定區域時）。"
        "回應 Location 標頭指向新地點。",
    ),
    Operation(
        "getPlace", "GET", "/places/{place_id}", "平臺地點與其聯絡人", "fieldwork",
        field_views.get_place, "PlaceResponse",
        description="聯絡人的姓名、電話、電子郵件為個人資料：角色無法檢視個人資料者（檢視者）"
        "看到遮蔽後的內容（masked: true）。",
    ),
    Operation(
        "updatePlace", "PUT", "/places/{place_id}", "修改平臺地點", "fieldwork",
        field_views.update_place, "PlaceResponse", body="PlaceRequest", access=WRITE,
        rules=True, description=CASE_WRITE + "送出完整內容；未變更者 422。",
    ),
    Operation(
        "createPlaceContact", "POST", "/places/{place_id}/contacts", "新增平臺聯絡人",
        "fieldwork", field_views.create_contact, "ContactResponse", status=201,
        body="ContactRequest", access=WRITE, rules=True,
        description=CASE_WRITE + "稽核紀錄僅記角色，不記個人資料。",
    ),
    Operation(
        "updatePlaceContact", "PUT", "/places/{place_id}/contacts/{contact_id}",
        "修改平臺聯絡人", "fieldwork", field_views.update_contact, "ContactResponse",
        body="ContactRequest", access=WRITE, rules=True,
        description=CASE_WRITE + "送出完整內容；已結束聯繫者不能修改（422）。",
    ),
    Operation(
        "endPlaceContact", "POST", "/places/{place_id}/contacts/{contact_id}/end",
        "結束與平臺聯絡人的聯繫", "fieldwork", field_views.end_contact, "ContactResponse",
        body="EmptyRequest", body_optional=True, access=WRITE, rules=True,
        description=CASE_WRITE + "其姓名、電話、電子郵件及備註於保存期限屆滿後刪除。",
    ),
    Operation(
        "listActivities", "GET", "/activities", "平臺活動清單", "fieldwork",
        field_views.list_activities, "ActivityList", query=ACTIVITY_LIST_PARAMETERS,
        description="依活動日期新到舊；可依期間、類別、區、平臺地點篩選；limit／offset 分頁。",
    ),
    Operation(
        "createActivity", "POST", "/activities", "登錄平臺活動", "fieldwork",
        field_views.create_activity, "ActivityResponse", status=201, body="ActivityRequest",
        access=WRITE, rules=True,
        description=CASE_WRITE + "活動日期不得晚於今天、不得早於一年前；promotion 省略時，"
        "有宣導品即為宣揚反貪倡廉資訊（列入附件2第三列）。本場受理的反映以 createCase 的 "
        "activity_id 登錄。照片僅能於管理頁面上傳。回應 Location 標頭指向新活動。",
    ),
    Operation(
        "getActivity", "GET", "/activities/{activity_id}", "平臺活動與本場受理的案件",
        "fieldwork", field_views.get_activity, "ActivityResponse",
        description="cases 列出本場受理、且呼叫者可開啟的案件編號。",
    ),
    Operation(
        "updateActivity", "PUT", "/activities/{activity_id}", "修改平臺活動", "fieldwork",
        field_views.update_activity, "ActivityResponse", body="ActivityRequest", access=WRITE,
        rules=True, description=CASE_WRITE + "送出完整內容；未變更者 422。",
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
