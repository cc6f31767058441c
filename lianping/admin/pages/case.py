"""The case page: 附件1's fields, the timeline, and every action an officer takes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from lianping import codes, context, rocdate
from lianping.admin.pages.common import (
    Lookups,
    current_actor,
    not_found,
)
from lianping.bot import texts
from lianping.jobs import delivery
from lianping.reports import work_record
from lianping.services import (
    activities,
    casework,
    content,
    notices,
    public_cache,
    publication,
    tips,
)
from lianping.services.access import (
    Actor,
    PermissionDenied,
    can_open,
    has_reporter_data,
    mask_name,
    may_reveal,
    personal_data,
)
from lianping.services.casework import CaseworkError, Result
from lianping.services.notice_delivery import last_notice_id, letters_waiting, record_delivery
from lianping.services.timeline import case_notices, case_timeline, sent_by_events
from lianping.storage import case_search, ids
from lianping.storage.models import Case, FieldActivity, ReplyTemplate, Resident, utcnow

blueprint = Blueprint("case", __name__, url_prefix="/admin/cases")
blueprint.register_error_handler(404, not_found)

Form = MultiDict[str, str]

# What the page says after an action succeeded (Post/Redirect/Get, no session state).
DONE: dict[str, str] = {
    "classify": "已更新分類。",
    "assign": "已分案。",
    # 簽會 sends the resident nothing (the public timeline shows 處理中 in 查詢案件).
    "route-internal": "已簽會權責單位，案件改為「處理中」；系統未通知反映者。",
    "route-external-notified": "已登錄函轉，並已排入LINE通知反映者（行政程序法第172條）。",
    "route-external-no_line": "已登錄函轉。此案件非經由LINE反映，已建立書面移送通知。",
    "route-external-blocked": "已登錄函轉。反映者已封鎖本帳號，無法以LINE通知，已建立書面"
    "移送通知。",
    "opinion": "已儲存處理意見。",
    "note": "已新增內部註記（民眾看不到）。",
    "reply": "回覆已排入LINE傳送，傳送結果顯示於處理歷程。",
    "record-reply": "已記錄書面／電話回覆，案件改為「已回覆」。",
    "status": "已變更案件狀態。",
    "status-notified": "已結案，並已排入LINE詢問反映者滿意度。",
    "refusal-notified": "已變更為不予處理，並已排入LINE通知反映者（含行政程序法第173條事由）。",
    "refusal-no_line": "已變更為不予處理。此案件非經由LINE反映，已建立書面不予處理通知。",
    "refusal-blocked": "已變更為不予處理。反映者已封鎖本帳號，已建立書面不予處理通知。",
    "extend-proposed": "已提出延長處理期限，待主管核定；核定後才通知反映者。",
    "extension-declined": "已不同意延長處理期限，期限維持不變。",
    "extend-notified": "已延長處理期限，並已排入LINE通知反映者。",
    "extend-no_line": "已延長處理期限。此案件非經由LINE反映，已建立書面延長通知。",
    "extend-blocked": "已延長處理期限。反映者已封鎖本帳號，無法以LINE通知，已建立書面延長通知。",
    "request-details-notified": "已請民眾補陳，並已排入LINE通知；處理期限暫停計算。",
    "request-details-no_line": "已請民眾補陳，已建立書面補陳通知；處理期限暫停計算。",
    "request-details-blocked": "已請民眾補陳。反映者已封鎖本帳號，已建立書面補陳通知；"
    "處理期限暫停計算。",
    "record-details": "已記錄民眾補充的資料，處理期限依暫停的日數順延並恢復計算。",
    "refer-tip": "已登錄移送，案件改為「已移送」（內部紀錄，檢舉人不會收到通知）。",
    "notice-delivery": "已登錄書面通知的寄送方式及日期。",
    "read": "已將民眾補充標示為已讀。",
    "created": "已新增紀錄。",
    "tip-acceptance-notified": "受理通知已排入LINE傳送，傳送結果顯示於下方及處理歷程。",
    "tip-acceptance": "已記錄受理通知（當面交付或郵寄）；系統未以LINE傳送，"
    "書面通知可於「通知紀錄」列印。",
    "tip-result-notified": "處理結果通知已排入LINE傳送，傳送結果顯示於下方及處理歷程。",
    "tip-result": "已記錄處理結果通知（當面交付或郵寄）；系統未以LINE傳送，"
    "書面通知可於「通知紀錄」列印。",
    "tip-insider": "已更新機關內部人員標記。",
}
# Said after any action that made a printed notice: nothing reached the reporter yet.
LETTERS_WAITING = "書面通知尚未寄出：請於「通知紀錄」列印後郵寄或當面交付，並登錄寄送日期。"


def _load(session: Session, actor: Actor, number: str) -> Case:
    try:
        return casework.get_case(session, actor, number)
    except LookupError:
        abort(404)


def case_view(
    session: Session, actor: Actor, case: Case, revealed: dict[str, str | None] | None
) -> dict[str, Any]:
    """Everything the case page and the print view show of a case."""
    lookups = Lookups.load(session)
    resident = session.get(Resident, case.resident_id) if case.resident_id else None
    person = revealed if revealed is not None else personal_data(case, revealed=False)
    line_name = resident.display_name if resident else None
    merged_into = session.get(Case, case.merged_into_id) if case.merged_into_id else None
    signing = lookups.names().signing_agency(case.signing_agency, case.agency_id, case.unit_id)
    return {
        "case": case,
        "person": person,
        "revealed": revealed is not None,
        "line_name": line_name if revealed is not None else mask_name(line_name),
        # Need-to-know: only those who may reveal get the control (and a reason field).
        "may_reveal": may_reveal(session, actor, case),
        "resident": resident,
        "lookups": lookups,
        "overdue": case_search.is_overdue(
            case.status, case.due_at, utcnow(), case.details_requested_at
        ),
        "line_reach": notices.line_reach(session, case),
        "signing_agency": signing or None,
        "merged_into": merged_into.number if merged_into else None,
        "has_personal_data": has_reporter_data(session, case) or resident is not None,
        "actor": actor,
        "tip": _tip_view(session, case) if case.confidential else None,
        "status_label": casework.status_label(case),
        "notices": case_notices(session, actor, case),
        "activity": _activity(session, case),
        "publication": publication.of_case(session, case),
    }


def _activity(session: Session, case: Case) -> dict[str, Any] | None:
    """The field activity the report was taken at (「於 … 受理」), if any."""
    found = session.get(FieldActivity, case.activity_id) if case.activity_id else None
    return {"id": found.id, "title": activities.title(found)} if found else None


def _tip_view(session: Session, case: Case) -> dict[str, Any]:
    """A tip's notices: deadlines, what was sent, and whether LINE delivered it."""
    return {
        "acceptance_overdue": tips.acceptance_overdue(case, utcnow()),
        "insider_result_due": tips.insider_result_due(case),
        "concluded": case.status in tips.CONCLUDED,
        "deliveries": tips.deliveries(session, case),
        "methods": tips.METHODS,
        "acceptance_text": tips.acceptance_text(case),
    }


