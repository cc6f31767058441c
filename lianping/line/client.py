"""A thin client for the LINE Messaging API calls the product makes.

Messages are plain dicts in LINE's wire format (built by ``bot.messages``), so
what is stored in the outbox is exactly what is sent.
"""

from __future__ import annotations

import hashlib
import json as jsonlib
import os
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import certifi
import urllib3
from urllib3.exceptions import HTTPError

MONTHLY_LIMIT_MESSAGE = "You have reached your monthly limit."


@dataclass
class LineApiError(Exception):
    """LINE answered with an error status."""

    status: int
    message: str
    details: list[dict[str, Any]] = field(default_factory=list)
    accepted_request_id: str | None = None

    def __str__(self) -> str:
        detail = "; ".join(f"{d.get('property', '')}: {d.get('message', '')}" for d in self.details)
        return f"LINE {self.status}: {self.message}" + (f" ({detail})" if detail else "")

    @property
    def is_monthly_limit(self) -> bool:
        """429 because the month's message quota is used up: retrying does not help."""
        return self.status == 429 and MONTHLY_LIMIT_MESSAGE.lower() in self.message.lower()

    @property
    def is_retryable(self) -> bool:
        """5xx and rate-limit 429 are worth retrying; every other 4xx is final."""
        return self.status >= 500 or (self.status == 429 and not self.is_monthly_limit)

    @property
    def is_invalid_reply_token(self) -> bool:
        return self.status == 400 and "reply token" in self.message.lower()


class LineTransportError(Exception):
    """No answer from LINE (timeout, connection error): the request may or may not have landed."""


