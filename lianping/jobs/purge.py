"""The daily retention purge (個資法 §11): remove what the retention schedule says is due,
in batches (one transaction each) until done or out of time, then one audit entry of counts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from lianping import context, queues
from lianping.context import Context
from lianping.services import retention
from lianping.services.access import SYSTEM, Actor
from lianping.storage.models import utcnow

log = logging.getLogger(__name__)

# Rows per kind per transaction: short transactions, little held in memory.
BATCH = 500
# A run stops starting batches after this long and queues its continuation behind the
# other jobs, so a large backlog (the first run) never holds a worker for long.
TIME_BUDGET = 60
# Once a day, whichever worker's sweep gets there first.
DAILY_KEY = "lianping:purge:daily"
DAY = 24 * 3600


@dataclass
class Run:
    """What one run removed, per kind, and whether it got through everything due."""

    at: datetime
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0
    complete: bool = False


def enqueue_daily(ctx: Context) -> bool:
    """Queue the purge unless it was queued in the last day; returns whether it was."""
    if not ctx.redis.set(DAILY_KEY, 1, nx=True, ex=DAY):
        return False
    _enqueue(ctx)
    return True


def _enqueue(ctx: Context) -> None:
    queues.enqueue(
        ctx.redis, queues.DEFAULT, "lianping.jobs.purge.purge", job_timeout=TIME_BUDGET * 5
    )


def purge() -> dict[str, int]:
    """RQ job: one purge run as the system (continued by another job if time ran out);
    returns the counts per kind."""
    ctx = context.current()
    result = run(ctx, SYSTEM)
    if not result.complete:
        _enqueue(ctx)
    return result.counts


def run(
    ctx: Context,
    actor: Actor,
    *,
    batch: int = BATCH,
    budget: float = TIME_BUDGET,
    clock: Callable[[], float] = time.monotonic,
    now: datetime | None = None,
) -> Run:
    """Purge in batches with one ``now`` (so the cutoffs hold still), deleting each
    batch's files once it has committed; the audit entry records the counts only."""
    result = Run(now or utcnow(), {kind.code: 0 for kind in retention.SCHEDULE})
    deadline = clock() + budget
    while True:
        with ctx.sessions.begin() as session:
            done = retention.purge(session, result.at, batch)
        for relative in done.files:
            (ctx.settings.media_dir / relative).unlink(missing_ok=True)
        for code, count in done.counts.items():
            result.counts[code] += count
        result.files += len(done.files)
        if done.total == 0:
            result.complete = True
            break
        if clock() >= deadline:
            break
    with ctx.sessions.begin() as session:
        retention.record_run(
            session, actor, result.at, result.counts, result.files, result.complete
        )
    log.info(
        "retention purge removed %s and %d files%s",
        ", ".join(f"{code} {count}" for code, count in result.counts.items()),
        result.files,
        "" if result.complete else " (time budget reached, more remains)",
    )
    return result
