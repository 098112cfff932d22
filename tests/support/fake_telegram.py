"""A fake Telegram Bot API server: real HTTP, real Bot API JSON, nothing leaves the machine.

python-telegram-bot talks to it through ``base_url`` exactly as it talks to Telegram, so
tests exercise the real serialization and request stack. It keeps the state a bot can
observe (chats, the messages the bot sent and their keyboards, pending updates with
``getUpdates`` offset semantics, the webhook), records every call, and misbehaves on
demand: 429 with ``retry_after``, 403, a dropped connection, a slow answer.

With :meth:`FakeTelegram.enforce_limits` it also answers like Telegram's flood control,
scaled by a factor so a run stays short: 429 with ``retry_after`` when the bot exceeds
about 30 messages/s overall, 1/s in a private chat or 20/min in a group.

It has no pytest dependency, so benchmarks can drive it too::

    async with FakeTelegram() as fake:
        alice = fake.user(1001, "Alice")
        fake.push(fake.command(alice, "/start"))
        ... point the bot at fake.base_url, then look at fake.sent_to(alice) ...
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
from aiohttp import web

JSON = dict[str, Any]
FaultKind = Literal["429", "403", "500", "502", "timeout", "disconnect"]

#: Parameters the Bot API takes as plain strings; python-telegram-bot sends every other
#: parameter JSON-encoded in form fields.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "url",
        "secret_token",
        "language_code",
        "parse_mode",
        "inline_message_id",
        "description",
        "short_description",
        "name",
    }
)
#: Methods that deliver something into a chat: what a person would see.
VISIBLE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendPoll",
        "editMessageText",
        "editMessageReplyMarkup",
    }
)


@dataclass(frozen=True, slots=True)
class Call:
    """One request the bot made."""

    method: str
    params: Mapping[str, Any]
    at: float

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """``(label, callback_data)`` of the inline keyboard sent with this call."""
        markup = self.params.get("reply_markup") or {}
        return [
            (button["text"], button.get("callback_data") or button.get("url", ""))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]


@dataclass(slots=True)
class Fault:
    """A planned failure of the next ``times`` calls to ``method`` (optionally in one chat)."""

    method: str
    kind: FaultKind
    times: int = 1
    chat_id: int | None = None
    retry_after: int = 1
    delay: float = 1.0

    def matches(self, method: str, params: Mapping[str, Any]) -> bool:
        if self.times <= 0 or self.method != method:
            return False
        return self.chat_id is None or _int_or_none(params.get("chat_id")) == self.chat_id


class _Window:
    """At most ``count`` events in any ``period`` seconds (a sliding window)."""

    def __init__(self, count: int, period: float) -> None:
        self.count, self.period = count, period
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more event is allowed (0: allowed now)."""
        while self.times and now - self.times[0] >= self.period:
            self.times.popleft()
        return 0.0 if len(self.times) < self.count else self.times[0] + self.period - now


@dataclass
class FloodLimits:
    """Telegram's flood limits (Bot FAQ), divided in time by ``factor``: the overall
    rate and each chat's window allow ``factor`` times more messages per second."""

    factor: float = 1.0
    overall: tuple[int, float] = (30, 1.0)
    private: tuple[int, float] = (1, 1.0)
    group: tuple[int, float] = (20, 60.0)
    #: Paid broadcasts (turned on for the bot): calls with ``allow_paid_broadcast`` are
    #: not counted in ``overall`` but here, with every other call: at most this many a
    #: second in all. Telegram does not say how the free calls count meanwhile; the fake
    #: counts the free 30 over the calls without the flag only.
    paid: tuple[int, float] = (1000, 1.0)

    def window(self, kind: Literal["overall", "private", "group", "paid"]) -> _Window:
        count, period = getattr(self, kind)
        return _Window(count, period / self.factor)


#: Methods that count against flood limits (what puts a message in a chat).
FLOOD_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "editMessageText"})


@dataclass
class _Poll:
    """Long-poll bookkeeping: pending updates and who is waiting for them."""

    updates: list[JSON] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    generation: int = 0


