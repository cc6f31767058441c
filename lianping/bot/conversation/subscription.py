"""訂閱設定: entering it, the settings kept in the state while it is open, and paging choices.

The dispatcher puts the resident's stored settings on the event
(``Incoming.subscription``); entering copies them into the state so every step
shows them, and each change goes out as an effect and into that copy.
"""

from __future__ import annotations

from typing import Any

from lianping.bot import messages, texts
from lianping.bot.conversation import flow, navigation
from lianping.bot.conversation.model import Content, Effect, Incoming, Outcome, State, Subscription
from lianping.bot.conversation.state import fresh, has_draft, idle

OVERVIEW = "subscription"
# LINE shows 13 quick-reply items; 上一步 and 取消 close every page of choices.
ROOM = 13 - 2


def enter(state: State, event: Incoming, content: Content) -> Outcome:
    """Open 訂閱設定; a report under way is kept and answered first."""
    if has_draft(state):
        busy = texts.SUBSCRIPTION_BUSY.format(flow=texts.FLOW_WORDS[flow.flow_of(state)])
        return navigation.stay(state, content, [messages.text(busy)])
    found = event.subscription or Subscription()
    settings = {"district": found.district, "village": found.village, "opt_out": found.opt_out}
    opened = fresh(state, event.timestamp_ms, OVERVIEW, subscription=settings, history=[])
    return navigation.stay(opened, content)


def settings_of(state: State) -> dict[str, Any]:
    """The resident's settings as this conversation knows them."""
    found = state.get("subscription")
    return dict(found) if isinstance(found, dict) else {"opt_out": False}


def area_words(district: str | None, village: str | None) -> str:
    """中正區 建國里, 中正區（不指定村里）, or 尚未設定."""
    if not district:
        return texts.SUBSCRIPTION_AREA_UNSET
    if not village:
        return texts.SUBSCRIPTION_WHOLE_DISTRICT.format(district=district)
    return f"{district} {village}"


def with_effect(outcome: Outcome, effect: Effect) -> Outcome:
    """``outcome`` that also carries ``effect``."""
    return Outcome(outcome.state, outcome.messages, [*outcome.effects, effect])


def leave(state: State, event: Incoming, body: str) -> Outcome:
    """Back to the main menu: changes made so far stay (each was saved when made)."""
    return Outcome(idle(state, event.timestamp_ms), [messages.with_menu(body)])


def command(state: State, name: str, event: Incoming, content: Content) -> Outcome | None:
    """取消 leaves 訂閱設定; 重新開始 shows its first page again; 上一步 and 說明 as usual."""
    if name == "cancel":
        return leave(state, event, texts.SUBSCRIPTION_LEFT)
    if name == "restart":
        restarted = fresh(
            state, event.timestamp_ms, OVERVIEW, subscription=settings_of(state), history=[]
        )
        return navigation.stay(restarted, content)
    return None


def page_of(state: State, step: str) -> int:
    """The page of choices shown at ``step`` (0 when another step set it)."""
    found = state.get("page")
    if isinstance(found, dict) and found.get("step") == step and isinstance(found.get("n"), int):
        return int(found["n"])
    return 0


def paged(names: list[str], page: int, room: int) -> tuple[list[str], int | None, int, int]:
    """The names on ``page`` when ``room`` items fit, the next page (None: all fit),
    and which page of how many this is (counted from 1)."""
    if len(names) <= room:
        return names, None, 1, 1
    per_page = room - 1  # one place goes to 更多
    pages = -(-len(names) // per_page)
    page %= pages
    shown = names[page * per_page : (page + 1) * per_page]
    return shown, (page + 1) % pages, page + 1, pages
