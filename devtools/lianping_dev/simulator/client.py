"""A client of a running simulator's ``/_sim/`` control API, for tests, benchmarks and scripts.

It plays the residents (create them, send as them, read their chats), sends hand-built
webhooks, injects faults and reads the simulator's counters. The API itself is
``control.py``.
"""

from __future__ import annotations

import threading
from typing import Any

import requests


class SimulatorClient:
    """The ``/_sim/`` API of the simulator at ``url``.

    Each thread gets its own keep-alive session (benchmarks call from many threads).
    Every method but :meth:`request` raises ``requests.HTTPError`` on an error status.
    """

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()

    @property
    def http(self) -> requests.Session:
        """This thread's session."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """``method`` on ``/_sim{path}``, whatever the status (for tests of refusals)."""
        kwargs.setdefault("timeout", self.timeout)
        return self.http.request(method, f"{self.url}/_sim{path}", **kwargs)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def new_resident(self, name: str = "測試居民", follow: bool = False) -> str:
        """A new resident's user id; ``follow`` also sends the follow event (adds the bot)."""
        body = {"display_name": name, "follow": follow}
        return str(self._json("POST", "/residents", json=body)["resident"]["user_id"])

    def add_followers(self, user_ids: list[str]) -> None:
        """Residents with these ids who follow the bot, without sending any event."""
        self._json("POST", "/residents/bulk", json={"user_ids": user_ids, "follow": True})

    def send(self, user_id: str, **event: Any) -> dict[str, Any]:
        """Act as the resident (``type="text", text=…``, a sticker, a postback…)."""
        result: dict[str, Any] = self._json("POST", f"/residents/{user_id}/send", json=event)
        return result

    def say(self, user_id: str, text: str) -> dict[str, Any]:
        """The resident sends a text message."""
        return self.send(user_id, type="text", text=text)

    def raw(self, events: list[dict[str, Any]], send: bool = True) -> dict[str, Any]:
        """Sign exactly these webhook events and (unless ``send`` is false) deliver them."""
        result: dict[str, Any] = self._json(
            "POST", "/webhook", params={"send": "1" if send else "0"}, json={"events": events}
        )
        return result

    def reply_token(self, user_id: str) -> str:
        """A fresh reply token for an event from ``user_id`` built by hand."""
        return str(self._json("POST", "/reply-token", json={"user_id": user_id})["replyToken"])

    def timeline(self, user_id: str, after: int = 0) -> list[dict[str, Any]]:
        """The chat with ``user_id``: the resident's events and the bot's messages, in order;
        only the entries whose ``seq`` is greater than ``after``."""
        params = {"after": after}
        return list(self._json("GET", f"/residents/{user_id}/messages", params=params)["items"])

    def bot_messages(self, user_id: str, after: int = 0) -> list[dict[str, Any]]:
        """Everything the bot delivered to ``user_id``, in order (after ``seq`` ``after``)."""
        return [item for item in self.timeline(user_id, after) if item["from"] == "bot"]

    def calls(self, path_prefix: str = "") -> list[dict[str, Any]]:
        """The Messaging API calls received, optionally only those under ``path_prefix``."""
        return list(self._json("GET", "/calls", params={"path_prefix": path_prefix})["calls"])

    def stats(self) -> dict[str, Any]:
        """Counters: deliveries per user, total messages, calls by status, quota."""
        result: dict[str, Any] = self._json("GET", "/stats")
        return result

    def receipts(self, via: str = "multicast") -> dict[str, Any]:
        """How many ``via`` requests reached each user, with a histogram of those counts."""
        result: dict[str, Any] = self._json("GET", "/receipts", params={"via": via})
        return result

    def faults(self, **settings: Any) -> None:
        """Replace the fault settings (``clear=True`` clears them)."""
        self._json("POST", "/faults", json=settings)
