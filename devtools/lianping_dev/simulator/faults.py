"""Fault injection for the fake Messaging API, changeable while the simulator runs."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

# LINE's own wording, so a client can branch on the message as it must in production.
MESSAGES: dict[int, str] = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
MONTHLY_LIMIT_MESSAGE = "You have reached your monthly limit."


@dataclass
class Fault:
    """A status and LINE-style error body to answer instead of handling a call."""

    status: int
    message: str


@dataclass
class FaultConfig:
    """The current fault settings.

    ``error_rate`` answers 500 for that fraction of calls; ``status`` is answered for
    the next ``count`` calls (with ``message``, defaulting to LINE's text for the status);
    ``latency_ms`` delays every matching call; ``path_prefix`` limits all of it to calls
    whose path starts with it.
    """

    error_rate: float = 0.0
    status: int | None = None
    count: int = 0
    message: str | None = None
    latency_ms: int = 0
    path_prefix: str = ""
    seed: int | None = None


class FaultInjector:
    """Decides, per API call, whether to delay it and whether to fail it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._config = FaultConfig()
        self._rng = random.Random()

    def configure(self, settings: dict[str, Any]) -> FaultConfig:
        """Replace the settings (unknown keys are a ``TypeError``); seeding makes it repeatable."""
        config = FaultConfig(**settings)
        if not 0.0 <= config.error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        with self._lock:
            self._config = config
            self._rng = random.Random(config.seed)
        return config

    def clear(self) -> None:
        """Turn every fault off."""
        self.configure({})

    def config(self) -> FaultConfig:
        """A copy of the current settings."""
        with self._lock:
            return FaultConfig(**vars(self._config))

    def latency_s(self, path: str) -> float:
        """How long to stall a call to ``path`` before answering it."""
        with self._lock:
            config = self._config
            return config.latency_ms / 1000 if path.startswith(config.path_prefix) else 0.0

    def next_fault(self, path: str) -> Fault | None:
        """The fault to answer for this call to ``path``, if any (consumes a count)."""
        with self._lock:
            config = self._config
            if not path.startswith(config.path_prefix):
                return None
            if config.status is not None and config.count > 0:
                config.count -= 1
                return Fault(config.status, config.message or MESSAGES.get(config.status, "Error"))
            if config.error_rate and self._rng.random() < config.error_rate:
                return Fault(500, MESSAGES[500])
            return None
