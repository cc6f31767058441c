"""The command lines of the product's processes and of the LINE simulator.

The programs of the running interpreter's environment (the virtualenv's ``bin``), so a
child runs the same installation as its parent.
"""

from __future__ import annotations

import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def web(port: int, workers: int = 2, threads: int = 4) -> list[str]:
    """The web app under gunicorn on 127.0.0.1:``port``, gthread workers."""
    return [
        str(BIN / "gunicorn"),
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--no-control-socket",
        "--log-level", "warning",
        "lianping.app:create_app()",
    ]  # fmt: skip


def worker() -> list[str]:
    """One RQ worker (``lianping worker``: scheduler and sweep included)."""
    return [str(BIN / "lianping"), "worker"]


def simulator(port: int, webhook_url: str, threads: int = 16) -> list[str]:
    """The LINE simulator on 127.0.0.1:``port``, sending webhooks to ``webhook_url``."""
    return [
        str(BIN / "lianping-dev"), "simulator", "--port", str(port), "--webhook-url", webhook_url,
        "--threads", str(threads),
    ]  # fmt: skip


def richmenu() -> list[str]:
    """``lianping richmenu``: install the rich menu on the LINE of ``LINE_API_BASE``."""
    return [str(BIN / "lianping"), "richmenu"]
