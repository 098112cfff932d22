"""The Telegram platform, on python-telegram-bot v22.

python-telegram-bot provides the Bot API client, the webhook server (which answers 403
to a request without the secret token) and the pacing hook; Relais keeps three things
in its own hands:

* **Chats are handled concurrently, each in order** (:mod:`bot.platforms.lines`): one
  busy chat does not hold up the others, by polling or by webhook.
* **Polling acknowledges only handled updates.** PTB's ``Updater`` confirms a batch as
  soon as it is fetched, so a crash loses what was fetched but not handled. Here the
  offset moves only up to the lowest update not yet handled (updates of other chats may
  finish first); a crash gets the rest redelivered, and the app's ``processed_updates``
  makes a redelivery of one already handled a no-op. Stopping lets the updates in hand
  finish (for :attr:`TelegramPlatform.shutdown_grace` seconds), and never acknowledges
  one that did not.
* **The webhook answers once the update was handled** (:mod:`.webhook`), not when it
  arrives as PTB's server does: a process killed meanwhile never acknowledged it, so
  Telegram sends it again (to another process behind a reverse proxy).
* **A stranger's refusal never lands in a group.** An answer for the caller only (a
  refusal, the apology, "slow down") to a button pressed in a group becomes the text of
  the press's answer (``answerCallbackQuery``: shown to the presser alone); to a command
  typed in a group it goes to the person's private chat, or nowhere if they never
  opened it.
* **Sending is retried the way Telegram asks** (:mod:`bot.platforms.telegram.send`), in
  plain text with no parse mode. A 403 is not an error: they blocked the bot or never
  opened the private chat. It is raised as the port's :class:`Unreachable`, which the
  caller records. A group that moved to a new id (said by a service message, or found
  by a send to the old id) is reported to the app (``app.report``). The adapter itself
  never writes to the database.
* **Pacing without retries** (:mod:`bot.platforms.telegram.limits`): a 429 comes back
  to the sender, which knows what to do with it. With several processes, each paces
  its replies and deliveries together at its sender's share of the bot's limits.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from telegram import Bot, CallbackQuery, Update
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.conversation.mentions import CommandNames
from bot.core.config import ConfigError, TelegramMode, TelegramSettings
from bot.core.facts import ChatMigrated
from bot.core.port import (
    Address,
    Event,
    MemberRoles,
    Outgoing,
    PlatformUnavailable,
    Rejected,
    RetryLater,
    RolesApplied,
    TemporaryFailure,
    Unreachable,
)
from bot.delivery.limits import LIMITS
from bot.platforms.lines import ChatLines, Ticket
from bot.platforms.telegram.convert import (
    ALLOWED_UPDATES,
    MAX_DOWNLOAD,
    NAME,
    file_event,
    file_sent,
    joined_events,
    menus,
    migration,
    to_event,
)
from bot.platforms.telegram.http import AiohttpRequest
from bot.platforms.telegram.limits import FloodGate
from bot.platforms.telegram.menus import PersonalMenus
from bot.platforms.telegram.send import Sender, Sleep, retry_seconds
from bot.platforms.telegram.webhook import WebhookServer

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]

#: Longest wait between failed polls.
MAX_POLL_BACKOFF = 60.0
#: Updates fetched and not yet handled before polling waits for some to finish.
MAX_OPEN_UPDATES = 200
#: While updates are in hand, how often polling looks for new ones (seconds): a long
#: poll from the lowest unhandled offset would return the ones in hand at once.
RECHECK = 0.25
#: Seconds stopping waits for the updates in hand to finish.
SHUTDOWN_GRACE = 10.0
#: Telegram shows at most this much of a press's answer.
ANSWER_LIMIT = 200
#: Longer answers are shown as an alert to dismiss rather than a passing notice.
TOAST_LIMIT = 64


@dataclass(slots=True)
class _Turn:
    """The update in hand in this task: where caller-only answers must not go."""

    chat_id: str
    user_id: str
    group: bool
    query_id: str | None = None
    #: Caller-only texts kept for the press's answer.
    for_presser: list[str] = field(default_factory=list)


_CURRENT: ContextVar[_Turn | None] = ContextVar("relais_telegram_turn", default=None)
#: True inside an update's turn in its chat's line (see :meth:`TelegramPlatform._submit`).
_IN_LINE: ContextVar[bool] = ContextVar("relais_telegram_in_line", default=False)


def build_application(
    token: str,
    config: TelegramSettings,
    *,
    speedup: float = 1.0,
    shared_by: Callable[[], int] = lambda: 1,
) -> TelegramApplication:
    """A PTB application on ``config.api_base_url``, without PTB's updater (polling and
    the webhook are Relais' own, see the module docstring). ``speedup`` is
    ``[delivery] speedup``, so the adapter paces at the delivery queue's rates;
    ``shared_by``, how many processes share the bot's limits now (:class:`FloodGate`)."""
    base = config.api_base_url
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base
    paid = config.paid_rate if config.paid_broadcast else None
    fastest = (paid or LIMITS["telegram"].per_second) * speedup
    gate = FloodGate(speedup=speedup, paid_per_second=paid, shared_by=shared_by)
    builder = (
        Application.builder()
        .token(token)
        .base_url(base)
        .base_file_url(file_base)
        .rate_limiter(gate)
        .request(AiohttpRequest(connection_pool_size=connections(fastest)))
        .get_updates_request(AiohttpRequest())
    )
    # Polling is Relais' own loop, and the webhook its own server (it answers only once
    # an update was handled, see bot.platforms.telegram.webhook): no PTB updater.
    return builder.updater(None).build()


