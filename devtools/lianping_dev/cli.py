"""The ``lianping-dev`` command: the LINE simulator, the embedded run and demo data."""

from __future__ import annotations

import click

from lianping.cli import configure_logging, load_settings


@click.group()
def main() -> None:
    """lianping's development tools (never installed in production)."""
    configure_logging()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
@click.option("--webhook-url", required=True, help="Where to send webhooks (the /callback URL).")
@click.option(
    "--threads", default=16, show_default=True, type=click.IntRange(1, 512),
    help="Requests served at once (a slow LINE holds one per call).",
)  # fmt: skip
def simulator(host: str, port: int, webhook_url: str, threads: int) -> None:
    """Run the LINE platform simulator (fake Messaging API and resident chat page)."""
    from lianping_dev.simulator.app import serve
    from lianping_dev.simulator.settings import SIMULATED_BOT_USER_ID, SimulatorSettings

    settings = load_settings()
    serve(
        SimulatorSettings(
            channel_secret=settings.line_channel_secret,
            access_token=settings.line_channel_access_token,
            webhook_url=webhook_url,
            # The bot the product expects, so its destination check passes.
            destination=settings.line_bot_user_id or SIMULATED_BOT_USER_ID,
        ),
        host,
        port,
        threads,
    )


@main.command()
@click.option("--port", default=8000, show_default=True, type=int, help="Web port.")
@click.option("--simulator-port", default=8100, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes.")
def embedded(port: int, simulator_port: int, workers: int) -> None:
    """Run everything locally: SQLite, an embedded Redis, web, workers and the LINE simulator."""
    from lianping_dev.embedded import run_embedded

    run_embedded(port=port, simulator_port=simulator_port, workers=workers)


@main.command("seed-demo")
@click.option("--cases", "count", required=True, type=click.IntRange(min=0), help="How many.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed of the data.")
@click.option("--password", help="Password of the demo staff accounts (default: a random one).")
@click.option("--force", is_flag=True, help="Add more even when the database has cases.")
def seed_demo(count: int, seed: int, password: str | None, force: bool) -> None:
    """Seed realistic demo cases, residents, units, agencies and staff (demo-admin, …)."""
    from lianping.context import Context
    from lianping.services.accounts import MIN_PASSWORD_LENGTH, AccountError
    from lianping_dev import demo

    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"密碼至少需{MIN_PASSWORD_LENGTH}個字元")
    ctx = Context(load_settings())
    try:
        with ctx.sessions.begin() as session:
            summary = demo.seed(
                session, count, seed=seed, password=password, force=force,
                progress=lambda message: click.echo(message, err=True),
                media_dir=ctx.settings.media_dir,
            )  # fmt: skip
    except (demo.AlreadySeeded, AccountError) as exc:
        raise click.ClickException(str(exc)) from exc
    for line in summary.lines():
        click.echo(line)
    if summary.users_created:
        click.echo("已建立帳號：" + "、".join(summary.users_created))
    if summary.password:
        click.echo(f"示範帳號密碼（只顯示這一次）：{summary.password}")
