"""The description: one or several texts, with photos, files and a location, until 完成."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import draft as drafts
from lianping.bot.conversation import flow, inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import TIP, draft_of, with_draft
from lianping.bot.messages import Item

NAME = "description"
ACTIONS = frozenset({"done", "clear"})
MEDIA = inputs.MEDIA_KINDS
# Enough of the text so far to recognise it when coming back to this step.
_EXCERPT = 200


def quick_replies(state: State) -> list[Item]:
    """Camera, album, location and 完成 (清除重寫 once there is text), then navigation."""
    items = [messages.camera_item(), messages.camera_roll_item(), messages.location_item()]
    items.append(replies.done(state))
    if draft_of(state).get("description"):
        items.append(replies.button(state, texts.LABEL_CLEAR_DESCRIPTION, "clear"))
    return [*items, *replies.navigation(state)]


def _reply(state: State, body: str) -> Message:
    return messages.text(body, quick_replies(state))


def _too_short(state: State) -> str:
    return (
        texts.DESCRIPTION_TOO_SHORT_TIP
        if flow.flow_of(state) == TIP
        else texts.DESCRIPTION_TOO_SHORT
    )


def prompt(state: State, content: Content) -> list[Message]:
    """What to describe (a report's or a tip's points); when text was given earlier, an excerpt."""
    description = str(draft_of(state).get("description") or "")
    if not description:
        asked = (
            texts.DESCRIPTION_PROMPT_TIP if flow.flow_of(state) == TIP else texts.DESCRIPTION_PROMPT
        )
        return [_reply(state, asked)]
    excerpt = description if len(description) <= _EXCERPT else description[:_EXCERPT] + "…"
    return [_reply(state, texts.DESCRIPTION_SO_FAR.format(excerpt=excerpt))]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """Collect text and media with a short acknowledgement each; 完成 checks the length."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "done":
        if not drafts.description_long_enough(draft_of(state)):
            return Outcome(state, [_reply(state, _too_short(state))])
        return navigation.advance(state, content)
    if chosen and chosen.action == "clear":
        cleared = with_draft(state, description="")
        return Outcome(cleared, [_reply(cleared, texts.DESCRIPTION_CLEARED)])
    text = inputs.typed(event)
    if text and inputs.word(event) is None:
        draft, refused = drafts.add_text(draft_of(state), text)
        updated = with_draft(state, **draft)
        if refused:
            return Outcome(updated, [_reply(updated, refused)])
        if not drafts.description_long_enough(draft):
            return Outcome(updated, [_reply(updated, _too_short(updated))])
        return Outcome(updated, [_reply(updated, texts.DESCRIPTION_NOTED + texts.DESCRIPTION_MORE)])
    if event.kind in inputs.MEDIA_KINDS:
        draft, acknowledgement = drafts.attach(draft_of(state), event)
        updated = with_draft(state, **draft)
        return Outcome(updated, [_reply(updated, f"{acknowledgement}\n{texts.DESCRIPTION_MORE}")])
    return navigation.stay(state, content)
