"""Which platform accounts must have their server roles brought in line with Relais.

Relais' database is the source of truth for who is an active member of which category,
a referent or a coordinator; platforms with server roles (Discord) mirror it. Every
change that alters what a person should hold — joining, an approval, a move, an
appointment or its removal, an erasure, a link or an unlink — calls :func:`request` in
its own transaction. The request is a row of ``role_syncs`` (so a crash after the commit
loses nothing) naming the platform account, and a note in the session so the app applies
it as soon as the transaction has committed (:mod:`bot.members.role_syncer`). What the account
should hold is read again at that moment (:func:`wanted`), never carried in the request:
a later change always wins.

Nothing here knows how a platform applies roles: that is the adapter's business, behind
:class:`bot.core.port.RoleMirror`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import platform_state
from bot.core.db import is_sqlite
from bot.core.port import MemberRoles
from bot.models import Identity, Member, MemberStatus, ReferentCategory, Role, RoleSync

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
    rows = await session.execute(
        select(Identity.user_id, Member.status, Member.category, Member.role, referent)
        .join(Member, Member.id == Identity.member_id)
        .where(Identity.platform == platform, Identity.user_id.in_(user_ids))
    )
    found = {
        user: MemberRoles(
            category=category,
            referent=bool(is_referent),
            coordinator=role is Role.COORDINATOR,
        )
        for user, status, category, role, is_referent in rows
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
