"""訂閱設定, first page: the resident's 區/村里 and promotions, and the choices to change them."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation import subscription as settings
from lianping.bot.conversation.model import (
    Content,
    Incoming,
    Message,
    Outcome,
    SetPromotionsOptOut,
    State,
)
from lianping.bot.messages import Item

NAME = settings.OVERVIEW
ACTIONS = frozenset({"area", "opt_out", "opt_in", "done"})
MEDIA: frozenset[str] = frozenset()

command = settings.command


def _items(state: State, content: Content) -> list[Item]:
    opted_out = bool(settings.settings_of(state).get("opt_out"))
    items = [replies.button(state, texts.LABEL_SET_AREA, "area")] if content.areas else []
    if opted_out:
        items.append(replies.button(state, texts.LABEL_OPT_IN, "opt_in"))
    else:
        items.append(replies.button(state, texts.LABEL_OPT_OUT, "opt_out"))
    return [*items, replies.done(state)]


def prompt(state: State, content: Content) -> list[Message]:
    """The current settings and the buttons: 設定區／村里, 暫停／恢復接收, 完成."""
    current = settings.settings_of(state)
    opted_out = bool(current.get("opt_out"))
    body = texts.SUBSCRIPTION_STATUS.format(
        area=settings.area_words(current.get("district"), current.get("village")),
        promotions=texts.SUBSCRIPTION_PAUSED if opted_out else texts.SUBSCRIPTION_RECEIVING,
    )
    if not content.areas:
        body = f"{body}\n{texts.SUBSCRIPTION_NO_AREAS}"
    return [messages.text(body, _items(state, content))]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """Go on to the 區, switch promotions off or on, or finish; a thank-you is answered
    briefly; anything else asks for a button, then again."""
    chosen = inputs.choice(event)
    action = chosen.action if chosen else None
    if action == "area" and content.areas:
        return navigation.go({**state, "page": None}, "sub_district", content)
    if action in ("opt_out", "opt_in"):
        opt_out = action == "opt_out"
        changed = {**state, "subscription": {**settings.settings_of(state), "opt_out": opt_out}}
        confirmation = texts.OPTED_OUT if opt_out else texts.OPTED_IN
        shown = navigation.stay(changed, content, [messages.text(confirmation)])
        return settings.with_effect(shown, SetPromotionsOptOut(opt_out))
    if action == "done":
        return settings.leave(state, event, texts.SUBSCRIPTION_DONE)
    if inputs.is_thanks(event):
        # A thank-you needs no second copy of the settings, only the buttons.
        return Outcome(state, [messages.text(texts.SUBSCRIPTION_THANKS, _items(state, content))])
    return navigation.retry(state, content)
