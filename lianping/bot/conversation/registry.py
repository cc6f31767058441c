"""The steps by name; ``steps/__init__`` fills it so navigation can prompt any step."""

from __future__ import annotations

from typing import Protocol

from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State


class Step(Protocol):
    """One state of the conversation: what it asks and how it answers."""

    NAME: str
    # Postback actions this step understands (global commands work everywhere).
    ACTIONS: frozenset[str]
    # Media kinds the step handles itself; others are attached to the draft generically.
    MEDIA: frozenset[str]

    def prompt(self, state: State, content: Content) -> list[Message]:
        """The messages that ask for this step's answer."""
        ...

    def handle(self, state: State, event: Incoming, content: Content) -> Outcome:
        """Answer one event at this step."""
        ...


STEPS: dict[str, Step] = {}


def register(step: Step) -> None:
    """Make ``step`` reachable by its name."""
    STEPS[step.NAME] = step


def get(name: str) -> Step:
    """The step called ``name`` (idle for an unknown name, e.g. from an older release)."""
    return STEPS.get(name) or STEPS["idle"]
