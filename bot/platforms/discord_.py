"""The Discord platform (discord.py 2.x): slash commands, buttons, forms and DMs.

What people do arrives three ways and becomes one neutral :class:`Event` each:

* a slash command (compiled from the command table, see :mod:`discord_commands`);
* a press on a button — every button's ``custom_id`` is its payload, parsed back by one
  dynamic item, so buttons keep working across restarts — or the submission of the form a
  free-text step offers (see :mod:`discord_ui`);
* plain text in a direct message (DM content needs no privileged intent).

Interactions are acknowledged (deferred) before any database work, within Discord's
three seconds. While the app handles the update, what it sends to the person or to the
interaction's channel goes back through the interaction: in a server, a person's own
answers (``/me``, flows, button replies) are *ephemeral*, seen by them only, so the
adapter presents such an update as a private chat whose id is the user's id; the same
address outside an interaction means a DM. Everything else — broadcasts, DMs, other
channels — is posted over REST, paced per channel, retried on passing failures, and a
DM refused with error 50007 marks the identity unreachable.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
import discord
from discord import app_commands

from bot import membership
from bot.commands import COMMANDS, Command
from bot.platforms.discord_commands import (
    NAME_CONTEXT,
    CommandTranslator,
    build_commands,
    sync_if_changed,
)
from bot.platforms.discord_ui import FORM, WRITE, PayloadButton, TextForm, submitted_text, view_for
from bot.platforms.pacing import Pacer
from bot.platforms.port import (
    Address,
    DeliveryError,
    Event,
    Message,
    Outgoing,
    RecipientUnreachable,
    StartFailed,
)
from bot.reports import MAX_TEXT

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

NAME = "discord"
MAX_CONTENT = 2000
#: Discord's error code for "Cannot send messages to this user" (DMs closed).
CLOSED_DMS = 50007
Interaction = discord.Interaction[Any]
Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


def intents() -> discord.Intents:
    """Only what Relais uses: servers and their channels, and messages in DMs (whose
    content needs no privileged intent). Slash commands and buttons need no intent."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.dm_messages = True
    return wanted


@dataclass(slots=True)
class _Turn:
    """The interaction the update in progress came from. Replies to its person or its
    channel go back through it (ephemeral in a server); its token lasts 15 minutes."""

    interaction: Interaction
    user_id: str
    channel_id: str
    in_guild: bool
    #: Replies to the channel are the caller's own too (all but public commands).
    channel_private: bool
    pressed_message_id: str | None = None
    #: A "thinking…" response waits to be replaced by the first answer.
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


_TURN: ContextVar[_Turn | None] = ContextVar("relais_discord_turn", default=None)


class RelaisClient(discord.Client):
    """discord.py's client, its events forwarded to the adapter."""

    def __init__(self, platform: DiscordPlatform) -> None:
        # Relais has no voice: no warnings about voice libraries at every start.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(intents=intents())
        self.platform = platform
        self.tree: app_commands.CommandTree[RelaisClient] = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        await self.platform.setup()

    async def on_message(self, message: discord.Message) -> None:
        await self.platform.on_message(message)

    async def on_interaction(self, interaction: Interaction) -> None:
        data: Any = interaction.data or {}
        if (
            interaction.type is discord.InteractionType.modal_submit
            and data.get("custom_id") == FORM
        ):
            await self.platform.on_form(interaction)

    async def on_press(self, interaction: Interaction, custom_id: str, label: str) -> None:
        await self.platform.on_press(interaction, custom_id, label)


