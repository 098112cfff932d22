"""Bringing the platforms' own event objects in line with Relais' events.

Every minute (``jobs/event_natives.py``), for each platform that mirrors events
(:class:`~bot.core.port.NativeEvents` with a scope, i.e. Discord with a server and
``[discord] scheduled_events``), the occurrences that have not started yet are compared
with their mirrors (:func:`bot.animation.events.native.mirrors`):

* a scheduled occurrence without a mirror is published, and its row written;
* one whose title, text, place or times changed since (another fingerprint) is edited;
* a cancelled occurrence (or event) with a mirror is cancelled on the platform.

So the create, edit and cancel flows call nothing: what they commit is mirrored at the
next pass, and a pass that failed is simply done again by the next one. The calls happen
outside any transaction; each success is recorded in a short one of its own.

A refusal for good (the bot lacks Discord's Manage Events permission, or Discord refuses
what it was sent) never touches the events themselves, which are posted as always: it is
logged in one line, remembered in ``platform_state`` — ``/stats`` tells coordinators
(:func:`last_problem`) — and the platform is left alone for :data:`REFUSAL_PAUSE` before
trying again. A passing failure (Discord unavailable) ends the platform's pass; the next
minute tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.animation.events import native
from bot.core import platform_state
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Translator
from bot.core.port import NativeEvents, PermissionMissing, Platform, Rejected, TemporaryFailure
from bot.models import PlatformState

log = logging.getLogger(__name__)

#: ``platform_state`` key: why the platform last refused (``permission``: the bot lacks
#: one; ``refused``: anything else, the log says what), until a call goes through.
PROBLEM_KEY = "native_events_problem"
#: How long a platform that refused is left alone.
REFUSAL_PAUSE = timedelta(hours=1)


@dataclass
class Pass:
    """What one pass did on one platform (for logs and tests)."""

    published: int = 0
    edited: int = 0
    cancelled: int = 0


async def last_problem(session: AsyncSession, platform: str) -> str | None:
    """Why the platform last refused to mirror events (``permission``, ``refused``),
    unless a call went through since (shown to coordinators in ``/stats``)."""
    return await platform_state.get(session, platform, PROBLEM_KEY) or None


async def sync(
    *,
    sessions: async_sessionmaker[AsyncSession],
    platforms: Mapping[str, Platform],
    settings: Settings,
    translator: Translator,
    clock: Clock,
) -> dict[str, Pass]:
    """One pass over every platform that mirrors events; never raises."""
    done: dict[str, Pass] = {}
    for name, platform in sorted(platforms.items()):
        if not isinstance(platform, NativeEvents) or platform.native_scope is None:
            continue
        done[name] = result = Pass()
        try:
            if await _paused(sessions, name, clock):
                continue
            await _one(
                sessions, platform, platform.native_scope, settings, translator, clock, result
            )
        except Rejected as error:
            log.warning("%s: events are not mirrored: %s", name, error)
            why = "permission" if isinstance(error, PermissionMissing) else "refused"
            async with sessions.begin() as session:
                await platform_state.put(session, name, PROBLEM_KEY, why, clock.now())
        except TemporaryFailure as error:
            log.info("%s: mirroring events must wait: %s", name, error)
        except Exception:
            log.exception("%s: mirroring events failed", name)
    return done


async def _paused(sessions: async_sessionmaker[AsyncSession], name: str, clock: Clock) -> bool:
    """Whether the platform refused less than :data:`REFUSAL_PAUSE` ago."""
    async with sessions() as session:
        refused_at = await session.scalar(
            select(PlatformState.updated_at).where(
                PlatformState.platform == name,
                PlatformState.key == PROBLEM_KEY,
                PlatformState.value != "",
            )
        )
    return refused_at is not None and clock.now() - refused_at < REFUSAL_PAUSE


async def _one(
    sessions: async_sessionmaker[AsyncSession],
    platform: NativeEvents,
    scope: str,
    settings: Settings,
    translator: Translator,
    clock: Clock,
    result: Pass,
) -> None:
    name = platform.name
    async with sessions() as session:
        mirrors = await native.mirrors(session, platform=name, scope=scope, now=clock.now())
    worked = False
    for mirror in mirrors:
        row = mirror.row
        if not mirror.wanted:
            assert row is not None
            await platform.cancel_event(row.native_id)
            await _record(sessions, name, row.native_id, native.CANCELLED, clock)
            result.cancelled += 1
            worked = True
            continue
        spec = native.spec_for(translator, settings, mirror.event, mirror.occurrence)
        digest = native.fingerprint(spec)
        if row is None:
            native_id = await platform.publish_event(spec)
            if native_id is None:
                return  # switched off meanwhile
            async with sessions.begin() as session:
                await native.published(
                    session,
                    mirror,
                    platform=name,
                    scope=scope,
                    native_id=native_id,
                    digest=digest,
                    now=clock.now(),
                )
            result.published += 1
            worked = True
        elif mirror.digest not in (digest, native.GONE):
            updated = await platform.update_event(row.native_id, spec)
            await _record(sessions, name, row.native_id, digest if updated else native.GONE, clock)
            result.edited += int(updated)
            worked = True
    async with sessions.begin() as session:
        if worked and await last_problem(session, name) is not None:
            await platform_state.put(session, name, PROBLEM_KEY, "", clock.now())
        await native.prune(session, name, clock.now())
    if result.published or result.edited or result.cancelled:
        log.info(
            "%s: events mirrored (%d new, %d edited, %d cancelled)",
            name,
            result.published,
            result.edited,
            result.cancelled,
        )


async def _record(
    sessions: async_sessionmaker[AsyncSession],
    platform: str,
    native_id: str,
    digest: str,
    clock: Clock,
) -> None:
    async with sessions.begin() as session:
        await native.synced(session, platform, native_id, digest, clock.now())