def _render(
    number: str,
    *,
    revealed: dict[str, str | None] | None = None,
    error: str | None = None,
    form: Form | None = None,
    open_action: str | None = None,
    preview: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    actor = current_actor()
    ctx = context.of_app()
    with ctx.sessions.begin() as session:
        case = _load(session, actor, number)
        casework.record_view(session, actor, case, "page")
        view = case_view(session, actor, case, revealed)
        lookups: Lookups = view["lookups"]
        timeline = case_timeline(session, actor, case)
        html = render_template(
            "admin/case.html",
            **view,
            timeline=timeline,
            sent_by_event=sent_by_events(timeline),
            templates=list(
                session.scalars(
                    select(ReplyTemplate)
                    .where(ReplyTemplate.active.is_(True))
                    .order_by(ReplyTemplate.title)
                )
            ),
            officers=lookups.officers(ethics_only=case.confidential),
            units=[u for u in lookups.units.values() if u.active],
            agencies=[a for a in lookups.agencies.values() if a.active],
            next_statuses=casework.next_statuses(case),
            remedies=texts.REMEDIES,
            remedy_labels=texts.REMEDY_LABELS,
            reply_methods=casework.REPLY_METHODS,
            referral_targets=casework.REFERRAL_TARGETS,
            awaiting_answer=case_search.AWAITING_ANSWER,
            extension_approvers=casework.APPROVERS,
            extension_max_days=content.get(session, "extension_max_days"),
            rejection_reasons={
                code: f"第{casework.REJECTION_CLAUSES[code]}款：{words}"
                for code, words in casework.REJECTION_REASONS.items()
            },
            satisfaction_words=texts.SATISFACTION_LABELS.get(case.satisfaction or 0),
            reply_frame=texts.STAFF_REPLY.format(number=case.number, body="\x00").split("\x00"),
            natures={k: v for k, v in codes.NATURES.items() if k != codes.TIP or actor.ethics},
            error=error,
            done=DONE.get(request.args.get("done", "")),
            letters=LETTERS_WAITING if request.args.get("letters") else None,
            form=form or MultiDict(),
            open_action=open_action,
            preview=preview,
            today=rocdate.taipei_today().isoformat(),
        )
    return html, status


@blueprint.get("/<number>")
def show(number: str) -> tuple[str, int]:
    """The case page."""
    return _render(number)


@blueprint.post("/<number>/reveal")
def reveal(number: str) -> tuple[str, int]:
    """Show the reporter's personal data on this response only; the reveal and its reason
    are logged. Without a reason nothing is shown and nothing is recorded."""
    actor = current_actor()
    ctx = context.of_app()
    form: Form = MultiDict(request.form)
    try:
        with ctx.sessions.begin() as session:
            case = _load(session, actor, number)
            data = casework.reveal(session, actor, case, _text(form, "reason"))
    except CaseworkError as exc:
        return _render(number, error=str(exc), form=form, open_action="reveal", status=400)
    return _render(number, revealed=data)


# -- actions ---------------------------------------------------------------------------------


def _text(form: Form, name: str) -> str:
    """A trimmed form value with browser line breaks (CRLF) as LINE's (LF)."""
    return (form.get(name) or "").replace("\r\n", "\n").strip()


def _optional_int(form: Form, name: str, label: str) -> int | None:
    raw = _text(form, name)
    if not raw:
        return None
    found = ids.parse_id(raw)
    if found is None:
        raise CaseworkError(f"「{label}」的值不正確")
    return found


def _required_int(form: Form, name: str, message: str) -> int:
    value = _optional_int(form, name, message)
    if value is None:
        raise CaseworkError(message)
    return value


def _required_date(form: Form, name: str, message: str) -> date:
    try:
        return date.fromisoformat(_text(form, name))
    except ValueError as exc:
        raise CaseworkError(message) from exc


def _classify(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    return casework.classify(
        session,
        actor,
        case,
        _text(form, "nature"),
        _text(form, "sub_item") or None,
        _text(form, "theme") or None,
    )


def _assign(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    officer_id = _optional_int(form, "officer_id", "承辦人")
    unit_id = _optional_int(form, "unit_id", "承辦單位")
    if officer_id is None and unit_id is None:
        raise CaseworkError("請選擇承辦人或承辦單位")
    return casework.assign(session, actor, case, officer_id, unit_id)


def _approval(form: Form) -> casework.Approval:
    on = _required_date(form, "approved_on", "請填寫核可日期")
    return casework.Approval(_text(form, "approved_by"), on)


def _route_internal(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    unit_id = _required_int(form, "unit_id", "請選擇簽會單位")
    return casework.route_internal(
        session, actor, case, unit_id, _text(form, "note"), _approval(form)
    )


def _route_external(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    agency_id = _required_int(form, "agency_id", "請選擇受文機關")
    letter_date = _required_date(form, "letter_date", "請填寫發文日期")
    return casework.route_external(
        session, actor, case, agency_id, _text(form, "letter_number"), letter_date, _approval(form)
    )


def _refer_tip(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    letter_date = _required_date(form, "letter_date", "請填寫發文日期")
    return casework.refer_tip(
        session,
        actor,
        case,
        _text(form, "target"),
        _text(form, "name") or None,
        _text(form, "letter_number"),
        letter_date,
    )


def _opinion(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    return casework.set_opinion(
        session, actor, case, _text(form, "opinion"), _text(form, "signing_agency")
    )


def _note(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    return casework.add_note(session, actor, case, _text(form, "note"))


def _reply(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    return casework.reply(session, actor, case, _text(form, "body"), _text(form, "remedy") or None)


def _record_reply(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    on = _required_date(form, "on", "請填寫回覆日期")
    return casework.record_reply(
        session,
        actor,
        case,
        _text(form, "body"),
        _text(form, "method"),
        on,
        _text(form, "remedy") or None,
    )


def _request_details(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    return casework.request_details(session, actor, case, _text(form, "what"))


def _record_details(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    on = _required_date(form, "on", "請填寫收到補充資料的日期")
    return casework.record_details(session, actor, case, _text(form, "answer"), on)


def _decide_extension(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    decision = _text(form, "decision")
    if decision not in ("approve", "decline"):
        raise CaseworkError("請選擇核定或不同意")
    return casework.decide_extension(
        session, actor, case, decision == "approve", _text(form, "note")
    )


def _status(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    status = _text(form, "status")
    if not status:
        raise CaseworkError("請選擇新狀態")
    return casework.change_status(
        session,
        actor,
        case,
        status,
        reason=_text(form, "reason") or None,
        merge_into=_text(form, "merge_into") or None,
    )


def _extend(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    new_due = _required_date(form, "new_due", "請選擇新的處理期限")
    return casework.extend_due(session, actor, case, new_due, _text(form, "reason"))


def _read(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    return casework.mark_read(session, actor, case)


def _tip_acceptance(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    return tips.send_acceptance(session, actor, case, _text(form, "method"))


def _tip_result(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    return tips.send_result(session, actor, case, _text(form, "method"), _text(form, "body"))


def _tip_insider(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    return tips.set_insider(session, actor, case, form.get("insider") == "1")


def _notice_delivery(session: Session, actor: Actor, case: Case, form: Form) -> Result:
    notice_id = _required_int(form, "notice_id", "請選擇通知")
    raw = _text(form, "on")
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise CaseworkError("寄送或交付日期格式不正確") from exc
    return record_delivery(session, actor, case, notice_id, _text(form, "method"), day)


Action = Callable[[Session, Actor, Case, Form], Result]
ACTIONS: dict[str, Action] = {
    "classify": _classify,
    "assign": _assign,
    "route-internal": _route_internal,
    "route-external": _route_external,
    "opinion": _opinion,
    "note": _note,
    "reply": _reply,
    "status": _status,
    "extend": _extend,
    "decide-extension": _decide_extension,
    "record-reply": _record_reply,
    "request-details": _request_details,
    "record-details": _record_details,
    "refer-tip": _refer_tip,
    "read": _read,
    "tip-acceptance": _tip_acceptance,
    "tip-result": _tip_result,
    "tip-insider": _tip_insider,
    "notice-delivery": _notice_delivery,
}
# Actions that tell the resident on LINE when they can; a confirmation says whether they did.
NOTIFYING = frozenset({"route-external", "status", "extend", "decide-extension", "request-details"})
# A tip's notices go on LINE or are recorded as handed over or mailed.
TIP_NOTICES = frozenset({"tip-acceptance", "tip-result"})


def _done(action: str, result: Result, reach: str, form: Form, letters: bool) -> str:
    """The confirmation's code: what the action did, and whether a LINE message was queued
    or a printed notice made instead."""
    if action == "extend" and result.case.extension_due_on is not None:
        return "extend-proposed"
    if action == "status" and result.case.status == codes.REJECTED:
        if result.case.confidential:  # a tip's reporter hears through its result notice
            return action
        return "refusal-notified" if result.outbox_ids else f"refusal-{reach}"
    if action == "decide-extension":
        if form.get("decision") == "decline":
            return "extension-declined"
        action = "extend"
    if action in TIP_NOTICES:
        return f"{action}-notified" if result.outbox_ids else action
    if action not in NOTIFYING:
        return action
    if result.outbox_ids:
        return f"{action}-notified"
    if letters and f"{action}-letter" in DONE:
        return f"{action}-letter"
    # Closing asks for a rating only when it can; other status moves never tell anybody.
    return action if action == "status" else f"{action}-{reach}"


def _preview(number: str, form: Form) -> tuple[str, int]:
    """Re-render the reply form with exactly the text LINE will show (no JavaScript needed)."""
    actor = current_actor()
    ctx = context.of_app()
    body = _text(form, "body")
    template_id = _optional_int(form, "template_id", "回覆範本")
    with ctx.sessions() as session:
        case = _load(session, actor, number)
        if form.get("step") == "template":
            chosen = session.get(ReplyTemplate, template_id) if template_id else None
            if chosen is None or not chosen.active:
                raise CaseworkError("請選擇回覆範本")
            body = chosen.body
        text = casework.reply_text(case.number, body)
    filled: Form = MultiDict(form)
    filled["body"] = body
    return _render(number, form=filled, open_action="reply", preview=text)


@blueprint.post("/<number>/<action>")
def act(number: str, action: str) -> Response | tuple[str, int]:
    """Run one action; an error redisplays the page with the reason and changes nothing."""
    handler = ACTIONS.get(action)
    if handler is None:
        abort(404)
    actor = current_actor()
    ctx = context.of_app()
    form: Form = MultiDict(request.form)
    try:
        if action == "reply" and form.get("step") in ("preview", "template"):
            if not actor.can_write:
                raise PermissionDenied("檢視者無法變更資料")
            return _preview(number, form)
        with ctx.sessions.begin() as session:
            case = _load(session, actor, number)
            last_notice = last_notice_id(session, case)
            result = handler(session, actor, case, form)
            still_open = can_open(actor, case)
            reach = notices.line_reach(session, case)
            letters = letters_waiting(session, case, last_notice)
    except CaseworkError as exc:
        return _render(number, error=str(exc), form=form, open_action=action, status=400)
    delivery.enqueue_after_commit(ctx, result.outbox_ids)
    # A published case's status (or its becoming a tip) shows on the public pages at once.
    public_cache.invalidate(ctx.redis, public_cache.CASES)
    if not still_open:  # reclassified as a tip: only ethics staff go on from here
        return redirect(url_for("inbox.index"))
    done = _done(action, result, reach, form, letters)
    where = url_for("case.show", number=number, done=done, letters=1 if letters else None)
    return redirect(where + ("#notices" if letters else "#timeline"))


@blueprint.get("/<number>/print")
def print_view(number: str) -> str:
    """附件1 村里廉政平臺工作紀錄表, ready to print on A4: the same record as its ODT and PDF."""
    actor = current_actor()
    ctx = context.of_app()
    with ctx.sessions.begin() as session:
        try:
            record = work_record.for_number(session, actor, number)
        except LookupError:
            abort(404)
    return render_template(
        "admin/print.html", record=record, actor=actor, box=work_record.box, note=work_record.NOTE
    )
