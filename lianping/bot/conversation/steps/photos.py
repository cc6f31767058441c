"""Photos, when none came with the description: camera, album (up to 5), or 略過."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import draft as drafts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import draft_of, with_draft

NAME = "photos"
ACTIONS = frozenset({"skip", "done", "clear"})
MEDIA = frozenset({"image"})


def prompt(state: State, content: Content) -> list[Message]:
    """Camera and album; 略過 before any photo, 完成 and 清除照片 after."""
    return [_ask(state)]


def _ask(state: State, lead: str | None = None) -> Message:
    items = [messages.camera_item(), messages.camera_roll_item()]
    if not draft_of(state).get("photos"):
        body = texts.PHOTOS_PROMPT
        items.append(replies.skip(state))
    else:
        body = texts.PHOTOS_MORE
        items += [replies.done(state), replies.button(state, texts.LABEL_CLEAR_PHOTOS, "clear")]
    return replies.ask(state, f"{lead}\n{body}" if lead else body, items)


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """Each photo is counted and acknowledged; 完成 or 略過 moves on."""
    chosen = inputs.choice(event)
    if chosen and chosen.action in ("skip", "done"):
        return navigation.advance(state, content)
    if chosen and chosen.action == "clear":
        return navigation.note(with_draft(state, photos=[]), content, texts.PHOTOS_CLEARED)
    if event.kind == "image":
        draft, acknowledgement = drafts.attach(draft_of(state), event)
        updated = with_draft(state, **draft)
        return Outcome(updated, [_ask(updated, acknowledgement)])
    return navigation.retry(state, content)
