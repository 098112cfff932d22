"""Relais makes the network's Discord channels itself (``[discord] channel_category``).

Once the server is available (at every start), each configured category without a
Discord channel, and the general channel when unbound, gets one under the configured
channel category: a text channel found there by its expected name (made by an earlier
run or by hand) or created, then bound exactly as ``/bind`` binds (a stored binding and an
audit entry, with no member as actor). The channel category is created when missing.

When ``category_roles`` are configured, a category's channel is readable by that
category's role only (plus the referent and coordinator roles, and the bot itself):
``@everyone`` cannot view it. The general channel keeps the server's defaults, so that
newcomers who hold no role yet can read it (and their greeting there).

A re-run creates nothing new: it puts back the permissions Relais sets on the channels it
bound (those with no member as binder, under the channel category), for the roles it
sets them for and only those permissions; other overwrites, and channels bound by hand
with ``/bind`` or in ``[channels]``, are never touched. Refusals (the bot lacks Manage
Channels or Manage Roles) are logged without personal data and remembered in
``platform_state`` for the coordinators' ``/stats``; they never stop the start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
import discord
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core import audit, ids, platform_state
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Translator
from bot.core.port import Address
from bot.delivery import channels
from bot.models import ChannelBinding

T = TypeVar("T")
log = logging.getLogger(__name__)

PLATFORM = "discord"
#: Shown in the server's audit log next to each change.
REASON = "Relais: the network's channels"
PROBLEM_KEY = channels.SETUP_PROBLEM_KEY
FORBIDDEN = (
    "discord: not allowed to create or set up channels (the bot needs Manage Channels "
    "and Manage Roles)"
)
#: What a member of the channel's audience may do there.
MEMBER = discord.PermissionOverwrite(view_channel=True, send_messages=True)
#: What the bot keeps for itself, so that hiding the channel never locks it out.
BOT = discord.PermissionOverwrite(view_channel=True, send_messages=True, manage_channels=True)
HIDDEN = discord.PermissionOverwrite(view_channel=False)
#: The PostgreSQL advisory lock that keeps two processes from setting up at once.
LOCKED = {"key": int.from_bytes(b"relaisCh", "big", signed=True)}

Target = discord.Role | discord.Member


def slug(label: str) -> str:
    """A channel name as Discord writes them: lowercase words joined by dashes
    (``Tourisme & culture`` → ``tourisme-culture``)."""
    words = "".join(ch if ch.isalnum() else " " for ch in label.casefold()).split()
    return "-".join(words)[:100] or "relais"


@dataclass(frozen=True, slots=True)
class Wanted:
    """A channel Relais looks after: the scope it serves and its expected name."""

    scope: str
    name: str


class Refused(Exception):
    """Discord said no for good: remembered for ``/stats`` until a run succeeds."""

    def __init__(self, why: str, detail: str) -> None:
        super().__init__(detail)
        self.why = why


class ChannelSetup:
    """Finds or creates, binds and keeps in line the network's channels in one server."""

    def __init__(
        self,
        settings: Settings,
        *,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        translator: Translator,
    ) -> None:
        self.settings = settings
        self.discord = settings.discord
        self.sessions = sessions
        self.clock = clock
        self.translator = translator
        self._lock = asyncio.Lock()
        #: Set at the end of each run, whatever its outcome (tests wait on it).
        self.settled = asyncio.Event()
        #: Channels created since start, for tests and logs.
        self.created = 0

    @property
    def enabled(self) -> bool:
        return self.discord.channel_category is not None and self.discord.guild_id is not None

    def wanted(self) -> list[Wanted]:
        """One channel per category, and the general one, named in the network's language."""
        language = self.settings.network.default_language
        found = [
            Wanted(channels.category_scope(c.key), slug(c.name.get(language)))
            for c in self.settings.categories
        ]
        general = self.translator.gettext(language, "General")
        return [*found, Wanted(channels.GENERAL, slug(general))]

    def overwrites(
        self, guild: discord.Guild, scope: str
    ) -> dict[Target, discord.PermissionOverwrite]:
        """The permissions Relais sets on a channel: none unless the channel's category
        has a role (then only its role, referents and coordinators see it)."""
        key = channels.scope_category(scope)
        role_id = self.discord.category_roles.get(key or "")
        if role_id is None:
            return {}
        wanted: dict[Target, discord.PermissionOverwrite] = {guild.default_role: HIDDEN}
        for role in (role_id, self.discord.referent_role, self.discord.coordinator_role):
            found = guild.get_role(role) if role is not None else None
            if found is not None:
                wanted[found] = MEMBER
        if guild.me is not None:
            wanted[guild.me] = BOT
        return wanted

    async def run(self, guild: discord.Guild) -> None:
        """One pass; never raises (a failure waits for the next start)."""
        if not self.enabled or guild.id != self.discord.guild_id:
            return
        async with self._lock:
            problem: str | None = ""
            try:
                async with self._alone():
                    await self._run(guild)
            except Refused as error:
                problem = error.why
                log.warning("discord: the network's channels could not be set up: %s", error)
            except (discord.DiscordServerError, aiohttp.ClientError, OSError, TimeoutError) as e:
                problem = None
                log.warning("discord: channels not set up (%s); next start tries again", e)
            except Exception:
                problem = "refused"
                log.exception("discord: setting up the network's channels failed")
            try:
                if problem is not None:
                    async with self.sessions.begin() as session:
                        await platform_state.put(
                            session, PLATFORM, PROBLEM_KEY, problem, self.clock.now()
                        )
            finally:
                self.settled.set()

    @asynccontextmanager
    async def _alone(self) -> AsyncIterator[None]:
        """Several processes on PostgreSQL start together: one sets up while the others
        wait, then find its bindings (SQLite serves one process)."""
        async with self.sessions() as session:
            if session.get_bind().dialect.name != "postgresql":
                yield
                return
            async with session.begin():
                await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), LOCKED)
                yield

    async def _run(self, guild: discord.Guild) -> None:
        bound = await self._bindings()
        taken = {chat for chat, _ in bound.values()}
        parent: discord.CategoryChannel | None = None
        for wanted in self.wanted():
            if wanted.scope in bound:
                chat, by_hand = bound[wanted.scope]
                if by_hand:
                    continue
                channel = await _existing(guild, chat)
                if isinstance(channel, discord.TextChannel):
                    if self._is_ours(channel):
                        await self._align(guild, channel, wanted.scope)
                    continue
                # Bound by Relais, then deleted in Discord: made again below.
            parent = parent or await self._parent(guild)
            named = next(
                (
                    c
                    for c in guild.text_channels
                    if c.category_id == parent.id
                    and c.name == wanted.name
                    and str(c.id) not in taken
                ),
                None,
            )
            if named is not None:
                await self._align(guild, named, wanted.scope)
                await self._bind(named, wanted.scope, created=False)
                continue
            overwrites: dict[Target | discord.Object, discord.PermissionOverwrite] = {
                target: rule for target, rule in self.overwrites(guild, wanted.scope).items()
            }
            made = await _call(
                guild.create_text_channel(
                    wanted.name, category=parent, overwrites=overwrites, reason=REASON
                )
            )
            self.created += 1
            log.info("discord: created the channel #%s", wanted.name)
            await self._bind(made, wanted.scope, created=True)

    async def _bindings(self) -> dict[str, tuple[str, bool]]:
        """Scope → (chat id, bound by hand) of every Discord channel binding; bindings
        declared in ``[channels]`` count as by hand."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(ChannelBinding).where(ChannelBinding.platform == PLATFORM)
            )
            found = {
                row.scope: (row.chat_id, row.bound_by is not None or row.thread_id != "")
                for row in rows
            }
        for scope, address in self.settings.channel_addresses():
            if address.platform == PLATFORM:
                found.setdefault(scope, (address.chat_id, True))
        return found

    def _is_ours(self, channel: discord.TextChannel) -> bool:
        """Under the configured channel category (a Relais binding moved elsewhere by a
        coordinator is left alone)."""
        category = channel.category
        return category is not None and _names(category, self.discord.channel_category or "")

    async def _parent(self, guild: discord.Guild) -> discord.CategoryChannel:
        """The configured channel category, created when named and missing."""
        key = self.discord.channel_category or ""
        found = next((c for c in guild.categories if _names(c, key)), None)
        if found is not None:
            return found
        if ids.platform_id(key) is not None:
            raise Refused("unknown_category", f"discord: channel category {key} does not exist")
        log.info("discord: created the channel category %s", key)
        return await _call(guild.create_category(key, reason=REASON))

    async def _align(self, guild: discord.Guild, channel: discord.TextChannel, scope: str) -> None:
        """Put back the permissions Relais sets, keeping every other one as it is."""
        for target, wanted in self.overwrites(guild, scope).items():
            current = channel.overwrites_for(target)
            merged = discord.PermissionOverwrite(**dict(current))
            merged.update(**{name: value for name, value in wanted if value is not None})
            if merged != current:
                await _call(channel.set_permissions(target, overwrite=merged, reason=REASON))
                log.info("discord: permissions of #%s put back in line", channel.name)

    async def _bind(self, channel: discord.TextChannel, scope: str, *, created: bool) -> None:
        """As ``/bind`` does, with Relais itself as the one who bound it."""
        address = Address(PLATFORM, str(channel.id))
        async with self.sessions.begin() as session:
            await channels.bind(session, address, scope, by=None, now=self.clock.now())
            audit.record(
                session,
                self.clock,
                actor_id=None,
                action="channel.create" if created else "channel.bind",
                platform=PLATFORM,
                chat=address.chat_id,
                thread=None,
                scope=scope,
            )


async def _existing(
    guild: discord.Guild, chat: str
) -> discord.abc.GuildChannel | discord.Thread | None:
    """The bound channel, from the cache or, when the cache does not have it (yet: made
    by another process a moment ago), asked of Discord; None when it was deleted."""
    channel_id = ids.platform_id(chat)
    if channel_id is None or channel_id < 0:
        return None
    cached = guild.get_channel(channel_id)
    if cached is not None:
        return cached
    try:
        return await guild.fetch_channel(channel_id)
    except discord.NotFound:
        return None
    except discord.Forbidden as error:
        raise Refused("permission", FORBIDDEN) from error


def _names(category: discord.CategoryChannel, key: str) -> bool:
    return str(category.id) == key or category.name.casefold() == key.casefold()


async def _call(request: Awaitable[T]) -> T:
    """One request to Discord; refusals for good in this module's terms."""
    try:
        return await request
    except discord.Forbidden as error:
        raise Refused("permission", FORBIDDEN) from error
    except discord.DiscordServerError:
        raise
    except discord.HTTPException as error:
        detail = f"discord: request refused ({error.status}, code {error.code})"
        raise Refused("refused", detail) from error
