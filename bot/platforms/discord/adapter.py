"""The Discord platform (discord.py 2.x): slash commands, buttons, forms and DMs.

What people do arrives three ways and becomes one neutral :class:`Event` each:

* a slash command, compiled from the command table (:mod:`discord_commands`);
* a press on a button — every button's ``custom_id`` is its payload, parsed back by one
  dynamic item, so buttons keep working across restarts — or the submission of the form a
  free-text step offers (:mod:`discord_ui`);
* plain text in a direct message (DM content needs no privileged intent);
* someone joining the server (GUILD_MEMBER_ADD, only with ``greet_newcomers``, which asks
  for the privileged Server Members intent): reported to the app (``app.report``), which
  puts a returning member's roles back, then a neutral ``joined`` event in the general
  channel, so the join handler greets them once, as on Telegram.

Events are mirrored in the server's Events tab when configured (:mod:`discord_scheduled`):
the adapter is a :class:`~bot.core.port.NativeEvents`, driven by
:mod:`bot.animation.events.native_sync`; someone clicking "Interested" on one of them (or
taking it back) becomes a neutral event with ``interest`` set.

Server roles follow Relais when configured (:mod:`discord_roles`): the adapter is a
:class:`~bot.core.port.RoleMirror`, driven by :class:`bot.members.role_sync.RoleSyncer`. With
``channel_category``, the adapter makes and binds the network's channels once the server
is available (:mod:`discord_channels`).

Interactions are acknowledged (deferred) before any database work, within Discord's
three seconds. In a server, a person's own business (``/me``, flows, button replies) is
answered *ephemerally*: the adapter presents it as a private exchange whose chat is the
user's id, held outside the private chat itself (``in_private_chat=False``); the same
address outside an interaction means a DM. A public command (``/bind``, ``/leaderboard``)
is deferred publicly, but its refusals (marked ``caller_only`` by the app) replace the
public placeholder with an ephemeral answer. How answers travel is :mod:`discord_send`.

discord.py runs each gateway event in a task of its own; each takes its place in its
channel's line (:mod:`bot.platforms.lines`) before anything is awaited, is acknowledged
at once, and is handled in its turn: channels concurrently, each one in order, at most
``[limits] concurrent_updates`` at once. Stopping lets the updates in hand finish.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.activity.reports import MAX_TEXT
from bot.conversation.commands import COMMANDS, Command
from bot.conversation.mentions import NAME_CONTEXT, CommandNames
from bot.core.config import DISCORD_API, DISCORD_GATEWAY, DiscordSettings
from bot.core.facts import MemberJoined
from bot.core.port import (
    Event,
    MemberRoles,
    NativeEventSpec,
    Outgoing,
    PlatformUnavailable,
    RolesApplied,
)
from bot.delivery import channels
from bot.platforms.discord.channels import ChannelSetup
from bot.platforms.discord.commands import (
    LANGUAGE_OF,
    CommandTranslator,
    build_commands,
    sync_if_changed,
)
from bot.platforms.discord.roles import DiscordRoles
from bot.platforms.discord.scheduled import ScheduledEvents, interest_of
from bot.platforms.discord.send import CURRENT, DiscordSender, Interaction, Sleep, Turn
from bot.platforms.discord.ui import FORM, WRITE, PayloadButton, TextForm, submitted_text
from bot.platforms.lines import ChatLines, Ticket
from bot.platforms.pacing import Pacer

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

NAME = "discord"
#: How long ``start`` waits for the gateway's READY before carrying on regardless.
READY_TIMEOUT = 30.0
#: How long a public command's gate check may delay its acknowledgement (Discord allows
#: three seconds in all).
GATE_WAIT = 1.0
#: Seconds stopping waits for the updates in hand to finish.
SHUTDOWN_GRACE = 10.0


def intents(settings: DiscordSettings) -> discord.Intents:
    """Only what Relais uses: servers and their channels, and messages in DMs (whose
    content needs no privileged intent). Slash commands, buttons and role changes need
    no intent; greeting newcomers needs the privileged Server Members intent; who clicks
    "Interested" on a scheduled event comes with the scheduled-events one (not privileged)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.dm_messages = True
    wanted.members = settings.greet_newcomers
    wanted.guild_scheduled_events = settings.scheduled_events and settings.guild_id is not None
    return wanted


