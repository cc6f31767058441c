"""Route one event: pauses, buttons without a token, expired buttons, global commands,
the main menu's words, media inside a flow, and finally the current step."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import (
    commands,
    inputs,
    navigation,
    quiz,
    registry,
    staff_link,
    timeouts,
)
from lianping.bot.conversation import draft as drafts
from lianping.bot.conversation.flow import DRAFT_STEPS
from lianping.bot.conversation.model import Content, Incoming, Outcome, State
from lianping.bot.conversation.state import IDLE, current, draft_of, with_draft
from lianping.bot.conversation.steps import menu


def route(state: State, event: Incoming, content: Content) -> Outcome:
    """Answer a resident's message or postback in a one-to-one chat."""
    if quiz.is_answer(event):
        # A broadcast's button: valid at any step, and no pause or draft is touched.
        return quiz.answer(state, event)
    linked = staff_link.route(state, event)
    if linked is not None:
        # A staff member's link code: answered by the dispatcher, at any step, flow untouched.
        return linked
    state, offer = timeouts.apply(state, event, content)
    if offer is not None:
        return offer
    here = current(state)
    step = registry.get(here)
    if event.kind == "postback":
        found = inputs.params(event)
        answer = menu.tokenless(state, found, event, content)
        if answer is not None:
            return answer
        if not _current_button(state, found, step.ACTIONS):
            return navigation.stay(state, content, [messages.text(texts.EXPIRED)])
    name = inputs.command(event)
    if name is not None:
        return commands.run(state, name, event, content)
    item = menu.typed_item(event)
    if item is not None:
        # The menu's words typed out work like the tap at every step: never a report's content.
        return menu.choose(state, item, event, content) or navigation.stay(state, content)
    if event.kind in inputs.MEDIA_KINDS and event.kind not in step.MEDIA and here in DRAFT_STEPS:
        # Nothing sent during a report is ignored: it joins the draft wherever it arrives.
        draft, acknowledgement = drafts.attach(draft_of(state), event)
        return navigation.note(with_draft(state, **draft), content, acknowledgement)
    return step.handle(state, event, content)


def _current_button(state: State, params: dict[str, str], actions: frozenset[str]) -> bool:
    """A tokened button of this conversation, meant for the step the resident is at."""
    if current(state) == IDLE or params.get("t") != state.get("token"):
        return False
    return params.get("a") in actions or params.get("a") in inputs.GLOBAL_COMMANDS
