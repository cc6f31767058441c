"""The objects one running simulator shares between its blueprints."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from lianping.simulator.faults import FaultInjector
from lianping.simulator.residents import ResidentActions
from lianping.simulator.settings import SimulatorSettings
from lianping.simulator.store import Store
from lianping.simulator.webhook import WebhookSender

EXTENSION_KEY = "lianping_simulator"


@dataclass
class SimulatorState:
    """Settings, state, fault injector and webhook sender of one simulator app."""

    settings: SimulatorSettings
    store: Store
    faults: FaultInjector
    sender: WebhookSender
    actions: ResidentActions


def state() -> SimulatorState:
    """The simulator state of the current Flask app."""
    return current_app.extensions[EXTENSION_KEY]
