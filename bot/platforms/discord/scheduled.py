"""Relais' events in the server's Events tab: Discord's Guild Scheduled Events.

The adapter is a :class:`~bot.core.port.NativeEvents`: the domain
(:mod:`bot.animation.events.native_sync`) tells it what one occurrence should look like
(:class:`~bot.core.port.NativeEventSpec`) and records the id it gets back; this module only
turns that into discord.py calls:

* the place decides the kind: when it names one of the server's voice (or stage) channels
  (``#Lounge``, ``Lounge`` or a ``<#id>`` mention), the event happens there; anything else
  (an address, an online link) is an *external* event at that location, which Discord
  requires to have an end time;
* events are visible to the server only (``PrivacyLevel.guild_only``) and carry a reason
  for the server's audit log;
* an edit fetches the event first (its kind and status decide what may change); an event
  gone from the server, or already started or over, is left alone (``update`` says
  False); cancelling one that has started ends it.

People who click "Interested" (or take it back) arrive as the gateway's
GUILD_SCHEDULED_EVENT_USER_ADD/REMOVE, which the scheduled-events intent (not privileged)
brings. discord.py reports them only for users it has in its cache, which without the
privileged Server Members intent is rarely the case; so the adapter reads the raw
dispatch (:func:`interest_of`) and hands the ids over as they are.

Refusals come back in the port's terms: a missing Manage Events permission is
:class:`~bot.core.port.PermissionMissing`, any other refusal
:class:`~bot.core.port.Rejected` (the caller logs one line and carries on), an outage
:class:`~bot.core.port.TemporaryFailure`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
import discord

from bot.core.config import DiscordSettings
from bot.core.port import NativeEventSpec, PermissionMissing, Rejected, TemporaryFailure

T = TypeVar("T")

#: Shown in the server's audit log next to each change.
REASON = "Relais: an event was published, edited or cancelled"
#: Discord's limits on a scheduled event's name, description and location.
NAME_LIMIT = 100
DESCRIPTION_LIMIT = 1000
LOCATION_LIMIT = 100
#: Seconds a request waits for the gateway's READY when the server is not known yet.
READY_WAIT = 60.0
FORBIDDEN = "discord: not allowed to manage events (the bot needs the Manage Events permission)"
_MENTION = re.compile(r"<#(\d+)>")
VoiceLike = discord.VoiceChannel | discord.StageChannel


class ScheduledEvents:
    """Creates, edits and cancels the server's scheduled events for Relais."""

    def __init__(self, client: discord.Client, settings: DiscordSettings) -> None:
        self.client = client
        self.settings = settings

    @property
    def enabled(self) -> bool:
        return self.settings.scheduled_events and self.settings.guild_id is not None

    @property
    def scope(self) -> str | None:
        """The server's id, where the events live; None when not set up."""
        return str(self.settings.guild_id) if self.enabled else None

    async def publish(self, spec: NativeEventSpec) -> str | None:
        if not self.enabled:
            return None
        guild = await self._guild()
        channel = voice_channel(guild, spec.place)
        common: dict[str, Any] = {
            "name": _clip(spec.title, NAME_LIMIT),
            "description": _clip(spec.description, DESCRIPTION_LIMIT),
            "start_time": spec.starts_at,
            "end_time": spec.ends_at,
            "privacy_level": discord.PrivacyLevel.guild_only,
            "reason": REASON,
        }
        if channel is not None:
            created = await _call(guild.create_scheduled_event(channel=channel, **common))
        else:
            created = await _call(
                guild.create_scheduled_event(
                    entity_type=discord.EntityType.external, location=location(spec), **common
                )
            )
        return str(created.id)

    async def update(self, native_id: str, spec: NativeEventSpec) -> bool:
        if not self.enabled:
            return False
        guild = await self._guild()
        event = await self._fetch(guild, native_id)
        if event is None or event.status is not discord.EventStatus.scheduled:
            return False
        channel = voice_channel(guild, spec.place)
        common: dict[str, Any] = {
            "name": _clip(spec.title, NAME_LIMIT),
            "description": _clip(spec.description, DESCRIPTION_LIMIT),
            "start_time": spec.starts_at,
            "end_time": spec.ends_at,
            "reason": REASON,
        }
        try:
            if channel is not None:
                await _call(event.edit(channel=channel, **common))
            else:
                await _call(
                    event.edit(
                        entity_type=discord.EntityType.external, location=location(spec), **common
                    )
                )
        except _Gone:
            return False
        return True

    async def cancel(self, native_id: str) -> None:
        if not self.enabled:
            return
        guild = await self._guild()
        event = await self._fetch(guild, native_id)
        try:
            if event is not None and event.status is discord.EventStatus.scheduled:
                await _call(event.cancel(reason=REASON))
            elif event is not None and event.status is discord.EventStatus.active:
                await _call(event.end(reason=REASON))
        except _Gone:
            return

    async def _fetch(self, guild: discord.Guild, native_id: str) -> discord.ScheduledEvent | None:
        try:
            return await _call(guild.fetch_scheduled_event(int(native_id), with_counts=False))
        except _Gone:
            return None

    async def _guild(self) -> discord.Guild:
        """The server, once the gateway announced it (a sync queued while Relais was
        stopped waits for the connection, up to a limit)."""
        guild_id = self.settings.guild_id or 0
        guild = self.client.get_guild(guild_id)
        if guild is None and not self.client.is_ready():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.client.wait_until_ready(), READY_WAIT)
            guild = self.client.get_guild(guild_id)
        if guild is None:
            raise TemporaryFailure("discord: the server is not available (yet)")
        return guild