class DiscordPlatform:
    """The adapter: start, send, stop, plus the native entry points above."""

    name = NAME

    def __init__(
        self,
        app: Relais,
        token: str,
        *,
        pacer: Pacer | None = None,
        retry_delay: float = 1.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.app = app
        self.settings = app.settings.discord
        self._token = token
        self.client = RelaisClient(self)
        self.command_guild = (
            None
            if self.settings.sync_globally or self.settings.guild_id is None
            else discord.Object(self.settings.guild_id)
        )
        for command in build_commands(app.settings, self.on_command):
            self.client.tree.add_command(command, guild=self.command_guild)
        self.pacer = pacer or Pacer(self.settings.pace_messages, self.settings.pace_seconds)
        self.retry_delay = retry_delay
        self._sleep = sleep
        self._dm_channels: dict[str, int] = {}
        self._typed_names = _typed_command_names(app)
        self._gateway: asyncio.Task[None] | None = None
        #: Updates fully handled (answered or refused); tests and benchmarks wait on it.
        self.updates_done = 0
        self._progress = asyncio.Condition()
        app.attach(self)

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        """Log in (registering buttons and, if they changed, the slash commands), then
        keep the gateway connection in a tracked task."""
        await self.login()
        self._gateway = asyncio.create_task(self.client.connect(), name="discord-gateway")

    async def login(self) -> None:
        try:
            await self.client.login(self._token)
        except discord.LoginFailure as error:
            raise StartFailed("Discord refused RELAIS_DISCORD_TOKEN") from error

    async def setup(self) -> None:
        """Runs inside ``login``: buttons first (they must work even if syncing fails)."""
        self.client.add_dynamic_items(PayloadButton)
        await self.client.tree.set_translator(CommandTranslator(self.app.translator))
        if self.client.application_id is None:  # pragma: no cover - set by login
            return
        try:
            await sync_if_changed(
                self.client.tree,
                guild=self.command_guild,
                application_id=self.client.application_id,
                sessions=self.app.sessions,
                clock=self.app.clock,
            )
        except discord.HTTPException:
            log.exception("could not register the slash commands; buttons and DMs still work")

    async def wait_closed(self) -> None:
        """Until the gateway connection ends for good (it reconnects by itself)."""
        if self._gateway is not None:
            await self._gateway

    async def stop(self) -> None:
        await self.client.close()
        if self._gateway is not None:
            self._gateway.cancel()
            await asyncio.gather(self._gateway, return_exceptions=True)

    # -- what people do ---------------------------------------------------------------

    async def on_command(
        self, interaction: Interaction, command: Command, options: dict[str, str]
    ) -> None:
        """A slash command: acknowledge (ephemeral unless public), then dispatch."""
        async with self._update():
            in_guild = interaction.guild_id is not None
            hidden = in_guild and not command.public
            if not await self._acknowledge(interaction, thinking=True, ephemeral=hidden):
                return
            args = tuple(options[arg.name] for arg in command.args if arg.name in options)
            private = not in_guild or not command.public
            event = self._event(interaction, private=private, command=command.name, args=args)
            turn = self._turn(interaction, channel_private=not command.public)
            turn.original_pending, turn.original_private = True, hidden
            await self._run(event, turn)

    async def on_press(self, interaction: Interaction, custom_id: str, label: str) -> None:
        """A button: the write button opens the form; any other is a payload."""
        async with self._update():
            if custom_id == WRITE:
                await self._open_form(interaction, label)
                return
            if not await self._acknowledge(interaction):
                return
            message = interaction.message
            private = interaction.guild_id is None or (
                message is not None and message.flags.ephemeral
            )
            message_id = str(message.id) if message is not None else None
            event = self._event(
                interaction, private=private, payload=custom_id, message_id=message_id
            )
            turn = self._turn(interaction, channel_private=True)
            turn.pressed_message_id = message_id
            await self._run(event, turn)

    async def on_form(self, interaction: Interaction) -> None:
        """A submitted form: its text answers the person's current step, privately."""
        async with self._update():
            text = submitted_text(interaction.data)
            if not await self._acknowledge(interaction) or not text:
                return
            event = self._event(interaction, private=True, text=text)
            await self._run(event, self._turn(interaction, channel_private=True))

    async def on_message(self, message: discord.Message) -> None:
        """Text in a DM: a step's answer, or ``/name args`` typed out. Server chatter is
        not for the bot (and without the message-content intent it is empty anyway)."""
        if message.guild is not None or message.author.bot or not message.content.strip():
            return
        async with self._update():
            user_id = str(message.author.id)
            self._dm_channels[user_id] = message.channel.id
            async with self.app.sessions() as session, session.begin():
                await membership.mark_reachable(session, NAME, user_id)
            text = message.content.strip()
            command: str | None = None
            args: tuple[str, ...] = ()
            if text.startswith("/") and len(text) > 1:
                name, *rest = text[1:].split()
                command, args = self._typed_names.get(name.lower(), name.lower()), tuple(rest)
            event = Event(
                platform=NAME,
                user_id=user_id,
                user_name=message.author.display_name,
                chat_id=user_id,
                is_private=True,
                update_id=str(message.id),
                command=command,
                args=args,
                text=None if command else text,
            )
            await self._run(event, None)

    async def _open_form(self, interaction: Interaction, label: str) -> None:
        question = (interaction.message.content if interaction.message else "") or label
        try:
            await interaction.response.send_modal(
                TextForm(title=label, question=question, max_length=MAX_TEXT)
            )
        except discord.HTTPException:
            log.warning("could not open a form for interaction %s", interaction.id, exc_info=True)

    async def _acknowledge(
        self, interaction: Interaction, *, thinking: bool = False, ephemeral: bool = False
    ) -> bool:
        try:
            await interaction.response.defer(thinking=thinking, ephemeral=ephemeral)
        except (discord.HTTPException, discord.InteractionResponded):
            log.warning("interaction %s could not be acknowledged", interaction.id, exc_info=True)
            return False
        return True

    def _event(
        self,
        interaction: Interaction,
        *,
        private: bool,
        command: str | None = None,
        args: tuple[str, ...] = (),
        payload: str | None = None,
        text: str | None = None,
        message_id: str | None = None,
    ) -> Event:
        user_id = str(interaction.user.id)
        return Event(
            platform=NAME,
            user_id=user_id,
            user_name=interaction.user.display_name,
            chat_id=user_id if private else str(interaction.channel_id),
            is_private=private,
            language_code=interaction.locale.value,
            update_id=str(interaction.id),
            command=command,
            args=args,
            payload=payload,
            text=text,
            message_id=message_id,
        )

    def _turn(self, interaction: Interaction, *, channel_private: bool) -> _Turn:
        return _Turn(
            interaction=interaction,
            user_id=str(interaction.user.id),
            channel_id=str(interaction.channel_id),
            in_guild=interaction.guild_id is not None,
            channel_private=channel_private,
        )

    async def _run(self, event: Event, turn: _Turn | None) -> None:
        token = _TURN.set(turn)
        try:
            await self.app.dispatch(event, self)
        finally:
            _TURN.reset(token)
        if turn is not None and turn.original_pending:  # nothing was said: no endless "thinking…"
            try:
                await turn.interaction.delete_original_response()
            except discord.HTTPException:
                log.debug("could not clear the pending response of %s", turn.interaction.id)

    @asynccontextmanager
    async def _update(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            async with self._progress:
                self.updates_done += 1
                self._progress.notify_all()

    async def wait_for_updates(self, count: int) -> None:
        """Until ``count`` updates have been handled since start (gateway events are
        handled in discord.py's tasks; tests and benchmarks feed some, then wait)."""
        async with self._progress:
            await self._progress.wait_for(lambda: self.updates_done >= count)

    # -- what the bot says -----------------------------------------------------------

    async def send(self, outgoing: Outgoing) -> str | None:
        """Through the interaction in progress when it is about its person or channel;
        otherwise over REST (paced, retried, DMs opened as needed)."""
        turn = _TURN.get()
        if turn is not None and turn.owns(outgoing.address):
            try:
                return await self._answer(turn, outgoing)
            except discord.HTTPException as error:
                raise DeliveryError(
                    outgoing.address, f"interaction reply refused: {error}"
                ) from error
        return await self._post(outgoing)

    async def _answer(self, turn: _Turn, outgoing: Outgoing) -> str | None:
        interaction, message = turn.interaction, outgoing.message
        view = view_for(message)
        chunks = _chunks(message.text)
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
        private = turn.private(outgoing.address)
        sent_id: str | None = None
        for index, chunk in enumerate(chunks):
            extras = _extras(message, view, first=index == 0, last=index == len(chunks) - 1)
            if turn.original_pending:
                turn.original_pending = False
                if private == turn.original_private:
                    if "file" in extras:
                        extras["attachments"] = [extras.pop("file")]
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

    async def _post(self, outgoing: Outgoing) -> str | None:
        address, message = outgoing.address, outgoing.message
        target = address.thread_id or address.chat_id
        channel, person = await self._retrying(address, None, lambda: self._channel(target))
        view = view_for(message)
        chunks = _chunks(message.text)
        if outgoing.edit_message_id is not None:
            partial = channel.get_partial_message(int(outgoing.edit_message_id))
            edited = await self._retrying(
                address, person, lambda: partial.edit(content=chunks[0], view=view)
            )
            return str(edited.id)
        sent_id: str | None = None
        for index, chunk in enumerate(chunks):
            extras = _extras(message, view, first=index == 0, last=index == len(chunks) - 1)
            await self.pacer.acquire(str(channel.id))
            sent = await self._retrying(address, person, _sender(channel, chunk, extras))
            sent_id = str(sent.id)
        return sent_id

    async def _channel(self, target: str) -> tuple[discord.PartialMessageable, str | None]:
        """A server channel known from the gateway, else the DM with the person whose id
        it is (opened once, remembered); an id that is neither is tried as a channel."""
        ident = int(target)
        known = self.client.get_channel(ident)
        if known is not None and not isinstance(known, discord.abc.PrivateChannel):
            return self.client.get_partial_messageable(ident, guild_id=known.guild.id), None
        dm = self._dm_channels.get(target)
        if dm is None:
            try:
                data = await self.client.http.start_private_message(ident)
            except discord.HTTPException as error:
                if error.status in (400, 404):  # not a person: a channel not in the cache
                    return self.client.get_partial_messageable(ident), None
                raise
            dm = self._dm_channels[target] = int(data["id"])
        return self.client.get_partial_messageable(dm, type=discord.ChannelType.private), target

    async def _retrying(
        self, address: Address, person: str | None, call: Callable[[], Awaitable[T]]
    ) -> T:
        """discord.py already waits out 429s (``retry_after``); this adds retries for
        outages and network errors, and turns what remains into :class:`DeliveryError`."""
        attempt = 0
        while True:
            try:
                return await call()
            except discord.Forbidden as error:
                if error.code == CLOSED_DMS and person is not None:
                    await self._unreachable(person)
                    raise RecipientUnreachable(address, "direct messages are closed") from error
                raise DeliveryError(address, f"forbidden (code {error.code})") from error
            except (
                discord.DiscordServerError,
                aiohttp.ClientError,
                TimeoutError,
                OSError,
            ) as error:
                if attempt >= self.settings.send_retries:
                    raise DeliveryError(
                        address, f"gave up after {attempt + 1} tries: {error}"
                    ) from error
                await self._sleep(self.retry_delay * 2**attempt)
                attempt += 1
            except discord.HTTPException as error:
                raise DeliveryError(
                    address, f"refused ({error.status}, code {error.code})"
                ) from error

    async def _unreachable(self, user_id: str) -> None:
        async with self.app.sessions() as session, session.begin():
            await membership.mark_unreachable(session, NAME, user_id, self.app.clock.now())
        log.info("discord user %s has closed their DMs; marked unreachable", user_id)


def _sender(
    channel: discord.PartialMessageable, chunk: str, extras: dict[str, Any]
) -> Callable[[], Awaitable[discord.Message]]:
    async def send() -> discord.Message:
        return await channel.send(chunk, **extras)

    return send


def _extras(
    message: Message, view: discord.ui.View | None, *, first: bool, last: bool
) -> dict[str, Any]:
    """Keyword arguments for a send: the buttons go with the last piece, the image with
    the first."""
    extras: dict[str, Any] = {}
    if last and view is not None:
        extras["view"] = view
    if first and message.image_png is not None:
        extras["file"] = discord.File(io.BytesIO(message.image_png), filename="relais.png")
    return extras


def _chunks(text: str) -> list[str]:
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


def _typed_command_names(app: Relais) -> dict[str, str]:
    """Localized command names typed in a DM (``/signaler``) → the table's names."""
    names: dict[str, str] = {}
    for command in COMMANDS:
        for language in ("fr", "en"):
            names[app.translator.pgettext(language, NAME_CONTEXT, command.name)] = command.name
    return names
