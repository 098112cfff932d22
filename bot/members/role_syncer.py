"""The role syncer applies queued role requests (:mod:`bot.members.role_sync`) through the
platforms that mirror roles, outside any update's transaction.

Two ways in: right after an update committed, the app hands over the accounts it
requested (:meth:`RoleSyncer.sync`), so a member approved or moved gets their roles within
the same breath; and a background loop (:meth:`RoleSyncer.run`) drains what is left —
requests from jobs and the command line, passing failures retried with back-off, and the
daily reconciliation's checks. Rate limits are the platform library's own.

Failures never escape: a refusal for good (the bot lacks the permission, a configured
role does not exist) is logged without personal data and remembered in
``platform_state`` for ``/stats``; a passing one is retried a few times, then dropped
(the next reconciliation looks again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core import platform_state
from bot.core.clock import Clock
from bot.core.port import (
    MemberRoles,
    Platform,
    Rejected,
    RoleMirror,
    RolesApplied,
    RolesRefused,
    TemporaryFailure,
)
from bot.members import role_sync

log = logging.getLogger(__name__)

PAGE = 100
#: How often the background loop looks at the queue when nobody wakes it.
POLL_SECONDS = 60.0
MAX_ATTEMPTS = 5


class RoleSyncer:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        platforms: Mapping[str, Platform],
        clock: Clock,
    ) -> None:
        self.sessions = sessions
        self.platforms = platforms
        self.clock = clock
        self._wake = asyncio.Event()
        #: Applied since start, for tests and logs.
        self.applied = 0

    def mirrors(self) -> dict[str, RoleMirror]:
        return {
            name: platform
            for name, platform in self.platforms.items()
            if isinstance(platform, RoleMirror)
        }

    def wake(self) -> None:
        self._wake.set()

    async def sync(self, accounts: Iterable[role_sync.Account]) -> None:
        """Apply these accounts' requests now (an update just committed them)."""
        mirrors = self.mirrors()
        wanted = [account for account in accounts if account[0] in mirrors]
        if not wanted:
            return
        try:
            async with self.sessions() as session:
                rows = await role_sync.due(
                    session, mirrors, self.clock.now(), limit=len(wanted), accounts=wanted
                )
            await self._apply(mirrors, rows)
        except Exception:
            log.exception("syncing roles after an update failed; the queue keeps it")
            self.wake()

    async def drain(self) -> int:
        """Apply every request that is due, page by page; returns how many were handled."""
        mirrors = self.mirrors()
        handled = 0
        while mirrors:
            async with self.sessions() as session:
                rows = await role_sync.due(session, mirrors, self.clock.now(), limit=PAGE)
            if not rows:
                break
            await self._apply(mirrors, rows)
            handled += len(rows)
        return handled

    async def run(self) -> None:
        """Drain at start, then whenever woken (or every minute, for retries)."""
        while True:
            try:
                await self.drain()
            except Exception:
                log.exception("the role syncer failed; trying again later")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)

    async def _apply(
        self, mirrors: Mapping[str, RoleMirror], rows: list[role_sync.Pending]
    ) -> None:
        by_platform: dict[str, list[role_sync.Pending]] = {}
        for row in rows:
            by_platform.setdefault(row.platform, []).append(row)
        for name, pending in by_platform.items():
            async with self.sessions() as session:
                wanted = await role_sync.wanted(session, name, [row.user_id for row in pending])
            for row in pending:
                await self._one(mirrors[name], row, wanted[row.user_id])

    async def _one(self, mirror: RoleMirror, row: role_sync.Pending, roles: MemberRoles) -> None:
        problem: str | None = None
        try:
            outcome = await mirror.mirror_roles(row.user_id, roles)
        except Rejected as error:
            problem = error.why if isinstance(error, RolesRefused) else "refused"
            log.warning("%s: roles of an account could not be changed: %s", mirror.name, error)
            outcome = None
        except TemporaryFailure as error:
            await self._retry(mirror.name, row, str(error))
            return
        except Exception:
            log.exception("%s: mirroring roles failed", mirror.name)
            await self._retry(mirror.name, row, "unexpected error")
            return
        async with self.sessions.begin() as session:
            await role_sync.settle(session, row)
            if problem is not None:
                await platform_state.put(
                    session, mirror.name, role_sync.PROBLEM_KEY, problem, self.clock.now()
                )
            elif outcome is RolesApplied.CHANGED:
                await platform_state.put(
                    session, mirror.name, role_sync.PROBLEM_KEY, "", self.clock.now()
                )
        self.applied += 1

    async def _retry(self, platform: str, row: role_sync.Pending, reason: str) -> None:
        async with self.sessions.begin() as session:
            if row.attempts + 1 >= MAX_ATTEMPTS:
                log.warning("%s: gave up syncing an account's roles (%s)", platform, reason)
                await role_sync.settle(session, row)
                return
            delay = timedelta(seconds=30 * 2**row.attempts)
            await role_sync.postpone(session, row, self.clock.now() + delay)
        log.info("%s: roles will be synced again later (%s)", platform, reason)
