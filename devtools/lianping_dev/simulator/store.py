"""The simulator's in-memory state, safe to share between request threads.

One re-entrant lock guards everything: each public method is one atomic step, which is
what makes "check the retry key, deliver, remember the key" impossible to interleave.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from lianping_dev.simulator import ids

Clock = Callable[[], float]

REPLY_TOKEN_TTL_S = 60.0
RETRY_KEY_TTL_S = 24 * 3600.0
DEFAULT_QUOTA = 100_000
CALL_LOG_SIZE = 50_000


@dataclass
class Resident:
    """A simulated LINE user chatting with the bot."""

    user_id: str
    display_name: str
    following: bool = False
    blocked: bool = False
    language: str = "zh-TW"

    def profile(self) -> dict[str, Any]:
        """The body of ``GET /v2/bot/profile/{userId}``."""
        return {"userId": self.user_id, "displayName": self.display_name, "language": self.language}


@dataclass
class ReplyToken:
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class AcceptedRequest:
    """What a retry key remembers: the first request's id and what it sent."""

    request_id: str
    accepted_at: float
    sent_messages: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Content:
    """Bytes a resident sent as an image, video, audio or file message."""

    data: bytes
    content_type: str
    unsent: bool = False


@dataclass
class RichMenu:
    rich_menu_id: str
    menu: dict[str, Any]
    image: bytes | None = None
    image_type: str | None = None


@dataclass
class SendResult:
    """Outcome of :meth:`Store.send`; exactly one of the fields describes it."""

    sent_messages: list[dict[str, str]] = field(default_factory=list)
    duplicate: AcceptedRequest | None = None
    over_quota: bool = False


