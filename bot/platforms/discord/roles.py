"""Discord server roles that follow Relais: one per category, one for referents, one for
coordinators (``[discord] category_roles``, ``referent_role``, ``coordinator_role``).

The adapter only applies what it is told (:class:`bot.core.port.MemberRoles`, read from
the database by :class:`bot.members.role_sync.RoleSyncer`): it reads the person's
current roles, then adds the configured roles they lack and removes the configured roles
they should not hold. Roles Relais does not manage are never touched, so moderators' own
roles are safe. Rate limits are discord.py's own; refusals come back in the port's terms
and never carry who was concerned (the logs hold no personal data).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import aiohttp
import discord

from bot.core.config import DiscordSettings
from bot.core.port import MemberRoles, Rejected, RolesApplied, RolesRefused, TemporaryFailure

T = TypeVar("T")

#: Shown in the server's audit log next to each change.
REASON = "Relais: membership, category or role changed"
#: Seconds a sync waits for the gateway's READY when the server is not known yet.
READY_WAIT = 60.0
#: Discord's "Unknown Member": the person left the server.
UNKNOWN_MEMBER = 10007
FORBIDDEN = (
    "discord: not allowed to manage roles (the bot needs Manage Roles, and its own role "
    "above the roles Relais manages)"
)


class DiscordRoles:
    """Applies the configured server roles to one member of the server at a time."""

    def __init__(self, client: discord.Client, settings: DiscordSettings) -> None:
        self.client = client
        self.settings = settings
        self.managed = settings.managed_roles()

    @property
    def enabled(self) -> bool:
        return bool(self.managed) and self.settings.guild_id is not None

    def role_ids(self, roles: MemberRoles) -> set[int]:
        """The configured roles someone with these Relais roles should hold."""
        ids: set[int] = set()
        category = self.settings.category_roles.get(roles.category or "")
        if category is not None:
            ids.add(category)
        if roles.referent and self.settings.referent_role is not None:
            ids.add(self.settings.referent_role)
        if roles.coordinator and self.settings.coordinator_role is not None:
            ids.add(self.settings.coordinator_role)
        reached = [points for points in self.settings.level_roles if points <= roles.level]
        if reached:
            ids.add(self.settings.level_roles[max(reached)])
        return ids

    async def apply(self, user_id: str, roles: MemberRoles) -> RolesApplied:
        if not self.enabled or self.settings.guild_id is None:
            return RolesApplied.DISABLED
        guild = await self._guild(self.settings.guild_id)
        if guild is None:
            raise TemporaryFailure("discord: the server is not available (yet)")
        member = await self._member(guild, int(user_id))
        if member is None:
            return RolesApplied.ABSENT
        missing_roles = sorted(role for role in self.managed if guild.get_role(role) is None)
        held = {role.id for role in member.roles} & self.managed.keys()
        wanted = self.role_ids(roles) - set(missing_roles)
        to_add, to_remove = sorted(wanted - held), sorted(held - wanted)
        try:
            if to_remove:
                await _call(member.remove_roles(*map(discord.Object, to_remove), reason=REASON))
            if to_add:
                await _call(member.add_roles(*map(discord.Object, to_add), reason=REASON))
        except _Absent:
            return RolesApplied.ABSENT  # left the server meanwhile
        if missing_roles:
            detail = f"discord: role {missing_roles[0]} does not exist in the server"
            raise RolesRefused("unknown_role", detail)
        return RolesApplied.CHANGED if to_add or to_remove else RolesApplied.UNCHANGED

    async def _guild(self, guild_id: int) -> discord.Guild | None:
        """The server, once the gateway announced it (requests queued while Relais was
        stopped are applied at start: they wait for the connection, up to a limit)."""
        guild = self.client.get_guild(guild_id)
        if guild is None and not self.client.is_ready():
            try:
                await asyncio.wait_for(self.client.wait_until_ready(), READY_WAIT)
            except TimeoutError:
                return None
            guild = self.client.get_guild(guild_id)
        return guild

    def holders(self) -> list[str]:
        """Who holds a managed role, from the member cache (kept only with the Server
        Members intent; without it, empty: the daily check then covers Relais' own
        members only)."""
        guild = self.client.get_guild(self.settings.guild_id or 0)
        if not self.enabled or guild is None or not self.client.intents.members:
            return []
        roles = [guild.get_role(role) for role in self.managed]
        return sorted({str(member.id) for role in roles if role for member in role.members})

    async def _member(self, guild: discord.Guild, user_id: int) -> discord.Member | None:
        """From the member cache when the Server Members intent keeps it current, else
        asked of Discord; None when the person is not in the server."""
        if self.client.intents.members:
            cached = guild.get_member(user_id)
            if cached is not None:
                return cached
        try:
            return await _call(guild.fetch_member(user_id))
        except _Absent:
            return None


class _Absent(Exception):
    """The person is not (or no longer) in the server."""


async def _call(request: Awaitable[T]) -> T:
    """One request to Discord, its failures in the port's terms."""
    try:
        return await request
    except discord.NotFound as error:
        if error.code == UNKNOWN_MEMBER:
            raise _Absent from error
        raise RolesRefused("unknown_role", f"discord: not found (code {error.code})") from error
    except discord.Forbidden as error:
        raise RolesRefused("permission", FORBIDDEN) from error
    except discord.DiscordServerError as error:
        raise TemporaryFailure(f"discord: server error {error.status}") from error
    except discord.HTTPException as error:
        raise Rejected(f"discord: request refused ({error.status}, code {error.code})") from error
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise TemporaryFailure(f"discord: {type(error).__name__}") from error
