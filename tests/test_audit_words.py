"""Every audit-log entry reads as a sentence in zh-TW, and every action has words.

The actions are found in the product's own source: each ``audit.record`` call's
action, followed through the variables, parameters and f-strings that carry it.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import re
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import lianping
from lianping import codes, rocdate
from lianping.admin.settings import audit_words
from lianping.context import Context
from lianping.reports import drafts, submissions
from lianping.services import (
    administration,
    broadcasts,
    casework,
    follower_tags,
    promotion_images,
)
from lianping.services.access import Actor
from lianping.storage import residents
from lianping.storage.models import AuditEntry, Unit, User, utcnow
from tests.admin_support import logged_in, staff
from tests.test_promotion_images import picture

PRODUCT = Path(lianping.__file__).parent
# ``kind.audit_type`` in administration: the kinds of names an administrator keeps.
ATTRIBUTES = {"audit_type": {kind.audit_type for kind in administration.NAME_KINDS.values()}}


# -- the actions in the code ----------------------------------------------------------------


class Unresolved(AssertionError):
    pass


def _is_audit_record(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "record"
        and isinstance(func.value, ast.Name)
        and func.value.id == "audit"
    )


def _argument(call: ast.Call, index: int | None, name: str) -> ast.expr | None:
    """The argument given for parameter ``name`` (at ``index``, None when keyword-only)."""
    if index is not None and len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == name), None)


class Source:
    """One module's syntax tree, with each node's function and the module's calls."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        # The innermost function of every node (the walk reaches outer functions first).
        self.function_of: dict[ast.AST, ast.FunctionDef] = {}
        for function in ast.walk(self.tree):
            if isinstance(function, ast.FunctionDef):
                for node in ast.walk(function):
                    if node is not function:
                        self.function_of[node] = function

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(PRODUCT.parent)}:{getattr(node, 'lineno', '?')}"

    def values(self, expr: ast.expr, at: ast.AST) -> set[str]:
        """Every string ``expr`` can be where it stands."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.values(expr.body, at) | self.values(expr.orelse, at)
        if isinstance(expr, ast.JoinedStr):
            parts = [
                {part.value} if isinstance(part, ast.Constant) else self.values(part.value, at)  # type: ignore[attr-defined]
                for part in expr.values
            ]
            return {"".join(choice) for choice in itertools.product(*parts)}
        if isinstance(expr, ast.Attribute) and expr.attr in ATTRIBUTES:
            return set(ATTRIBUTES[expr.attr])
        if isinstance(expr, ast.Name):
            return self._name(expr.id, at)
        raise Unresolved(f"{self.where(at)}: cannot tell which action {ast.unparse(expr)} is")

    def _name(self, name: str, at: ast.AST) -> set[str]:
        function = self.function_of.get(at)
        if function is None:
            raise Unresolved(f"{self.where(at)}: {name} is not set in a function")
        found: set[str] = set()
        for node in ast.walk(function):
            if not isinstance(node, ast.Assign):
                continue
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    found |= self.values(node.value, node)
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    for element, value in zip(target.elts, node.value.elts, strict=True):
                        if isinstance(element, ast.Name) and element.id == name:
                            found |= self.values(value, node)
        positional = [a.arg for a in function.args.args]
        if name in positional or name in [a.arg for a in function.args.kwonlyargs]:
            index = positional.index(name) if name in positional else None
            callers = [
                call
                for call in ast.walk(self.tree)
                if isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == function.name
            ]
            for call in callers:
                argument = _argument(call, index, name)
                if argument is None:
                    raise Unresolved(f"{self.where(call)}: {function.name} without {name}")
                found |= self.values(argument, call)
        if not found:
            raise Unresolved(f"{self.where(at)}: cannot tell what {name} holds")
        return found


def recorded_actions() -> dict[str, str]:
    """Every action the product writes to the audit log → where one is written."""
    found: dict[str, str] = {}
    for path in sorted(PRODUCT.rglob("*.py")):
        source = Source(path)
        for call in ast.walk(source.tree):
            if isinstance(call, ast.Call) and _is_audit_record(call):
                action = _argument(call, 2, "action")
                assert action is not None, source.where(call)
                for value in source.values(action, call):
                    found.setdefault(value, source.where(call))
    return found


def test_every_action_the_code_records_has_words() -> None:
    found = recorded_actions()
    # The finder itself: literal, conditional, variable, parameter and f-string actions.
    known = ["auth.login", "template.activate", "broadcast.send", "case.classify",
             "unit.rename", "agency.deactivate", "resident.tag_remove", "user.role"]  # fmt: skip
    assert set(known) <= set(found)
    missing = {
        action: where for action, where in found.items() if action not in audit_words.ACTIONS
    }
    assert not missing, f"actions without words in admin/settings/audit_words.py: {missing}"
    for action, words in audit_words.ACTIONS.items():
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", action)
        assert words.label and not re.search(r"[a-z]{2,}_|[a-z]\.[a-z]", words.label), action


class Admin:
    def __init__(self, app: Any, ctx: Context) -> None:
        self.user = staff(ctx, "chief", "admin", ethics=True)
        self.actor = Actor.of(self.user)
        self.client, self.csrf = logged_in(app, ctx, self.user)

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, path
        return str(response.get_data(as_text=True))


@pytest.fixture
def admin(app: Any, ctx: Context) -> Admin:
    return Admin(app, ctx)


def test_the_filter_lists_every_action_in_groups(admin: Admin) -> None:
    html = admin.page("/admin/audit")
    select_html = re.search(r'<select id="action" name="action">(.*?)</select>', html, re.S)
    assert select_html is not None
    listed = re.findall(r'<option value="([^"]+)"', select_html.group(1))
    assert sorted(listed) == sorted(audit_words.ACTIONS)
    groups = re.findall(r'<optgroup label="([^"]+)">', select_html.group(1))
    assert groups == list(audit_words.groups())
    for code, words in audit_words.TARGET_TYPES.items():
        assert f'<option value="{code}">{words}</option>' in html


# -- the entries as people read them --------------------------------------------------------

# What a sentence must not show: codes, field names, Python's dicts, lists and constants.
RAW = re.compile(r"[a-z]+_[a-z_]+|[a-z]+\.[a-z]+|[{}\[\]]|'\w+':|\b(None|True|False)\b")


def rows(html: str) -> list[str]:
    """The sentences of the audit page, in order."""
    found = re.findall(r'<td class="audit-sentence">(.*?)</td>', html, re.S)
    sentences = [re.sub(r"<details.*?</details>", "", cell, flags=re.S) for cell in found]
    return [unescape(re.sub(r"<[^>]+>", " ", cell)).strip() for cell in sentences]


def _case(ctx: Context, actor: Actor) -> str:
    report = casework.ManualReport(
        channel="walk_in", nature="need", sub_item="need-2", theme="works",
        description="里內路燈故障兩週，夜間行人危險。", reporter_name="王小明",
        reporter_phone="0912-345-678", reporter_address="臺北市中正區重慶南路一段122號",
        reporter_occupation="教師", recorder="林紀錄", petition_confirmed=True,
        notice_method="printed",
    )  # fmt: skip
    with ctx.sessions.begin() as session:
        return casework.manual_intake(session, actor, report, 30).number


def test_each_entry_reads_as_a_sentence(ctx: Context, admin: Admin) -> None:
    """The actions the first week's log showed as codes and dicts, and more, as sentences."""
    actor = admin.actor
    number = _case(ctx, actor)
    clerk = staff(ctx, "clerk")
    with ctx.sessions.begin() as session:
        session.get_one(User, admin.user.id).line_user_id = "U" + "a" * 32  # the test audience
        unit = Unit(name="工務科")
        session.add(unit)
        session.flush()
        case = casework.get_case(session, actor, number)
        casework.classify(session, actor, case, "need", "need-1", "works")
        approval = casework.Approval("局長 王○○", date(2026, 11, 20))
        casework.route_internal(session, actor, case, unit.id, "請派員修復", approval)
        casework.extend_due(session, actor, case, date.today() + timedelta(days=60), "需會勘")
        casework.change_status(session, actor, case, codes.REJECTED, reason="no_content")
        casework.add_note(session, actor, case, "里長來電關心")
        draft = broadcasts.save_draft(
            session, actor, broadcast_id=None, title="反賄選宣導",
            messages=[{"type": "text", "text": "反貪倡廉，從你我做起。"}],
            audience={"kind": "test"},
        )  # fmt: skip
        quota = broadcasts.Quota(limit=1000, used=957)
        broadcasts.send(
            session, actor, draft.id, quota=quota, public_base_url="https://lianping.example"
        )
        later = broadcasts.duplicate(session, actor, draft.id)
        at = utcnow() + timedelta(days=3)
        broadcasts.send(
            session, actor, later.id, quota=quota, public_base_url="https://lianping.example",
            at=at,
        )  # fmt: skip
        broadcasts.cancel(session, actor, later.id)
        resident = residents.get_or_create(session, "U" + "b" * 32)
        session.flush()
        follower_tags.change_tag(session, actor, [resident.id], "志工", add=True)
        administration.update_content(session, actor, "due_days", "20")
        administration.add_template(session, actor, "路燈修繕", "您好，路燈已修復。\n謝謝。")
        administration.change_role(session, actor, clerk.id, "supervisor", True)
        promotion_images.store(session, actor, ctx.settings.media_dir, picture())
    supervisor = dataclasses.replace(actor, role="supervisor")
    with ctx.sessions.begin() as session:
        today = rocdate.taipei_today()
        start = today - timedelta(days=13)
        drafted = {"summary": "", "handling": ""}
        edits = (("need", {"summary": "路燈修繕1案。"}), ("reform", {"handling": "簽會"}))
        for key, texts in edits:
            drafts.save(session, supervisor, start, today, key, texts, drafted)
        drafts.revert(session, supervisor, start, today, "reform")
        submissions.submit(
            session, supervisor, start, today, approved_by="局長 林大同", approved_on=today,
            confirm_unfinished=True,
        )  # fmt: skip
    exported = admin.client.get("/admin/exports/cases.csv?status=rejected&nature=need")
    assert exported.status_code == 200
    exported.get_data()

    html = admin.page("/admin/audit")
    sentences = rows(html)
    with ctx.sessions() as session:
        written = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc())))
    assert len(sentences) == len(written) >= 20
    for action, sentence in zip(written, sentences, strict=True):
        assert not RAW.search(sentence), (action, sentence)
        assert sentence.endswith("。"), (action, sentence)
    by_action = dict(zip(written, sentences, strict=True))
    assert by_action["broadcast.send"] == (
        "開始發送推播「反賄選宣導」（預估 1 人，本月剩餘額度 43 則）。"
    )
    assert by_action["broadcast.create"] == (
        "建立推播草稿「反賄選宣導」，內容：文字，發送對象：測試對象（同仁 LINE 帳號）。"
    )
    assert by_action["broadcast.schedule"].startswith("排定推播「反賄選宣導」於")
    assert by_action["broadcast.cancel"].startswith("取消推播「反賄選宣導」（原為已排程，原排定")
    assert by_action["report.submit"].startswith("送出工作成果彙報表（資料統計期間")
    assert "民情需求事項1案" in by_action["report.submit"]
    assert "核可人局長 林大同，核可日期" in by_action["report.submit"]
    assert "編修之列：民情需求事項" in by_action["report.submit"]
    assert by_action["report.draft"].startswith("編修工作成果彙報表「民情需求事項」內容摘要（資料")
    reverted = by_action["report.draft_revert"]
    assert reverted.startswith("工作成果彙報表「施政興革反映」還原為系統草稿")
    assert by_action["cases.export"] == (
        "匯出案件清單（CSV 檔，含反映者個人資料）；"
        "篩選條件：狀態「不予處理」、性質「民情需求事項」。"
    )
    assert by_action["case.route_internal"] == (
        f"將案件 {number} 簽會「工務科」，局長 王○○於115年11月20日核可，"
        "狀態由「新收」改為「處理中」。"
    )
    assert by_action["case.status"] == (
        f"將案件 {number} 的狀態由「處理中」改為「不予處理」"
        "（行政程序法第173條第1款：無具體之內容）。"
    )
    assert by_action["setting.update"] == "修改設定「處理期限預設日數」：由「30」改為「20」。"
    assert by_action["user.role"] == (
        "變更使用者「clerk 測試」的權限：角色由「承辦人」改為「主管」；設為政風人員。"
    )
    assert by_action["resident.tag_add"] == "為 1 位追蹤者加上標籤「志工」（實際新增 1 位）。"
    # Long texts are shown beneath their sentence, not in it.
    assert "您好，路燈已修復。" in html and "里長來電關心" in html


