"""Sending to Discord: through the interaction in progress, or over REST.

While the app handles an interaction, what it sends to that person or that channel goes
back through the interaction's token: in a server, the person's own answers are
*ephemeral* (seen by them only), and so is an answer marked for the caller only (a
refusal, a usage line) even to a public command; the first answer replaces the
"thinking…" placeholder when its visibility matches (otherwise the placeholder is deleted
first: Discord then accepts a followup of either visibility), and an edit of the pressed
message uses the interaction too (ephemeral messages cannot be edited any other way).
Everything else — DMs, broadcasts, other channels — is posted over REST:

* paced per channel (Discord allows 5 messages per 5 s per channel), including what does
  not go through the delivery queue, such as a reply to a DM;
* retried on outages and network errors (discord.py itself waits out 429s);
* what still fails is raised in the port's terms (:class:`Unreachable`, :class:`Rejected`,
  :class:`TemporaryFailure`, :class:`RetryLater`), so the caller records it. A DM refused
  with error 50007 (the person closed their DMs) or a chat that is gone is
  :class:`Unreachable`, which the caller records as the chat closed; a message that is
  gone (10008, an edit too late) is :class:`Rejected`, since its chat is fine.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
import discord

from bot.core.config import DiscordSettings
from bot.core.port import (
    Address,
    Message,
    Outgoing,
    Rejected,
    RetryLater,
    TemporaryFailure,
    Unreachable,
)
from bot.platforms.discord.ui import view_for
from bot.platforms.pacing import Pacer

log = logging.getLogger(__name__)

NAME = "discord"
MAX_CONTENT = 2000
#: "Cannot send messages to this user": the person closed DMs from server members.
CLOSED_DMS = 50007
#: "Unknown Message": the message to edit is gone; its chat may be fine.
UNKNOWN_MESSAGE = 10008
Interaction = discord.Interaction[Any]
Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


@dataclass(slots=True)
class Turn:
    """The interaction the update in progress came from (its token lasts 15 minutes)."""

    interaction: Interaction
    user_id: str
    channel_id: str
    in_guild: bool
    #: Replies to the channel are the caller's own too (all but public commands).
    channel_private: bool
    pressed_message_id: str | None = None
    #: A "thinking…" placeholder waits to be replaced by the first answer.
    original_pending: bool = False
    original_private: bool = False
    followups: set[str] = field(default_factory=set)

    def owns(self, address: Address) -> bool:
        return (
            address.platform == NAME
            and address.thread_id is None
            and address.chat_id in (self.user_id, self.channel_id)
        )

    def private(self, address: Address) -> bool:
        return self.in_guild and (address.chat_id == self.user_id or self.channel_private)


#: The turn of the update being handled in this task (discord.py runs one task per event).
CURRENT: ContextVar[Turn | None] = ContextVar("relais_discord_turn", default=None)


class DiscordSender:
    """Delivers :class:`Outgoing` items for the adapter."""

    def __init__(
        self,
        client: discord.Client,
        settings: DiscordSettings,
        *,
        pacer: Pacer,
        sleep: Sleep,
        retry_delay: float,
    ) -> None:
        self.client = client
        self.settings = settings
        self.pacer = pacer
        self._sleep = sleep
        self.retry_delay = retry_delay
        #: user id → their DM channel id, opened once per run.
        self.dm_channels: dict[str, int] = {}

    def open_private_url(self) -> str | None:
        """Where "open a private chat" leads: the bot's profile, whose button opens a DM."""
        user = self.client.user
        return f"https://discord.com/users/{user.id}" if user is not None else None

    async def deliver(self, outgoing: Outgoing) -> str | None:
        turn = CURRENT.get()
        if turn is not None and turn.owns(outgoing.address):
            try:
                return await self._answer(turn, outgoing)
            except discord.HTTPException as error:  # the token expired, or a bad request
                raise Rejected(f"discord: interaction answer refused: {error}") from error
        return await self._post(outgoing)

    # -- through the interaction ---------------------------------------------------

    async def _answer(self, turn: Turn, outgoing: Outgoing) -> str | None:
        interaction, message = turn.interaction, outgoing.message
        view = view_for(message, self.open_private_url())
        chunks = split_text(message.text)
        edit_id = outgoing.edit_message_id
        if edit_id is not None:
            if edit_id == turn.pressed_message_id:
                edited = await interaction.edit_original_response(content=chunks[0], view=view)
                return str(edited.id)
            if edit_id in turn.followups:
                changed = await interaction.followup.edit_message(
                    int(edit_id), content=chunks[0], view=view
                )
                return str(changed.id)
            return await self._post(outgoing)
        # A refusal of a public command is the caller's alone: after the public
        # "thinking…" placeholder it is deleted, then the answer follows ephemerally.
        private = turn.private(outgoing.address) or (message.caller_only and turn.in_guild)
        sent_id: str | None = None
        for index, chunk in enumerate(chunks):
            extras = _extras(message, view, first=index == 0, last=index == len(chunks) - 1)
            if turn.original_pending:
                turn.original_pending = False
                if private == turn.original_private:
                    if "files" in extras:
                        extras["attachments"] = extras.pop("files")
                    edited = await interaction.edit_original_response(content=chunk, **extras)
                    sent_id = str(edited.id)
                    continue
                await interaction.delete_original_response()
            followup = await interaction.followup.send(
                chunk, ephemeral=private, wait=True, **extras
            )
            sent_id = str(followup.id)
            turn.followups.add(sent_id)
        return sent_id

    # -- over REST -----------------------------------------------------------------

    async def _post(self, outgoing: Outgoing) -> str | None:
        address, message = outgoing.address, outgoing.message
        target = address.thread_id or address.chat_id
        channel, person = await self._retrying(None, lambda: self._channel(target))
        view = view_for(message, self.open_private_url())
        chunks = split_text(message.text)
        if outgoing.edit_message_id is not None:
            partial = channel.get_partial_message(int(outgoing.edit_message_id))
            edited = await self._retrying(
                person, lambda: partial.edit(content=chunks[0], view=view)
            )
            return str(edited.id)
        sent_id: str | None = None
        for index, chunk in enumerate(chunks):
            extras = _extras(message, view, first=index == 0, last=index == len(chunks) - 1)
            await self.pacer.acquire(str(channel.id))
            sent = await self._retrying(person, _sender(channel, chunk, extras))
            sent_id = str(sent.id)
        return sent_id

    async def _channel(self, target: str) -> tuple[discord.PartialMessageable, str | None]:
        """A server channel known from the gateway, else the DM with the person whose id
        it is (opened once, remembered); an id that is neither is tried as a channel."""
        ident = int(target)
        known = self.client.get_channel(ident)
        if known is not None and not isinstance(known, discord.abc.PrivateChannel):
            return self.client.get_partial_messageable(ident, guild_id=known.guild.id), None
        dm = self.dm_channels.get(target)
        if dm is None:
            try:
                data = await self.client.http.start_private_message(ident)
            except discord.HTTPException as error:
                if error.status in (400, 404):  # not a person: a channel not in the cache
                    return self.client.get_partial_messageable(ident), None
                raise
            dm = self.dm_channels[target] = int(data["id"])
        return self.client.get_partial_messageable(dm, type=discord.ChannelType.private), target

    async def _retrying(self, person: str | None, call: Callable[[], Awaitable[T]]) -> T:
        """Retries outages and network errors; says what remains in the port's terms."""
        attempt = 0
        while True:
            try:
                return await call()
            except discord.Forbidden as error:
                if error.code == CLOSED_DMS and person is not None:
                    log.info("discord user %s has closed their DMs", person)
                    raise Unreachable("discord: the person's direct messages are closed") from error
                raise Rejected(f"discord: forbidden (code {error.code})") from error
            except discord.NotFound as error:
                if error.code == UNKNOWN_MESSAGE:
                    raise Rejected("discord: the message is gone") from error
                raise Unreachable(f"discord: the channel is gone ({error.code})") from error
            except discord.RateLimited as error:
                raise RetryLater(error.retry_after) from error
            except (
                discord.DiscordServerError,
                aiohttp.ClientError,
                TimeoutError,
                OSError,
            ) as error:
                if attempt >= self.settings.send_retries:
                    raise TemporaryFailure(
                        f"discord: gave up after {attempt + 1} tries: {error}"
                    ) from error
                await self._sleep(self.retry_delay * 2**attempt)
                attempt += 1
            except discord.HTTPException as error:
                raise Rejected(f"discord: refused ({error.status}, code {error.code})") from error


