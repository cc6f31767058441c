"""Delivering signed webhook requests to the bot, as the LINE platform does."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import requests

from lianping_dev.simulator.events import envelope, sign
from lianping_dev.simulator.settings import SimulatorSettings

TIMEOUT_S = 10.0
USER_AGENT = "LineBotWebhook/2.0"


@dataclass
class SignedBody:
    """A webhook body and the signature that goes with it."""

    body: bytes
    signature: str

    def headers(self) -> dict[str, str]:
        """The headers LINE sends with a webhook request."""
        return {
            "Content-Type": "application/json; charset=utf-8",
            "X-Line-Signature": self.signature,
            "User-Agent": USER_AGENT,
        }


@dataclass
class Delivery:
    """What happened to one webhook request. ``status`` is 0 when no answer came back."""

    status: int
    error: str | None = None


class WebhookSender:
    """Signs events and POSTs them to the bot's webhook URL.

    Reads the settings on every send, so a test may point ``settings.webhook_url`` at a
    server that started after the simulator.
    """

    def __init__(self, settings: SimulatorSettings) -> None:
        self.settings = settings
        # One session per thread: connection reuse without sharing a Session across threads.
        self._local = threading.local()

    def signed(self, events: list[dict[str, Any]]) -> SignedBody:
        """Serialize ``events`` into a webhook body and sign it."""
        body = envelope(self.settings.destination, events)
        return SignedBody(body, sign(self.settings.channel_secret, body))

    def send(self, events: list[dict[str, Any]]) -> Delivery:
        """POST ``events`` to the webhook URL and report the response status."""
        return self.post(self.signed(events))

    def post(self, signed: SignedBody) -> Delivery:
        """POST an already signed body."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        try:
            response = session.post(
                self.settings.webhook_url,
                data=signed.body,
                headers=signed.headers(),
                timeout=TIMEOUT_S,
            )
        except requests.RequestException as error:
            return Delivery(0, f"{type(error).__name__}: {error}")
        return Delivery(response.status_code)
