"""The webhook's spool: verified raw bodies kept on local disk while the database is
unreachable, one file per body, until the sweep imports them.

A body is written to a temporary name, flushed to disk and renamed, so a file with the
final name is always whole; the folder is flushed too, so the rename survives a crash.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

SUFFIX = ".body"
TEMPORARY = ".partial-"
SET_ASIDE = ".failed"


class SpoolFull(OSError):
    """Keeping the body would take the spool over its bound."""


def used_bytes(directory: Path) -> int:
    """What the spool holds now, set-aside and partial files included."""
    try:
        with os.scandir(directory) as entries:
            return sum(entry.stat().st_size for entry in entries if entry.is_file())
    except FileNotFoundError:
        return 0


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write(directory: Path, body: bytes, max_bytes: int) -> Path:
    """Keep ``body`` durably; raise ``SpoolFull`` (or another ``OSError``) when it cannot."""
    directory.mkdir(parents=True, exist_ok=True)
    if used_bytes(directory) + len(body) > max_bytes:
        raise SpoolFull(f"spool {directory} would exceed {max_bytes} bytes")
    # Names sort in arrival order, so the sweep imports the oldest first.
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex}"
    partial = directory / (TEMPORARY + name)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(body)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    final = directory / (name + SUFFIX)
    os.replace(partial, final)
    _fsync_dir(directory)
    return final


def pending(directory: Path, limit: int) -> list[Path]:
    """Up to ``limit`` whole spooled bodies, oldest first."""
    try:
        names = sorted(
            name
            for name in os.listdir(directory)
            if name.endswith(SUFFIX) and not name.startswith(TEMPORARY)
        )
    except FileNotFoundError:
        return []
    return [directory / name for name in names[:limit]]


def set_aside(path: Path) -> None:
    """Keep a body the import cannot take under a name the import skips."""
    path.replace(path.with_name(path.name + SET_ASIDE))
