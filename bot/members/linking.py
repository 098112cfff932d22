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

Only an active membership links: a pending applicant can neither issue a code nor use
one (a merge would otherwise make the application active without a coordinator).

A link never hands over a role above member by itself. The account that joins a referent's
or a coordinator's membership acts as a plain member (``Identity.role_confirmed`` is
False) until the role is confirmed (:mod:`bot.members.link_roles`): by a coordinator other than
that member, or, when there is none, by the member from an account that already held the
role. So a leaked code gives a stranger no more than a member's view, for as long as it
takes the issuer to notice.

``/unlink`` detaches the account it is sent from, and ``/unlink PLATFORM`` (or the button
under the "now linked" notice) lets the account that issued the code remove the account
that used it, with every account linked through it (:func:`revoke`): the membership, its
history and its role stay where they were. A detached account is no member at all: it
starts joining again like a newcomer (its own consent, then the registration mode decides
whether it is active or pending), so linking and unlinking never mints a membership.
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
from bot.members import link_throttle, role_sync
from bot.members.membership import CODE_ALPHABET, normalize_code
from bot.models import (
    Attendance,
    BadgeEarned,
    Base,
    Conversation,
    EventFeedback,
    Identity,
    LevelReached,
    LinkCode,
    Member,
    MemberStatus,
    Role,
    Rsvp,
)

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
    PENDING = "pending"  # the account sending the code is a pending applicant
    LOCKED = "locked"  # too many wrong codes from this account: try again later


#: Outcomes that count as a wrong code for :mod:`bot.members.link_throttle`.
WRONG = frozenset({Outcome.UNKNOWN, Outcome.EXPIRED, Outcome.USED})


@dataclass(frozen=True, slots=True)
class Redeemed:
    outcome: Outcome
    #: The member the identity now belongs to (when linked or merged).
    member: Member | None = None
    #: The identity that asked for the code, to tell it the link happened.
    issuer: Identity | None = None
    #: The account that used the code (when linked or merged).
    linked: Identity | None = None
    #: The membership's role waits for a coordinator's confirmation on some account
    #: (the one that used the code; after a merge, possibly the issuer's side).
    needs_confirmation: bool = False
    #: Until when the account is locked out (when :attr:`Outcome.LOCKED`).
    retry_at: datetime | None = None


def may_link(member: Member) -> bool:
    """Only an active membership issues or takes link codes."""
    return member.status is MemberStatus.ACTIVE


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
    """Apply a code sent by ``platform:user_id`` (who may not be a member yet). A wrong
    code is counted against the account (:mod:`bot.members.link_throttle`)."""
    now = clock.now()
    who = {"platform": platform, "user_id": user_id}
    locked = await link_throttle.locked_until(session, now, **who)
    if locked is not None:
        return Redeemed(Outcome.LOCKED, retry_at=locked)
    if member is not None and member.status is MemberStatus.PENDING:
        return Redeemed(Outcome.PENDING)
    result = await _apply(
        session,
        now,
        text,
        platform=platform,
        user_id=user_id,
        private_chat_id=private_chat_id,
        identity=identity,
        member=member,
    )
    if result.outcome in WRONG:
        retry_at = await link_throttle.wrong(session, now, **who)
        if retry_at is not None:
            return Redeemed(Outcome.LOCKED, retry_at=retry_at)
    elif result.member is not None:
        await link_throttle.forget(session, **who)
    return result


