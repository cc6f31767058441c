"""The report's last question (optional): may the outcome be published de-identified?

Default no: 略過, 不同意, or anything else typed leaves the agreement unset (false). A tip's
flow never reaches this step.
"""

from __future__ import annotations

from lianping.bot import texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import with_draft

NAME = "publication"
ACTIONS = frozenset({"publish", "skip"})
MEDIA: frozenset[str] = frozenset()


def prompt(state: State, content: Content) -> list[Message]:
    """What publication means, 可以公開, 不要公開 and 略過."""
    items = [
        replies.button(state, texts.LABEL_PUBLISH_YES, "publish", "yes"),
        replies.button(state, texts.LABEL_PUBLISH_NO, "publish", "no"),
        replies.skip(state),
    ]
    return [replies.ask(state, texts.PUBLISH_PROMPT, items)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """Only 可以公開 (tapped, or typed) agrees; 不要公開 and 略過 move on as no."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "skip":
        return navigation.advance(with_draft(state, publish_consent=False), content)
    if chosen and chosen.action == "publish" and chosen.value in ("yes", "no"):
        agreed = chosen.value == "yes"
        return navigation.advance(with_draft(state, publish_consent=agreed), content)
    typed = inputs.typed(event)
    if typed in (texts.LABEL_PUBLISH_YES, texts.LABEL_PUBLISH_NO):
        agreed = typed == texts.LABEL_PUBLISH_YES
        return navigation.advance(with_draft(state, publish_consent=agreed), content)
    return navigation.retry(state, content)
