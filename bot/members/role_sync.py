"""Which platform accounts must have their server roles brought in line with Relais.

Relais' database is the source of truth for who is an active member of which category,
a referent or a coordinator; platforms with server roles (Discord) mirror it. Every
change that alters what a person should hold — joining, an approval, a move, an
appointment or its removal, an erasure, a link or an unlink — calls :func:`request` in
its own transaction. The request is a row of ``role_syncs`` (so a crash after the commit
loses nothing) naming the platform account, and a note in the session so the app applies
it as soon as the transaction has committed (:class:`RoleSyncer`, below). What the account
should hold is read again at that moment (:func:`wanted`), never carried in the request:
a later change always wins.

Nothing here knows how a platform applies roles: that is the adapter's business, behind
:class:`bot.core.port.RoleMirror`.

The syncer applies the queued requests through the platforms that mirror roles, outside
any update's transaction. Two ways in: right after an update committed, the app hands over
the accounts it requested (:meth:`RoleSyncer.sync`), so a member approved or moved gets
their roles within the same breath; and a background loop (:meth:`RoleSyncer.run`) drains
what is left — requests from jobs and the command line, passing failures retried with
back-off, and the daily reconciliation's checks. Rate limits are the platform library's own.

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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core import platform_state
from bot.core.clock import Clock
from bot.core.db import is_sqlite
from bot.core.port import (
    MemberRoles,
    Platform,
    Rejected,
    RoleMirror,
    RolesApplied,
    RolesRefused,
    TemporaryFailure,
)
from bot.models import (
    Identity,
    LevelReached,
    Member,
    MemberStatus,
    ReferentCategory,
    Role,
    RoleSync,
)

log = logging.getLogger(__name__)

#: Platforms whose adapter can mirror roles; accounts elsewhere need no request.
PLATFORMS = ("discord", "telegram")
#: ``session.info`` key: the accounts requested in this transaction.
REQUESTED = "relais.role_syncs"
URGENT, CHECK = 0, 1
#: ``platform_state`` key of the platform's last refusal, shown to coordinators (/stats).
PROBLEM_KEY = "roles.problem"

Account = tuple[str, str]


async def request(
    session: AsyncSession,
    *,
    members: Iterable[int] = (),
    accounts: Iterable[Account] = (),
) -> None:
    """Ask for the accounts of ``members`` (and the ``accounts`` named directly) to be
    brought in line once this transaction commits. Call it *before* deleting an
    erased member's identities, and after adding a new one."""
    pairs = {(platform, user) for platform, user in accounts if platform in PLATFORMS}
    member_ids = sorted(set(members))
    if member_ids:
        await session.flush()  # identities added in this transaction count too
        rows = await session.execute(
            select(Identity.platform, Identity.user_id).where(
                Identity.member_id.in_(member_ids), Identity.platform.in_(PLATFORMS)
            )
        )
        pairs.update((platform, user) for platform, user in rows)
    if not pairs:
        return
    insert = _insert(session)(RoleSync)
    table = RoleSync.__table__
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["platform", "user_id"],
            set_={
                "version": table.c.version + 1,
                "priority": URGENT,
                "attempts": 0,
                "not_before": None,
            },
        ),
        [_row(platform, user, URGENT) for platform, user in sorted(pairs)],
    )
    session.info.setdefault(REQUESTED, set()).update(pairs)


def requested(session: AsyncSession) -> set[Account]:
    """The accounts this session's transactions asked for (empty when none did)."""
    return set(session.info.get(REQUESTED, ()))


async def request_checks(
    session: AsyncSession,
    platform: str,
    *,
    after_id: int,
    limit: int,
    privileged_only: bool = False,
) -> int | None:
    """Queue a check of the next ``limit`` accounts on ``platform`` (by identity id,
    after ``after_id``), only referents' and coordinators' when ``privileged_only``;
    returns the last identity id queued, or None at the end. An account already
    waiting keeps its place: checks never delay a change."""
    query = select(Identity.id, Identity.user_id).where(
        Identity.platform == platform, Identity.id > after_id
    )
    if privileged_only:
        referent = exists().where(ReferentCategory.member_id == Identity.member_id)
        privileged = exists().where(Member.id == Identity.member_id, Member.role != Role.MEMBER)
        query = query.where(referent | privileged)
    rows = list(await session.execute(query.order_by(Identity.id).limit(limit)))
    if not rows:
        return None
    await request_check(session, platform, [user for _id, user in rows])
    return int(rows[-1][0])


async def request_check(session: AsyncSession, platform: str, user_ids: list[str]) -> None:
    """Queue a check of these accounts (someone holding a managed role without being
    known to Relais, say); an account already waiting keeps its place."""
    if not user_ids:
        return
    insert = _insert(session)(RoleSync).on_conflict_do_nothing(
        index_elements=["platform", "user_id"]
    )
    await session.execute(insert, [_row(platform, user, CHECK) for user in user_ids])


def _row(platform: str, user_id: str, priority: int) -> dict[str, Any]:
    return {
        "platform": platform,
        "user_id": user_id,
        "priority": priority,
        "version": 1,
        "attempts": 0,
        "not_before": None,
    }


def _insert(session: AsyncSession) -> Any:
    return sqlite.insert if is_sqlite(session) else postgresql.insert


