"""A staff member's LINE link code (``LP-1234-5678``), recognised at any step.

Staff send it from the LINE account they link to their admin account; the dispatcher
checks it. The conversation is left as it was: a report being written stays as it is.
"""

from __future__ import annotations

import re
import unicodedata

from lianping.bot.conversation.model import Incoming, LinkStaff, Outcome, State

# The whole message, as a phone keyboard may give it: any case, spaces or dashes between
# the groups, full-width characters (folded by NFKC first).
CODE = re.compile(r"LP[\s_-]*([0-9]{4})[\s_-]*([0-9]{4})", re.IGNORECASE)


def code_in(event: Incoming) -> str | None:
    """The code's digits, if the message is a link code and nothing else."""
    if event.kind != "text" or not event.text:
        return None
    found = CODE.fullmatch(unicodedata.normalize("NFKC", event.text).strip())
    return found.group(1) + found.group(2) if found else None


def route(state: State, event: Incoming) -> Outcome | None:
    """Hand a link code to the dispatcher, leaving the state untouched; None otherwise."""
    code = code_in(event)
    return Outcome(state, [], [LinkStaff(code)]) if code is not None else None
