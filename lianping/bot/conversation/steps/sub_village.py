"""訂閱設定: the resident picks their 村里 in the chosen 區, or the whole 區."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation import subscription as settings
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, SetArea, State
from lianping.bot.conversation.state import move

NAME = "sub_village"
ACTIONS = frozenset({"village", "any_village", "page"})
MEDIA: frozenset[str] = frozenset()
ANY_VILLAGE_WORDS = frozenset({texts.LABEL_ANY_VILLAGE, "不指定"})

command = settings.command


def _district(state: State) -> str:
    return str(state.get("area_district") or "")


def prompt(state: State, content: Content) -> list[Message]:
    """不指定村里 and one page of 村里 as quick replies, 更多 when they do not all fit."""
    district = _district(state)
    names = content.areas.get(district, [])
    room = settings.ROOM - 1  # 不指定村里 is always offered
    shown, following, page, pages = settings.paged(names, settings.page_of(state, NAME), room)
    body = texts.VILLAGE_PROMPT.format(district=district)
    if pages > 1:
        body += texts.PAGE_OF.format(page=page, pages=pages)
    items = [replies.button(state, texts.LABEL_ANY_VILLAGE, "any_village")]
    items += [replies.button(state, name, "village", name) for name in shown]
    if following is not None:
        label = texts.LABEL_MORE if following else texts.LABEL_FIRST_PAGE
        items.append(replies.button(state, label, "page", str(following)))
    return [replies.ask(state, body, items)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """A tapped or typed 村里 (or 不指定村里) is saved; 更多 shows the next page."""
    district = _district(state)
    if district not in content.areas:
        # The administrator removed the 區 meanwhile: pick again.
        return navigation.back(state, content, event.timestamp_ms)
    chosen = inputs.choice(event)
    action = chosen.action if chosen else None
    if chosen and action == "page" and chosen.value.isdigit():
        return navigation.stay({**state, "page": {"step": NAME, "n": int(chosen.value)}}, content)
    typed = inputs.typed(event)
    if action == "any_village" or typed in ANY_VILLAGE_WORDS:
        return choose(state, content, district, None)
    name = (
        chosen.value if chosen and action == "village" else _typed_village(typed, district, content)
    )
    if name is None:
        return navigation.retry(state, content)
    if name not in content.areas[district]:
        return navigation.note(state, content, texts.AREA_UNKNOWN.format(name=name))
    return choose(state, content, district, name)


def choose(state: State, content: Content, district: str, village: str | None) -> Outcome:
    """Save the area and return to the first page of 訂閱設定 with a confirmation."""
    current = {**settings.settings_of(state), "district": district, "village": village}
    back_home = move(
        state, settings.OVERVIEW, subscription=current, history=[], area_district=None, page=None
    )
    confirmation = texts.AREA_SET.format(area=settings.area_words(district, village))
    shown = navigation.stay(back_home, content, [messages.text(confirmation)])
    return settings.with_effect(shown, SetArea(district, village))


def _typed_village(text: str | None, district: str, content: Content) -> str | None:
    """The 村里 a typed text names (建國里, or 建國 without the last character)."""
    if text is None:
        return None
    for name in content.areas.get(district, []):
        if text in (name, name[:-1]):
            return name
    return text
