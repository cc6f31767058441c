"""The main menu and the buttons that stay valid without a token (menu, case, 補充說明, 撤回,
檢舉)."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import inputs, navigation, privacy, subscription
from lianping.bot.conversation.model import (
    Content,
    Incoming,
    ListCases,
    Outcome,
    RateCase,
    ShowCase,
    ShowPromotions,
    State,
)
from lianping.bot.conversation.state import IDLE, REPORT, TIP, current, has_draft, start_flow
from lianping.bot.conversation.steps import notice, resume, supplement, withdraw


def tokenless(
    state: State, params: dict[str, str], event: Incoming, content: Content
) -> Outcome | None:
    """Answer a postback that needs no token, or None when the postback needs one."""
    if "menu" in params:
        return choose(state, params["menu"], event, content)
    if "t" in params:
        return None
    action, number = params.get("a"), params.get("n", "")
    if action == "case" and number:
        return Outcome(state, [], [ShowCase(number)])
    if action == "supplement" and number:
        return supplement.enter(state, number, event.timestamp_ms, content)
    if action == "withdraw" and number:
        return withdraw.enter(state, number, event.timestamp_ms, content)
    if action == "tip":
        return start(state, TIP, event, content)
    if action == "correct" and number:
        return privacy.correct(state, number, event, content)
    if action == "rate" and number and params.get("v", "").isdigit():
        # The satisfaction question of a closed case: the dispatcher thanks or declines.
        return Outcome(state, [], [RateCase(number, int(params["v"]))])
    return None


_ITEM_BY_LABEL = {label: item for item, label in texts.MENU_LABELS.items()}


def typed_item(event: Incoming) -> str | None:
    """The main-menu item whose label the resident typed (``查詢案件`` → ``status``), if any;
    a 個資說明 word is ``privacy`` or ``privacy:<choice>`` (``複製本`` → ``privacy:copy``)."""
    text = inputs.typed(event)
    choice = privacy.typed_choice(event)
    if choice is not None:
        return f"privacy:{choice}"
    return _ITEM_BY_LABEL.get(text) if text else None


def tip_data() -> str:
    """Postback data of 我要檢舉（保密）: valid in any conversation, like the menu."""
    return inputs.postback_data("tip")


def choose(state: State, item: str, event: Incoming, content: Content) -> Outcome | None:
    """A main-menu choice; inside a flow, information is shown before the current question."""
    if item == "report":
        return start(state, REPORT, event, content)
    if item == "status":
        # The dispatcher answers with the case list; a draft stays as it is.
        return Outcome(state, [], [ListCases()])
    if item == "subscription":
        return subscription.enter(state, event, content)
    if item.startswith("privacy"):
        choice = item.partition(":")[2]
        if choice or not has_draft(state):
            return privacy.enter(state, choice, event, content)
        item = "privacy"  # inside a report: the notice, then the question again
    answers = {
        "channels": content.reporting_channels,
        "promotion": content.promotion,
        "privacy": content.privacy_notice,
        "help": content.help,
    }
    if item not in answers:
        return None
    if current(state) != IDLE:
        return navigation.stay(state, content, messages.long_text(answers[item]))
    if item == "channels":
        tip = messages.postback_item(texts.LABEL_TIP, tip_data())
        body = f"{content.reporting_channels}\n{texts.CHANNELS_TIP_HINT}"
        return Outcome(state, [messages.text(body, [tip, *messages.main_menu_items()])])
    if item == "promotion":
        # The dispatcher adds the latest promotions sent (stored broadcasts) after the text.
        return Outcome(state, [messages.with_menu(answers[item])], [ShowPromotions()])
    return Outcome(state, [messages.with_menu(answers[item])])


def start(state: State, flow: str, event: Incoming, content: Content) -> Outcome:
    """Start a report or tip; with a draft under way, first ask whether to continue it."""
    if has_draft(state):
        return resume.offer(state, content, restart_as=flow)
    return notice.begin(start_flow(state, event.timestamp_ms, flow), event, content)
