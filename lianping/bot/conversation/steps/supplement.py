"""補充說明: each text or file the resident sends is added to one of their cases."""

from __future__ import annotations

from lianping.bot import cards, messages, texts
from lianping.bot.conversation import draft as drafts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import AddToCase, Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import REPORT, current, fresh, has_draft
from lianping.bot.conversation.steps import resume

NAME = "supplement"
ACTIONS = frozenset({"done"})
MEDIA = inputs.MEDIA_KINDS


def enter(state: State, number: str, timestamp_ms: int, content: Content) -> Outcome:
    """Start adding to case ``number``; an unsent draft is kept to be resumed afterwards."""
    kept = {}
    if has_draft(state):
        here = current(state)
        paused_at = state.get("resume_step") if here in ("resume", NAME) else here
        kept = {
            "flow": state["flow"],
            "draft": state["draft"],
            "history": state.get("history") or [],
            "resume_step": paused_at,
        }
    return navigation.stay(fresh(state, timestamp_ms, NAME, case=number, **kept), content)


def prompt(state: State, content: Content) -> list[Message]:
    """What to send, and how to finish."""
    body = texts.SUPPLEMENT_PROMPT.format(number=state.get("case", ""))
    # 上一步 would mean the same as 完成 here: only 完成 and 取消 are offered.
    return [messages.text(body, [replies.done(state), *replies.navigation(state, back=False)])]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """Text and media become AddToCase effects; 完成 ends."""
    number = str(state.get("case", ""))
    chosen = inputs.choice(event)
    if chosen and chosen.action == "done":
        return finish(state, event, content)
    text = inputs.typed(event)
    if text and inputs.word(event) is None:
        return _added(state, AddToCase(number, text=text))
    if event.kind == "location":
        place = cards.place_words(drafts.location_dict(event))
        return _added(state, AddToCase(number, text=texts.LOCATION_NOTED.format(place=place)))
    if event.kind in inputs.MEDIA_KINDS and event.message_id:
        media = AddToCase(number, media_message_id=event.message_id, media_kind=event.kind)
        return _added(state, media)
    return navigation.stay(state, content)


def command(state: State, name: str, event: Incoming, content: Content) -> Outcome | None:
    """取消, 上一步 and 重新開始 all end the supplement."""
    return None if name == "help" else finish(state, event, content)


def finish(state: State, event: Incoming, content: Content) -> Outcome:
    """End the supplement, saying whether the case received anything: back to an unsent
    draft if there is one, else to the menu."""
    said = texts.SUPPLEMENT_RECEIVED if state.get("added") else texts.SUPPLEMENT_CANCELLED
    if has_draft(state):
        restart_as = str(state.get("flow") or REPORT)
        return resume.offer(state, content, restart_as=restart_as, before=[messages.text(said)])
    return navigation.to_menu(state, event.timestamp_ms, said)


def not_added(state: State) -> State:
    """The dispatcher refused the last AddToCase (the case is closed, or not the resident's):
    it no longer counts as received."""
    return {**state, "added": max(int(state.get("added") or 0) - 1, 0)}


def _added(state: State, effect: AddToCase) -> Outcome:
    # Only the dispatcher knows whether the case takes it: it answers added or refused,
    # and takes a refused one off the count (``not_added``).
    counted = {**state, "added": int(state.get("added") or 0) + 1}
    return Outcome(counted, [], [effect])