class RelaisClient(discord.Client):
    """discord.py's client, its events forwarded to the adapter."""

    def __init__(self, platform: DiscordPlatform) -> None:
        # Relais has no voice: no warnings about voice libraries at every start.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(intents=intents(platform.settings))
        self.platform = platform
        self.tree: app_commands.CommandTree[RelaisClient] = app_commands.CommandTree(self)
        # Interest in a scheduled event, read from the raw dispatch: discord.py drops it
        # for users it has not cached (see discord_scheduled).
        parsers = self._connection.parsers
        for name, added in (
            ("GUILD_SCHEDULED_EVENT_USER_ADD", True),
            ("GUILD_SCHEDULED_EVENT_USER_REMOVE", False),
        ):
            parsers[name] = functools.partial(self._interest, parsers[name], added)

    def _interest(self, parse: Callable[[Any], None], added: bool, data: dict[str, Any]) -> None:
        parse(data)  # discord.py's own bookkeeping, as before
        self.platform.on_interest(data, added)

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

    async def on_member_join(self, member: discord.Member) -> None:
        await self.platform.on_member_join(member)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        self.platform.on_guild(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.platform.on_guild(guild)


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
        _point_at(self.settings)
        self.client = RelaisClient(self)
        self.command_guild = (
            None
            if self.settings.sync_globally or self.settings.guild_id is None
            else discord.Object(self.settings.guild_id)
        )
        for command in build_commands(app.settings, self.on_command):
            self.client.tree.add_command(command, guild=self.command_guild)
        self.sender = DiscordSender(
            self.client,
            self.settings,
            pacer=pacer or Pacer(self.settings.pace_messages, self.settings.pace_seconds),
            sleep=sleep,
            retry_delay=retry_delay,
        )
        self.roles = DiscordRoles(self.client, self.settings)
        self.scheduled = ScheduledEvents(self.client, self.settings)
        self.channel_setup = ChannelSetup(
            app.settings, sessions=app.sessions, clock=app.clock, translator=app.translator
        )
        self._tasks: set[asyncio.Task[object]] = set()
        self.lines = ChatLines(app.settings.limits.concurrent_updates)
        self.shutdown_grace = SHUTDOWN_GRACE
        self._typed_names = _typed_command_names(app)
        self.command_names = CommandNames(app.translator)
        self._gateway: asyncio.Task[None] | None = None
        #: Updates fully handled (answered or refused); tests and benchmarks wait on it.
        self.updates_done = 0
        self._progress = asyncio.Condition()
        app.attach(self)

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        """Log in (registering buttons and, if they changed, the slash commands), open
        the gateway in a tracked task, and wait for READY so that a refused connection
        stops ``relais run`` with a clear line instead of failing in the background."""
        await self.login()
        gateway = self._gateway = asyncio.create_task(self.client.connect(), name="discord-gateway")
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait(
            {gateway, ready}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        ready.cancel()
        if gateway in done:
            error = None if gateway.cancelled() else gateway.exception()
            reason = f" ({error})" if error is not None else ""
            raise PlatformUnavailable(f"discord: the gateway closed the connection{reason}")
        if not done:
            log.warning("discord: no READY after %.0f s; still trying", READY_TIMEOUT)
        gateway.add_done_callback(_log_end)
        log.info("discord: connected as %s", self.client.user)

    async def login(self) -> None:
        try:
            await self.client.login(self._token)
        except discord.LoginFailure as error:
            raise PlatformUnavailable(
                "discord: the token was refused (RELAIS_DISCORD_TOKEN)"
            ) from error
        except (discord.HTTPException, OSError) as error:
            raise PlatformUnavailable(f"discord: cannot log in ({error})") from error

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
        except (discord.HTTPException, app_commands.AppCommandError):
            log.exception("could not register the slash commands; buttons and DMs still work")

    def on_guild(self, guild: discord.Guild) -> None:
        """The server is available (at start, after an outage, or the bot was just added):
        set up the network's channels in a tracked task, when configured."""
        if not self.channel_setup.enabled or guild.id != self.settings.guild_id:
            return
        task = asyncio.create_task(self.channel_setup.run(guild), name="discord-channels")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        if not await self.lines.wait_idle(self.shutdown_grace):
            log.warning("discord: updates still in hand at shutdown")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.client.close()
        if self._gateway is not None:
            self._gateway.cancel()
            await asyncio.gather(self._gateway, return_exceptions=True)

    # -- what people do ---------------------------------------------------------------

    async def on_command(
        self, interaction: Interaction, command: Command, options: dict[str, str]
    ) -> None:
        """A slash command: acknowledge (ephemeral unless public, or unless the caller
        may not use it: then the refusal is theirs alone), then dispatch."""
        async with self._update(), self._line(_key(interaction)) as ticket:
            in_guild = interaction.guild_id is not None
            hidden = in_guild and (
                not command.public or not await self._may_use(interaction, command)
            )
            if not await self._acknowledge(interaction, thinking=True, ephemeral=hidden):
                return
            args = tuple(options[arg.name] for arg in command.args if arg.name in options)
            private = not in_guild or not command.public
            event = self._event(interaction, private=private, command=command.name, args=args)
            turn = self._turn(interaction, channel_private=not command.public)
            turn.original_pending, turn.original_private = True, hidden
            async with ticket:
                await self._run(event, turn)

    async def on_press(self, interaction: Interaction, custom_id: str, label: str) -> None:
        """A button: the write button opens the form; any other is a payload."""
        async with self._update(), self._line(_key(interaction)) as ticket:
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
            async with ticket:
                await self._run(event, turn)

    async def on_form(self, interaction: Interaction) -> None:
        """A submitted form: its text answers the person's current step, privately."""
        async with self._update(), self._line(_key(interaction)) as ticket:
            text = submitted_text(interaction.data)
            if not await self._acknowledge(interaction) or not text:
                return
            event = self._event(interaction, private=True, text=text)
            async with ticket:
                await self._run(event, self._turn(interaction, channel_private=True))

    async def on_message(self, message: discord.Message) -> None:
        """Text in a DM: a step's answer, or ``/name args`` typed out. Server chatter is
        not for the bot (and without the message-content intent it is empty anyway)."""
        if message.guild is not None or message.author.bot or not message.content.strip():
            return
        async with self._update(), self._line(str(message.channel.id)) as ticket, ticket:
            user_id = str(message.author.id)
            self.sender.dm_channels[user_id] = message.channel.id
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

    async def on_member_join(self, member: discord.Member) -> None:
        """Someone joined the server: the app gives a returning member their roles back;
        a newcomer is greeted once in the general channel (the join handler decides)."""
        if member.bot or member.guild.id != self.settings.guild_id:
            return
        async with self._update(), self._line(f"member:{member.id}") as ticket, ticket:
            user_id = str(member.id)
            await self.app.report(MemberJoined(NAME, user_id))
            general = await self.app.channel(NAME, channels.GENERAL)
            if not self.settings.greet_newcomers:
                return
            if general is None:
                log.info("discord: no general channel is bound; a newcomer was not greeted")
                return
            joined_at = member.joined_at.isoformat() if member.joined_at else ""
            event = Event(
                platform=NAME,
                user_id=user_id,
                user_name=member.display_name,
                chat_id=general.chat_id,
                thread_id=general.thread_id,
                is_private=False,
                language_code=None,  # a public greeting: the network's language
                update_id=f"join:{user_id}:{joined_at}"[:64],
                joined=True,
            )
            await self._run(event, None)

    def on_interest(self, data: dict[str, Any], added: bool) -> None:
        """Someone clicked "Interested" on a scheduled event (or took it back): handled
        in a tracked task, in that person's line, as a neutral event."""
        found = interest_of(data, self.settings.guild_id)
        if found is None or (self.client.user is not None and found[0] == str(self.client.user.id)):
            return
        user_id, native_id = found
        ticket = self.lines.ticket(f"member:{user_id}")  # taken now: arrival order is kept
        task = asyncio.create_task(self._interest(ticket, user_id, native_id, added))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _interest(self, ticket: Ticket, user_id: str, native_id: str, added: bool) -> None:
        async with self._update():
            try:
                async with ticket:
                    event = Event(
                        platform=NAME,
                        user_id=user_id,
                        chat_id=user_id,
                        is_private=True,
                        in_private_chat=False,  # not the DM: it proves nothing about it
                        interest=(native_id, added),
                    )
                    await self._run(event, None)
            finally:
                ticket.close()

    async def _open_form(self, interaction: Interaction, label: str) -> None:
        question = (interaction.message.content if interaction.message else "") or label
        try:
            await interaction.response.send_modal(
                TextForm(title=label, question=question, max_length=MAX_TEXT)
            )
        except discord.HTTPException:
            log.warning("could not open a form for interaction %s", interaction.id, exc_info=True)

    async def _may_use(self, interaction: Interaction, command: Command) -> bool:
        """Ask the app whether the caller passes the command's gate, without holding up
        the acknowledgement: past :data:`GATE_WAIT` (or on an error) assume they do; the
        refusal, if any, then replaces the public placeholder (see discord_send)."""
        check = asyncio.create_task(self.app.may_use(NAME, str(interaction.user.id), command.name))
        done, _ = await asyncio.wait({check}, timeout=GATE_WAIT)
        if not done:  # left to finish on its own: cancelling a query mid-way helps nobody
            self._tasks.add(check)
            check.add_done_callback(self._tasks.discard)
            check.add_done_callback(_settle)
            log.warning("discord: the gate check of /%s took too long", command.name)
            return True
        if check.exception() is not None:
            log.warning(
                "discord: the gate check of /%s failed", command.name, exc_info=check.exception()
            )
            return True
        return check.result()

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
            # Ephemeral answers in a server say nothing about whether DMs are open.
            in_private_chat=interaction.guild_id is None,
            language_code=interaction.locale.value,
            update_id=str(interaction.id),
            command=command,
            args=args,
            payload=payload,
            text=text,
            message_id=message_id,
        )

    def _turn(self, interaction: Interaction, *, channel_private: bool) -> Turn:
        return Turn(
            interaction=interaction,
            user_id=str(interaction.user.id),
            channel_id=str(interaction.channel_id),
            in_guild=interaction.guild_id is not None,
            channel_private=channel_private,
        )

    async def _run(self, event: Event, turn: Turn | None) -> None:
        token = CURRENT.set(turn)
        try:
            await self.app.dispatch(event, self)
        finally:
            CURRENT.reset(token)
        if turn is not None and turn.original_pending:  # nothing was said: no endless "thinking…"
            try:
                await turn.interaction.delete_original_response()
            except discord.HTTPException:
                log.debug("could not clear the pending response of %s", turn.interaction.id)

    @asynccontextmanager
    async def _line(self, key: str) -> AsyncIterator[Ticket]:
        """A place in the channel's line, taken before anything is awaited (the order
        events arrive in is the order kept) and given up if never used."""
        ticket = self.lines.ticket(key)
        try:
            yield ticket
        finally:
            ticket.close()

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
        """Through the interaction in progress when it concerns its person or channel,
        otherwise over REST; failures are raised in the port's terms (see discord_send).
        Commands named in the text take the reader's localized names (``/déclarer``)."""
        return await self.sender.deliver(self._with_local_names(outgoing))

    def _with_local_names(self, outgoing: Outgoing) -> Outgoing:
        """The reader's language: the message's own, else the Discord client's during an
        interaction, else the network's (channel posts are written in it)."""
        message = outgoing.message
        turn = CURRENT.get()
        language = (
            message.language
            or (LANGUAGE_OF.get(turn.interaction.locale) if turn is not None else None)
            or self.app.settings.network.default_language
        )
        text = self.command_names.rewrite(message.text, language)
        if text == message.text:
            return outgoing
        return replace(outgoing, message=replace(message, text=text))

    @property
    def native_scope(self) -> str | None:
        """The port's native events live in the server (see :mod:`discord_scheduled`)."""
        return self.scheduled.scope

    async def publish_event(self, spec: NativeEventSpec) -> str | None:
        return await self.scheduled.publish(spec)

    async def update_event(self, native_id: str, spec: NativeEventSpec) -> bool:
        return await self.scheduled.update(native_id, spec)

    async def cancel_event(self, native_id: str) -> None:
        await self.scheduled.cancel(native_id)

    async def mirror_roles(self, user_id: str, roles: MemberRoles) -> RolesApplied:
        """The port's role mirror: see :mod:`discord_roles`."""
        return await self.roles.apply(user_id, roles)

    #: Server roles can be changed by hand: the daily check looks at every account.
    checks_every_account = True

    @property
    def roles_enabled(self) -> bool:
        return self.roles.enabled

    def role_holders(self) -> list[str]:
        return self.roles.holders()


def _key(interaction: Interaction) -> str:
    """The line an interaction waits in: its channel's (a DM's, outside a server)."""
    return str(interaction.channel_id or interaction.user.id)


def _point_at(settings: DiscordSettings) -> None:
    """discord.py keeps Discord's addresses in class attributes: a proxy or a test server
    replaces them for the whole process (Relais runs one Discord client per process)."""
    if settings.api_base_url != DISCORD_API:
        discord.http.Route.BASE = settings.api_base_url.rstrip("/")
    if settings.gateway_url != DISCORD_GATEWAY:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def _settle(task: asyncio.Task[bool]) -> None:
    """A late gate check: its answer is no longer needed, its failure is logged."""
    if not task.cancelled() and task.exception() is not None:
        log.warning("discord: a late gate check failed", exc_info=task.exception())


def _log_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("discord: the gateway connection stopped", exc_info=task.exception())


def _typed_command_names(app: Relais) -> dict[str, str]:
    """Localized command names typed in a DM (``/déclarer``) → the table's names."""
    names: dict[str, str] = {}
    for command in COMMANDS:
        for language in ("fr", "en"):
            names[app.translator.pgettext(language, NAME_CONTEXT, command.name)] = command.name
    return names
