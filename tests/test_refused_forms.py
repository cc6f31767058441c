"""A refused admin form comes back with what was typed in it (never a password)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select

from lianping.context import Context
from lianping.storage.models import Case, ReplyTemplate, Unit
from tests.admin_support import logged_in, staff


class Fields(HTMLParser):
    """The values a page's form controls show, by element id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.checked: set[str] = set()
        self._textarea: str | None = None
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "input" and "id" in found:
            if found.get("type") in ("checkbox", "radio"):
                if "checked" in found:
                    self.checked.add(found["id"])
            else:
                self.values[found["id"]] = found.get("value", "")
        elif tag == "textarea" and "id" in found:
            self._textarea = found["id"]
            self.values[self._textarea] = ""
        elif tag == "select" and "id" in found:
            self._select = found["id"]
            self.values[self._select] = ""
        elif tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


class Admin:
    def __init__(self, app: Any, ctx: Context) -> None:
        self.client, self.csrf = logged_in(app, ctx, staff(ctx, "keeper", "admin", ethics=True))

    def refused(self, path: str, data: dict[str, str]) -> Fields:
        response = self.client.post(path, data={"csrf_token": self.csrf, **data})
        assert response.status_code == 400, response.get_data(as_text=True)[:500]
        return Fields(response.get_data(as_text=True))


@pytest.fixture
def admin(app: Any, ctx: Context) -> Admin:
    return Admin(app, ctx)


def _add(ctx: Context, row: Any) -> int:
    with ctx.sessions.begin() as session:
        session.add(row)
        session.flush()
        return int(row.id)


def test_settings_forms_keep_what_was_typed(admin: Admin, ctx: Context) -> None:
    unit = _add(ctx, Unit(name="民政課"))
    _add(ctx, Unit(name="工務課"))
    template = _add(ctx, ReplyTemplate(title="已轉權責單位", body="已轉請權責單位處理。"))

    # A unit's new name that clashes: the row's field shows the name typed, not the old one.
    page = admin.refused(
        "/admin/settings/units", {"action": "rename", "id": str(unit), "name": "工務課"}
    )
    assert page.values[f"rename-{unit}"] == "工務課"
    page = admin.refused("/admin/settings/units", {"action": "add", "name": "工務課"})
    assert page.values["new-name"] == "工務課"

    long_body = "您好：\n本案已函請權責機關處理。\n" + "字" * 4000
    page = admin.refused(
        "/admin/settings/templates", {"action": "add", "title": "函轉說明", "body": long_body}
    )
    assert (page.values["new-title"], page.values["new-body"]) == ("函轉說明", long_body)
    page = admin.refused(
        f"/admin/settings/templates/{template}", {"title": "", "body": "改寫後的內容"}
    )
    assert (page.values["title"], page.values["body"]) == ("", "改寫後的內容")

    page = admin.refused("/admin/settings/texts/due_days", {"value": "120"})
    assert page.values["value-due_days"] == "120"
    page = admin.refused("/admin/settings/texts/help", {"value": "說" * 4001})
    assert page.values["value-help"] == "說" * 4001

    page = admin.refused("/admin/settings/privacy", {"body": "　"})
    assert page.values["body"] == "　"

    page = admin.refused(
        "/admin/settings/users",
        {
            "action": "create",
            "username": "new.clerk",
            "display_name": "林承辦",
            "role": "supervisor",
            "ethics": "1",
            "password": "a long enough password",
            "confirm": "a different password!!",
        },
    )
    assert (page.values["username"], page.values["display_name"]) == ("new.clerk", "林承辦")
    assert page.values["role"] == "supervisor" and "ethics" in page.checked
    # Passwords are never sent back.
    assert page.values["password"] == "" and page.values["confirm"] == ""


def test_manual_intake_keeps_every_field(admin: Admin, ctx: Context) -> None:
    typed = {
        "channel": "phone",
        "recorder": "林承辦",
        "received_on": "2020-01-01",  # too long ago: refused
        "received_time": "08:15",
        "reporter_name": "黃淑芬",
        "reporter_occupation": "家管",
        "reporter_phone": "0933-222-111",
        "reporter_address": "新北市板橋區中山路一段161號",
        "nature": "need",
        "sub_item": "need-3",
        "theme": "other",
        "description": "戶政事務所叫號系統常常故障，\n現場等候超過一小時。",
        "petition_confirmed": "1",
        "notice_method": "printed",
    }
    page = admin.refused("/admin/cases/new", typed)
    ids = {
        "channel": "i-channel",
        "recorder": "i-recorder",
        "received_on": "i-received-on",
        "received_time": "i-received-time",
        "reporter_name": "i-name",
        "reporter_occupation": "i-occupation",
        "reporter_phone": "i-phone",
        "reporter_address": "i-address",
        "nature": "i-nature",
        "sub_item": "i-sub-item",
        "theme": "i-theme",
        "description": "i-description",
    }
    for name, element in ids.items():
        assert page.values[element] == typed[name], name
    assert "i-confirmed" in page.checked
    with ctx.sessions() as session:
        assert session.scalars(select(Case)).first() is None
