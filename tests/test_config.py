"""Configuration comes only from the environment; missing secrets stop start-up clearly."""

from __future__ import annotations

import subprocess

import pytest

from lianping.config import ConfigError, Settings
from tests.support import LIANPING


def test_missing_secrets_outside_dev_name_the_variables() -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"LINE_CHANNEL_SECRET": "s"})
    assert "LINE_CHANNEL_ACCESS_TOKEN" in str(error.value)
    assert "SECRET_KEY" in str(error.value)
    assert "LINE_CHANNEL_SECRET" not in str(error.value).split(":")[1]


def test_production_settings_are_read_from_the_contract_variables() -> None:
    settings = Settings.from_env(
        {
            "LINE_CHANNEL_SECRET": "secret",
            "LINE_CHANNEL_ACCESS_TOKEN": "token",
            "SECRET_KEY": "key",
            "DATABASE_URL": "postgresql://u@db/lianping",
            "REDIS_URL": "redis://cache:6379/1",
            "PUBLIC_BASE_URL": "https://lianping.example.gov.tw/",
            "PORT": "5000",
        }
    )
    assert settings.line_api_base == "https://api.line.me"
    assert settings.line_api_data_base == "https://api-data.line.me"
    assert settings.public_base_url == "https://lianping.example.gov.tw"
    assert (settings.port, settings.dev_mode) == (5000, False)


def test_line_api_base_serves_api_and_data_paths() -> None:
    settings = Settings.from_env({"LIANPING_DEV": "1", "LINE_API_BASE": "http://127.0.0.1:8100/"})
    assert settings.line_api_base == settings.line_api_data_base == "http://127.0.0.1:8100"


def test_bad_port_is_refused() -> None:
    with pytest.raises(ConfigError, match="PORT"):
        Settings.from_env({"LIANPING_DEV": "1", "PORT": "eighty"})


def test_commands_refuse_to_start_without_secrets() -> None:
    result = subprocess.run(
        [LIANPING, "migrate"], env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "LINE_CHANNEL_SECRET" in result.stderr
