"""One rule for usernames, passwords and display names: the command line and the users page
accept and refuse the same.

The CLI runs as the real ``lianping`` command on a SQLite database of its own,
migrated by ``lianping migrate``; the page is posted to as a signed-in administrator.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lianping.context import Context
from lianping.services import accounts
from tests.admin_support import logged_in, staff

LIANPING = str(Path(sys.executable).parent / "lianping")
PASSWORD = "a long enough password"
REFUSED = ["bad name", "王小明", "semi;colon", "a" * 65, "   "]
ACCEPTED = ["chen.officer", "lin_2", "ops@unit-1", "a" * 64]


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The command's environment, on a freshly migrated database of its own."""
    database = tmp_path_factory.mktemp("usernames") / "cli.sqlite"
    env = {**os.environ, "LIANPING_DEV": "1", "DATABASE_URL": f"sqlite:///{database}"}
    migrated = subprocess.run(
        [LIANPING, "migrate"], env=env, capture_output=True, text=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    return env


def create_user_cli(
    env: dict[str, str], username: str, password: str = PASSWORD, display_name: str = ""
) -> subprocess.CompletedProcess[str]:
    named = ["--display-name", display_name] if display_name else []
    return subprocess.run(
        [LIANPING, "create-user", username, "--role", "officer", *named],
        input=password + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class UsersPage:
    """The administrator's users page, posting the create form with the CSRF token."""

    def __init__(self, app: Any, ctx: Context) -> None:
        self.client, self.csrf = logged_in(app, ctx, staff(ctx, "chief", "admin"))

    def create(self, username: str, password: str = PASSWORD, display_name: str = "") -> Any:
        form = {
            "action": "create",
            "username": username,
            "display_name": display_name,
            "role": "officer",
            "password": password,
            "confirm": password,
        }
        return self.client.post("/admin/settings/users", data={"csrf_token": self.csrf, **form})


@pytest.fixture
def page(app: Any, ctx: Context) -> UsersPage:
    return UsersPage(app, ctx)


def test_the_cli_refuses_what_the_page_refuses(cli_env: dict[str, str], page: UsersPage) -> None:
    for username in REFUSED:
        shown = page.create(username)
        assert shown.status_code == 400, username
        assert accounts.USERNAME_RULE in shown.get_data(as_text=True), username
        made = create_user_cli(cli_env, username)
        assert made.returncode != 0, username
        assert accounts.USERNAME_RULE in made.stderr, username


def test_both_accept_the_same_good_names(
    cli_env: dict[str, str], page: UsersPage, ctx: Context
) -> None:
    for username in ACCEPTED:
        assert page.create(username).status_code == 302, username
        made = create_user_cli(cli_env, username)
        assert made.returncode == 0, (username, made.stderr)
    with ctx.sessions() as session:
        for username in ACCEPTED:
            assert accounts.authenticate(session, username, PASSWORD) is not None, username


@pytest.mark.parametrize(
    ("password", "display_name", "message"),
    [
        ("x" * (accounts.MAX_PASSWORD_LENGTH + 1), "", "密碼不得超過"),
        ("x" * (accounts.MIN_PASSWORD_LENGTH - 1), "", "密碼至少需"),
        (PASSWORD, "名" * (accounts.MAX_DISPLAY_NAME + 1), "姓名不得超過"),
    ],
)
def test_passwords_and_names_follow_one_rule_too(
    cli_env: dict[str, str], page: UsersPage, password: str, display_name: str, message: str
) -> None:
    shown = page.create("clerk", password, display_name)
    assert shown.status_code == 400 and message in shown.get_data(as_text=True)
    made = create_user_cli(cli_env, "clerk", password, display_name)
    assert made.returncode != 0 and message in made.stderr


def test_actors_in_words_wherever_they_are_shown(page: UsersPage, ctx: Context) -> None:
    assert page.create("clerk").status_code == 302
    with ctx.sessions() as session:
        names = accounts.actor_names(session, ["chief", "cli", "system", "resident", "gone"])
    assert names == {
        "chief": "chief 測試",
        "cli": "命令列工具",
        "system": "系統",
        "resident": "反映者",
        "gone": "gone",  # no such account (any more): the name as recorded
    }
    audit = page.client.get("/admin/audit?action=user.create").get_data(as_text=True)
    assert ">chief 測試</td>" in audit
