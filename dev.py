#!/usr/bin/env python3
"""Set-up and run on a fresh machine with only Python 3.11+.

    python3 dev.py run     # the whole product on embedded defaults
    python3 dev.py test    # the test suite (extra arguments go to pytest)
    python3 dev.py bench   # the webhook pipeline benchmark (arguments go to the script)

Creates ``.venv`` and installs the project into it the first time, and again
whenever ``pyproject.toml`` or ``devtools/pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".lianping-installed"


def ensure_environment() -> None:
    """Create the virtualenv; install the product (with its dev extras) and the dev tools."""
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py may be run by an older python3)
        sys.exit("lianping needs Python 3.11 or newer")
    wanted = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + (ROOT / "devtools" / "pyproject.toml").read_bytes()
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    print("installing lianping and its dependencies …", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[dev]", "-e", str(ROOT / "devtools")], check=True)
    STAMP.write_text(wanted)


def main() -> None:
    commands = {
        "run": [str(BIN / "lianping-dev"), "embedded"],
        "test": [str(BIN / "python"), "-m", "pytest"],
        "bench": [str(BIN / "python"), str(ROOT / "bench" / "webhook_pipeline.py")],
    }
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    ensure_environment()
    os.chdir(ROOT)
    os.execv(commands[sys.argv[1]][0], [*commands[sys.argv[1]], *sys.argv[2:]])


if __name__ == "__main__":
    main()
