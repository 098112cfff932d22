"""One person, several platforms: one-time link codes, merging and separating identities.

``/link`` on platform A issues a short code (10 minutes, single use). Sending
``/link CODE`` from platform B joins B's identity to A's member, so points, reports and
rank are one. Three cases:

* B is not a member yet: its identity simply joins A's member (no second registration).
* B is already a member of its own: the two members are **merged** in the update's
  transaction. A's member survives (name, category, language, visibility, sponsor code);
  every row that points at B's member — reports, ledger entries, identities, and whatever
  other table references ``members`` — is moved to A's member, then B's member is
  deleted. The higher role is kept; a rejected status is never lifted by a merge. If a
  move would break a unique rule (both members hold the same one-per-member fact),
  nothing changes and the person is told to ask a coordinator.
* A member has at most one identity per platform, so linking a second account of the
  same platform is refused.

``/unlink`` detaches the identity it is sent from: it becomes a member of its own with
the same profile and no points; the history stays with the other identities.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.members import role_sync
from bot.members.membership import CODE_ALPHABET, normalize_code, unused_code
from bot.models import Base, Conversation, Identity, LinkCode, Member, MemberStatus, Role

CODE_LENGTH = 6
LIFETIME = timedelta(minutes=10)
#: Used and expired codes are kept this long, so a late attempt gets a precise answer.
KEEP = timedelta(days=1)


class Outcome(StrEnum):
    LINKED = "linked"  # a new identity joined the member
    MERGED = "merged"  # two members became one
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    SAME_PLATFORM = "same_platform"  # the code was sent from the platform that issued it
    ALREADY = "already"  # this identity already belongs to that member
    PLATFORM_TAKEN = "platform_taken"  # the member already has an identity on this platform
    CONFLICT = "conflict"  # merging would break a unique rule; nothing changed


@dataclass(frozen=True, slots=True)
class Redeemed:
    outcome: Outcome
    #: The member the identity now belongs to (when linked or merged).
    member: Member | None = None
    #: The identity that asked for the code, to tell it the link happened.
    issuer: Identity | None = None


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def issue(
    session: AsyncSession, clock: Clock, member: Member, identity: Identity
) -> LinkCode:
    """A fresh code for this identity; its earlier unused codes stop working."""
    now = clock.now()
    await session.execute(delete(LinkCode).where(LinkCode.expires_at < now - KEEP))
    await session.execute(
        delete(LinkCode).where(
            LinkCode.platform == identity.platform,
            LinkCode.user_id == identity.user_id,
            LinkCode.used_at.is_(None),
        )
    )
    while True:
        link = LinkCode(
            code=new_code(),
            member_id=member.id,
            platform=identity.platform,
            user_id=identity.user_id,
            created_at=now,
            expires_at=now + LIFETIME,
        )
        try:
            async with session.begin_nested():
                session.add(link)
        except IntegrityError:  # the same code is live elsewhere: draw again
            continue
        return link


async def redeem(
    session: AsyncSession,
    clock: Clock,
    text: str,
    *,
    platform: str,
    user_id: str,
    private_chat_id: str | None,
    identity: Identity | None,
    member: Member | None,
) -> Redeemed:
    """Apply a code sent by ``platform:user_id`` (who may not be a member yet)."""
    now = clock.now()
    link = await session.scalar(
        select(LinkCode).where(LinkCode.code == normalize_code(text)).with_for_update()
    )
    if link is None:
        return Redeemed(Outcome.UNKNOWN)
    if link.used_at is not None:
        return Redeemed(Outcome.USED)
    if link.expires_at <= now:
        return Redeemed(Outcome.EXPIRED)
    if link.platform == platform:
        return Redeemed(Outcome.SAME_PLATFORM)
    target = await session.get(Member, link.member_id)
    issuer = await session.scalar(
        select(Identity).where(Identity.platform == link.platform, Identity.user_id == link.user_id)
    )
    if target is None or issuer is None or issuer.member_id != target.id:
        return Redeemed(Outcome.UNKNOWN)  # the issuer unlinked or left since
    if member is not None and member.id == target.id:
        return Redeemed(Outcome.ALREADY)
    taken = set(await _platforms(session, target.id))
    if platform in taken or (
        member is not None and taken & set(await _platforms(session, member.id))
    ):
        return Redeemed(Outcome.PLATFORM_TAKEN)

    if identity is None or member is None:
        session.add(
            Identity(
                platform=platform,
                user_id=user_id,
                member_id=target.id,
                private_chat_id=private_chat_id,
            )
        )
        # A half-finished registration on this platform is no longer needed.
        await session.execute(
            delete(Conversation).where(
                Conversation.platform == platform, Conversation.user_id == user_id
            )
        )
        link.used_at = now
        await role_sync.request(session, members=[target.id])
        return Redeemed(Outcome.LINKED, target, issuer)

    try:
        async with session.begin_nested():
            await _merge(session, survivor=target, absorbed=member)
    except IntegrityError:
        return Redeemed(Outcome.CONFLICT)
    identity.member_id = target.id  # already so in the database; keeps the object in step
    link.used_at = now
    await role_sync.request(session, members=[target.id])
    return Redeemed(Outcome.MERGED, target, issuer)


async def _platforms(session: AsyncSession, member_id: int) -> list[str]:
    rows = await session.scalars(select(Identity.platform).where(Identity.member_id == member_id))
    return list(rows)


#: A merge keeps the "strongest" status: active over pending, and a rejection (or an
#: erasure) is never lifted by linking another account.
_STATUS_RANK = {
    MemberStatus.PENDING: 0,
    MemberStatus.ACTIVE: 1,
    MemberStatus.REJECTED: 2,
    MemberStatus.FORGOTTEN: 3,
}


async def _merge(session: AsyncSession, *, survivor: Member, absorbed: Member) -> None:
    """Move every reference from ``absorbed`` to ``survivor``, then delete ``absorbed``.

    The references are found in the metadata rather than listed here, so a table added
    later (nudges, deliveries...) is carried over too instead of being cascaded away.
    """
    await session.flush()
    old, new = absorbed.id, survivor.id
    members = Member.__table__
    if survivor.sponsor_id == old:
        survivor.sponsor_id = None
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table is not members or key.column.name != "id":
                continue
            column = key.parent
            statement = update(table).where(column == old).values({column.name: new})
            if table is members:  # who the absorbed member sponsored, but not the survivor
                statement = statement.where(members.c.id != new)
            await session.execute(statement)
    if max(survivor.role.rank, absorbed.role.rank) > survivor.role.rank:
        survivor.role = absorbed.role
    if _STATUS_RANK[absorbed.status] > _STATUS_RANK[survivor.status]:
        survivor.status = absorbed.status
    survivor.joined_at = min(survivor.joined_at, absorbed.joined_at)
    survivor.last_action_at = _latest(survivor.last_action_at, absorbed.last_action_at)
    if survivor.consent_at is None:  # e.g. imported, never claimed: the other one agreed
        survivor.consent_at, survivor.consent_version = (
            absorbed.consent_at,
            absorbed.consent_version,
        )
    survivor.email = survivor.email or absorbed.email
    survivor.phone = survivor.phone or absorbed.phone
    await session.flush()
    await session.execute(delete(Member).where(Member.id == old))
    session.expunge(absorbed)


def _latest(first: datetime | None, second: datetime | None) -> datetime | None:
    present = [moment for moment in (first, second) if moment is not None]
    return max(present) if present else None


async def unlink(
    session: AsyncSession, clock: Clock, identity: Identity, member: Member
) -> Member | None:
    """Give ``identity`` a member of its own (same profile, no history); ``None`` when it
    is the member's only identity, since there is nothing to separate."""
    others = await session.scalar(
        select(func.count())
        .select_from(Identity)
        .where(Identity.member_id == member.id, Identity.id != identity.id)
    )
    if not others:
        return None
    now = clock.now()
    alone = Member(
        display_name=member.display_name,
        status=member.status,
        role=Role.MEMBER,
        category=member.category,
        language=member.language,
        timezone=member.timezone,
        visibility=member.visibility,
        sponsor_code=await unused_code(session),
        sponsor_id=member.sponsor_id,
        consent_at=member.consent_at,
        consent_version=member.consent_version,
        joined_at=now,
    )
    session.add(alone)
    await session.flush()
    identity.member_id = alone.id
    if member.preferred_platform == identity.platform:
        member.preferred_platform = None  # that platform's account left with this one
    await role_sync.request(session, members=[alone.id, member.id])
    return alone