def connections(rate: float) -> int:
    """Keep-alive connections to the Bot API: 16 serve Telegram's free 30 messages a
    second with room for replies; a faster rate (paid broadcasts, or ``speedup``
    against a fake server) needs as many calls in flight as the rate times a call's
    round trip (about 0.1 s from Europe): one per 10 messages a second, as the delivery
    queue's workers (``Sender.workers``)."""
    return max(16, math.ceil(rate / 10))


class TelegramPlatform:
    """Turns Telegram updates into events for the app, and hands the app's messages to
    its :class:`Sender`. ``sleep`` is how that waits before a retry (tests pass a
    recorder)."""

    name = NAME

    def __init__(
        self, app: Relais, *, token: str | None = None, sleep: Sleep = asyncio.sleep
    ) -> None:
        settings = app.settings
        configured = settings.telegram_token
        secret = token or (configured.get_secret_value() if configured else "")
        if not secret:
            raise ConfigError("RELAIS_TELEGRAM_TOKEN: not set")
        self.app = app
        self.command_names = CommandNames.aliases()
        self.config = settings.telegram
        # Several processes: this one's replies keep its sender's share of the bot's
        # limits, as its deliveries do (bot.delivery.lease).
        self.application = build_application(
            secret,
            self.config,
            speedup=settings.delivery.speedup,
            shared_by=lambda: app.sender.lease.share(NAME).count,
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.sender = Sender(
            self.application.bot,
            sleep,
            on_migrated=self._chat_migrated,
            paid_broadcast=self.config.paid_broadcast,
        )
        self.menus = PersonalMenus(
            self.application.bot, app.translator, settings.network.default_language
        )
        self.lines = ChatLines(settings.limits.concurrent_updates)
        self.shutdown_grace = SHUTDOWN_GRACE
        self._offset: int | None = None
        self._poll_task: asyncio.Task[None] | None = None
        #: Polled updates fetched and not yet handled, by id; and those handled above
        #: the offset (an earlier one is still in hand).
        self._open: dict[int, asyncio.Task[None]] = {}
        self._done: set[int] = set()
        self._progress = asyncio.Event()
        #: Webhook updates in hand.
        self._tasks: set[asyncio.Task[None]] = set()
        self.webhook: WebhookServer | None = None
        self._stopping = False
        app.attach(self)

    @property
    def bot(self) -> Bot:
        return self.application.bot  # type: ignore[no-any-return]

    # -- lifecycle ------------------------------------------------------------------

    async def initialize(self) -> None:
        """Check the token (``getMe``) and publish the command menus."""
        try:
            with _quiet(logging.getLogger("telegram.request.BaseRequest")):
                await self.application.initialize()
        except TelegramError as error:
            await self.bot.shutdown()  # close the connections its failed start opened
            if isinstance(error, InvalidToken):
                where = "" if self.config.api_base_url == DEFAULT_API else ", telegram.api_base_url"
                raise PlatformUnavailable(
                    f"telegram: the token was refused (check RELAIS_TELEGRAM_TOKEN{where})"
                ) from error
            raise PlatformUnavailable(
                f"telegram: cannot reach the Bot API at {self.config.api_base_url} "
                f"({_short(str(error))})"
            ) from error
        await self.publish_menus()
        if self.bot.username:  # invitation links (/invite) need the bot's @username
            self.app.start_links.setdefault(NAME, f"https://t.me/{self.bot.username}?start=")

    async def start(self) -> None:
        """Initialize, then receive updates by polling or webhook, as configured."""
        await self.initialize()
        await self.application.start()
        if self.config.mode is TelegramMode.WEBHOOK:
            await self._start_webhook()
            return
        try:  # a webhook left by an earlier deployment makes getUpdates fail with 409
            await self.bot.delete_webhook(drop_pending_updates=False)
        except TelegramError as error:
            raise PlatformUnavailable(f"telegram: cannot remove the webhook ({error})") from error
        self._poll_task = asyncio.create_task(self._poll_forever(), name="telegram-polling")
        self._poll_task.add_done_callback(_log_end)
        log.info("telegram: polling as @%s", self.bot.username)

    async def _start_webhook(self) -> None:
        """Serve the webhook, then register it. With several processes behind a reverse
        proxy each registers the same URL (the proxy's): the last one wins, alike."""
        secret = self.app.settings.telegram_webhook_secret
        if secret is None or self.config.webhook_url is None:
            raise ConfigError("telegram.mode is webhook: set webhook_url and the secret")
        self.webhook = WebhookServer(
            listen=self.config.webhook_listen,
            port=self.config.webhook_port,
            path=self.config.webhook_path,
            secret=secret.get_secret_value(),
            handle=self._on_webhook,
        )
        try:
            await self.webhook.start()
            await self.bot.set_webhook(
                url=self.config.webhook_url,
                secret_token=secret.get_secret_value(),
                allowed_updates=list(ALLOWED_UPDATES),
            )
        except (OSError, TelegramError) as error:
            await self.webhook.stop()
            raise PlatformUnavailable(f"telegram: cannot start the webhook ({error})") from error
        log.info(
            "telegram: webhook on %s:%s/%s",
            self.config.webhook_listen,
            self.config.webhook_port,
            self.config.webhook_path,
        )

    async def stop(self) -> None:
        """Stop receiving, let the updates in hand finish, acknowledge what was handled
        (never one that was not), close connections."""
        self._stopping = True
        task = self._poll_task
        if task is not None:
            task.cancel()  # it only fetches: the updates it handed over run apart
            with suppress(asyncio.CancelledError):
                await task
        if self.webhook is not None:
            self.webhook.stopping = True  # new requests: 503, Telegram sends them again
        await self._finish_in_hand()
        if self.webhook is not None:
            await self.webhook.stop()
        if task is not None:
            await self._acknowledge()
        if self.application.running:
            await self.application.stop()  # hands over what the webhook had queued
            await self._finish_in_hand()
        self.sender.floods.flush()
        await self.application.shutdown()

    async def _finish_in_hand(self) -> None:
        """Wait for the updates in hand; past the grace, cancel them (a cancelled one
        rolls back and stays unacknowledged, so it comes again)."""
        tasks = set(self._open.values()) | self._tasks
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=self.shutdown_grace)
        if late:
            log.warning("telegram: %d updates still in hand at shutdown; left for later", len(late))
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def publish_menus(self) -> None:
        """``setMyCommands`` for every scope and language; a failure is only logged,
        since the bot works without menus."""
        translator = self.app.translator
        default = self.app.settings.network.default_language
        for menu in menus(self.app.settings):
            try:
                await self.bot.set_my_commands(
                    menu.bot_commands(translator, default),
                    scope=menu.scope,
                    language_code=menu.language,
                )
            except TelegramError as error:
                log.warning(
                    "telegram: setting the %s menu (%s) failed: %s",
                    menu.scope.type,
                    menu.language or "default",
                    error,
                )

    # -- the port's role mirror: a referent's or coordinator's own menu -------------

    #: Always on: every Telegram bot has command menus (see :mod:`telegram_menus`).
    roles_enabled = True
    #: Menus do not drift by hand: the daily check covers privileged people only.
    checks_every_account = False

    async def mirror_roles(self, user_id: str, roles: MemberRoles) -> RolesApplied:
        return await self.menus.apply(user_id, roles)

    def role_holders(self) -> list[str]:
        return []

    # -- receiving ------------------------------------------------------------------

    async def _poll_forever(self) -> None:
        backoff = 1.0
        while not self._stopping:
            try:
                if len(self._open) >= MAX_OPEN_UPDATES:
                    await self._wait_progress(self.config.poll_timeout)
                    continue
                in_hand = bool(self._open)
                fresh = await self._fetch(wait=0 if in_hand else self.config.poll_timeout)
                if in_hand and not fresh:
                    await self._wait_progress(RECHECK)
                backoff = 1.0
            except InvalidToken:
                log.error("telegram: the token was revoked; polling stops")
                return
            except TelegramError as error:  # network, 5xx, 409 (another instance polls)
                log.warning("telegram: polling failed (%s); retrying in %.0f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_POLL_BACKOFF)

    async def poll_once(self, wait: int = 0) -> int:
        """Fetch one batch (a long poll of up to ``wait`` seconds), hand its new updates
        to their chats' lines and wait until they are handled; return how many new
        updates it held. The next ``getUpdates``, with the moved offset, is what
        acknowledges them."""
        fresh = await self._fetch(wait)
        if fresh:
            await asyncio.gather(*fresh, return_exceptions=True)
        return len(fresh)

    async def _fetch(self, wait: int) -> list[asyncio.Task[None]]:
        """One ``getUpdates`` from the lowest unhandled offset; the updates not already
        in hand or handled go to their chats' lines."""
        updates = await self.bot.get_updates(
            offset=self._offset, timeout=wait, allowed_updates=ALLOWED_UPDATES
        )
        fresh: list[asyncio.Task[None]] = []
        for item in updates:
            number = item.update_id
            seen = number in self._open or number in self._done
            if seen or (self._offset is not None and number < self._offset) or self._stopping:
                continue
            task = self._open[number] = self._submit(item)
            task.add_done_callback(functools.partial(self._handled, number))
            fresh.append(task)
        return fresh

    def _handled(self, number: int, task: asyncio.Task[None]) -> None:
        """An update's turn ended: unless it was cancelled (not handled: it must come
        again), the offset moves up to the lowest update still in hand."""
        self._progress.set()
        if task.cancelled():
            return
        self._open.pop(number, None)
        self._done.add(number)
        lowest = min(self._open) if self._open else max(self._done) + 1
        if self._offset is None or lowest > self._offset:
            self._offset = lowest
            self._done = {n for n in self._done if n >= lowest}

    async def _wait_progress(self, seconds: float) -> None:
        """Until an update in hand finishes, or ``seconds``."""
        self._progress.clear()
        with suppress(TimeoutError):
            await asyncio.wait_for(self._progress.wait(), seconds)

    def _submit(self, update: Update) -> asyncio.Task[None]:
        """Take the update's place in its chat's line now (the order updates arrive in
        is the order kept), and handle it in a task of its own when its turn comes."""
        ticket = self.lines.ticket(_chat_key(update))
        return asyncio.create_task(self._in_line(ticket, update), name="telegram-update")

    async def _on_webhook(self, data: dict[str, Any]) -> bool:
        """One webhook request's update: handled in its chat's line; True once its turn
        ended, so the request is answered 200 only then (see :mod:`.webhook`). If the
        request goes away meanwhile, the update still finishes."""
        update = Update.de_json(data, self.bot)
        task = self._submit(update)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await asyncio.shield(task)
        return task.done() and not task.cancelled() and task.exception() is None

    async def _in_line(self, ticket: Ticket, update: Update) -> None:
        async with ticket:
            _IN_LINE.set(True)
            await self.application.process_update(update)

    async def _acknowledge(self) -> None:
        if self._offset is None:
            return
        try:
            await self.bot.get_updates(
                offset=self._offset, timeout=0, allowed_updates=ALLOWED_UPDATES
            )
        except TelegramError as error:  # they will come again, and be recognized
            log.info("telegram: could not acknowledge handled updates: %s", error)

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handle an update in its chat's turn. One that reaches PTB's handlers outside
        a line (``process_update`` called directly) is put in its chat's line and left
        to run there.

        A press in a private chat is answered at once (the spinner stops) while the
        update is handled: the round trip overlaps the database work. A press in a
        group is answered when the update is done, with the refusal meant for the
        presser, if any (see the module docstring)."""
        if not _IN_LINE.get():
            task = self._submit(update)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        query = update.callback_query
        chat, user = update.effective_chat, update.effective_user
        group = chat is not None and chat.type != "private"
        turn = _Turn(
            chat_id=str(chat.id) if chat is not None else "",
            user_id=str(user.id) if user is not None else "",
            group=group,
            query_id=query.id if query is not None and group else None,
        )
        token = _CURRENT.set(turn)
        early = query is not None and not group
        answering = asyncio.create_task(self._answer(query)) if early and query else None
        try:
            event = to_event(update, self.bot.username) or await self._file_event(update)
            if event is not None:
                await self.app.dispatch(event, self)
            for joined in joined_events(update):
                await self.app.dispatch(joined, self)
            migrated = migration(update)
            if migrated is not None:
                await self.app.report(migrated)
        finally:
            _CURRENT.reset(token)
            if answering is not None:
                await answering
            elif query is not None:
                await self._answer(query, "\n".join(turn.for_presser))

    async def _file_event(self, update: Update) -> Event | None:
        """A photo or document sent in private, downloaded (``getFile``) when no larger
        than ``[kit] max_file_mb`` (and the Bot API's 20 MB): the flow that waits for it
        judges it; a larger or unreachable one comes without content, to be refused."""
        sent = file_sent(update)
        if sent is None:
            return None
        limit = min(self.app.settings.kit.max_file_mb * 1024 * 1024, MAX_DOWNLOAD)
        content: bytes | None = None
        if sent.size <= limit:
            try:
                remote = await self.bot.get_file(sent.file_id)
                data = bytes(await remote.download_as_bytearray())
                content = data if len(data) <= limit else None
            except (TelegramError, OSError) as error:
                log.info("telegram: a file sent in private could not be fetched: %s", error)
        return file_event(update, sent, content)

    async def _answer(self, query: CallbackQuery, text: str = "") -> None:
        try:
            if text:
                shown = text if len(text) <= ANSWER_LIMIT else text[: ANSWER_LIMIT - 1] + "…"
                await self.bot.answer_callback_query(
                    query.id, text=shown, show_alert=len(shown) > TOAST_LIMIT
                )
            else:
                await self.bot.answer_callback_query(query.id)
        except TelegramError as error:  # too old: the person pressed long ago
            log.info("telegram: could not answer callback query %s: %s", query.id, error)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The update itself may hold what people wrote: only its id goes to the log.
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("telegram: handling update %s failed", update_id, exc_info=context.error)

    # -- sending ---------------------------------------------------------------------

    def _with_menu_names(self, outgoing: Outgoing) -> Outgoing:
        message = outgoing.message
        language = message.language or self.app.settings.network.default_language
        text = self.command_names.rewrite(message.text, language)
        if text == message.text:
            return outgoing
        return replace(outgoing, message=replace(message, text=text))

    async def send(self, outgoing: Outgoing) -> str | None:
        """Send (or edit) one message; return its id. A 403 (blocked, never started,
        removed from the group) raises :class:`Unreachable`: the chat closed, for the
        caller to record. An answer for the caller only never goes to the group of
        the update in hand (see the module docstring). Commands named in a French text
        take their French names (``/aide``), as in French members' menus."""
        outgoing = self._with_menu_names(outgoing)
        turn = _CURRENT.get()
        aside = (
            turn is not None
            and turn.group
            and outgoing.message.caller_only
            and outgoing.edit_message_id is None
            and outgoing.address.chat_id == turn.chat_id
        )
        if aside and turn is not None:
            if turn.query_id is not None:
                turn.for_presser.append(outgoing.message.text)
                return None
            return await self._to_private(turn, outgoing)
        try:
            return await self.sender.deliver(outgoing)
        except Forbidden as error:
            chat_id = int(outgoing.address.chat_id)
            if chat_id < 0:
                log.warning("telegram: the bot cannot write in group %s (removed?)", chat_id)
            else:
                log.warning("telegram: chat %s refused a message: %s", chat_id, error.message)
            raise Unreachable(error.message) from error
        except RetryAfter as error:  # still flooded after the sender's own retries
            raise RetryLater(retry_seconds(error)) from error
        except BadRequest as error:  # a NetworkError subclass, but retrying cannot help
            raise Rejected(error.message) from error
        except NetworkError as error:
            raise TemporaryFailure(str(error)) from error

    async def close_poll(self, address: Address, message_id: str) -> None:
        """Close a native quiz poll (:class:`~bot.core.port.PollCloser`): Telegram's own
        ``open_period`` lasts ten minutes at most, a weekly question a week."""
        await self.sender.stop_poll(int(address.chat_id), int(message_id))

    async def _to_private(self, turn: _Turn, outgoing: Outgoing) -> str | None:
        """A caller-only answer to something typed in a group: to the person's private
        chat (a Telegram user's private chat has their id), else nowhere."""
        moved = replace(outgoing, address=Address(NAME, turn.user_id))
        try:
            return await self.sender.deliver(moved)
        except (Forbidden, BadRequest) as error:  # they never opened it, or blocked it
            log.info("telegram: a caller-only answer was not delivered privately: %s", error)
        except TelegramError as error:
            log.info("telegram: a caller-only answer could not be sent: %s", error)
        return None

    async def _chat_migrated(self, old_chat: int, new_chat: int) -> None:
        """A send found that a group became a supergroup: the app makes its channel
        follow the new id."""
        await self.app.report(ChatMigrated(NAME, str(old_chat), str(new_chat)))


def _chat_key(update: Update) -> str:
    """The line an update waits in: its chat's (a press: the chat of its message)."""
    chat = update.effective_chat
    if chat is not None:
        return str(chat.id)
    user = update.effective_user
    return f"user:{user.id}" if user is not None else "update"


#: The Bot API's own address (``[telegram] api_base_url`` by default).
DEFAULT_API = "https://api.telegram.org/bot"


class _Drop(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    """Silence ``logger`` while the token is checked: a server that is not the Bot API
    (a captive portal, a proxy's error page) makes python-telegram-bot log a traceback
    of the JSON it could not parse, before the one line that says what is wrong."""
    drop = _Drop()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


def _short(text: str, limit: int = 200) -> str:
    """A library's message on one line, cut (an error page's HTML can be pages long)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _log_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("telegram: polling stopped", exc_info=task.exception())
