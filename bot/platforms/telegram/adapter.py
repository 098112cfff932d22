"""The Telegram platform, on python-telegram-bot v22.

python-telegram-bot provides the Bot API client, the webhook server (which answers 403
to a request without the secret token) and the pacing hook; Relais keeps three things
in its own hands:

* **Polling acknowledges only handled updates.** PTB's ``Updater`` confirms a batch as
  soon as it is fetched, so a crash loses what was fetched but not handled. Here the
  offset moves past an update only after it was dispatched; a crash gets it redelivered,
  and the app's ``processed_updates`` makes the redelivery a no-op.
* **Sending is retried the way Telegram asks** (:mod:`bot.platforms.telegram.send`), in
  plain text with no parse mode. A 403 is not an error: they blocked the bot or never
  opened the private chat. It is raised as the port's :class:`Unreachable`, which the
  caller records. A group that moved to a new id (said by a service message, or found
  by a send to the old id) is reported to the app (``app.report``). The adapter itself
  never writes to the database.
* **Pacing without retries** (:mod:`bot.platforms.telegram.limits`): a 429 comes back
  to the sender, which knows what to do with it.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
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

from bot.core.config import ConfigError, TelegramMode, TelegramSettings
from bot.core.facts import ChatMigrated
from bot.core.port import (
    MemberRoles,
    Outgoing,
    PlatformUnavailable,
    Rejected,
    RetryLater,
    RolesApplied,
    TemporaryFailure,
    Unreachable,
)
from bot.platforms.telegram.convert import (
    ALLOWED_UPDATES,
    NAME,
    joined_events,
    menus,
    migration,
    to_event,
)
from bot.platforms.telegram.http import AiohttpRequest
from bot.platforms.telegram.limits import FloodGate
from bot.platforms.telegram.menus import PersonalMenus
from bot.platforms.telegram.send import Sender, Sleep, retry_seconds

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]

#: Longest wait between failed polls.
MAX_POLL_BACKOFF = 60.0


def build_application(
    token: str, config: TelegramSettings, *, speedup: float = 1.0
) -> TelegramApplication:
    """A PTB application on ``config.api_base_url``; the webhook server only in webhook
    mode (polling is Relais' own loop, see the module docstring). ``speedup`` is
    ``[delivery] speedup``, so the adapter paces at the delivery queue's rates."""
    base = config.api_base_url
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base
    builder = (
        Application.builder()
        .token(token)
        .base_url(base)
        .base_file_url(file_base)
        .rate_limiter(FloodGate(speedup=speedup))
        .request(AiohttpRequest(connection_pool_size=16))
        .get_updates_request(AiohttpRequest())
    )
    if config.mode is not TelegramMode.WEBHOOK:
        builder = builder.updater(None)
    return builder.build()


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
        self.config = settings.telegram
        self.application = build_application(secret, self.config, speedup=settings.delivery.speedup)
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.sender = Sender(self.application.bot, sleep, on_migrated=self._chat_migrated)
        self.menus = PersonalMenus(
            self.application.bot, app.translator, settings.network.default_language
        )
        self._offset: int | None = None
        self._poll_task: asyncio.Task[None] | None = None
        #: True while polled updates are being handled: stopping then waits for them.
        self._handling = False
        self._stopping = False
        app.attach(self)

    @property
    def bot(self) -> Bot:
        return self.application.bot  # type: ignore[no-any-return]

    # -- lifecycle ------------------------------------------------------------------

    async def initialize(self) -> None:
        """Check the token (``getMe``) and publish the command menus."""
        try:
            await self.application.initialize()
        except TelegramError as error:
            await self.bot.shutdown()  # close the connections its failed start opened
            if isinstance(error, InvalidToken):
                raise PlatformUnavailable(
                    "telegram: the token was refused (check RELAIS_TELEGRAM_TOKEN)"
                ) from error
            raise PlatformUnavailable(
                f"telegram: cannot reach the Bot API at {self.config.api_base_url} ({error})"
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
        secret = self.app.settings.telegram_webhook_secret
        updater = self.application.updater
        if secret is None or updater is None or self.config.webhook_url is None:
            raise ConfigError("telegram.mode is webhook: set webhook_url and the secret")
        try:
            await updater.start_webhook(
                listen=self.config.webhook_listen,
                port=self.config.webhook_port,
                url_path=self.config.webhook_path,
                webhook_url=self.config.webhook_url,
                secret_token=secret.get_secret_value(),
                allowed_updates=list(ALLOWED_UPDATES),
            )
        except (OSError, TelegramError) as error:
            raise PlatformUnavailable(f"telegram: cannot start the webhook ({error})") from error
        log.info(
            "telegram: webhook on %s:%s/%s",
            self.config.webhook_listen,
            self.config.webhook_port,
            self.config.webhook_path,
        )

    async def stop(self) -> None:
        """Finish the update in hand, acknowledge what was handled, close connections."""
        self._stopping = True
        task = self._poll_task
        if task is not None:
            if not self._handling:
                task.cancel()  # waiting on a long poll or a backoff: nothing half-done
            with suppress(asyncio.CancelledError):
                await task
            await self._acknowledge()
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

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
                await self.poll_once(wait=self.config.poll_timeout)
                backoff = 1.0
            except InvalidToken:
                log.error("telegram: the token was revoked; polling stops")
                return
            except TelegramError as error:  # network, 5xx, 409 (another instance polls)
                log.warning("telegram: polling failed (%s); retrying in %.0f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_POLL_BACKOFF)

    async def poll_once(self, wait: int = 0) -> int:
        """Fetch one batch (a long poll of up to ``wait`` seconds) and handle it in
        order; return how many updates it held. The next ``getUpdates``, with the moved
        offset, is what acknowledges them."""
        updates = await self.bot.get_updates(
            offset=self._offset, timeout=wait, allowed_updates=ALLOWED_UPDATES
        )
        self._handling = True
        try:
            for item in updates:
                await self.application.process_update(item)
                self._offset = item.update_id + 1
                if self._stopping:
                    break
        finally:
            self._handling = False
        return len(updates)

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
        """Answer a button press at once (the person's spinner stops) while the update
        is handled: the answer's round trip overlaps the database work instead of
        preceding it. The update is done when both are."""
        query = update.callback_query
        answering = asyncio.create_task(self._answer(query)) if query is not None else None
        try:
            event = to_event(update, self.bot.username)
            if event is not None:
                await self.app.dispatch(event, self)
            for joined in joined_events(update):
                await self.app.dispatch(joined, self)
            migrated = migration(update)
            if migrated is not None:
                await self.app.report(migrated)
        finally:
            if answering is not None:
                await answering

    async def _answer(self, query: CallbackQuery) -> None:
        try:
            await self.bot.answer_callback_query(query.id)
        except TelegramError as error:  # too old: the person pressed long ago
            log.info("telegram: could not answer callback query %s: %s", query.id, error)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The update itself may hold what people wrote: only its id goes to the log.
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("telegram: handling update %s failed", update_id, exc_info=context.error)

    # -- sending ---------------------------------------------------------------------

    async def send(self, outgoing: Outgoing) -> str | None:
        """Send (or edit) one message; return its id. A 403 (blocked, never started,
        removed from the group) raises :class:`Unreachable`: the chat closed, for the
        caller to record."""
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

    async def _chat_migrated(self, old_chat: int, new_chat: int) -> None:
        """A send found that a group became a supergroup: the app makes its channel
        follow the new id."""
        await self.app.report(ChatMigrated(NAME, str(old_chat), str(new_chat)))


def _log_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("telegram: polling stopped", exc_info=task.exception())