async def wanted(
    session: AsyncSession, platform: str, user_ids: list[str]
) -> dict[str, MemberRoles]:
    """What each account should hold now; accounts without an active membership (or
    without any: erased, unlinked away, never joined) should hold nothing."""
    referent = exists().where(ReferentCategory.member_id == Member.id)
    level = (
        select(func.max(LevelReached.level))
        .where(LevelReached.member_id == Member.id)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            Identity.user_id,
            Member.status,
            Member.category,
            Member.role,
            referent,
            Identity.role_confirmed,
            level,
        )
        .join(Member, Member.id == Identity.member_id)
        .where(Identity.platform == platform, Identity.user_id.in_(user_ids))
    )
    # An account whose link still waits for the role's confirmation holds a member's only.
    found = {
        user: MemberRoles(
            category=category,
            referent=bool(is_referent) and confirmed,
            coordinator=role is Role.COORDINATOR and confirmed,
            level=reached or 0,
        )
        for user, status, category, role, is_referent, confirmed, reached in rows
        if status is MemberStatus.ACTIVE
    }
    return {user: found.get(user, MemberRoles()) for user in user_ids}


async def last_problem(session: AsyncSession, platform: str) -> str | None:
    """Why the platform last refused to change roles (``permission``, ``unknown_role``,
    ``refused``), unless a change went through since."""
    return await platform_state.get(session, platform, PROBLEM_KEY) or None


# -- the queue, for the syncer -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pending:
    id: int
    platform: str
    user_id: str
    version: int
    attempts: int


async def due(
    session: AsyncSession,
    platforms: Iterable[str],
    now: datetime,
    *,
    limit: int,
    accounts: Iterable[Account] | None = None,
) -> list[Pending]:
    """Requests the syncer may apply now: changes before checks, oldest first."""
    query = select(RoleSync).where(
        RoleSync.platform.in_(list(platforms)),
        (RoleSync.not_before.is_(None)) | (RoleSync.not_before <= now),
    )
    if accounts is not None:
        wanted_accounts = list(accounts)
        if not wanted_accounts:
            return []
        query = query.where(tuple_(RoleSync.platform, RoleSync.user_id).in_(wanted_accounts))
    rows = await session.scalars(query.order_by(RoleSync.priority, RoleSync.id).limit(limit))
    return [Pending(r.id, r.platform, r.user_id, r.version, r.attempts) for r in rows]


async def settle(session: AsyncSession, pending: Pending) -> None:
    """The request was applied (or can never be): forget it, unless it was asked for
    again meanwhile (its version moved), in which case it runs again."""
    await session.execute(
        delete(RoleSync).where(RoleSync.id == pending.id, RoleSync.version == pending.version)
    )


async def postpone(session: AsyncSession, pending: Pending, not_before: datetime) -> None:
    await session.execute(
        update(RoleSync)
        .where(RoleSync.id == pending.id, RoleSync.version == pending.version)
        .values(attempts=RoleSync.attempts + 1, not_before=not_before)
    )


# -- applying them ---------------------------------------------------------------

PAGE = 100
#: How often the background loop looks at the queue when nobody wakes it.
POLL_SECONDS = 60.0
MAX_ATTEMPTS = 5


class RoleSyncer:
    """Applies the queued requests through the platforms that mirror roles (see the
    module's docstring); one per app."""

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

    async def sync(self, accounts: Iterable[Account]) -> None:
        """Apply these accounts' requests now (an update just committed them)."""
        mirrors = self.mirrors()
        asked = [account for account in accounts if account[0] in mirrors]
        if not asked:
            return
        try:
            async with self.sessions() as session:
                rows = await due(
                    session, mirrors, self.clock.now(), limit=len(asked), accounts=asked
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
                rows = await due(session, mirrors, self.clock.now(), limit=PAGE)
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

    async def _apply(self, mirrors: Mapping[str, RoleMirror], rows: list[Pending]) -> None:
        by_platform: dict[str, list[Pending]] = {}
        for row in rows:
            by_platform.setdefault(row.platform, []).append(row)
        for name, pending in by_platform.items():
            async with self.sessions() as session:
                holding = await wanted(session, name, [row.user_id for row in pending])
            for row in pending:
                await self._one(mirrors[name], row, holding[row.user_id])

    async def _one(self, mirror: RoleMirror, row: Pending, roles: MemberRoles) -> None:
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
            await settle(session, row)
            if problem is not None:
                await platform_state.put(
                    session, mirror.name, PROBLEM_KEY, problem, self.clock.now()
                )
            elif outcome is RolesApplied.CHANGED:
                await platform_state.put(session, mirror.name, PROBLEM_KEY, "", self.clock.now())
        self.applied += 1

    async def _retry(self, platform: str, row: Pending, reason: str) -> None:
        async with self.sessions.begin() as session:
            if row.attempts + 1 >= MAX_ATTEMPTS:
                log.warning("%s: gave up syncing an account's roles (%s)", platform, reason)
                await settle(session, row)
                return
            delay = timedelta(seconds=30 * 2**row.attempts)
            await postpone(session, row, self.clock.now() + delay)
        log.info("%s: roles will be synced again later (%s)", platform, reason)