# Every value a sentence reads, found in the module that writes them.
READ_KEYS = sorted(
    set(
        re.findall(
            r"""facts\.(?:after|before|value|changed)(?:\.get)?[(\[]["'](\w+)["']""",
            Path(audit_words.__file__).read_text(encoding="utf-8"),
        )
    )
)


@pytest.mark.parametrize("action", sorted(audit_words.ACTIONS))
def test_an_entry_with_missing_values_still_reads(action: str) -> None:
    """Entries are kept for years: one recorded before a value existed, or with a value
    left empty (null), still reads as a sentence."""
    assert len(READ_KEYS) > 30
    empty = {key: None for key in READ_KEYS}
    for before, after in ((None, None), (empty, empty), ({}, {"filter": empty})):
        entry = AuditEntry(
            action=action, target_type="case", target_id="7", before=before, after=after
        )
        sentence = audit_words.describe(entry, audit_words.Names()).sentence
        assert sentence.endswith("。") and not RAW.search(sentence), (before, sentence)


def test_an_action_without_words_is_named_not_dumped() -> None:
    entry = AuditEntry(action="case.unknown_thing", target_type="case", target_id="7",
                       after={"x": {"y": 1}})  # fmt: skip
    sentence = audit_words.describe(entry, audit_words.Names()).sentence
    assert sentence.startswith("其他操作") and "{" not in sentence