class FakeTelegram:
    """The fake server; ``await start()`` (or ``async with``) before use."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        username: str = "relais_test_bot",
    ) -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Relais",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.webhook: JSON | None = None
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self._chats: dict[int, JSON] = {}
        self._users: dict[int, JSON] = {}
        #: Users who opened the private chat with the bot (it may write to them).
        self._started: set[int] = set()
        self._blocked: set[int] = set()
        self._messages: dict[tuple[int, int], JSON] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(700_000)
        self._callback_ids = itertools.count(1)
        self._answered: set[str] = set()
        self._asked: set[str] = set()
        self._poll = _Poll()
        self._runner: web.AppRunner | None = None
        self.port = 0
        #: Flood control, off unless :meth:`enforce_limits` is called.
        self.limits: FloodLimits | None = None
        self._overall: _Window | None = None
        self._paid = _Window(1000, 1.0)
        self._chat_windows: dict[int, _Window] = {}
        #: Messages accepted with ``allow_paid_broadcast`` while limits were enforced.
        self.paid_accepted = 0
        #: 429 answers given by the flood control (not the injected faults).
        self.floods = 0
        #: When each new message was accepted (monotonic seconds).
        self.accepted_at: list[float] = []
        #: Groups where the bot is an admin allowed to pin (it may always in private).
        self._may_pin: set[int] = set()
        #: chat id → ids of its pinned messages, oldest pin first.
        self.pinned: dict[int, list[int]] = {}
        #: file id → content, for ``getFile`` and the file download.
        self._files: dict[str, bytes] = {}
        self._file_ids = itertools.count(1)

    # -- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def add_routes(self, app: web.Application) -> None:
        """A hook for subclasses (a benchmark's control API); the Bot API needs none."""

    async def stop(self) -> None:
        self._poll.generation += 1
        self._poll.arrived.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What to give python-telegram-bot as ``base_url`` (it appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- people and chats ----------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        language_code: str = "en",
        last_name: str = "",
        username: str = "",
    ) -> JSON:
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        self._chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}
        return user

    def group(self, chat_id: int, title: str, *, forum: bool = False) -> JSON:
        """A group (``forum``: a supergroup with topics); ids of groups are negative."""
        chat: JSON = {"id": chat_id, "type": "supergroup" if forum else "group", "title": title}
        if forum:
            chat["is_forum"] = True
        self._chats[chat_id] = chat
        return chat

    def open_private_chat(self, user_id: int) -> None:
        """The person has started the bot: it may write to them (as after ``/start``)."""
        self._started.add(user_id)

    def allow_pins(self, chat_id: int, allowed: bool = True) -> None:
        """Make the bot an admin of the group that may pin messages (or no longer)."""
        if allowed:
            self._may_pin.add(chat_id)
        else:
            self._may_pin.discard(chat_id)

    def block(self, user_id: int) -> None:
        """The person blocks the bot: sends to them get 403 from now on."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def migrate(self, group_id: int, supergroup_id: int) -> JSON:
        """The group becomes a supergroup with a new id; sends to the old id get
        ``400 group chat was upgraded`` carrying ``migrate_to_chat_id``."""
        old = self._chats[group_id]
        old["migrated_to"] = supergroup_id
        return self.group(supergroup_id, old["title"])

    # -- incoming updates -----------------------------------------------------------

    def text(
        self, user: JSON, text: str, *, chat: JSON | None = None, thread_id: int | None = None
    ) -> JSON:
        """An update carrying ``text`` from ``user`` (in private unless ``chat`` is given);
        a leading ``/command`` gets its ``bot_command`` entity as Telegram sends it."""
        chat = chat or self._chats[user["id"]]
        message = self._new_message(chat, text, sender=user, thread_id=thread_id)
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": self._next_update_id(), "message": message}

    def command(
        self, user: JSON, command: str, *, chat: JSON | None = None, thread_id: int | None = None
    ) -> JSON:
        """``/name args`` (add ``@botname`` yourself for the group form)."""
        return self.text(
            user,
            command if command.startswith("/") else f"/{command}",
            chat=chat,
            thread_id=thread_id,
        )

    def photo(self, user: JSON, content: bytes, *, announced_size: int | None = None) -> JSON:
        """A photo ``user`` sends the bot in private, in two sizes as Telegram sends them
        (a thumbnail and the largest); ``announced_size`` overrides the largest's
        ``file_size`` (a 30 MB photo without uploading 30 MB)."""
        message = self._new_message(self._chats[user["id"]], None, sender=user, thread_id=None)
        thumbnail = self._file(content[:64])
        largest = self._file(content)
        size = len(content) if announced_size is None else announced_size
        message["photo"] = [
            {**thumbnail, "width": 90, "height": 60, "file_size": 64},
            {**largest, "width": 1280, "height": 853, "file_size": size},
        ]
        return {"update_id": self._next_update_id(), "message": message}

    def document(
        self, user: JSON, content: bytes, name: str, *, mime_type: str = "application/pdf"
    ) -> JSON:
        """A file ``user`` sends the bot in private; its name and type are what the
        person's device says, which proves nothing about the content."""
        message = self._new_message(self._chats[user["id"]], None, sender=user, thread_id=None)
        message["document"] = {
            **self._file(content),
            "file_name": name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        return {"update_id": self._next_update_id(), "message": message}

    def _file(self, content: bytes) -> JSON:
        number = next(self._file_ids)
        file_id = f"file{number}"
        self._files[file_id] = content
        return {"file_id": file_id, "file_unique_id": f"uf{number}"}

    def joins(self, chat: JSON, *users: JSON) -> JSON:
        """The service message Telegram sends when ``users`` join (or are added to) a group."""
        message = self._new_message(chat, None, sender=users[0], thread_id=None)
        message["new_chat_members"] = list(users)
        return {"update_id": self._next_update_id(), "message": message}

    def press(self, user: JSON, message: JSON, label_or_data: str) -> JSON:
        """A callback query: ``user`` presses the button of ``message`` with this label
        (or this exact callback_data), as Telegram reports it."""
        data = self.button_data(message, label_or_data)
        query_id = str(next(self._callback_ids))
        self._asked.add(query_id)
        query = {
            "id": query_id,
            "from": user,
            "chat_instance": f"ci{message['chat']['id']}",
            "message": message,
            "data": data,
        }
        return {"update_id": self._next_update_id(), "callback_query": query}

    def forged_press(self, user: JSON, message: JSON, data: str) -> JSON:
        """A callback query carrying ``data`` whatever the message's buttons are."""
        query_id = str(next(self._callback_ids))
        self._asked.add(query_id)
        query = {
            "id": query_id,
            "from": user,
            "chat_instance": "ci",
            "message": message,
            "data": data,
        }
        return {"update_id": self._next_update_id(), "callback_query": query}

    def poll_answer(self, user: JSON, message: JSON, *option_ids: int) -> JSON:
        """A ``poll_answer`` update: ``user`` chose ``option_ids`` in the poll that
        ``message`` carries (Telegram sends one for non-anonymous polls only, and only to a
        bot that asked for ``poll_answer`` in ``allowed_updates``)."""
        poll = message["poll"]
        if poll["is_anonymous"]:
            raise ValueError("anonymous polls send no poll_answer")
        answer = {
            "poll_id": poll["id"],
            "user": user,
            "option_ids": list(option_ids),
            "option_persistent_ids": [poll["options"][i]["persistent_id"] for i in option_ids],
        }
        return {"update_id": self._next_update_id(), "poll_answer": answer}

    def push(self, *updates: JSON) -> None:
        """Queue updates for ``getUpdates``; a private message opens the private chat.
        Pushing an update again (same ``update_id``) models a redelivery."""
        for update in updates:
            message = update.get("message") or {}
            if message.get("chat", {}).get("type") == "private":
                self._started.add(message["chat"]["id"])
            self._poll.updates.append(update)
        self._poll.updates.sort(key=lambda u: u["update_id"])
        self._poll.arrived.set()

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a ``getUpdates`` with a higher offset."""
        return list(self._poll.updates)

    # -- what the bot did --------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def sent_to(self, chat: JSON | int) -> list[Call]:
        """Every visible call (send or edit) into this chat, in order."""
        chat_id = chat if isinstance(chat, int) else chat["id"]
        return [c for c in self.calls if c.method in VISIBLE_METHODS and c.chat_id == chat_id]

    def texts(self, chat: JSON | int) -> list[str]:
        return [call.text for call in self.sent_to(chat)]

    def last_message(self, chat: JSON | int, *, with_buttons: bool = False) -> JSON:
        """The newest message the bot has in this chat, as stored now (after edits)."""
        chat_id = chat if isinstance(chat, int) else chat["id"]
        mine = [
            m
            for (c, _), m in self._messages.items()
            if c == chat_id
            and m["from"]["id"] == self.bot_user["id"]
            and (not with_buttons or m.get("reply_markup"))
        ]
        if not mine:
            raise LookupError(f"the bot has no message in chat {chat_id}")
        return max(mine, key=lambda m: m["message_id"])

    def message(self, chat: JSON | int, message_id: int) -> JSON:
        chat_id = chat if isinstance(chat, int) else chat["id"]
        return self._messages[(chat_id, message_id)]

    @staticmethod
    def button_data(message: JSON, label_or_data: str) -> str:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in (b for row in rows for b in row):
            if label_or_data in (button["text"], button.get("callback_data")):
                return str(button["callback_data"])
        labels = [b["text"] for row in rows for b in row]
        raise LookupError(f"no button {label_or_data!r} on message; buttons: {labels}")

    @property
    def unanswered_callbacks(self) -> set[str]:
        return self._asked - self._answered

    async def wait_for(
        self, predicate: Callable[[], bool], within: float = 5.0, interval: float = 0.01
    ) -> None:
        """Wait until ``predicate()`` holds (the bot works concurrently), or fail after
        ``within`` seconds."""
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("the fake Telegram server did not see the expected calls")
            await asyncio.sleep(interval)

    # -- faults --------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        kind: FaultKind,
        *,
        times: int = 1,
        chat_id: int | None = None,
        retry_after: int = 1,
        delay: float = 1.0,
    ) -> Fault:
        """Make the next ``times`` calls to ``method`` fail: ``429`` (flood control with
        ``retry_after``), ``403`` (blocked), ``502``, ``disconnect`` (the connection drops
        without an answer) or ``timeout`` (answer only after ``delay`` seconds)."""
        fault = Fault(method, kind, times, chat_id, retry_after, delay)
        self.faults.append(fault)
        return fault

    def enforce_limits(self, factor: float = 1.0, *, paid: int = 1000) -> FloodLimits:
        """Answer 429 with ``retry_after`` (seconds, fractional when scaled) whenever a
        send would exceed Telegram's limits divided in time by ``factor``: 30 messages a
        second without ``allow_paid_broadcast``, ``paid`` a second in all (the bot's paid
        broadcasts are on), one a second in a private chat, 20 a minute in a group."""
        self.limits = FloodLimits(factor=factor, paid=(paid, 1.0))
        self._overall = self.limits.window("overall")
        self._paid = self.limits.window("paid")
        self._chat_windows = {}
        return self.limits

    def _flood_wait(self, method: str, params: Mapping[str, Any]) -> float:
        """Seconds the bot must wait before this call is accepted; 0 accepts it (and
        counts it against the windows)."""
        if self.limits is None or self._overall is None or method not in FLOOD_METHODS:
            return 0.0
        chat_id = _int_or_none(params.get("chat_id"))
        if chat_id is None:
            return 0.0
        now = time.monotonic()
        chat = self._chat_windows.get(chat_id)
        if chat is None:
            kind: Literal["private", "group"] = "private" if chat_id > 0 else "group"
            chat = self._chat_windows[chat_id] = self.limits.window(kind)
        paid = params.get("allow_paid_broadcast") is True
        counted = [chat, self._paid] if paid else [chat, self._overall, self._paid]
        wait = max(window.wait(now) for window in counted)
        if wait > 0:
            return wait
        for window in counted:
            window.times.append(now)
        if paid:
            self.paid_accepted += 1
        return 0.0

    def delivered(self) -> dict[int, list[str]]:
        """The texts of the messages the bot created in each chat (edits not counted)."""
        found: dict[int, list[str]] = {}
        for (chat_id, _), message in sorted(self._messages.items()):
            if message["from"]["id"] == self.bot_user["id"]:
                found.setdefault(chat_id, []).append(message.get("text") or "")
        return found

    # -- webhook ---------------------------------------------------------------------------

    async def deliver_webhook(self, update: JSON, *, secret: str | None = "use-registered") -> int:
        """POST ``update`` to the registered webhook as Telegram does; return the status.
        ``secret`` defaults to the registered one; ``None`` sends no secret header."""
        if self.webhook is None:
            raise RuntimeError("no webhook is set")
        if secret == "use-registered":
            secret = self.webhook.get("secret_token")
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.webhook["url"], json=update, headers=headers) as response,
        ):
            return response.status

    # -- the HTTP side -------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.append(Call(method, params, time.monotonic()))
        fault = next((f for f in self.faults if f.matches(method, params)), None)
        if fault is not None:
            fault.times -= 1
            response = await self._fault(request, fault)
            if response is not None:
                return response
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        wait = self._flood_wait(method, params)
        if wait > 0:
            self.floods += 1
            # Telegram says whole seconds; scaled limits need fractions of one.
            retry_after: float = math.ceil(wait * 1000) / 1000
            return _error(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        try:
            result = await handler(params)
        except _ApiError as error:
            return _error(error.code, error.description, error.parameters)
        return web.json_response({"ok": True, "result": result})

    async def _fault(self, request: web.Request, fault: Fault) -> web.StreamResponse | None:
        if fault.kind == "429":
            return _error(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        if fault.kind == "403":
            return _error(403, "Forbidden: bot was blocked by the user")
        if fault.kind == "500":
            return _error(500, "Internal Server Error")
        if fault.kind == "502":
            return _error(502, "Bad Gateway")
        if fault.kind == "disconnect":
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError  # aiohttp drops the request without answering
        await asyncio.sleep(fault.delay)  # "timeout": then answer as usual
        return None

    # -- Bot API methods -------------------------------------------------------------------

    async def _api_getMe(self, _p: JSON) -> JSON:
        return self.bot_user

    async def _api_logOut(self, _p: JSON) -> bool:
        return True

    async def _api_close(self, _p: JSON) -> bool:
        return True

    async def _api_getUpdates(self, p: JSON) -> list[JSON]:
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        poll = self._poll
        offset = int(p.get("offset") or 0)
        if offset > 0:  # confirm everything before the offset
            poll.updates = [u for u in poll.updates if u["update_id"] >= offset]
        elif offset < 0:
            poll.updates = poll.updates[offset:]
        allowed = p.get("allowed_updates")
        if allowed is not None and "poll_answer" not in allowed:  # Telegram drops them
            poll.updates = [u for u in poll.updates if "poll_answer" not in u]
        limit = max(1, min(100, int(p.get("limit") or 100)))
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        poll.generation += 1
        mine = poll.generation
        while not poll.updates:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            poll.arrived.clear()
            try:
                await asyncio.wait_for(poll.arrived.wait(), remaining)
            except TimeoutError:
                break
            if poll.generation != mine:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
        return poll.updates[:limit]

    async def _api_setWebhook(self, p: JSON) -> bool:
        self.webhook = {
            "url": p["url"],
            "secret_token": p.get("secret_token"),
            "allowed_updates": p.get("allowed_updates"),
        }
        self._poll.generation += 1
        self._poll.arrived.set()
        return True

    async def _api_deleteWebhook(self, p: JSON) -> bool:
        self.webhook = None
        if p.get("drop_pending_updates"):
            self._poll.updates.clear()
        return True

    async def _api_getWebhookInfo(self, _p: JSON) -> JSON:
        hook = self.webhook or {}
        return {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._poll.updates),
        }

    def _commands_key(self, p: JSON) -> tuple[str, str]:
        """Where a menu is kept; a chat's scope needs a chat the bot knows, as on Telegram."""
        scope = p.get("scope") or {"type": "default"}
        if isinstance(scope, str):
            scope = json.loads(scope)
        if scope.get("type") == "chat" and int(scope["chat_id"]) not in self._chats:
            raise _ApiError(400, "Bad Request: chat not found")
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    async def _api_setMyCommands(self, p: JSON) -> bool:
        commands = p["commands"]
        self.commands[self._commands_key(p)] = list(
            json.loads(commands) if isinstance(commands, str) else commands
        )
        return True

    async def _api_deleteMyCommands(self, p: JSON) -> bool:
        self.commands.pop(self._commands_key(p), None)
        return True

    async def _api_getMyCommands(self, p: JSON) -> list[JSON]:
        return list(self.commands.get(self._commands_key(p), []))

    def chat_menu(self, chat_id: int, language: str = "") -> list[str]:
        """Command names set for one chat's own scope and language."""
        key = (json.dumps({"chat_id": chat_id, "type": "chat"}, sort_keys=True), language)
        return [command["command"] for command in self.commands.get(key, [])]

    def menu(self, scope: str, language: str = "") -> list[str]:
        """Command names set for a scope type (``all_private_chats``...) and language."""
        key = (json.dumps({"type": scope}, sort_keys=True), language)
        return [command["command"] for command in self.commands.get(key, [])]

    async def _api_sendMessage(self, p: JSON) -> JSON:
        chat = self._writable_chat(p)
        text = str(p.get("text") or "")
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        message = self._new_message(
            chat, text, sender=self.bot_user, thread_id=_int_or_none(p.get("message_thread_id"))
        )
        return self._store(message, p)

    async def _api_sendPoll(self, p: JSON) -> JSON:
        chat = self._writable_chat(p)
        options = [o["text"] if isinstance(o, dict) else str(o) for o in p.get("options") or []]
        question = str(p.get("question") or "")
        if not 1 <= len(question) <= 300:
            raise _ApiError(400, "Bad Request: poll question length must not exceed 300")
        if not 2 <= len(options) <= 10 or any(not 1 <= len(o) <= 100 for o in options):
            raise _ApiError(400, "Bad Request: poll must have 2-10 options of 1-100 characters")
        kind = p.get("type") or "regular"
        correct = p.get("correct_option_id")
        if kind == "quiz" and (correct is None or not 0 <= int(correct) < len(options)):
            raise _ApiError(400, "Bad Request: wrong correct option id specified")
        if len(str(p.get("explanation") or "")) > 200:
            raise _ApiError(400, "Bad Request: explanation is too long")
        period = p.get("open_period")
        if period is not None and not 5 <= int(period) <= 600:
            raise _ApiError(400, "Bad Request: wrong open period specified")
        message = self._new_message(
            chat, None, sender=self.bot_user, thread_id=_int_or_none(p.get("message_thread_id"))
        )
        anonymous = p.get("is_anonymous")
        poll_id = f"poll{chat['id']}-{message['message_id']}"
        message["poll"] = {
            "id": poll_id,
            "question": question,
            "options": [
                {"text": option, "voter_count": 0, "persistent_id": f"{poll_id}-{number}"}
                for number, option in enumerate(options)
            ],
            "allows_revoting": False,
            "members_only": False,
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True if anonymous is None else bool(anonymous),
            "type": kind,
            "allows_multiple_answers": False,
            **({"correct_option_id": int(correct)} if correct is not None else {}),
            **({"explanation": p["explanation"]} if p.get("explanation") else {}),
        }
        return self._store(message, p)

    async def _api_stopPoll(self, p: JSON) -> JSON:
        message = self._editable(p)
        poll = message.get("poll")
        if poll is None:
            raise _ApiError(400, "Bad Request: message with poll to stop not found")
        if poll["is_closed"]:
            raise _ApiError(400, "Bad Request: poll has already been closed")
        poll["is_closed"] = True
        return dict(poll)

    async def _api_sendPhoto(self, p: JSON) -> JSON:
        chat = self._writable_chat(p)
        caption = str(p.get("caption") or "")
        if len(caption) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")
        message = self._new_message(
            chat, None, sender=self.bot_user, thread_id=_int_or_none(p.get("message_thread_id"))
        )
        size = len(p["photo"]) if isinstance(p.get("photo"), bytes) else 0
        message["photo"] = [
            {
                "file_id": f"photo{message['message_id']}",
                "file_unique_id": f"u{message['message_id']}",
                "width": 800,
                "height": 600,
                "file_size": size,
            }
        ]
        if caption:
            message["caption"] = caption
        return self._store(message, p)

    async def _api_sendDocument(self, p: JSON) -> JSON:
        chat = self._writable_chat(p)
        message = self._new_message(
            chat, None, sender=self.bot_user, thread_id=_int_or_none(p.get("message_thread_id"))
        )
        message["document"] = {
            "file_id": f"doc{message['message_id']}",
            "file_unique_id": f"d{message['message_id']}",
        }
        if p.get("caption"):
            message["caption"] = str(p["caption"])
        return self._store(message, p)

    async def _api_editMessageText(self, p: JSON) -> JSON:
        message = self._editable(p)
        text = str(p.get("text") or "")
        markup = p.get("reply_markup") or None
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current "
                "content and reply markup of the message",
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        _set_markup(message, markup)
        return message

    async def _api_editMessageReplyMarkup(self, p: JSON) -> JSON:
        message = self._editable(p)
        markup = p.get("reply_markup") or None
        if message.get("reply_markup") == markup:
            raise _ApiError(400, "Bad Request: message is not modified")
        _set_markup(message, markup)
        return message

    async def _api_answerCallbackQuery(self, p: JSON) -> bool:
        query_id = str(p["callback_query_id"])
        if query_id not in self._asked:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._answered.add(query_id)
        return True

    async def _api_pinChatMessage(self, p: JSON) -> bool:
        chat_id, message_id = self._pinnable(p)
        pins = self.pinned.setdefault(chat_id, [])
        if message_id in pins:
            pins.remove(message_id)
        pins.append(message_id)
        return True

    async def _api_unpinChatMessage(self, p: JSON) -> bool:
        chat_id, message_id = self._pinnable(p)
        pins = self.pinned.get(chat_id, [])
        if message_id in pins:
            pins.remove(message_id)
        return True

    def _pinnable(self, p: JSON) -> tuple[int, int]:
        """(chat, message) of a pin request the bot may make, else Telegram's refusal."""
        chat_id = int(p["chat_id"])
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        if chat["type"] != "private" and chat_id not in self._may_pin:
            raise _ApiError(
                400, "Bad Request: not enough rights to manage pinned messages in the chat"
            )
        message_id = int(p.get("message_id") or 0)
        if (chat_id, message_id) not in self._messages:
            raise _ApiError(400, "Bad Request: message to pin not found")
        return chat_id, message_id

    async def _api_getChatMember(self, p: JSON) -> JSON:
        user = self._users.get(int(p["user_id"]))
        if user is None:
            raise _ApiError(400, "Bad Request: user not found")
        return {"status": "member", "user": user}

    async def _api_getFile(self, p: JSON) -> JSON:
        file_id = str(p.get("file_id") or "")
        content = self._files.get(file_id)
        if content is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if len(content) > 20 * 1024 * 1024:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(content),
            "file_path": f"documents/{file_id}",
        }

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """``GET /file/bot<token>/<file_path>``, where ``getFile`` says a file is."""
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        self.calls.append(Call("download", {"path": request.match_info["path"]}, time.monotonic()))
        _folder, _slash, file_id = request.match_info["path"].partition("/")
        content = self._files.get(file_id)
        if content is None:
            return _error(404, "Not Found")
        return web.Response(body=content, content_type="application/octet-stream")

    async def _api_getChat(self, p: JSON) -> JSON:
        chat = self._chats.get(int(p["chat_id"]))
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11}

    # -- internals -------------------------------------------------------------------------

    def _next_update_id(self) -> int:
        return next(self._update_ids)

    def _new_message(
        self, chat: JSON, text: str | None, *, sender: JSON, thread_id: int | None
    ) -> JSON:
        ids = self._message_ids.setdefault(chat["id"], itertools.count(1))
        message: JSON = {
            "message_id": next(ids),
            "date": int(time.time()),
            "chat": chat,
            "from": sender,
        }
        if text is not None:
            message["text"] = text
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            if chat.get("is_forum"):
                message["is_topic_message"] = True
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _store(self, message: JSON, p: JSON) -> JSON:
        _set_markup(message, p.get("reply_markup") or None)
        self.accepted_at.append(time.monotonic())
        return message

    def _writable_chat(self, p: JSON) -> JSON:
        chat_id = int(p["chat_id"])
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        if "migrated_to" in chat:
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat["migrated_to"]},
            )
        if chat["type"] == "private":
            if chat_id in self._blocked:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id not in self._started:
                raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        thread = p.get("message_thread_id")
        if thread is not None and not chat.get("is_forum"):
            raise _ApiError(400, "Bad Request: message thread not found")
        return chat

    def _editable(self, p: JSON) -> JSON:
        key = (int(p["chat_id"]), int(p["message_id"]))
        message = self._messages.get(key)
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return message


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _error(code: int, description: str, parameters: JSON | None = None) -> web.Response:
    body: JSON = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


def _set_markup(message: JSON, markup: JSON | None) -> None:
    if markup and markup.get("inline_keyboard"):
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)


def _int_or_none(value: Any) -> int | None:
    return int(value) if value is not None and value != "" else None


async def _params(request: web.Request) -> JSON:
    """Decode a Bot API request: JSON body, URL-encoded or multipart form (files as
    bytes); form values other than plain-string parameters are JSON-decoded."""
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        return dict(body)
    form = await request.post() if request.can_read_body else {}
    params: JSON = dict(request.query)
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = value.file.read()
        else:
            params[key] = str(value)
    for key, value in list(params.items()):
        if isinstance(value, str) and key not in _STRING_PARAMS:
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params
