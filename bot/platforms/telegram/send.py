"""Sending to Telegram: neutral messages become Bot API calls, retried as Telegram asks.

* A 429 carries ``retry_after``: the call waits that long and is sent again. In a group
  (or for the bot's overall rate) every other send waits too; in a private chat, which
  Telegram limits to about one message a second, only that chat's sends wait, so that
  one person's burst of replies does not hold up everyone else's.
* A group that became a supergroup answers with its new id: the call goes there, and
  so does every later one in this run.
* A network error (timeout, dropped connection, 5xx) is retried with growing waits.
* 400 and 403 are not retried: the caller decides (403 means "unreachable").
* A message sent or edited with ``pin`` is then pinned (silently) or unpinned. Only
  admins may pin in groups: a refusal is logged and the delivery still succeeds.

Plain text, no parse mode: nothing a member writes (a name, a link, ``_*[]``) can break
a message or inject formatting.

Texts and edits go through ``Bot.do_api_request`` with the keyboard as Bot API JSON, and
their answer stays JSON: the typed ``send_message`` would build python-telegram-bot's
keyboard objects, serialize them back, and turn every answer into a ``Message`` of which
Relais keeps only the id (about a third of a call's CPU). The request, its errors
(``RetryAfter``, ``Forbidden``, ``ChatMigrated``...) and the rate limiter are PTB's own.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, InputFile
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.core.port import Message, Outgoing, QuizPoll
from bot.platforms.lines import waiting
from bot.platforms.telegram.convert import CAPTION_LIMIT, keyboard, keyboard_json, split_text
from bot.platforms.telegram.floods import FloodLog

log = logging.getLogger(__name__)

# PTB 22 warns, each time it builds a RetryAfter, that retry_after will become a
# timedelta; retry_seconds takes both, so the warning tells operators nothing.
warnings.filterwarnings(
    "ignore", message=r".*`retry_after` will be of type", category=PTBDeprecationWarning
)
# do_api_request suggests the typed method for a method PTB knows; see the module's
# docstring for why these two are called this way. Polls too: only the poll's id is read
# back, and PTB's Poll objects require new fields with each Bot API version.
warnings.filterwarnings(
    "ignore",
    message=r"Please use 'Bot\.(sendMessage|editMessageText|sendPoll|stopPoll)' instead of",
    category=PTBUserWarning,
)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

#: 429 answers accepted for one call before giving up on it.
MAX_FLOOD_RETRIES = 5
#: Waits after successive network errors on one call; then it is given up (and logged).
NETWORK_BACKOFF = (1.0, 2.0, 4.0, 8.0)
_NOT_MODIFIED = "message is not modified"


class Sender:
    """Delivers :class:`Outgoing` items through one bot; ``sleep`` waits before retries."""

    def __init__(
        self,
        bot: Bot,
        sleep: Sleep,
        on_migrated: Callable[[int, int], Awaitable[None]] | None = None,
        *,
        paid_broadcast: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        #: ``[telegram] paid_broadcast``: broadcasts (``Outgoing.broadcast``) carry
        #: ``allow_paid_broadcast``; nothing else ever does.
        self.paid_broadcast = paid_broadcast
        #: 429s logged once a minute with counts (:mod:`bot.platforms.telegram.floods`).
        self.floods = FloodLog(log, clock=monotonic)
        self._sleep = sleep
        self._on_migrated = on_migrated
        self._paused_until = 0.0
        #: Private chats flooded: chat id → until when (monotonic seconds).
        self._chat_paused: dict[int, float] = {}
        #: Groups that became supergroups during this run: old id → new id.
        self._migrated: dict[int, int] = {}

    async def deliver(self, outgoing: Outgoing) -> str:
        """Send (or edit) one message and return its id; raises what was not retried
        (``Forbidden`` included) or still failed after the retries."""
        address = outgoing.address
        chat_id = int(address.chat_id)
        if outgoing.edit_message_id is not None:
            message_id = await self._edit(chat_id, int(outgoing.edit_message_id), outgoing.message)
        else:
            thread = int(address.thread_id) if address.thread_id else None
            paid = self.paid_broadcast and outgoing.broadcast
            message_id = await self._post(chat_id, thread, outgoing.message, paid=paid)
        if outgoing.pin is not None:
            await self.pin(chat_id, int(message_id), pin=outgoing.pin)
        return message_id

    async def pin(self, chat_id: int, message_id: int, *, pin: bool) -> bool:
        """Pin (without notifying the chat) or unpin one message; False when Telegram
        refuses (the bot is not an admin allowed to pin, the message is gone) or cannot
        be reached: pins are a courtesy, never a reason to fail (and so to repeat) the
        delivery of a message that was sent."""
        try:
            if pin:
                await self.call(
                    chat_id,
                    lambda chat: self.bot.pin_chat_message(
                        chat, message_id, disable_notification=True
                    ),
                )
            else:
                await self.call(chat_id, lambda chat: self.bot.unpin_chat_message(chat, message_id))
        except TelegramError as error:
            verb = "pin" if pin else "unpin"
            log.info(
                "telegram: may not %s message %s in chat %s: %s",
                verb,
                message_id,
                chat_id,
                error.message,
            )
            return False
        return True

    async def _post(
        self, chat_id: int, thread: int | None, message: Message, *, paid: bool = False
    ) -> str:
        """A new message; ``paid``: each of its calls carries ``allow_paid_broadcast``."""
        if message.quiz is not None:
            return await self._send_quiz(chat_id, thread, message.quiz)
        text = message.text
        if message.image_png is not None:
            photo = message.image_png
            caption = text if len(text) <= CAPTION_LIMIT else None
            markup = keyboard(message.buttons, self.bot.username) if caption is not None else None
            sent = await self.call(
                chat_id,
                lambda chat: self.bot.send_photo(
                    chat,
                    photo,
                    caption=caption,
                    message_thread_id=thread,
                    reply_markup=markup,
                    allow_paid_broadcast=paid or None,
                ),
            )
            if caption is not None:
                return str(sent.message_id)
        if message.document is not None:
            name, content = message.document
            caption = text if len(text) <= CAPTION_LIMIT else None
            markup = keyboard(message.buttons, self.bot.username) if caption is not None else None
            sent = await self.call(
                chat_id,
                lambda chat: self.bot.send_document(
                    chat,
                    InputFile(content, filename=name),
                    caption=caption,
                    message_thread_id=thread,
                    reply_markup=markup,
                    allow_paid_broadcast=paid or None,
                ),
            )
            if caption is not None:
                return str(sent.message_id)
        chunks = split_text(text)
        for chunk in chunks[:-1]:
            await self._send_text(chat_id, thread, chunk, None, paid=paid)
        buttons = keyboard_json(message.buttons, self.bot.username)
        return await self._send_text(chat_id, thread, chunks[-1], buttons, paid=paid)

    async def _send_text(
        self,
        chat_id: int,
        thread: int | None,
        text: str,
        markup: dict[str, Any] | None,
        *,
        paid: bool = False,
    ) -> str:
        """One text message; its id."""
        arguments: dict[str, Any] = {"text": text}
        if paid:
            arguments["allow_paid_broadcast"] = True
        if thread is not None:
            arguments["message_thread_id"] = thread
        if markup is not None:
            arguments["reply_markup"] = markup
        sent = await self.call(
            chat_id,
            lambda chat: self.bot.do_api_request(
                "sendMessage", api_kwargs={"chat_id": chat, **arguments}
            ),
        )
        return str(sent["message_id"])

    async def _send_quiz(self, chat_id: int, thread: int | None, quiz: QuizPoll) -> str:
        """A native quiz poll, non-anonymous so that each answer comes back as a
        ``poll_answer``; Telegram shows the explanation after answering. Returns
        ``<message id>/<poll id>``."""
        arguments: dict[str, Any] = {
            "question": quiz.question,
            "options": list(quiz.options),
            "type": "quiz",
            "is_anonymous": False,
            "correct_option_id": quiz.correct,
        }
        if quiz.explanation:
            arguments["explanation"] = quiz.explanation
        if thread is not None:
            arguments["message_thread_id"] = thread
        sent = await self.call(
            chat_id,
            lambda chat: self.bot.do_api_request(
                "sendPoll", api_kwargs={"chat_id": chat, **arguments}
            ),
        )
        return f"{sent['message_id']}/{sent['poll']['id']}"

    async def stop_poll(self, chat_id: int, message_id: int) -> None:
        """Close a poll the bot sent; one already closed (or gone) is closed enough."""
        try:
            await self.call(
                chat_id,
                lambda chat: self.bot.do_api_request(
                    "stopPoll", api_kwargs={"chat_id": chat, "message_id": message_id}
                ),
            )
        except BadRequest as error:
            log.info("telegram: poll %s in chat %s not stopped: %s", message_id, chat_id, error)

    async def _edit(self, chat_id: int, message_id: int, message: Message) -> str:
        """Rewrite an earlier message; without buttons its keyboard goes away."""
        arguments: dict[str, Any] = {"message_id": message_id, "text": split_text(message.text)[0]}
        markup = keyboard_json(message.buttons, self.bot.username)
        if markup is not None:
            arguments["reply_markup"] = markup
        try:
            await self.call(
                chat_id,
                lambda chat: self.bot.do_api_request(
                    "editMessageText", api_kwargs={"chat_id": chat, **arguments}
                ),
            )
        except BadRequest as error:
            if _NOT_MODIFIED not in error.message.lower():
                raise
        return str(message_id)

    async def call(self, chat_id: int, request: Callable[[int], Awaitable[T]]) -> T:
        """One Bot API call into a chat, retried as Telegram asks. 400 and 403 are not
        retried; a call that still fails raises, and the app logs it."""
        chat = self._migrated.get(chat_id, chat_id)
        floods = failures = migrations = 0
        while True:
            await self._respect_pause(chat)
            try:
                return await request(chat)
            except RetryAfter as error:
                floods += 1
                if floods > MAX_FLOOD_RETRIES:
                    raise
                wait = retry_seconds(error)
                self.floods.record(chat, wait)
                until = time.monotonic() + wait
                if chat > 0:
                    self._chat_paused[chat] = max(self._chat_paused.get(chat, 0.0), until)
                else:
                    self._paused_until = max(self._paused_until, until)
            except ChatMigrated as error:
                migrations += 1
                if migrations > 1:
                    raise
                log.warning("telegram: group %s is now supergroup %s", chat, error.new_chat_id)
                chat = self._migrated[chat_id] = int(error.new_chat_id)
                if self._on_migrated is not None:
                    await self._on_migrated(chat_id, chat)
            except BadRequest:
                raise  # a NetworkError subclass, but retrying cannot help
            except NetworkError as error:  # includes TimedOut
                if failures >= len(NETWORK_BACKOFF):
                    raise
                wait = NETWORK_BACKOFF[failures]
                failures += 1
                log.warning(
                    "telegram: network error in chat %s (%s); retry %d in %.0f s",
                    chat,
                    error,
                    failures,
                    wait,
                )
                async with waiting():  # the update's slot serves other chats meanwhile
                    await self._sleep(wait)

    async def _respect_pause(self, chat: int) -> None:
        """After a 429 in a group, every send waits for the flood control to lift, not
        only the one that hit it; after one in a private chat, that chat's sends."""
        deadline = max(self._paused_until, self._chat_paused.get(chat, 0.0))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        async with waiting():  # the update's slot serves other chats meanwhile
            await self._sleep(remaining)
        # Waited out (unless another 429 came meanwhile and set a later one).
        if self._paused_until <= deadline:
            self._paused_until = 0.0
        if self._chat_paused.get(chat, 0.0) <= deadline:
            self._chat_paused.pop(chat, None)


def retry_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type this PTB version returns."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
