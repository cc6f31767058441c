"""The objects one running simulator shares between its blueprints."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from lianping_dev.simulator.faults import FaultInjector
from lianping_dev.simulator.residents import ResidentActions
from lianping_dev.simulator.settings import SimulatorSettings
from lianping_dev.simulator.store import Store
from lianping_dev.simulator.webhook import WebhookSender

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
