"""NUL characters, which PostgreSQL text cannot store, never turn input into a 500."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from lianping.bot.conversation.events import from_event
from lianping.context import Context
from lianping.storage.models import ReplyTemplate
from tests.admin_support import api_token, logged_in, staff


def test_the_engine_keeps_a_residents_text_without_its_nuls() -> None:
    event = {
        "type": "message",
        "timestamp": 1,
        "source": {"type": "user", "userId": "U1"},
        "message": {"type": "text", "id": "1", "text": "路燈\x00壞了"},
    }
    assert from_event(event).text == "路燈壞了"
    postback = {
        "type": "postback",
        "source": {"type": "user", "userId": "U1"},
        "postback": {"data": "a\x00b"},
    }
    assert from_event(postback).data == "ab"


def _templates(ctx: Context) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ReplyTemplate)) or 0)


def test_a_form_with_a_nul_is_refused_and_changes_nothing(app: Any, ctx: Context) -> None:
    client, csrf = logged_in(app, ctx, staff(ctx, "nul-admin", role="admin"))
    response = client.post(
        "/admin/settings/templates",
        data={"csrf_token": csrf, "action": "add", "title": "範本", "body": "內容\x00"},
    )
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert _templates(ctx) == 0


def test_an_api_body_with_a_nul_is_refused_with_the_error_model(app: Any, ctx: Context) -> None:
    headers = api_token(ctx, staff(ctx, "nul-api", role="officer"))
    response = app.test_client().post(
        "/api/v1/cases", json={"description": "內容\x00"}, headers=headers
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "validation_error"
    assert "NUL" in response.get_json()["error"]["message"]
    listed = app.test_client().get("/api/v1/cases", headers=headers).get_json()
    assert listed["items"] == []
