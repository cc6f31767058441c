"""訂閱設定: the resident picks their 區 (a page at a time when there are many)."""

from __future__ import annotations

from lianping.bot import texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation import subscription as settings
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.steps import sub_village

NAME = "sub_district"
ACTIONS = frozenset({"district", "page"})
MEDIA: frozenset[str] = frozenset()

command = settings.command


def prompt(state: State, content: Content) -> list[Message]:
    """One page of 區 as quick replies, 更多 when they do not all fit."""
    names = list(content.areas)
    shown, following, page, pages = settings.paged(
        names, settings.page_of(state, NAME), settings.ROOM
    )
    body = texts.DISTRICT_PROMPT
    if pages > 1:
        body += texts.PAGE_OF.format(page=page, pages=pages)
    items = [replies.button(state, name, "district", name) for name in shown]
    if following is not None:
        label = texts.LABEL_MORE if following else texts.LABEL_FIRST_PAGE
        items.append(replies.button(state, label, "page", str(following)))
    return [replies.ask(state, body, items)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """A tapped or typed 區 moves on to its 村里; 更多 shows the next page."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "page" and chosen.value.isdigit():
        return navigation.stay({**state, "page": {"step": NAME, "n": int(chosen.value)}}, content)
    name: str | None
    if chosen and chosen.action == "district":
        name = chosen.value
    else:
        name = _typed_district(inputs.typed(event), content)
    if name is None:
        return navigation.retry(state, content)
    if name not in content.areas:
        # A 區 the administrator removed since the buttons were shown, or a typo.
        return navigation.note(state, content, texts.AREA_UNKNOWN.format(name=name))
    if not content.areas[name]:
        return sub_village.choose(state, content, name, None)
    return navigation.go({**state, "area_district": name, "page": None}, sub_village.NAME, content)


def _typed_district(text: str | None, content: Content) -> str | None:
    """The 區 a typed text names (中正區, or 中正 without the last character)."""
    if text is None:
        return None
    for name in content.areas:
        if text in (name, name[:-1]):
            return name
    return text