class ContentTooLarge(Exception):
    """The media is larger than the product keeps."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"content exceeds {limit} bytes (read {size})")
        self.limit = limit


@dataclass(frozen=True)
class Downloaded:
    content_type: str
    size: int
    sha256: str


@dataclass
class SendResult:
    """Outcome of an accepted send; ``duplicate`` when LINE had already accepted this retry key."""

    request_id: str | None
    duplicate: bool = False


POOL_SIZE = 64  # kept-alive connections per LINE host


class LineClient:
    """Calls LINE at ``api_base`` / ``data_base`` with the channel access token."""

    def __init__(
        self,
        access_token: str,
        api_base: str = "https://api.line.me",
        data_base: str = "https://api-data.line.me",
        timeout: float = 10.0,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.data_base = data_base.rstrip("/")
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {access_token}"}
        # The environment's CA bundle (an intranet's TLS-inspecting proxy) or certifi's, as
        # requests would choose; read once here, not per call.
        self.ca_certs = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        ) or certifi.where()
        self._pools = {base: self._pool_for(base) for base in {self.api_base, self.data_base}}

    def _pool_for(self, base: str) -> urllib3.PoolManager:
        """Kept-alive connections to one LINE host, through the environment's proxy if it
        names one for that host (an intranet's way out to LINE)."""
        # Every thread that calls LINE at once (a worker's delivery threads) keeps its
        # connection: beyond ``maxsize`` each call would open and close one of its own.
        # No retries here: a send is retried by the delivery, with its retry key.
        options: dict[str, Any] = {
            "maxsize": POOL_SIZE,
            "retries": False,
            "ca_certs": self.ca_certs,
        }
        proxy = proxy_for(base)
        if proxy:
            return urllib3.ProxyManager(proxy, **options)
        return urllib3.PoolManager(**options)

    def proxy_of(self, base: str) -> str | None:
        """The proxy calls to ``base`` go through, if any."""
        pool = self._pools[base.rstrip("/")]
        if isinstance(pool, urllib3.ProxyManager) and pool.proxy:
            return str(pool.proxy.url)
        return None

    def _request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
    ) -> urllib3.BaseHTTPResponse:
        pool = self._pools[self.data_base if url.startswith(self.data_base) else self.api_base]
        try:
            return pool.request(
                method,
                url,
                body=body,
                headers={**self.headers, **(headers or {})},
                preload_content=not stream,
                timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout),
            )
        except HTTPError as exc:
            raise LineTransportError(f"{method} {url}: {exc}") from exc

    def _call(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> urllib3.BaseHTTPResponse:
        if json is not None:
            data = jsonlib.dumps(json, allow_nan=False).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        response = self._request(method, url, body=data, headers=headers)
        if response.status >= 400:
            raise _error_from(response)
        return response

    def _send(self, path: str, body: dict[str, Any], retry_key: str | None) -> SendResult:
        headers = {"X-Line-Retry-Key": retry_key} if retry_key else None
        try:
            response = self._call("POST", f"{self.api_base}{path}", json=body, headers=headers)
        except LineApiError as exc:
            # 409 on a retry key means LINE accepted this very request before.
            if exc.status == 409 and retry_key and exc.accepted_request_id:
                return SendResult(exc.accepted_request_id, duplicate=True)
            raise
        return SendResult(response.headers.get("x-line-request-id"))

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> SendResult:
        """Answer an event with its single-use reply token (free of quota)."""
        return self._send(
            "/v2/bot/message/reply", {"replyToken": reply_token, "messages": messages}, None
        )

    def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> SendResult:
        """Push to one user; the same ``retry_key`` on every attempt makes it idempotent."""
        return self._send("/v2/bot/message/push", {"to": to, "messages": messages}, retry_key)

    def multicast(
        self, to: list[str], messages: list[dict[str, Any]], retry_key: str
    ) -> SendResult:
        """Send to up to 500 user ids at once."""
        return self._send("/v2/bot/message/multicast", {"to": to, "messages": messages}, retry_key)

    def broadcast(self, messages: list[dict[str, Any]], retry_key: str) -> SendResult:
        """Send to every follower of the account (LINE's broadcast endpoint)."""
        return self._send("/v2/bot/message/broadcast", {"messages": messages}, retry_key)

    def get_quota(self) -> int | None:
        """The month's message limit; None when the plan has none."""
        body = self._call("GET", f"{self.api_base}/v2/bot/message/quota").json()
        if body.get("type") == "none":
            return None
        return int(body["value"])

    def get_quota_consumption(self) -> int:
        """Messages counted against this month's quota so far."""
        body = self._call("GET", f"{self.api_base}/v2/bot/message/quota/consumption").json()
        return int(body["totalUsage"])

    def get_reachable_friends(self, day: date) -> int | None:
        """Friends not blocking the account on ``day`` (LINE's follower insight), or None
        while LINE has not computed that day yet."""
        body = self._call(
            "GET", f"{self.api_base}/v2/bot/insight/followers?date={day:%Y%m%d}"
        ).json()
        if body.get("status") != "ready":
            return None
        return max(int(body.get("followers") or 0) - int(body.get("blocks") or 0), 0)

    def get_profile(self, user_id: str) -> dict[str, Any]:
        """The user's display name and picture, as LINE returns them."""
        result: dict[str, Any] = self._call(
            "GET", f"{self.api_base}/v2/bot/profile/{user_id}"
        ).json()
        return result

    def get_content(self, message_id: str) -> tuple[bytes, str]:
        """Bytes and content type of a message's media (api-data host)."""
        response = self._call("GET", f"{self.data_base}/v2/bot/message/{message_id}/content")
        return response.data, response.headers.get("Content-Type", "application/octet-stream")

    def download_content(self, message_id: str, target: BinaryIO, max_bytes: int) -> Downloaded:
        """Stream a message's media into ``target``, hashing it; stop past ``max_bytes``."""
        url = f"{self.data_base}/v2/bot/message/{message_id}/content"
        response = self._request("GET", url, stream=True)
        digest, size, whole = hashlib.sha256(), 0, False
        try:
            if response.status >= 400:
                raise _error_from(response)
            for chunk in response.stream(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise ContentTooLarge(size, max_bytes)
                digest.update(chunk)
                target.write(chunk)
            whole = True
        except HTTPError as exc:
            raise LineTransportError(f"GET {url}: {exc}") from exc
        finally:
            if not whole:  # a connection with a body left unread cannot serve another call
                response.close()
            response.release_conn()
        content_type = response.headers.get("Content-Type", "application/octet-stream")
        return Downloaded(content_type.split(";")[0].strip(), size, digest.hexdigest())

    def leave(self, chat_type: str, chat_id: str) -> None:
        """Leave a group or a room."""
        self._call("POST", f"{self.api_base}/v2/bot/{chat_type}/{chat_id}/leave")

    def show_loading(self, user_id: str, seconds: int = 5) -> None:
        """Show the typing animation while a slow answer is prepared."""
        self._call(
            "POST",
            f"{self.api_base}/v2/bot/chat/loading/start",
            json={"chatId": user_id, "loadingSeconds": seconds},
        )

    def create_rich_menu(self, body: dict[str, Any]) -> str:
        """Create a rich menu from a RichMenuRequest; its ``richMenuId``."""
        response = self._call("POST", f"{self.api_base}/v2/bot/richmenu", json=body)
        return str(response.json()["richMenuId"])

    def upload_rich_menu_image(
        self, rich_menu_id: str, image: bytes, content_type: str = "image/png"
    ) -> None:
        """Attach the menu's image (PNG or JPEG, the menu's size, ≤ 1 MB; api-data host)."""
        self._call(
            "POST",
            f"{self.data_base}/v2/bot/richmenu/{rich_menu_id}/content",
            data=image,
            headers={"Content-Type": content_type},
        )

    def set_default_rich_menu(self, rich_menu_id: str) -> None:
        """Show this rich menu to every user who has no per-user menu."""
        self._call("POST", f"{self.api_base}/v2/bot/user/all/richmenu/{rich_menu_id}")

    def list_rich_menus(self) -> list[dict[str, Any]]:
        """Every rich menu of the channel created through the API."""
        body = self._call("GET", f"{self.api_base}/v2/bot/richmenu/list").json()
        return list(body.get("richmenus") or [])

    def delete_rich_menu(self, rich_menu_id: str) -> None:
        """Delete a rich menu (LINE also unsets it where it was the default)."""
        self._call("DELETE", f"{self.api_base}/v2/bot/richmenu/{rich_menu_id}")


def proxy_for(url: str) -> str | None:
    """The proxy the environment (``HTTPS_PROXY``, ``NO_PROXY``…) names for ``url``, as
    requests would pick it."""
    parts = urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")


def _error_from(response: urllib3.BaseHTTPResponse) -> LineApiError:
    try:
        body = jsonlib.loads(response.data)
    except (ValueError, HTTPError):
        body = {}
    if not isinstance(body, dict):
        body = {}
    return LineApiError(
        status=response.status,
        message=str(body.get("message") or response.reason or ""),
        details=list(body.get("details") or []),
        accepted_request_id=response.headers.get("x-line-accepted-request-id"),
    )
