"""Approving applications: one outcome, however many coordinators press at once.

The decision is a conditional update (``pending`` → ``active`` or ``rejected``): the
first transaction to commit wins, any other finds nothing pending and reports who
decided. Approving a sponsored applicant credits the sponsor in the same transaction,
under a ledger key naming the applicant, so the sponsor is credited once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import audit
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.text import name_key
from bot.members import role_sync
from bot.models import AuditEntry, Member, MemberStatus, PointsEntry, Role

APPROVE = "member.approve"
REJECT = "member.reject"


@dataclass(frozen=True, slots=True)
class Decision:
    #: The applicant as they are now (None: no such member).
    member: Member | None
    #: True when this call made the decision; False when it had been made before.
    decided: bool
    #: Points credited to the sponsor by this call.
    sponsor_points: int = 0
    #: Who made the earlier decision, when ``decided`` is False.
    earlier_by: Member | None = None


async def decide(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    *,
    member_id: int,
    approve: bool,
    by: Member,
) -> Decision:
    now = clock.now()
    status = MemberStatus.ACTIVE if approve else MemberStatus.REJECTED
    result = await session.execute(
        update(Member)
        .where(Member.id == member_id, Member.status == MemberStatus.PENDING)
        .values(status=status)
    )
    member = await session.scalar(
        select(Member).where(Member.id == member_id).execution_options(populate_existing=True)
    )
    if not getattr(result, "rowcount", 0):
        return Decision(member, decided=False, earlier_by=await _decided_by(session, member_id))
    assert member is not None
    audit.record(
        session,
        clock,
        actor_id=by.id,
        action=APPROVE if approve else REJECT,
        target_member_id=member_id,
        category=member.category,
        sponsor_id=member.sponsor_id,
    )
    await role_sync.request(session, members=[member_id])
    points = 0
    if approve and member.sponsor_id is not None:
        points = await _credit_sponsor(session, settings, member, now)
    return Decision(member, decided=True, sponsor_points=points)


async def _credit_sponsor(
    session: AsyncSession, settings: Settings, member: Member, now: datetime
) -> int:
    points = settings.points.sponsor
    sponsor = await session.get(Member, member.sponsor_id)
    if points <= 0 or sponsor is None or sponsor.status is not MemberStatus.ACTIVE:
        return 0
    try:
        async with session.begin_nested():
            session.add(
                PointsEntry(
                    member_id=sponsor.id,
                    points=points,
                    reason="sponsor",
                    unique_key=f"sponsor:{member.id}",
                    created_at=now,
                )
            )
    except IntegrityError:
        return 0
    return points


async def _decided_by(session: AsyncSession, member_id: int) -> Member | None:
    actor = await session.scalar(
        select(AuditEntry.actor_id)
        .where(
            AuditEntry.target_member_id == member_id,
            AuditEntry.action.in_((APPROVE, REJECT)),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return await session.get(Member, actor) if actor is not None else None


async def coordinator_namesake(session: AsyncSession, member: Member) -> Member | None:
    """A coordinator whose name looks the same as ``member``'s (case and accents
    aside), so that an application posing as a coordinator is seen before approval."""
    key = name_key(member.display_name)
    if not key:
        return None
    coordinators = await session.scalars(
        select(Member).where(
            Member.role == Role.COORDINATOR,
            Member.id != member.id,
            Member.status != MemberStatus.FORGOTTEN,
        )
    )
    return next((c for c in coordinators if name_key(c.display_name) == key), None)


async def pending(session: AsyncSession, limit: int, offset: int = 0) -> tuple[list[Member], int]:
    """A page of the applications, oldest first, and how many there are in all."""
    total = int(
        await session.scalar(select(func.count()).where(Member.status == MemberStatus.PENDING)) or 0
    )
    rows = list(
        await session.scalars(
            select(Member)
            .where(Member.status == MemberStatus.PENDING)
            .order_by(Member.joined_at, Member.id)
            .offset(offset)
            .limit(limit)
        )
    )
    return rows, total


async def waiting_since(session: AsyncSession, before: datetime) -> tuple[int, Member | None]:
    """How many applications were sent before ``before`` and still wait, and the oldest:
    what the coordinators' reminder and digest say."""
    waiting = (Member.status == MemberStatus.PENDING, Member.joined_at < before)
    count = int(await session.scalar(select(func.count()).where(*waiting)) or 0)
    oldest = await session.scalar(
        select(Member).where(*waiting).order_by(Member.joined_at, Member.id).limit(1)
    )
    return count, oldest
