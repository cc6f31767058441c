"""The ``lianping`` command."""

from __future__ import annotations

import logging

import click

from lianping.config import ConfigError, Settings


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def main() -> None:
    """村里廉政平臺 (lianping): LINE intake service."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


@main.command()
def migrate() -> None:
    """Apply database migrations (the Procfile release step)."""
    from lianping.storage.migrate import upgrade

    upgrade(_settings().database_url)
    click.echo("database is up to date")


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(burst: bool) -> None:
    """Run a background worker (events, deliveries, sweeps)."""
    from lianping import context
    from lianping import worker as worker_module
    from lianping.context import Context

    context.install(Context(_settings()))
    worker_module.run(burst=burst)


@main.command()
def sweep() -> None:
    """Re-enqueue stored-but-unprocessed events and unsent messages once."""
    from lianping import context
    from lianping.context import Context
    from lianping.handlers.sweep import sweep as run_sweep

    context.install(Context(_settings()))
    click.echo(run_sweep())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
@click.option("--webhook-url", required=True, help="Where to send webhooks (the /callback URL).")
def simulator(host: str, port: int, webhook_url: str) -> None:
    """Run the LINE platform simulator (fake Messaging API and resident chat page)."""
    from lianping.simulator.app import serve
    from lianping.simulator.settings import SimulatorSettings

    settings = _settings()
    serve(
        SimulatorSettings(
            channel_secret=settings.line_channel_secret,
            access_token=settings.line_channel_access_token,
            webhook_url=webhook_url,
        ),
        host,
        port,
    )


@main.command()
@click.option("--port", default=8000, show_default=True, type=int, help="Web port.")
@click.option("--simulator-port", default=8100, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes.")
def embedded(port: int, simulator_port: int, workers: int) -> None:
    """Run everything locally: SQLite, an embedded Redis, web, workers and the LINE simulator."""
    from lianping.embedded import run_embedded

    run_embedded(port=port, simulator_port=simulator_port, workers=workers)


@main.command()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Only write the menu image (PNG) to this file; nothing is sent to LINE.",
)
@click.option(
    "--keep-old", is_flag=True, help="Keep the menus an earlier run created (default: delete them)."
)
def richmenu(output: str | None, keep_old: bool) -> None:
    """Create the six-item rich menu, upload its image and make it every user's default."""
    from lianping.bot import richmenu as menu
    from lianping.bot.line_client import LineApiError, LineTransportError
    from lianping.context import Context

    if output:
        with open(output, "wb") as file:
            file.write(menu.render_png())
        click.echo(f"wrote {output} ({menu.WIDTH}x{menu.HEIGHT})")
        return
    try:
        rich_menu_id = menu.install(Context(_settings()).line, remove_old=not keep_old)
    except (LineApiError, LineTransportError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(rich_menu_id)
