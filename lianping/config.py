"""Configuration, read only from the environment (DESIGN.md: contracts)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class ConfigError(RuntimeError):
    """A required setting is missing or malformed; the message names the variable."""


# Secrets the product cannot run without outside the embedded/dev run.
REQUIRED_IN_PRODUCTION = ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "SECRET_KEY")
LINE_API_HOST = "https://api.line.me"
DEV_ACCESS_TOKEN = "dev-access-token"
DEFAULT_SPOOL_MB = 512


def _whole_number(env: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    """``env[name]`` as a whole number from ``low`` to ``high`` (``default`` when unset)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Every setting the product reads, with its source variable named in the field."""

    line_channel_secret: str
    line_channel_access_token: str
    line_api_base: str
    line_api_data_base: str
    database_url: str
    redis_url: str
    secret_key: str
    public_base_url: str
    port: int
    media_dir: Path
    dev_mode: bool
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed
    # (TRUSTED_PROXIES); 0: none, the peer is the client.
    trusted_proxies: int = 0
    # Minutes without a request after which a staff session is signed out (SESSION_IDLE_MINUTES).
    session_idle_minutes: int = 30
    # The bot's own user id: webhook bodies for another ``destination`` are refused.
    # Empty: any destination is accepted (logged once at start).
    line_bot_user_id: str = ""
    # Where the webhook keeps verified bodies while the database is unreachable (web and
    # workers must share it), and the most it may hold before the webhook answers 503.
    spool_dir: Path = Path("instance/media/webhook-spool")
    spool_max_bytes: int = DEFAULT_SPOOL_MB * 1024 * 1024
    # LINE calls a worker makes at once for different chats (DELIVERY_THREADS): LINE's
    # latency then does not serialize the worker.
    delivery_threads: int = 32

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (default ``os.environ``).

        ``LIANPING_DEV=1`` (set by the embedded run and the tests) allows the
        development defaults; otherwise a missing secret stops start-up with a
        message naming the variable.
        """
        env = dict(os.environ if env is None else env)
        dev = env.get("LIANPING_DEV", "") in ("1", "true", "yes")
        if not dev:
            missing = [name for name in REQUIRED_IN_PRODUCTION if not env.get(name)]
            if missing:
                raise ConfigError(
                    "Missing required environment variable(s): "
                    + ", ".join(missing)
                    + " (set LIANPING_DEV=1 only for local development)."
                )
        api_base = env.get("LINE_API_BASE", "").rstrip("/")
        try:
            port = int(env.get("PORT", "8000"))
        except ValueError as exc:
            raise ConfigError(f"PORT must be a number, got {env.get('PORT')!r}") from exc
        spool_mb = _whole_number(env, "SPOOL_MAX_MB", DEFAULT_SPOOL_MB, 1, 1_000_000)
        media_dir = Path(env.get("MEDIA_DIR", "instance/media"))
        return cls(
            trusted_proxies=_whole_number(env, "TRUSTED_PROXIES", 0, 0, 10),
            session_idle_minutes=_whole_number(env, "SESSION_IDLE_MINUTES", 30, 1, 480),
            line_channel_secret=env.get("LINE_CHANNEL_SECRET", "dev-channel-secret"),
            line_channel_access_token=env.get("LINE_CHANNEL_ACCESS_TOKEN", DEV_ACCESS_TOKEN),
            # One base for every call when set (the simulator serves both hosts).
            line_api_base=api_base or LINE_API_HOST,
            line_api_data_base=api_base or "https://api-data.line.me",
            database_url=env.get("DATABASE_URL", "sqlite:///instance/lianping.db"),
            redis_url=env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            secret_key=env.get("SECRET_KEY", "dev-secret-key-not-for-production"),
            public_base_url=env.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}").rstrip("/"),
            port=port,
            media_dir=media_dir,
            dev_mode=dev,
            line_bot_user_id=env.get("LINE_BOT_USER_ID", "").strip(),
            spool_dir=Path(env.get("SPOOL_DIR") or media_dir / "webhook-spool"),
            spool_max_bytes=spool_mb * 1024 * 1024,
            delivery_threads=_whole_number(env, "DELIVERY_THREADS", 32, 1, 64),
        )

    @property
    def sends_dev_token_to_line(self) -> bool:
        """Whether calls would take the development access token to LINE's own host,
        which can only refuse it (``LINE_API_BASE`` names the simulator instead)."""
        return (
            self.line_channel_access_token == DEV_ACCESS_TOKEN
            and self.line_api_base == LINE_API_HOST
        )
