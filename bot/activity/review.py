"""Checking members' mentions: a referent (of its category) or a coordinator verifies
or rejects one. A rejection withdraws the mention's points by a compensating negative
entry (key ``reject:<report id>``): the ledger stays append-only, and a retried
rejection cannot withdraw twice. A rejected mention stays rejected; a verified one can
still be rejected (a coordinator overruling a referent)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.activity.engagement import REJECTED as REJECTED
from bot.core import audit
from bot.core.clock import Clock
from bot.members import roles
from bot.models import Member, MemberStatus, PointsEntry, Report, ReportEvent, ReportKind, Role

VERIFIED = "verified"
REJECT_REASON = "rejected"
QUEUE_SIZE = 5


class ReviewRefused(ValueError):
    """``reason``: ``scope`` (not this reviewer's category) or ``already`` (decided)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def may_review(session: AsyncSession, reviewer: Member, author_category: str) -> bool:
    """A coordinator, or a referent of the author's category (see :mod:`bot.members.roles`)."""
    return await roles.speaks_for(session, reviewer, author_category)


@dataclass(frozen=True, slots=True)
class Pending:
    report: Report
    author: str
    category: str
    points: int


async def load(session: AsyncSession, report_id: int) -> Pending | None:
    rows = await _pending(session, Report.id == report_id, lock=True)
    return rows[0] if rows else None


async def queue(
    session: AsyncSession, reviewer: Member, *, offset: int = 0, limit: int = QUEUE_SIZE
) -> tuple[list[Pending], int]:
    """A page of the mentions nobody has reviewed yet in this reviewer's scope, newest
    first, and how many there are in all."""
    where: list[ColumnElement[bool]] = [Report.review.is_(None)]
    if reviewer.role is not Role.COORDINATOR:
        mine = await roles.referent_categories(session, reviewer.id)
        where.append(Member.category.in_(mine))
    total = await session.scalar(
        select(func.count())
        .select_from(Report)
        .join(Member, Member.id == Report.member_id)
        .where(Report.kind == ReportKind.MENTION, Member.status != MemberStatus.FORGOTTEN, *where)
    )
    return await _pending(session, *where, limit=limit, offset=offset), int(total or 0)


async def _pending(
    session: AsyncSession,
    *where: ColumnElement[bool],
    limit: int | None = None,
    offset: int = 0,
    lock: bool = False,
) -> list[Pending]:
    points = (
        select(func.coalesce(func.sum(PointsEntry.points), 0))
        .where(PointsEntry.report_id == Report.id)
        .scalar_subquery()
    )
    query = (
        select(Report, Member.display_name, Member.category, points)
        .join(Member, Member.id == Report.member_id)
        .where(Report.kind == ReportKind.MENTION, Member.status != MemberStatus.FORGOTTEN, *where)
        .order_by(Report.created_at.desc(), Report.id.desc())
        .offset(offset)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(of=Report)
    rows = (await session.execute(query)).all()
    return [Pending(row[0], row[1], row[2], int(row[3])) for row in rows]


async def decide(
    session: AsyncSession,
    clock: Clock,
    pending: Pending,
    reviewer: Member,
    verdict: str,
    reason: str | None = None,
) -> int:
    """Record a verdict; return the points withdrawn (0 when verified)."""
    now = clock.now()
    report = pending.report
    if not await may_review(session, reviewer, pending.category):
        raise ReviewRefused("scope")
    if report.review == REJECTED or report.review == verdict:
        raise ReviewRefused("already")
    report.review = verdict
    engagement.sign_of_life(reviewer, now)  # reviewing is a referent's own work
    session.add(
        ReportEvent(
            report_id=report.id, actor_id=reviewer.id, action=verdict, note=reason, created_at=now
        )
    )
    audit.record(
        session,
        clock,
        actor_id=reviewer.id,
        action=f"mention.{verdict}",
        target_member_id=report.member_id,
        report_id=report.id,
    )
    if verdict != REJECTED or pending.points <= 0:
        return 0
    try:
        async with session.begin_nested():
            session.add(
                PointsEntry(
                    member_id=report.member_id,
                    points=-pending.points,
                    reason=REJECT_REASON,
                    report_id=report.id,
                    unique_key=f"reject:{report.id}",
                    created_at=now,
                )
            )
    except IntegrityError:
        return 0
    return pending.points