def _sender(
    channel: discord.PartialMessageable, chunk: str, extras: dict[str, Any]
) -> Callable[[], Awaitable[discord.Message]]:
    async def send() -> discord.Message:
        return await channel.send(chunk, **extras)

    return send


def _extras(
    message: Message, view: discord.ui.View | None, *, first: bool, last: bool
) -> dict[str, Any]:
    """Keyword arguments of one send: buttons with the last piece, the image and the
    document (``/mydata``) with the first."""
    extras: dict[str, Any] = {}
    if last and view is not None:
        extras["view"] = view
    if first:
        files = []
        if message.image_png is not None:
            jpeg = message.image_png.startswith(b"\xff\xd8\xff")
            name = "relais.jpg" if jpeg else "relais.png"
            files.append(discord.File(io.BytesIO(message.image_png), filename=name))
        if message.document is not None:
            name, content = message.document
            files.append(discord.File(io.BytesIO(content), filename=name))
        if files:
            extras["files"] = files
    return extras


def split_text(text: str) -> list[str]:
    """Discord's 2,000 characters a message, cut at line ends where possible."""
    text = text or "…"
    chunks: list[str] = []
    while len(text) > MAX_CONTENT:
        cut = text.rfind("\n", 0, MAX_CONTENT)
        cut = cut if cut > 0 else MAX_CONTENT
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    chunks.append(text)
    return chunks