class Store:
    """All state of one simulated channel."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget everything except the clock."""
        with self._lock:
            self._seq = 0
            self._residents: dict[str, Resident] = {}
            self._timeline: dict[str, list[dict[str, Any]]] = {}
            self._reply_tokens: dict[str, ReplyToken] = {}
            self._retry_keys: dict[str, AcceptedRequest] = {}
            self._contents: dict[str, Content] = {}
            self._calls: deque[dict[str, Any]] = deque(maxlen=CALL_LOG_SIZE)
            self._call_seq = 0
            self._calls_by_status: Counter[int] = Counter()
            # Calls received and not answered yet, by path (tests time a crash by it).
            self._in_flight: Counter[str] = Counter()
            self._webhooks_by_status: Counter[int] = Counter()
            self._deliveries: Counter[str] = Counter()
            # Accepted requests that reached each user, per endpoint (push, multicast…).
            self._receipts: defaultdict[str, Counter[str]] = defaultdict(Counter)
            self._total_messages = 0
            self._quota_limit = DEFAULT_QUOTA
            self._consumption = 0
            self._narrowcasts: dict[str, dict[str, Any]] = {}
            self._rich_menus: dict[str, RichMenu] = {}
            self._default_rich_menu: str | None = None
            self._loading_until: dict[str, float] = {}
            self._left_chats: list[str] = []

    # -- residents ---------------------------------------------------------------

    def add_resident(self, display_name: str | None = None, user_id: str | None = None) -> Resident:
        """Create a resident, or return the existing one with that user id."""
        with self._lock:
            if user_id and user_id in self._residents:
                return self._residents[user_id]
            uid = user_id or ids.user_id()
            name = display_name or f"居民{len(self._residents) + 1}"
            resident = Resident(uid, name)
            self._residents[uid] = resident
            self._timeline[uid] = []
            return resident

    def resident(self, user_id: str) -> Resident | None:
        """The resident with ``user_id``, if any."""
        with self._lock:
            return self._residents.get(user_id)

    def residents(self) -> list[Resident]:
        """All residents in creation order."""
        with self._lock:
            return list(self._residents.values())

    def set_following(self, user_id: str, following: bool) -> None:
        """Record a follow (or unblock) or an unfollow (block)."""
        with self._lock:
            resident = self._residents[user_id]
            resident.following = following
            resident.blocked = not following

    def friend_counts(self) -> tuple[int, int]:
        """(ever added as a friend, blocking now): LINE's follower insight figures."""
        with self._lock:
            added = sum(r.following or r.blocked for r in self._residents.values())
            return added, sum(r.blocked for r in self._residents.values())

    def followers(self) -> list[str]:
        """User ids of residents who follow the bot, in creation order."""
        with self._lock:
            return [r.user_id for r in self._residents.values() if r.following]

    # -- reply tokens ------------------------------------------------------------

    def issue_reply_token(self, user_id: str) -> str:
        """A fresh reply token bound to ``user_id``."""
        token = ids.reply_token()
        with self._lock:
            self._reply_tokens[token] = ReplyToken(user_id, self.clock())
        return token

    def use_reply_token(self, token: str) -> str | None:
        """Spend ``token``; the bound user id, or None when unknown, used or expired."""
        with self._lock:
            entry = self._reply_tokens.get(token)
            if entry is None or entry.used or self.clock() - entry.issued_at > REPLY_TOKEN_TTL_S:
                return None
            entry.used = True
            return entry.user_id

    # -- delivery ----------------------------------------------------------------

    def send(
        self,
        user_ids: list[str],
        messages: list[dict[str, Any]],
        *,
        via: str,
        request_id: str,
        retry_key: str | None = None,
        counts_quota: bool = True,
    ) -> SendResult:
        """Deliver ``messages`` to each deliverable user, atomically with the retry key.

        Blocked and unknown users are skipped silently, as LINE does. Each recipient
        counts once against the monthly quota, however many message objects it gets.
        """
        with self._lock:
            now = self.clock()
            if retry_key:
                previous = self._retry_keys.get(retry_key)
                if previous and now - previous.accepted_at <= RETRY_KEY_TTL_S:
                    return SendResult(duplicate=previous)
            targets = [u for u in user_ids if self._deliverable(u)]
            if counts_quota and self._consumption + len(targets) > self._quota_limit:
                return SendResult(over_quota=True)
            sent = [{"id": ids.message_id(), "quoteToken": ids.quote_token()} for _ in messages]
            # One read-only entry per message, shared by every recipient's timeline: a
            # multicast to 500 or a broadcast to 100,000 costs one list slot per user.
            at = _iso(now)
            entries = []
            for message, ids_ in zip(messages, sent, strict=True):
                self._seq += 1
                entries.append(
                    {
                        "seq": self._seq,
                        "at": at,
                        "from": "bot",
                        "via": via,
                        "retry_key": retry_key,
                        "request_id": request_id,
                        "id": ids_["id"],
                        "quoteToken": ids_["quoteToken"],
                        "message": message,
                    }
                )
            receipts = self._receipts[via]
            for user_id in targets:
                self._timeline[user_id].extend(entries)
                self._deliveries[user_id] += len(messages)
                receipts[user_id] += 1
                self._loading_until.pop(user_id, None)
            self._total_messages += len(messages) * len(targets)
            if counts_quota:
                self._consumption += len(targets)
            if retry_key:
                self._retry_keys[retry_key] = AcceptedRequest(request_id, now, sent)
            return SendResult(sent_messages=sent)

    def receipts(self, via: str) -> dict[str, int]:
        """How many accepted ``via`` requests (e.g. multicast) reached each user."""
        with self._lock:
            return dict(self._receipts.get(via, {}))

    def add_residents(self, user_ids: list[str], following: bool) -> int:
        """Create many residents at once, without events (benchmarks seed followers so).

        Existing ids are left as they are; returns how many were new.
        """
        with self._lock:
            created = 0
            for user_id in user_ids:
                if user_id in self._residents:
                    continue
                self._residents[user_id] = Resident(
                    user_id, f"居民{len(self._residents) + 1}", following=following
                )
                self._timeline[user_id] = []
                created += 1
            return created

    def accepted_request(self, retry_key: str) -> AcceptedRequest | None:
        """The earlier acceptance of ``retry_key`` within 24 hours, if any."""
        with self._lock:
            previous = self._retry_keys.get(retry_key)
            if previous and self.clock() - previous.accepted_at <= RETRY_KEY_TTL_S:
                return previous
            return None

    def _deliverable(self, user_id: str) -> bool:
        resident = self._residents.get(user_id)
        return resident is not None and not resident.blocked

    def _append(self, user_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        self._seq += 1
        entry = {"seq": self._seq, "at": _iso(self.clock()), **entry}
        self._timeline[user_id].append(entry)
        return entry

    def open_user_event(
        self, user_id: str, event: dict[str, Any], extra: dict[str, Any]
    ) -> dict[str, Any]:
        """Add what the resident did (the webhook event) to their conversation before its
        webhook goes out, so the bot's answers, which may arrive during that call, come
        after it; its ``webhook_status`` stays None until :meth:`close_user_event`.

        ``extra`` carries what the chat shows but the event lacks (a postback's
        ``displayText``, the URL of a sent photo).
        """
        with self._lock:
            entry = {"from": "user", "event": event, "webhook_status": None, **extra}
            return self._append(user_id, entry)

    def close_user_event(self, entry: dict[str, Any], status: int) -> None:
        """Record how the webhook of an opened resident event was answered."""
        with self._lock:
            self._webhooks_by_status[status] += 1
            entry["webhook_status"] = status

    def record_webhook(self, status: int) -> None:
        """Count a webhook delivery that belongs to no resident (raw test events)."""
        with self._lock:
            self._webhooks_by_status[status] += 1

    def timeline(self, user_id: str, after: int = 0) -> list[dict[str, Any]]:
        """The resident's conversation entries with ``seq`` greater than ``after``."""
        with self._lock:
            entries = self._timeline.get(user_id, [])
            # Entries are in seq order, so scan back from the end: polls ask for few.
            start = len(entries)
            while start > 0 and entries[start - 1]["seq"] > after:
                start -= 1
            shown: list[dict[str, Any]] = []
            for entry in entries[start:]:
                # A resident's event whose webhook is still under way holds back what
                # follows, so a reader never sees an answer before the message it answers.
                if entry["from"] == "user" and entry["webhook_status"] is None:
                    break
                shown.append(entry)
            return shown

    def start_loading(self, user_id: str, seconds: int) -> None:
        """Show the loading animation to ``user_id`` until a message arrives or time passes."""
        with self._lock:
            self._loading_until[user_id] = self.clock() + seconds

    def loading(self, user_id: str) -> bool:
        """Whether the loading animation is showing for ``user_id``."""
        with self._lock:
            return self._loading_until.get(user_id, 0.0) > self.clock()

    # -- quota -------------------------------------------------------------------

    def quota(self) -> tuple[int, int]:
        """``(monthly limit, messages consumed)``."""
        with self._lock:
            return self._quota_limit, self._consumption

    def set_quota(self, limit: int) -> None:
        """Change the monthly limit."""
        with self._lock:
            self._quota_limit = limit

    # -- narrowcast --------------------------------------------------------------

    def record_narrowcast(self, request_id: str, target_count: int) -> None:
        """Remember a finished narrowcast for the progress endpoint."""
        with self._lock:
            now = _iso(self.clock())
            self._narrowcasts[request_id] = {
                "phase": "succeeded",
                "successCount": target_count,
                "failureCount": 0,
                "targetCount": target_count,
                "acceptedTime": now,
                "completedTime": now,
            }

    def narrowcast(self, request_id: str) -> dict[str, Any] | None:
        """Progress of a narrowcast by its request id."""
        with self._lock:
            found = self._narrowcasts.get(request_id)
            return dict(found) if found else None

    # -- message content ---------------------------------------------------------

    def put_content(self, message_id: str, data: bytes, content_type: str) -> None:
        """Keep the bytes of a media message the resident sent."""
        with self._lock:
            self._contents[message_id] = Content(data, content_type)

    def content(self, message_id: str) -> Content | None:
        """The media bytes of ``message_id``, if the resident sent any."""
        with self._lock:
            return self._contents.get(message_id)

    def unsend(self, message_id: str) -> None:
        """Mark content as unsent: LINE answers 410 for it from then on."""
        with self._lock:
            found = self._contents.get(message_id)
            if found:
                found.data, found.unsent = b"", True

    # -- rich menus --------------------------------------------------------------

    def add_rich_menu(self, menu: dict[str, Any]) -> str:
        """Store a validated rich menu object; its new id."""
        with self._lock:
            rich_menu_id = ids.rich_menu_id()
            self._rich_menus[rich_menu_id] = RichMenu(rich_menu_id, menu)
            return rich_menu_id

    def rich_menu(self, rich_menu_id: str) -> RichMenu | None:
        """A rich menu by id."""
        with self._lock:
            return self._rich_menus.get(rich_menu_id)

    def rich_menus(self) -> list[RichMenu]:
        """All rich menus in creation order."""
        with self._lock:
            return list(self._rich_menus.values())

    def delete_rich_menu(self, rich_menu_id: str) -> bool:
        """Delete a rich menu (and unset it as default); whether it existed."""
        with self._lock:
            if self._default_rich_menu == rich_menu_id:
                self._default_rich_menu = None
            return self._rich_menus.pop(rich_menu_id, None) is not None

    def set_rich_menu_image(self, rich_menu_id: str, image: bytes, content_type: str) -> None:
        """Attach the image of a rich menu."""
        with self._lock:
            menu = self._rich_menus[rich_menu_id]
            menu.image, menu.image_type = image, content_type

    def set_default_rich_menu(self, rich_menu_id: str | None) -> None:
        """Make a rich menu the default for all users (None clears it)."""
        with self._lock:
            self._default_rich_menu = rich_menu_id

    def default_rich_menu(self) -> RichMenu | None:
        """The default rich menu, if one is set."""
        with self._lock:
            if self._default_rich_menu is None:
                return None
            return self._rich_menus.get(self._default_rich_menu)

    # -- groups ------------------------------------------------------------------

    def leave_chat(self, chat_id: str) -> None:
        """Record that the bot left a group or room."""
        with self._lock:
            self._left_chats.append(chat_id)

    # -- call log and stats ------------------------------------------------------

    def call_started(self, path: str) -> None:
        """A Messaging API call came in (``call_ended`` follows, answered or not)."""
        with self._lock:
            self._in_flight[path] += 1

    def call_ended(self, path: str) -> None:
        """The call that ``call_started`` counted is over."""
        with self._lock:
            self._in_flight[path] -= 1
            if self._in_flight[path] <= 0:
                del self._in_flight[path]

    def record_call(self, call: dict[str, Any]) -> None:
        """Log one Messaging API call (already answered)."""
        with self._lock:
            self._call_seq += 1
            self._calls.append({"seq": self._call_seq, "at": _iso(self.clock()), **call})
            self._calls_by_status[call["status"]] += 1

    def calls(self, path_prefix: str = "") -> list[dict[str, Any]]:
        """Logged calls whose path starts with ``path_prefix``, oldest first."""
        with self._lock:
            return [c for c in self._calls if c["path"].startswith(path_prefix)]

    def stats(self) -> dict[str, Any]:
        """Counters for tests and benchmarks."""
        with self._lock:
            return {
                "residents": len(self._residents),
                "followers": sum(r.following for r in self._residents.values()),
                "deliveries": dict(self._deliveries),
                "total_messages": self._total_messages,
                "quota": {"limit": self._quota_limit, "totalUsage": self._consumption},
                "calls_by_status": {str(k): v for k, v in sorted(self._calls_by_status.items())},
                "in_flight": dict(self._in_flight),
                "webhooks_by_status": {
                    str(k): v for k, v in sorted(self._webhooks_by_status.items())
                },
                "left_chats": list(self._left_chats),
            }


def resident_json(resident: Resident) -> dict[str, Any]:
    """The ``/_sim`` representation of a resident."""
    return asdict(resident)


def _iso(seconds: float) -> str:
    return (
        datetime.fromtimestamp(seconds, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