async def _apply(
    session: AsyncSession,
    now: datetime,
    text: str,
    *,
    platform: str,
    user_id: str,
    private_chat_id: str | None,
    identity: Identity | None,
    member: Member | None,
) -> Redeemed:
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
    if not may_link(target) or (not issuer.role_confirmed and target.role is not Role.MEMBER):
        return Redeemed(Outcome.UNKNOWN)  # no longer active, or a link waiting for its role
    if member is not None and member.id == target.id:
        return Redeemed(Outcome.ALREADY)
    taken = set(await _platforms(session, target.id))
    if platform in taken or (
        member is not None and taken & set(await _platforms(session, member.id))
    ):
        return Redeemed(Outcome.PLATFORM_TAKEN)

    if identity is None or member is None:
        confirmed = target.role is Role.MEMBER
        joined = Identity(
            platform=platform,
            user_id=user_id,
            member_id=target.id,
            private_chat_id=private_chat_id,
            linked_by_id=issuer.id,
            role_confirmed=confirmed,
        )
        session.add(joined)
        # A half-finished registration on this platform is no longer needed.
        await session.execute(
            delete(Conversation).where(
                Conversation.platform == platform, Conversation.user_id == user_id
            )
        )
        link.used_at = now
        await role_sync.request(session, members=[target.id])
        return Redeemed(Outcome.LINKED, target, issuer, joined, not confirmed)

    roles = (target.role, member.role)
    sides = (
        list(await session.scalars(select(Identity.id).where(Identity.member_id == target.id))),
        list(await session.scalars(select(Identity.id).where(Identity.member_id == member.id))),
    )
    try:
        async with session.begin_nested():
            await _merge(session, survivor=target, absorbed=member)
    except IntegrityError:
        return Redeemed(Outcome.CONFLICT)
    identity.member_id = target.id  # already so in the database; keeps the object in step
    identity.linked_by_id = issuer.id
    # Each side's accounts keep the role they had; a higher one reached by the merge waits.
    waiting = [ids for ids, role in zip(sides, roles, strict=True) if role.rank < target.role.rank]
    for ids in waiting:
        await session.execute(
            update(Identity).where(Identity.id.in_(ids)).values(role_confirmed=False)
        )
    await session.refresh(identity)
    await session.refresh(issuer)
    link.used_at = now
    await role_sync.request(session, members=[target.id])
    return Redeemed(Outcome.MERGED, target, issuer, identity, bool(waiting))


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
    # One answer, attendance and rating per member and event date: where both accounts
    # gave one, the survivor's stands.
    for model in (Rsvp, Attendance, EventFeedback):
        theirs = select(model.occurrence_id).where(model.member_id == new)
        await session.execute(
            delete(model).where(model.member_id == old, model.occurrence_id.in_(theirs))
        )
    # One row per member and level or badge: where both accounts reached it, the
    # survivor's stands.
    theirs_level = select(LevelReached.level).where(LevelReached.member_id == new)
    await session.execute(
        delete(LevelReached).where(
            LevelReached.member_id == old, LevelReached.level.in_(theirs_level)
        )
    )
    theirs_badge = select(BadgeEarned.badge).where(BadgeEarned.member_id == new)
    await session.execute(
        delete(BadgeEarned).where(BadgeEarned.member_id == old, BadgeEarned.badge.in_(theirs_badge))
    )
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


async def unlink(session: AsyncSession, identity: Identity, member: Member) -> bool:
    """Detach ``identity`` from ``member``: the account is no member any more and joins
    again like a newcomer. False when it is the member's only account, since there is
    nothing to separate."""
    others = await session.scalar(
        select(func.count())
        .select_from(Identity)
        .where(Identity.member_id == member.id, Identity.id != identity.id)
    )
    if not others:
        return False
    await _detach(session, member, [identity])
    return True


async def accounts(session: AsyncSession, member: Member) -> list[Identity]:
    """The member's accounts, in the order they joined."""
    rows = await session.scalars(
        select(Identity).where(Identity.member_id == member.id).order_by(Identity.id)
    )
    return list(rows)


async def revoke(
    session: AsyncSession, requester: Identity, member: Member, target: Identity
) -> list[Identity]:
    """``target`` leaves ``member``, with every account linked through it, when
    ``requester`` linked it in (directly or through accounts it linked); nothing (an empty
    list) otherwise. The membership keeps its history and its role."""
    members_accounts = await accounts(session, member)
    if (
        target.member_id != member.id
        or target.id == requester.id
        or requester.id not in _ancestors(target, members_accounts)
    ):
        return []
    leaving = [
        a for a in members_accounts if a is target or target.id in _ancestors(a, members_accounts)
    ]
    await _detach(session, member, leaving)
    return leaving


def _ancestors(account: Identity, accounts: list[Identity]) -> set[int]:
    """The accounts whose codes led to ``account``, among the member's ``accounts``."""
    by_id = {a.id: a for a in accounts}
    found: set[int] = set()
    current = by_id.get(account.linked_by_id) if account.linked_by_id is not None else None
    while current is not None and current.id not in found:
        found.add(current.id)
        parent = current.linked_by_id
        current = by_id.get(parent) if parent is not None else None
    return found


async def _detach(session: AsyncSession, member: Member, leaving: list[Identity]) -> None:
    """Remove these accounts from ``member``: their codes and flows go too, and the
    accounts they linked in now count as linked by whoever linked them."""
    await role_sync.request(
        session, members=[member.id], accounts=[(a.platform, a.user_id) for a in leaving]
    )
    ids = [a.id for a in leaving]
    for account in leaving:
        await session.execute(
            update(Identity)
            .where(Identity.linked_by_id == account.id, Identity.id.not_in(ids))
            .values(linked_by_id=account.linked_by_id)
        )
        await session.execute(
            delete(LinkCode).where(
                LinkCode.platform == account.platform, LinkCode.user_id == account.user_id
            )
        )
        await session.execute(
            delete(Conversation).where(
                Conversation.platform == account.platform, Conversation.user_id == account.user_id
            )
        )
        if member.preferred_platform == account.platform:
            member.preferred_platform = None  # that platform's account left
    await session.execute(delete(Identity).where(Identity.id.in_(ids)))
    for account in leaving:
        session.expunge(account)
