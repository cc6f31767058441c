"""成果統計 against the supervisors' dashboard: the same figures for the same period, except
that tips are absent and counts below the threshold are shown as 「<3」.

The dashboard's own test world is used (``tests.test_dashboard.world``): cases around week
boundaries, answered and closed in and out of the period, and two tips.
"""

from __future__ import annotations

from typing import Any

from lianping.context import Context
from lianping.reports import dashboard, public_statistics
from lianping.reports.public_statistics import PublicStatistics
from lianping.services import public_cache
from tests.admin_support import staff
from tests.test_admin_pages import Staff, page_text
from tests.test_dashboard import ETHICS, NOW, PERIOD, VIEWER, world

__all__ = ["world"]  # the fixture, used by name


def _public(ctx: Context, threshold: int) -> PublicStatistics:
    with ctx.sessions() as session:
        figures = dashboard.build(session, public_statistics.PUBLIC, *PERIOD, now=NOW)
    return public_statistics.from_dashboard(figures, threshold)


def _dashboard(ctx: Context, actor: Any) -> dashboard.Dashboard:
    with ctx.sessions() as session:
        return dashboard.build(session, actor, *PERIOD, now=NOW)


def _pairs(stats: PublicStatistics, figures: dashboard.Dashboard) -> list[tuple[Any, int]]:
    """(public cell, the dashboard's count) for every count the public page shows."""
    pairs = [
        (stats.received, figures.received),
        (stats.answered, figures.first_answer.cases),
        (stats.transferred, sum(c.count for c in figures.by_agency)),
        (stats.closed, figures.to_close.cases),
    ]
    sources = {
        "nature": figures.by_nature,
        "sub_item": figures.by_sub_item,
        "theme": figures.by_theme,
        "district": figures.by_district,
    }
    for table in stats.tables:
        if table.key == "week":
            weekly = [sum(v[i] for v in figures.weekly.values()) for i in range(len(figures.weeks))]
            pairs += [(row.cell, n) for row, n in zip(table.rows, weekly, strict=True)]
        else:
            counts = {c.key: c.count for c in sources[table.key]}
            assert [r.key for r in table.rows] == list(counts)
            pairs += [(row.cell, counts[row.key]) for row in table.rows]
    return pairs


def test_without_suppression_every_figure_is_the_dashboards(
    ctx: Context, world: dict[str, int]
) -> None:
    stats, figures = _public(ctx, 1), _dashboard(ctx, VIEWER)
    for cell, count in _pairs(stats, figures):
        assert (cell.count, cell.shown, cell.suppressed) == (count, str(count), False)
    assert stats.received.count == 5
    assert stats.first_answer.value == figures.first_answer.median_days
    assert stats.to_close.value == figures.to_close.median_days
    assert stats.satisfaction.value == figures.satisfaction_average


def test_small_counts_are_suppressed_and_the_rest_match(
    ctx: Context, world: dict[str, int]
) -> None:
    stats, figures = _public(ctx, 3), _dashboard(ctx, VIEWER)
    suppressed = 0
    for cell, count in _pairs(stats, figures):
        assert cell.count == count
        if 0 < count < 3:
            assert (cell.shown, cell.value) == ("<3", None)
            suppressed += 1
        else:
            assert cell.shown == str(count)
    assert suppressed > 3, "the world has several small cells"
    # Medians and averages over fewer than 3 cases are not shown.
    assert figures.to_close.cases == 3 and stats.to_close.shown.endswith("日")
    assert figures.ratings == 3 and stats.satisfaction.value == figures.satisfaction_average


def test_tips_are_never_counted(ctx: Context, world: dict[str, int]) -> None:
    stats, with_tips = _public(ctx, 1), _dashboard(ctx, ETHICS)
    tips = dict((c.key, c.count) for c in with_tips.by_nature)["tip"]
    assert tips == 1
    assert stats.received.count == with_tips.received - tips
    natures = next(t for t in stats.tables if t.key == "nature")
    assert [r.key for r in natures.rows] == ["need", "reform"]


def test_the_page_shows_the_period_suppressed_cells_and_follows_the_settings(
    app: Any, ctx: Context, world: dict[str, int]
) -> None:
    public_cache.invalidate(ctx.redis)
    client = app.test_client()
    url = f"/public/statistics?from={PERIOD[0].isoformat()}&to={PERIOD[1].isoformat()}"
    text = page_text(client.get(url))
    assert "115年11月2-20日" in text
    assert "施政興革反映 <3" in " ".join(text.split())
    assert "依區" in text and "<svg" in client.get(url).get_data(as_text=True)
    admin = Staff(app, ctx, staff(ctx, "admin9", "admin"))
    saved = admin.post(
        "/admin/public/settings", {"threshold": "2", "breakdowns": ["nature", "theme"]}
    )
    assert saved.status_code == 302
    text = " ".join(page_text(client.get(url)).split())
    assert "施政興革反映 2" in text and "依區" not in text and "各週收件" not in text
    assert admin.post("/admin/public/settings", {"threshold": "1"}).status_code == 400
