"""A synchronous LINE bot in line-bot-sdk v3's own example pattern, the benchmark's yardstick.

``bench/webhook_pipeline.py --compare-sync-bot`` serves it under gunicorn exactly as the
product's web app (same workers and threads) and sends it the same load, so the
product's CPU per event can be read against the cheapest thing that answers LINE at
all: verify the signature, parse the body with the SDK's ``WebhookHandler``, answer
with ``reply_message`` inside the request. No database, no queue, no durability: an
answer lost to a crash or a LINE error is lost for good.

It reads ``LINE_CHANNEL_SECRET``, ``LINE_CHANNEL_ACCESS_TOKEN`` and ``LINE_API_BASE``
(the simulator) from the environment; gunicorn loads ``sync_bot:app``.
"""

from __future__ import annotations

import os

from flask import Flask, abort, request
from linebot.v3 import WebhookHandler
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhooks import (
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
)

app = Flask(__name__)
configuration = Configuration(
    host=os.environ.get("LINE_API_BASE", "https://api.line.me"),
    access_token=os.environ["LINE_CHANNEL_ACCESS_TOKEN"],
)
handler = WebhookHandler(os.environ["LINE_CHANNEL_SECRET"])


@app.post("/callback")
def callback() -> str:
    """LINE's webhook: verify, dispatch each event to its handler, answer 200."""
    signature = request.headers.get("X-Line-Signature", "")
    body = request.get_data(as_text=True)
    try:
        handler.handle(body, signature)
    except InvalidSignatureError:
        abort(400)
    return "OK"


@app.get("/healthz")
def healthz() -> str:
    """Readiness probe for the benchmark."""
    return "ok"


def reply(reply_token: str | None, text: str) -> None:
    """Answer with one text message, a new API client per call as the SDK's examples do."""
    with ApiClient(configuration) as api_client:
        MessagingApi(api_client).reply_message(
            ReplyMessageRequest(reply_token=reply_token, messages=[TextMessage(text=text)])
        )


@handler.add(MessageEvent, message=TextMessageContent)
def on_text(event: MessageEvent) -> None:
    """Echo the text, as the SDK's echo example."""
    reply(event.reply_token, event.message.text)


@handler.add(MessageEvent, message=StickerMessageContent)
def on_sticker(event: MessageEvent) -> None:
    """Acknowledge a sticker with a text (the product answers stickers too)."""
    reply(event.reply_token, "收到您的貼圖")


@handler.add(PostbackEvent)
def on_postback(event: PostbackEvent) -> None:
    """Answer a quick-reply tap (the load's ``menu=help``)."""
    reply(event.reply_token, "請直接輸入您想反映的事情。")
