"""The ``lianping`` command."""

from __future__ import annotations

import logging

import click

from lianping.config import ConfigError, Settings


def load_settings() -> Settings:
    """The settings from the environment, or a clear command-line error naming the variable."""
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def main() -> None:
    """村里廉政平臺 (lianping): LINE intake service."""
    configure_logging()


def configure_logging() -> None:
    """One log format for every command; Alembic's chatter only as warnings."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


@main.command()
def migrate() -> None:
    """Apply database migrations (the Procfile release step)."""
    from lianping.storage.migrate import upgrade

    upgrade(load_settings().database_url)
    click.echo("database is up to date")


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(burst: bool) -> None:
    """Run a background worker (events, deliveries, sweeps)."""
    from lianping import context
    from lianping import worker as worker_module

    context.install(context.for_worker(load_settings()))
    worker_module.run(burst=burst)


@main.command()
def sweep() -> None:
    """Re-enqueue stored-but-unprocessed events and unsent messages once."""
    from lianping import context
    from lianping.context import Context
    from lianping.jobs.sweep import sweep as run_sweep

    context.install(Context(load_settings()))
    click.echo(run_sweep())


@main.command()
@click.option("--dry-run", is_flag=True, help="Only show what a run would remove now.")
def purge(dry_run: bool) -> None:
    """Remove the personal data the retention schedule says is due (個資法 §11), once."""
    from lianping import rocdate
    from lianping.context import Context
    from lianping.jobs import purge as purge_job
    from lianping.services import retention
    from lianping.services.access import CLI
    from lianping.storage.models import utcnow

    ctx = Context(load_settings())
    if dry_run:
        with ctx.sessions() as session:
            planned = retention.plan(session, utcnow())
        for item in planned:
            oldest = rocdate.roc_datetime(item.due.oldest) if item.due.oldest else "—"
            click.echo(f"{item.kind.label}：{item.due.count} 筆（最早 {oldest}）")
        return
    done = purge_job.run(ctx, CLI)
    for kind in retention.SCHEDULE:
        click.echo(f"{kind.label}：已清除 {done.counts[kind.code]} 筆")
    click.echo(f"刪除檔案 {done.files} 個" + ("" if done.complete else "；尚有未清除者，請再執行"))


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
    """Create the six-item rich menu, upload its image and make it every user's default
    (on LINE, or on the simulator that LINE_API_BASE names)."""
    from lianping.bot import richmenu as menu
    from lianping.context import Context
    from lianping.line.client import LineApiError, LineTransportError

    if output:
        with open(output, "wb") as file:
            file.write(menu.render_png())
        click.echo(f"wrote {output} ({menu.WIDTH}x{menu.HEIGHT})")
        return
    settings = load_settings()
    if settings.sends_dev_token_to_line:
        raise click.ClickException(
            "未設定 LINE_CHANNEL_ACCESS_TOKEN 與 LINE_API_BASE：LINE 不接受開發用的預設權杖，"
            "因此未向 LINE 送出任何要求。安裝到 LINE 模擬器，請設定模擬器的網址，例如 "
            "LINE_API_BASE=http://127.0.0.1:8100；安裝到正式頻道，請設定該頻道的 "
            "LINE_CHANNEL_ACCESS_TOKEN。"
        )
    try:
        rich_menu_id = menu.install(Context(settings).line, remove_old=not keep_old)
    except (LineApiError, LineTransportError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(rich_menu_id)


def _read_new_password() -> str:
    """From stdin when piped (one line), else prompted twice without echo."""
    import sys

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = click.prompt("密碼", hide_input=True, err=True)
    second = click.prompt("再次輸入密碼", hide_input=True, err=True)
    if first != second:
        raise click.ClickException("兩次輸入的密碼不一致，未建立帳號。")
    return str(first)


@main.command("create-user")
@click.argument("username")
@click.option("--role", required=True, help="admin, supervisor, officer or viewer.")
@click.option("--ethics", is_flag=True, help="政風人員: may open 檢舉 (tip) cases.")
@click.option("--display-name", help="The name shown to colleagues (default: the username).")
def create_user(username: str, role: str, ethics: bool, display_name: str | None) -> None:
    """Add a staff account; the password comes from stdin or a prompt."""
    from lianping.context import Context
    from lianping.services import accounts
    from lianping.services.access import CLI

    ctx = Context(load_settings())
    password = _read_new_password()
    try:
        with ctx.sessions.begin() as session:
            user = accounts.create_user(
                session, username, password, role,
                display_name=display_name, ethics=ethics, actor=CLI,
            )  # fmt: skip
            user_id, created = user.id, user.username
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已建立帳號 {created}（角色 {role}，編號 {user_id}）", err=True)


@main.command("create-token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
def create_token(username: str, name: str) -> None:
    """Print a new API token for USERNAME (shown once; only its hash is stored)."""
    from sqlalchemy import select

    from lianping.context import Context
    from lianping.services import accounts
    from lianping.services.access import CLI
    from lianping.storage.models import User

    ctx = Context(load_settings())
    with ctx.sessions.begin() as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None:
            raise click.ClickException(f"找不到帳號 {username}")
        if not user.active:
            raise click.ClickException(f"帳號 {username} 已停用，無法核發權杖")
        token = accounts.create_token(session, user, name, actor=CLI)
    click.echo(token)