def voice_channel(guild: discord.Guild, place: str) -> VoiceLike | None:
    """The voice or stage channel the place names (``<#id>``, ``#Name`` or ``Name``,
    whatever the case), if any."""
    text = place.strip()
    mention = _MENTION.fullmatch(text)
    if mention is not None:
        found = guild.get_channel(int(mention.group(1)))
        return found if isinstance(found, discord.VoiceChannel | discord.StageChannel) else None
    name = text.removeprefix("#").strip().casefold()
    if not name:
        return None
    channels: list[VoiceLike] = [*guild.voice_channels, *guild.stage_channels]
    return next((channel for channel in channels if channel.name.casefold() == name), None)


def location(spec: NativeEventSpec) -> str:
    """An external event's location (Discord requires one, of at most 100 characters)."""
    return _clip(spec.place.strip() or "—", LOCATION_LIMIT)


def interest_of(data: dict[str, Any], guild_id: int | None) -> tuple[str, str] | None:
    """(user id, scheduled event id) of a raw GUILD_SCHEDULED_EVENT_USER_ADD/REMOVE
    dispatch in Relais' server, else None."""
    try:
        if guild_id is None or int(data["guild_id"]) != guild_id:
            return None
        return str(int(data["user_id"])), str(int(data["guild_scheduled_event_id"]))
    except (KeyError, TypeError, ValueError):
        return None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Gone(Exception):
    """The scheduled event is not (or no longer) in the server."""


async def _call(request: Awaitable[T]) -> T:
    """One request to Discord, its failures in the port's terms."""
    try:
        return await request
    except discord.NotFound as error:
        raise _Gone from error
    except discord.Forbidden as error:
        raise PermissionMissing(FORBIDDEN) from error
    except discord.DiscordServerError as error:
        raise TemporaryFailure(f"discord: server error {error.status}") from error
    except discord.HTTPException as error:
        raise Rejected(f"discord: request refused ({error.status}, code {error.code})") from error
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise TemporaryFailure(f"discord: {type(error).__name__}") from error
    except ValueError as error:  # discord.py: the event already started or ended
        raise _Gone from error
