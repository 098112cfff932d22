"""Who animates the network: referents of categories and coordinators.

``Member.role`` is the highest role (it opens the commands); ``referent_categories`` says
which categories a referent speaks for, so a referent of *business* cannot post to
*sport*. The two are kept in step here and nowhere else. Roles from the config file
(``[roles]``) are applied when the person is seen and cannot be removed by a command
(the file would grant them again): the file is changed instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import ids
from bot.core.config import Settings
from bot.members import role_sync
from bot.models import Identity, Member, MemberStatus, ReferentCategory, Role


async def referent_categories(session: AsyncSession, member_id: int) -> list[str]:
    rows = await session.scalars(
        select(ReferentCategory.category)
        .where(ReferentCategory.member_id == member_id)
        .order_by(ReferentCategory.category)
    )
    return list(rows)


async def speaks_for(session: AsyncSession, member: Member, category: str) -> bool:
    """A coordinator speaks for every category, a referent for their own only."""
    if member.status is not MemberStatus.ACTIVE:
        return False
    if member.role is Role.COORDINATOR:
        return True
    if member.role is not Role.REFERENT:
        return False
    return category in await referent_categories(session, member.id)


async def categories_of(session: AsyncSession, settings: Settings, member: Member) -> list[str]:
    """The categories this member may animate: all for a coordinator."""
    if member.role is Role.COORDINATOR:
        return [category.key for category in settings.categories]
    if member.role is Role.REFERENT:
        return await referent_categories(session, member.id)
    return []


def _config_categories(settings: Settings, identities: Iterable[str]) -> set[str]:
    names = set(identities)
    return {
        category
        for category, people in settings.roles.referents.items()
        if names.intersection(people)
    }


async def identities_of(session: AsyncSession, member_id: int) -> list[str]:
    rows = await session.execute(
        select(Identity.platform, Identity.user_id).where(Identity.member_id == member_id)
    )
    return [f"{platform}:{user}" for platform, user in rows]


async def apply_bootstrap(
    session: AsyncSession, settings: Settings, identity: str, member: Member, now: datetime
) -> None:
    """Give the roles the config file grants this identity: exactly the referent
    categories listed for it (never another), and the coordinator role. Only raises."""
    changed = False
    if identity in settings.roles.coordinators and member.role is not Role.COORDINATOR:
        member.role = Role.COORDINATOR
        changed = True
    wanted = _config_categories(settings, [identity])
    have = set(await referent_categories(session, member.id)) if wanted else set()
    for category in sorted(wanted - have):
        session.add(
            ReferentCategory(
                member_id=member.id, category=category, appointed_by=None, appointed_at=now
            )
        )
        changed = True
    if wanted and member.role is Role.MEMBER:
        member.role = Role.REFERENT
        changed = True
    await session.flush()
    if changed:
        await role_sync.request(session, members=[member.id])


class Change(StrEnum):
    """What an appointment did; handlers turn it into words."""

    DONE = "done"
    ALREADY = "already"
    NOT_ACTIVE = "not_active"
    #: Granted by the config file: remove it there.
    FROM_CONFIG = "from_config"
    #: The last coordinator cannot step down (nobody could appoint anyone any more).
    LAST = "last"


async def appoint_referent(
    session: AsyncSession, member: Member, category: str, *, by: int, now: datetime
) -> Change:
    if member.status is not MemberStatus.ACTIVE:
        return Change.NOT_ACTIVE
    if category in await referent_categories(session, member.id):
        return Change.ALREADY
    session.add(
        ReferentCategory(member_id=member.id, category=category, appointed_by=by, appointed_at=now)
    )
    if member.role is Role.MEMBER:
        member.role = Role.REFERENT
    await role_sync.request(session, members=[member.id])
    return Change.DONE


async def remove_referent(
    session: AsyncSession, settings: Settings, member: Member, category: str
) -> Change:
    if category in _config_categories(settings, await identities_of(session, member.id)):
        return Change.FROM_CONFIG
    result = await session.execute(
        delete(ReferentCategory).where(
            ReferentCategory.member_id == member.id, ReferentCategory.category == category
        )
    )
    if not getattr(result, "rowcount", 0):
        return Change.ALREADY
    if member.role is Role.REFERENT and not await referent_categories(session, member.id):
        member.role = Role.MEMBER
    await role_sync.request(session, members=[member.id])
    return Change.DONE


async def appoint_coordinator(session: AsyncSession, member: Member) -> Change:
    if member.status is not MemberStatus.ACTIVE:
        return Change.NOT_ACTIVE
    if member.role is Role.COORDINATOR:
        return Change.ALREADY
    member.role = Role.COORDINATOR
    await role_sync.request(session, members=[member.id])
    return Change.DONE


async def lock_coordinators(session: AsyncSession) -> list[int]:
    """The active coordinators, locked until the caller's transaction ends, so that
    two transactions each removing (or erasing) a different coordinator cannot both
    count the other as the one who stays.

    On PostgreSQL the rows are taken ``FOR UPDATE`` in id order: the second transaction
    waits, then sees the first one's change (a row no longer a coordinator drops out).
    On SQLite every transaction starts with ``BEGIN IMMEDIATE`` (:mod:`bot.core.db`):
    writers already run one at a time. The caller's ``Member`` objects are refreshed,
    so what it reads next is what was committed before the lock."""
    rows = list(
        await session.scalars(
            select(Member)
            .where(Member.role == Role.COORDINATOR, Member.status == MemberStatus.ACTIVE)
            .order_by(Member.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    return [member.id for member in rows]


async def is_last_coordinator(session: AsyncSession, member: Member) -> bool:
    """This member is the only active coordinator left (checked under the lock)."""
    coordinators = await lock_coordinators(session)
    await session.refresh(member)
    return member.id in coordinators and len(coordinators) == 1


async def remove_coordinator(session: AsyncSession, settings: Settings, member: Member) -> Change:
    coordinators = await lock_coordinators(session)
    await session.refresh(member)
    if member.role is not Role.COORDINATOR:
        return Change.ALREADY
    if set(await identities_of(session, member.id)) & set(settings.roles.coordinators):
        return Change.FROM_CONFIG
    if not [other for other in coordinators if other != member.id]:
        return Change.LAST
    member.role = Role.REFERENT if await referent_categories(session, member.id) else Role.MEMBER
    await role_sync.request(session, members=[member.id])
    return Change.DONE


# -- naming a member in a command ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lookup:
    """The member a word names, or the candidates when a name is ambiguous."""

    member: Member | None
    candidates: tuple[Member, ...] = ()


def member_number(word: str) -> int | None:
    """``#12`` or ``12`` → 12: the member number shown in /pending, /members and cards."""
    return ids.row_id(word)


async def find_member(session: AsyncSession, word: str) -> Lookup:
    """A member by number (``#12``), or by display name (``@Alice`` or ``Alice``, any
    case) when exactly one member has it. Numbers work on every platform; names are a
    convenience that stops at homonyms."""
    number = member_number(word)
    if number is not None:
        found = await session.get(Member, number)
        return Lookup(found if found and found.status is not MemberStatus.FORGOTTEN else None)
    name = word.removeprefix("@").lower()
    if not name:
        return Lookup(None)
    rows = list(
        await session.scalars(
            select(Member)
            .where(
                func.lower(Member.display_name) == name,
                Member.status.not_in((MemberStatus.REJECTED, MemberStatus.FORGOTTEN)),
            )
            .order_by(Member.id)
            .limit(5)
        )
    )
    if len(rows) == 1:
        return Lookup(rows[0])
    return Lookup(None, tuple(rows))
