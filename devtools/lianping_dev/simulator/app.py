"""The simulator's Flask app, and ways to run it (foreground server or background thread)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask
from gunicorn.app.base import BaseApplication
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from lianping_dev.simulator import api, api_messaging, api_resources, api_richmenu, chat, control
from lianping_dev.simulator.faults import FaultInjector
from lianping_dev.simulator.residents import ResidentActions
from lianping_dev.simulator.settings import SimulatorSettings
from lianping_dev.simulator.state import EXTENSION_KEY, SimulatorState
from lianping_dev.simulator.store import Clock, Store
from lianping_dev.simulator.webhook import WebhookSender


def create_app(settings: SimulatorSettings, *, clock: Clock | None = None) -> Flask:
    """A Flask app acting as api.line.me and api-data.line.me plus the resident chat page.

    ``clock`` (seconds since the epoch) replaces ``time.time`` so tests can age reply
    tokens and retry keys without sleeping.
    """
    app = Flask(__name__, static_url_path="/_sim/static")
    # Chat texts are zh-TW: keep them readable in JSON answers.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    # Keep LINE's property order in events and bodies shown to people.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    store = Store(clock) if clock else Store()
    sender = WebhookSender(settings)
    app.extensions[EXTENSION_KEY] = SimulatorState(
        settings=settings,
        store=store,
        faults=FaultInjector(),
        sender=sender,
        actions=ResidentActions(store, sender),
    )
    api.install(app)
    for blueprint in (api_messaging.bp, api_resources.bp, api_richmenu.bp, control.bp, chat.bp):
        app.register_blueprint(blueprint)
    return app


class _KeepAliveHandler(WSGIRequestHandler):
    """HTTP/1.1 with keep-alive, as LINE serves: clients reuse their connections.

    werkzeug's default (HTTP/1.0, ``Connection: close``) makes every call of the
    product's LINE client open a new TCP connection.
    """

    protocol_version = "HTTP/1.1"


class _QuietHandler(_KeepAliveHandler):
    """Keep-alive handler that does not log each request (hundreds per second in benchmarks)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def _server(app: Flask, host: str, port: int, quiet: bool) -> BaseWSGIServer:
    handler = _QuietHandler if quiet else _KeepAliveHandler
    return make_server(host, port, app, threaded=True, request_handler=handler)


class _GunicornSimulator(BaseApplication):
    """gunicorn serving one simulator: ONE worker process (the state lives in its memory)
    with threads, and keep-alive connections as LINE serves them.

    werkzeug's server closes every connection and waits 10 ms after each response for
    stray request bytes: a multicast to 100,000 followers is 200 requests, so that
    alone would cost a fresh TCP connection and 10 ms each.
    """

    def __init__(self, settings: SimulatorSettings, bind: str, threads: int) -> None:
        self.settings, self.bind, self.threads = settings, bind, threads
        super().__init__()

    def load_config(self) -> None:
        options = {
            "bind": self.bind,
            "workers": 1,
            "worker_class": "gthread",
            "threads": self.threads,
            "keepalive": 30,
            "timeout": 120,
            "graceful_timeout": 5,
            "loglevel": "warning",
            "accesslog": None,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        # Built in the worker process, after the fork, so its state lives there.
        return create_app(self.settings)


def serve(
    settings: SimulatorSettings, host: str = "127.0.0.1", port: int = 8765, threads: int = 16
) -> None:
    """Run the simulator in the foreground under gunicorn until interrupted (SIGINT/SIGTERM).

    Requests are not logged one by one (warnings still are): the simulator takes
    hundreds per second under load.
    """
    _GunicornSimulator(settings, f"{host}:{port}", threads).run()


@dataclass
class RunningSimulator:
    """A simulator serving from a background thread; ``stop()`` shuts it down."""

    url: str
    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def store(self) -> Store:
        """The simulator's state, for direct inspection in tests."""
        return self.app.extensions[EXTENSION_KEY].store

    @property
    def state(self) -> SimulatorState:
        """Settings, store, faults and webhook sender of this simulator."""
        return self.app.extensions[EXTENSION_KEY]

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_in_thread(
    settings: SimulatorSettings,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    clock: Clock | None = None,
) -> RunningSimulator:
    """Start a simulator on ``host:port`` (0 picks a free port) in a daemon thread."""
    app = create_app(settings, clock=clock)
    server = _server(app, host, port, quiet=True)
    # A short poll interval makes stop() quick, which matters in tests that start many.
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="line-simulator", daemon=True
    )
    thread.start()
    return RunningSimulator(f"http://{host}:{server.server_port}", app, server, thread)
