"""Every text a resident reads, reviewed as a whole: the catalog (bot/texts.py, with the
per-code words kept in codes beside the staff's and the timeline words storage writes),
LINE's limits with every placeholder filled by the longest value the product lets in,
and words that would misstate the law (../shared/LEGAL.md, issue 11)."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lianping import codes
from lianping.bot import cards, messages, texts
from lianping.bot.conversation import Content, privacy
from lianping.bot.conversation.draft import MAX_DESCRIPTION, MAX_PLACE
from lianping.line.limits import LIMITS, check_messages, utf16_units
from lianping.services import accounts, administration, broadcast_rules, casework
from lianping.storage import cases
from lianping.storage.models import Case
from tests.test_conversation_flow import REPORT_STEPS, reach_into
from tests.test_engine import Chat

BOT = Path(cards.__file__).resolve().parent

# -- the catalog ---------------------------------------------------------------------------


def _strings(name: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(f"{name}[{key!r}]", item)
    elif isinstance(value, tuple | list | set | frozenset):
        for index, item in enumerate(
            sorted(value) if isinstance(value, set | frozenset) else value
        ):
            yield from _strings(f"{name}[{index}]", item)


def _catalog() -> dict[str, str]:
    """Name -> text, for everything a resident may read."""
    found: dict[str, str] = {}
    for name in dir(texts):
        if not name.startswith("_"):
            found.update(_strings(f"texts.{name}", getattr(texts, name)))
    # Each code's words for residents, kept in codes beside the staff's words for it.
    found.update(_strings("codes.NATURE_SHORT", codes.NATURE_SHORT))
    found.update(_strings("codes.THEMES", codes.THEMES))
    found.update(_strings("codes.STATUS_FOR_RESIDENTS", codes.STATUS_FOR_RESIDENTS))
    found.update(_strings("codes.MEDIA_KINDS", codes.MEDIA_KINDS))
    found.update({f"codes.SUB_ITEMS[{c!r}].plain": i.plain for c, i in codes.SUB_ITEMS.items()})
    # Public timeline entries written below the bot (storage cannot import the catalog), and
    # the §173 reasons a status entry quotes.
    found.update(_strings("cases.CREATED_WORDS", cases.CREATED_WORDS))
    found.update(_strings("cases.CREATED_WORDS_TIP", cases.CREATED_WORDS_TIP))
    found.update(_strings("cases.SUPPLEMENT_MEDIA_WORDS", cases.SUPPLEMENT_MEDIA_WORDS))
    found.update(_strings("casework.REJECTION_REASONS", casework.REJECTION_REASONS))
    return found


CATALOG = _catalog()
_CJK = re.compile(r"[\u3400-\u9fff]")
# Text the bot's code may hold outside the catalog: what it reads in residents' input, and
# the numbering of a list.
NOT_SHOWN = {
    "conversation/phone.py": {"姓名", "分機"},  # labels and 分機 read in what is typed
    "conversation/steps/sub_village.py": {"不指定"},  # typed for 不指定村里
    "conversation/steps/sub_item.py": {"一二三四五六七八九"},  # （一）（二）… and typed numbers
}


def test_no_text_a_resident_reads_lives_outside_the_catalog() -> None:
    stragglers = []
    for path in sorted(BOT.rglob("*.py")):
        where = path.relative_to(BOT).as_posix()
        if where == "texts.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            if id(node) in docstrings or not _CJK.search(node.value):
                continue
            if not any(allowed in node.value for allowed in NOT_SHOWN.get(where, ())):
                stragglers.append(f"{where}:{node.lineno} {node.value!r}")
    assert not stragglers, "move these to bot/texts.py:\n" + "\n".join(stragglers)


# -- LINE's limits ---------------------------------------------------------------------------

LONG_DATE = "115年12月31日"
# Every placeholder, filled with the longest value the product lets through.
FILL: dict[str, str] = {
    "agency": "政" * administration.MAX_AGENCY_NAME,
    "answer": "答" * broadcast_rules.CHOICE_MAX,
    "choice": "選" * broadcast_rules.CHOICE_MAX,
    "area": "區" * broadcast_rules.AREA_NAME_MAX + "里" * broadcast_rules.AREA_NAME_MAX,
    "district": "區" * broadcast_rules.AREA_NAME_MAX,
    "body": "回覆內容" * 750,  # casework.reply_text refuses what LINE would
    "count": "99",
    "date": LONG_DATE,
    "due": LONG_DATE,
    "received": LONG_DATE,
    "days": "90",
    "email": "e" * (administration.MAX_EMAIL - len("@ntpc.gov.tw")) + "@ntpc.gov.tw",
    "excerpt": "記" * 200 + "…",
    "flow": texts.FLOW_WORDS["tip"],
    "items": "\n".join(f"（{n}）{'項' * 20}" for n in "一二三四"),
    "kind": "錄音",
    "megabytes": "300",
    "letter": "函" * Case.__table__.c.letter_number.type.length,
    "name": "名" * accounts.MAX_DISPLAY_NAME,
    "nature": max(codes.NATURES.values(), key=len),
    "need": texts.NATURE_EXPLAINED[codes.NEED],
    "reform": texts.NATURE_EXPLAINED[codes.REFORM],
    "number": "1151231-9999",
    "page": "99",
    "pages": "99",
    "phone": "(02)2960-3456 分機 123456",
    "extension": "123456",
    # A map location's title and address (LINE: 100 each), or a typed place.
    "place": "地" * max(MAX_PLACE, 201),
    "promotions": texts.SUBSCRIPTION_RECEIVING,
    "question": "題" * broadcast_rules.QUESTION_MAX,
    "reason": "因" * casework.MAX_EXTENSION_REASON,
    "status": max(codes.STATUS_FOR_RESIDENTS.values(), key=len),
    "step": max(texts.STEP_NAMES.values(), key=len),
    "version": "999",
    "acceptance_days": "90",
    # The 個資法 §8 notice's retention periods and the 政風單位's contact details.
    **{field: "9999" for field in texts.NOTICE_RETENTION_FIELDS},
    # The unit's address (settings) and a reporter's (at most 100 characters either way).
    "address": "址" * administration.MAX_ADDRESS,
    # 個資說明: a §3 request, its outcome and the data held (storage/data_requests).
    "id": "9" * 12,
    "field": max(privacy.FIELDS.values(), key=len),
    "expires": LONG_DATE + " 23:59",
    "url": "https://" + "u" * 200 + "/my-data/" + "t" * 43,
    "media": "99",
    "cases": "999",
    "numbers": "、".join(["1151231-9999"] * 12),
    "notice": texts.MY_DATA_NOTICE.format(version="999", date=LONG_DATE),
    "tags": "、".join(["標" * 40] * 20) + texts.MY_DATA_MORE_TAGS.format(count=999),
    "occupation": "職" * 20,
    "photos": "5",
    # 補陳: what the officer asks for; §173: the 款 and the longest ground.
    "what": "補" * casework.MAX_DETAILS,
    "clause": "3",
    "ground": max(casework.REJECTION_REASONS.values(), key=len),
}
FILL["contact"] = texts.notice_contact(FILL["phone"], FILL["email"], FILL["address"])
FILL["ways"] = texts.offline_ways(FILL["agency"], FILL["phone"], FILL["email"], FILL["address"])


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_every_placeholder_has_a_longest_value_and_every_text_fits_one_message() -> None:
    unknown = {name: _fields(text) - set(FILL) for name, text in CATALOG.items()}
    assert not {name: f for name, f in unknown.items() if f}, "add their longest values to FILL"
    too_long = {
        name: utf16_units(text.format(**FILL))
        for name, text in CATALOG.items()
        if utf16_units(text.format(**FILL)) > LIMITS["text_utf16_units"]
    }
    assert not too_long


def test_labels_fit_a_button() -> None:
    labels = {name: text for name, text in CATALOG.items() if "LABEL" in name}
    labels.update(_strings("texts.OCCUPATIONS", texts.OCCUPATIONS))
    labels.update({n: t for n, t in CATALOG.items() if n.startswith(("codes.", "texts.MENU"))})
    assert len(labels) > 40
    assert not {n: t for n, t in labels.items() if len(t) > LIMITS["action_label_chars"]}
    assert len(texts.CHAT_BAR_TEXT) <= LIMITS["rich_menu_chat_bar_text_chars"]


def test_the_reporting_channels_fit_at_their_longest() -> None:
    shown = texts.reporting_channels(
        "檢" * administration.MAX_BOT_TEXT, FILL["agency"], FILL["phone"], FILL["email"]
    )
    with_hint = f"{shown}\n{texts.CHANNELS_TIP_HINT}"
    assert utf16_units(with_hint) <= LIMITS["text_utf16_units"]


NOW = datetime(2026, 12, 31, 3, tzinfo=UTC)


def _long_card(index: int, status: str) -> cards.CaseCard:
    return cards.CaseCard(
        number=f"1151231-{index:04d}",
        nature=codes.REFORM,
        sub_item="reform-3",
        status=status,
        updated_at=NOW - timedelta(hours=index),
        due_at=NOW,
        is_open=status in codes.OPEN_STATUSES,
        description="😊長" * MAX_DESCRIPTION,
    )


def _long_draft(nature: str) -> dict[str, Any]:
    return {
        "nature": nature,
        "sub_item": "need-2" if nature == codes.NEED else None,
        "theme": "subsidies",
        "description": "😊長" * MAX_DESCRIPTION,
        "photos": ["1"] * 5,
        "attachments": [{"message_id": "2"}] * 5,
        "location": {
            "title": "地" * 100,
            "address": "址" * 100,
            "latitude": 25.0,
            "longitude": 121.5,
        },
        "name": "名" * 20,
        "occupation": "職" * 20,
        "phone_display": "0912-345-678",
        "address": "址" * 100,
    }


def test_cards_and_notices_built_from_the_longest_values_are_accepted() -> None:
    built: list[dict[str, Any]] = []
    built += cards.case_list([_long_card(i, status) for i, status in enumerate(codes.STATUSES)])
    timeline = [cards.TimelineEntry(NOW, "紀" * 2000) for _ in range(10)]
    built += cards.case_detail(_long_card(1, codes.IN_PROGRESS), timeline)
    built += cards.case_created("1151231-9999", codes.TIP, NOW, anonymous=True, acceptance_days=90)
    built += [cards.supplement_added("1151231-9999"), cards.supplement_refused("1151231-9999")]
    built += [cards.report_summary(_long_draft(nature), 90) for nature in (codes.NEED, codes.TIP)]
    built.append(casework.satisfaction_question("1151231-9999"))
    built.append(messages.text(casework.reply_text("1151231-9999", FILL["body"])))
    for start in range(0, len(built), LIMITS["messages_per_request"]):
        chunk = built[start : start + LIMITS["messages_per_request"]]
        assert not check_messages(chunk), check_messages(chunk)


LONGEST_CONTENT = Content(
    privacy_notice="告" * administration.MAX_BOT_TEXT,
    privacy_version=99,
    reporting_channels=texts.reporting_channels(
        "檢" * administration.MAX_BOT_TEXT, FILL["agency"], FILL["phone"], FILL["email"]
    ),
    promotion="宣" * administration.MAX_BOT_TEXT,
    help="說" * administration.MAX_BOT_TEXT,
    due_days=90,
)


@pytest.mark.parametrize("step", REPORT_STEPS)
def test_every_step_answers_within_limits_at_its_longest(step: str) -> None:
    # Chat checks every answer against LINE's limits (and spec); each step is reached with
    # the longest administrator texts, then shown again after a long description.
    chat = Chat(LONGEST_CONTENT)
    chat.text("長" * MAX_DESCRIPTION)
    reach_into(chat, step)
    chat.postback("menu=channels")
    chat.postback("menu=privacy")
    chat.text(texts.COMMAND_WORDS["help"][0])


# -- words that would misstate the law --------------------------------------------------------

# A public agency collects under 個資法 §15 and §16 for its statutory duty: nothing is
# consented to. §3 says 製給複製本. A received report is registered, not 成立.
FORBIDDEN = ("同意", "製給複本", "案件成立")
# What would promise a tip an answer date: a tip gets notices, never a deadline (the 受理
# notice's time limit, {acceptance_days}, is a notice, not an answer).
DATE_PROMISES = ("預計", "日內回覆", "前回覆", "{due}", "{days}")


def test_no_text_misstates_the_law() -> None:
    found = {
        name: [word for word in FORBIDDEN if word in text]
        for name, text in CATALOG.items()
        if any(word in text for word in FORBIDDEN)
    }
    assert found == {}


def test_no_tip_text_promises_an_answer_date() -> None:
    tips = {name: text for name, text in CATALOG.items() if "TIP" in name}
    assert len(tips) > 5
    assert not {n: t for n, t in tips.items() if any(w in t for w in DATE_PROMISES)}
    summary = cards.report_summary({**_long_draft(codes.TIP), "nature": codes.TIP}, 30)
    assert not any(word in str(summary) for word in ("預計", "日內回覆"))
    created = cards.case_created(
        "1151231-0001", codes.TIP, NOW, anonymous=False, acceptance_days=20
    )
    assert not any(word in str(created) for word in ("預計", "前回覆"))


def test_the_whistleblower_act_is_cited_for_insiders_only() -> None:
    # 公益揭弊者保護法 protects insiders; a resident's tip is protected by 貪污治罪條例 and
    # 獎勵保護檢舉貪污瀆職辦法.
    cited = {name: text for name, text in CATALOG.items() if "公益揭弊者保護法" in text}
    for name, text in cited.items():
        assert "內部人員" in text and "貪污治罪條例" in text, name
