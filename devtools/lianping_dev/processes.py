"""Child processes of the development tools: start, wait until ready, stop.

Every child leads a process group of its own and is signalled as a group, so what it
forks (gunicorn's workers, redis-server's helpers) goes with it. The tests, the
benchmarks, the embedded run and the production smoke test all start the product's
processes through here.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import requests


class ProcessFailed(RuntimeError):
    """A child exited unexpectedly, or did not become ready in time (the message ends
    with the tail of its log).

    ``summary`` is the message without the log tails, for a caller that shows the logs
    itself.
    """

    def __init__(self, summary: str, tails: str = "") -> None:
        super().__init__(f"{summary}{tails}")
        self.summary = summary


def parse_cores(value: str) -> frozenset[int]:
    """Core numbers written as ``taskset -c`` takes them: ``0``, ``0,2``, ``0-3,6``."""
    cores: set[int] = set()
    for part in value.split(","):
        first, _, last = part.strip().partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ValueError(f"not a core list: {value!r} (e.g. 0 or 0,2 or 0-3)")
        low, high = int(first), int(last or first)
        if low > high:
            raise ValueError(f"not a core list: {value!r} ({part} runs backwards)")
        cores.update(range(low, high + 1))
    return frozenset(cores)


def pin(pid: int, cores: Iterable[int]) -> None:
    """Keep every thread of ``pid`` on ``cores``.

    ``sched_setaffinity`` moves one thread only, so each of ``/proc/<pid>/task`` is
    moved; threads and children started afterwards inherit it from their creator.
    Raises ProcessLookupError when the process is gone.
    """
    cores = set(cores)
    try:
        threads = [int(task) for task in os.listdir(f"/proc/{pid}/task")]
    except FileNotFoundError:
        raise ProcessLookupError(pid) from None
    for thread in threads:
        # A thread that ended since the listing needs nothing.
        with contextlib.suppress(ProcessLookupError):
            os.sched_setaffinity(thread, cores)


def _prepare_child(
    nice: int, die_with_parent: bool, cores: frozenset[int] | None
) -> Callable[[], None] | None:
    """What the child runs between fork and exec, or None when nothing is asked."""
    if not nice and not die_with_parent and cores is None:
        # preexec_fn is unsafe beside threads (tests run servers in threads): only when asked.
        return None

    def prepare() -> None:  # pragma: no cover - runs in the child
        if nice:
            os.nice(nice)
        if cores is not None:
            # Before exec: every thread and process the child starts inherits it.
            os.sched_setaffinity(0, cores)
        if die_with_parent and sys.platform == "linux":
            # PR_SET_PDEATHSIG: the kernel sends SIGTERM should the parent die without
            # cleaning up (SIGKILL, a crash), so no child outlives it.
            with contextlib.suppress(Exception):
                ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))

    return prepare


class Process:
    """A child process leading its own process group; started when constructed."""

    def __init__(
        self,
        args: list[str],
        env: Mapping[str, str] | None = None,
        *,
        name: str | None = None,
        log: Path | None = None,
        cwd: Path | None = None,
        nice: int = 0,
        die_with_parent: bool = False,
        append_log: bool = False,
        cores: Iterable[int] | None = None,
    ) -> None:
        """Start ``args`` with ``env`` (None: this process's) in a new session.

        ``log``: a file (written afresh, unless ``append_log``) for its stdout and stderr;
        None shares this process's. ``nice`` lowers its priority; ``die_with_parent`` has
        Linux stop it should this process die without stopping it; ``cores`` (None: this
        process's) are the only cores it and everything it starts may run on.
        """
        self.name = name or Path(args[0]).name
        self.log = log
        self.started = time.monotonic()
        self.cores = frozenset(cores) if cores is not None else None
        self._spec = (args, env, cwd, nice, die_with_parent)
        with contextlib.ExitStack() as files:
            output = files.enter_context(log.open("ab" if append_log else "wb")) if log else None
            self.popen = subprocess.Popen(
                args,
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                start_new_session=True,
                preexec_fn=_prepare_child(nice, die_with_parent, self.cores),
            )

    @property
    def pid(self) -> int:
        """The leader's process id, which is also the group's id."""
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        """The exit status, or None while it runs."""
        return self.popen.poll()

    def signal(self, signum: int) -> bool:
        """Send ``signum`` to the whole group; False (and nothing sent) if the group is gone."""
        try:
            os.killpg(self.pid, signum)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the leader to exit; its exit status."""
        return self.popen.wait(timeout=timeout)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the group, then SIGKILL whatever is left after ``grace`` seconds."""
        stop_all([self], grace)

    def kill(self) -> None:
        """SIGKILL the group at once, as a crash would, and reap the leader."""
        self.signal(signal.SIGKILL)
        self.wait(timeout=10)

    def respawn(self) -> Process:
        """The same command started anew (its log continued), once this one has exited."""
        args, env, cwd, nice, die_with_parent = self._spec
        return Process(
            args, env, name=self.name, log=self.log, cwd=cwd, nice=nice,
            die_with_parent=die_with_parent, append_log=True, cores=self.cores,
        )  # fmt: skip

    def check_alive(self) -> None:
        """Raise :class:`ProcessFailed` if the process has exited."""
        if self.returncode is not None:
            raise ProcessFailed(
                f"{self.name} exited with status {self.returncode}", f"; log tail:\n{self.tail()}"
            )

    def tail(self, lines: int = 25) -> str:
        """The last ``lines`` lines of its log."""
        if self.log is None:
            return "(no log file: its output went to this process's own)"
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def wait_ready(
    probe: Callable[[], object],
    *,
    what: str,
    watch: Iterable[Process] = (),
    timeout: float = 30.0,
) -> None:
    """Poll ``probe`` until it returns something truthy.

    A probe raising OSError (a refused connection, any ``requests`` error) counts as not
    ready yet. Raises :class:`ProcessFailed`, with the log tails of the ``watch``ed
    processes, when one of them exits first or ``timeout`` seconds pass.
    """
    watched = list(watch)
    deadline = time.monotonic() + timeout
    while True:
        for process in watched:
            process.check_alive()
        with contextlib.suppress(OSError):
            if probe():
                return
        if time.monotonic() > deadline:
            tails = "".join(f"\n--- {p.name} log tail:\n{p.tail()}" for p in watched)
            raise ProcessFailed(f"{what} not ready within {timeout:g} s", tails)
        time.sleep(0.1)


def url_answers(url: str, status: int | None = None) -> Callable[[], bool]:
    """A probe for :func:`wait_ready`: ``GET url`` answers with a success status, or with
    exactly ``status`` when one is given (redirects followed either way)."""
    if status is None:
        return lambda: requests.get(url, timeout=2).ok
    return lambda: requests.get(url, timeout=2).status_code == status


def stop_all(processes: Iterable[Process], grace: float = 10.0) -> list[Process]:
    """Stop every group: SIGTERM all, wait up to ``grace`` seconds, then SIGKILL the rest.

    The SIGKILL goes to every group even when its leader exited, for members left
    behind (a gunicorn worker whose master is gone). Returns the processes whose group
    still had members for the SIGKILL: those that did not stop on SIGTERM in time.
    """
    group = list(processes)
    for process in group:
        process.signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in group:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    killed = [process for process in group if process.signal(signal.SIGKILL)]
    for process in group:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    return killed


# Seconds before a child that exited is started again: doubled each time it exits
# within STABLE seconds of its start, back to the first after a stable run.
RESTART_BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
STABLE = 60.0


class Fleet:
    """Named child processes started, watched and stopped together.

    Infrastructure (Redis) is stopped after the processes that use it. With a
    ``log_dir`` each child writes ``<name>.log`` there; else all share this process's
    output. ``die_with_parent`` applies to every child the fleet starts.
    """

    def __init__(
        self, log_dir: Path | None = None, *, cwd: Path | None = None, die_with_parent: bool = False
    ) -> None:
        self.log_dir, self.cwd, self.die_with_parent = log_dir, cwd, die_with_parent
        self.processes: dict[str, Process] = {}
        self._infrastructure: set[str] = set()
        self._restarts: dict[str, tuple[int, float]] = {}  # name → (exits in a row, when due)

    def start(
        self,
        name: str,
        args: list[str],
        env: Mapping[str, str],
        *,
        nice: int = 0,
        cores: Iterable[int] | None = None,
    ) -> Process:
        """Start a child called ``name`` (unique in the fleet), on ``cores`` if given."""
        process = Process(
            args, env, name=name, cwd=self.cwd, nice=nice, die_with_parent=self.die_with_parent,
            log=self.log_dir / f"{name}.log" if self.log_dir else None, cores=cores,
        )  # fmt: skip
        self.processes[name] = process
        return process

    def run(
        self, name: str, args: list[str], env: Mapping[str, str], *, timeout: float = 60.0
    ) -> None:
        """Run a one-off command (a child like the others) to its end.

        Raises :class:`ProcessFailed` when it exits with an error, does not end within
        ``timeout`` seconds, or another child exits meanwhile. Interrupted, it stays in
        the fleet, so :meth:`stop_all` stops it with the rest.
        """
        process = self.start(name, args, env)
        others = [p for p in self.processes.values() if p is not process]
        wait_ready(lambda: process.returncode is not None, what=name, watch=others, timeout=timeout)
        del self.processes[name]
        if process.returncode:
            raise ProcessFailed(
                f"{name} exited with status {process.returncode}", f"; log tail:\n{process.tail()}"
            )

    def adopt(self, process: Process) -> None:
        """Take over infrastructure started elsewhere (a RedisServer's process)."""
        self.processes[process.name] = process
        self._infrastructure.add(process.name)

    def check_alive(self) -> None:
        """Raise :class:`ProcessFailed` if any child has exited."""
        for process in self.processes.values():
            process.check_alive()

    def supervise(self, report: Callable[[str], None]) -> None:
        """Restart every child that exited, after a backoff; ``report`` says what it does.

        Call it often (it never waits): a child found dead is scheduled, and started
        again on a later call once its delay has passed.
        """
        now = time.monotonic()
        for name, process in list(self.processes.items()):
            if process.returncode is None:
                continue
            if name not in self._restarts or self._restarts[name][1] < 0:
                # What the leader left of its group (a gunicorn worker holding the port) goes.
                process.signal(signal.SIGKILL)
                previous = self._restarts.get(name, (0, 0.0))[0]
                exits = previous + 1 if now - process.started < STABLE else 1
                delay = RESTART_BACKOFF[min(exits, len(RESTART_BACKOFF)) - 1]
                self._restarts[name] = (exits, now + delay)
                report(
                    f"{name} exited with status {process.returncode}; restarting it in {delay:g} s"
                )
            elif now >= self._restarts[name][1]:
                self.processes[name] = process.respawn()
                self._restarts[name] = (self._restarts[name][0], -1.0)
                report(f"{name} restarted (pid {self.processes[name].pid})")

    def wait_ready(self, what: str, probe: Callable[[], object], timeout: float = 30.0) -> None:
        """:func:`wait_ready`, failing as soon as any child of the fleet exits."""
        wait_ready(probe, what=what, watch=self.processes.values(), timeout=timeout)

    def stop_all(self, grace: float = 10.0) -> list[Process]:
        """Stop the children, then the infrastructure, and forget them; those that had to
        be killed (see :func:`stop_all`)."""
        apps = [p for n, p in self.processes.items() if n not in self._infrastructure]
        infrastructure = [p for n, p in self.processes.items() if n in self._infrastructure]
        killed = stop_all(apps, grace) + stop_all(infrastructure, grace)
        self.processes.clear()
        self._infrastructure.clear()
        self._restarts.clear()
        return killed
