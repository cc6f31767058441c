"""The conversation engine: a pure state machine, ``step(state, event, content) -> Outcome``.

``from_event`` turns a raw LINE event into the engine's input; the model names
(inputs, outputs and effects) are re-exported for the dispatcher.
"""

from lianping.bot.conversation.engine import step
from lianping.bot.conversation.events import from_event
from lianping.bot.conversation.model import (
    AddToCase,
    AnswerQuiz,
    Content,
    CreateCase,
    Effect,
    Incoming,
    LeaveChat,
    LinkStaff,
    ListCases,
    Location,
    Message,
    Outcome,
    RateCase,
    ReadNotice,
    SetArea,
    SetFollowing,
    SetPromotionsOptOut,
    ShowCase,
    ShowPromotions,
    State,
    Subscription,
    WithdrawCase,
)
from lianping.bot.conversation.steps.supplement import not_added as supplement_not_added

__all__ = [
    "AddToCase",
    "AnswerQuiz",
    "Content",
    "CreateCase",
    "Effect",
    "Incoming",
    "LeaveChat",
    "LinkStaff",
    "ListCases",
    "Location",
    "Message",
    "Outcome",
    "RateCase",
    "ReadNotice",
    "SetArea",
    "SetFollowing",
    "SetPromotionsOptOut",
    "ShowCase",
    "ShowPromotions",
    "State",
    "Subscription",
    "WithdrawCase",
    "from_event",
    "step",
    "supplement_not_added",
]
