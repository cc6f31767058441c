"""Helpers shared by the tests: waiting, the simulator's JSON API, worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import requests

T = TypeVar("T")

LIANPING = str(Path(sys.executable).parent / "lianping")


def wait_until(predicate: Callable[[], T], timeout: float = 20.0, interval: float = 0.1) -> T:
    """Poll ``predicate`` until it returns something truthy; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last value: {value!r})")
        time.sleep(interval)


class Sim:
    """The simulator's JSON API, as a script would use it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def new_resident(self, name: str = "測試居民", follow: bool = False) -> str:
        response = requests.post(
            f"{self.url}/_sim/residents", json={"display_name": name, "follow": follow}, timeout=10
        )
        response.raise_for_status()
        return str(response.json()["resident"]["user_id"])

    def send(self, user_id: str, **event: Any) -> dict[str, Any]:
        response = requests.post(
            f"{self.url}/_sim/residents/{user_id}/send", json=event, timeout=15
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def raw(self, events: list[dict[str, Any]], send: bool = True) -> dict[str, Any]:
        response = requests.post(
            f"{self.url}/_sim/webhook", params={"send": "1" if send else "0"},
            json={"events": events}, timeout=15,
        )  # fmt: skip
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def timeline(self, user_id: str) -> list[dict[str, Any]]:
        """The chat with ``user_id``: the resident's events and the bot's messages, in order."""
        response = requests.get(f"{self.url}/_sim/residents/{user_id}/messages", timeout=10)
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def bot_messages(self, user_id: str) -> list[dict[str, Any]]:
        """Everything the bot delivered to ``user_id``, in order."""
        return [item for item in self.timeline(user_id) if item["from"] == "bot"]

    def calls(self, path_prefix: str = "") -> list[dict[str, Any]]:
        response = requests.get(
            f"{self.url}/_sim/calls", params={"path_prefix": path_prefix}, timeout=10
        )
        response.raise_for_status()
        return list(response.json()["calls"])

    def faults(self, **settings: Any) -> None:
        requests.post(f"{self.url}/_sim/faults", json=settings, timeout=10).raise_for_status()

    def reply_token(self, user_id: str) -> str:
        response = requests.post(
            f"{self.url}/_sim/reply-token", json={"user_id": user_id}, timeout=10
        )
        response.raise_for_status()
        return str(response.json()["replyToken"])


class WorkerProcess:
    """A real ``lianping worker`` process (RQ worker with scheduler and sweep)."""

    def __init__(self, env: dict[str, str], log: Any = None) -> None:
        self.process = subprocess.Popen(
            [LIANPING, "worker"], env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL the whole process group (worker and its scheduler), as a crash would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
