"""Step 3 of a report (optional): one of the plan's themes, or 略過."""

from __future__ import annotations

from lianping import codes
from lianping.bot import texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import with_draft

NAME = "theme"
ACTIONS = frozenset({"theme", "skip"})
MEDIA: frozenset[str] = frozenset()

_BY_LABEL = {label: key for key, label in codes.THEMES.items()}


def prompt(state: State, content: Content) -> list[Message]:
    """The themes and 略過 as quick replies."""
    items = [replies.button(state, label, "theme", key) for key, label in codes.THEMES.items()]
    return [replies.ask(state, texts.THEME_PROMPT, [*items, replies.skip(state)])]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """A theme (tapped or typed) or 略過 moves on."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "skip":
        return navigation.advance(with_draft(state, theme=None), content)
    theme = chosen.value if chosen and chosen.action == "theme" else None
    theme = theme or _BY_LABEL.get(inputs.typed(event) or "")
    if theme not in codes.THEMES:
        return navigation.retry(state, content)
    return navigation.advance(with_draft(state, theme=theme), content)
