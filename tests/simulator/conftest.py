"""Fixtures: an in-process simulator, a webhook receiver that checks signatures, a clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from linebot.v3.webhook import SignatureValidator
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lianping_dev.simulator import RunningSimulator, SimulatorSettings, start_in_thread
from lianping_dev.simulator.client import SimulatorClient

SECRET = "test-channel-secret"
TOKEN = "test-access-token"


class FakeClock:
    """A clock tests move by hand, so reply tokens and retry keys age without sleeping."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    signature_ok: bool


@dataclass
class Receiver:
    """A bot stand-in: records webhook requests and answers ``status``."""

    url: str = ""
    status: int = 200
    received: list[Received] = field(default_factory=list)
    # Called before the answer, as a bot that replies while the webhook is open would.
    before_answer: Callable[[], None] | None = None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    recorder = Receiver()
    validator = SignatureValidator(SECRET)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        signature = request.headers.get("X-Line-Signature", "")
        ok = validator.validate(body.decode("utf-8"), signature)
        recorder.received.append(Received(body, dict(request.headers), ok))
        if recorder.before_answer:
            recorder.before_answer()
        return Response("OK", status=recorder.status)(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_port}/callback"
    yield recorder
    server.shutdown()
    server.server_close()


@pytest.fixture
def sim(receiver: Receiver, clock: FakeClock) -> Iterator[RunningSimulator]:
    settings = SimulatorSettings(
        channel_secret=SECRET, access_token=TOKEN, webhook_url=receiver.url
    )
    running = start_in_thread(settings, clock=clock)
    yield running
    running.stop()


class Client(SimulatorClient):
    """The simulator's ``/_sim`` API, plus Messaging API calls with the Bearer token (``api``).

    ``sim`` and ``base`` are the names these tests use for ``request`` and ``url``.
    """

    sim = SimulatorClient.request

    @property
    def base(self) -> str:
        return self.url

    def api(self, method: str, path: str, **kw: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {TOKEN}", **kw.pop("headers", {})}
        return self.http.request(method, self.base + path, headers=headers, timeout=10, **kw)

    def resident(self, name: str = "測試居民", follow: bool = True) -> str:
        """A new resident, a friend of the bot unless ``follow`` is false."""
        return self.new_resident(name, follow)


@pytest.fixture
def client(sim: RunningSimulator) -> Client:
    return Client(sim.url)


def text_messages(*texts: str) -> list[dict[str, str]]:
    """Text message objects for request bodies."""
    return [{"type": "text", "text": t} for t in texts]
