"""What happened in a week, for the Monday posts: leaderboards, newcomers, the most
improved member, who acted, actions by kind and per week. Queries, no wording.

What an action is and who "acted" comes from :mod:`bot.activity.engagement`, so these
numbers are the ones ``/stats`` shows. A Monday job reports on the last *complete* week
(Monday 00:00 to Monday 00:00, network time) before the instant it runs for, so a late
run, after downtime, still reports on the week it was due for.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.core.periods import week_start
from bot.models import Member, MemberStatus, PointsEntry, Report, ReportKind, Visibility


@dataclass(frozen=True, slots=True)
class Week:
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """Stable name of the week, for delivery keys: its start in UTC."""
        return self.start.strftime("%Y%m%dT%H%MZ")


def last_week(at: datetime, timezone: str) -> Week:
    """The complete week before ``at``."""
    end = week_start(at, timezone)
    return Week(week_start(end - timedelta(minutes=1), timezone), end)


def weeks_before(week: Week, count: int, timezone: str) -> list[Week]:
    """``count`` weeks ending with ``week``, oldest first."""
    weeks = [week]
    while len(weeks) < count:
        end = weeks[0].start
        weeks.insert(0, Week(week_start(end - timedelta(minutes=1), timezone), end))
    return weeks


def _active(category: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Member.status == MemberStatus.ACTIVE]
    if category is not None:
        conditions.append(Member.category == category)
    return conditions


async def newcomers(session: AsyncSession, week: Week, category: str | None) -> list[Member]:
    """Active members who joined during the week, oldest first."""
    rows = await session.scalars(
        select(Member)
        .where(*_active(category), Member.joined_at >= week.start, Member.joined_at < week.end)
        .order_by(Member.joined_at, Member.id)
    )
    return list(rows)


@dataclass(frozen=True, slots=True)
class Improvement:
    member_id: int
    display_name: str
    visibility: Visibility
    gain: int


async def most_improved(
    session: AsyncSession, week: Week, before: Week, category: str | None
) -> Improvement | None:
    """The public member whose points grew most from ``before`` to ``week`` (if anyone's did)."""
    gain = func.sum(
        case(
            (PointsEntry.created_at >= week.start, PointsEntry.points),
            else_=-PointsEntry.points,
        )
    )
    row = (
        await session.execute(
            select(Member.id, Member.display_name, Member.visibility, gain.label("gain"))
            .join(PointsEntry, PointsEntry.member_id == Member.id)
            .where(
                *_active(category),
                Member.visibility != Visibility.HIDDEN,
                PointsEntry.created_at >= before.start,
                PointsEntry.created_at < week.end,
            )
            .group_by(Member.id, Member.display_name, Member.visibility)
            .order_by(gain.desc(), Member.display_name, Member.id)
            .limit(1)
        )
    ).first()
    if row is None or int(row[3] or 0) <= 0:
        return None
    return Improvement(row[0], row[1], row[2], int(row[3]))


async def active_share(session: AsyncSession, week: Week) -> dict[str, tuple[int, int]]:
    """Per category: (active members who made an action during the week, active
    members who had joined by its end)."""
    acted = engagement.acted_between(week.start, week.end)
    rows = await session.execute(
        select(Member.category, func.count(), func.sum(case((acted, 1), else_=0)))
        .where(Member.status == MemberStatus.ACTIVE, Member.joined_at < week.end)
        .group_by(Member.category)
    )
    return {category: (int(done or 0), int(total)) for category, total, done in rows}


async def actions_by_kind(session: AsyncSession, week: Week, category: str) -> Counter[ReportKind]:
    rows = await session.execute(
        select(Report.kind, func.count())
        .join(Member, Member.id == Report.member_id)
        .where(Member.category == category, *engagement.actions_between(week.start, week.end))
        .group_by(Report.kind)
    )
    return Counter({kind: int(n) for kind, n in rows})


async def actions_per_week(session: AsyncSession, weeks: list[Week]) -> dict[str, list[int]]:
    """Actions per category (the reporter's) in each week, oldest first."""
    rows = await session.execute(
        select(Member.category, Report.created_at)
        .join(Member, Member.id == Report.member_id)
        .where(*engagement.actions_between(weeks[0].start, weeks[-1].end))
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    for category, created in rows:
        index = next(i for i, week in enumerate(weeks) if week.start <= created < week.end)
        counts[category][index] += 1
    return dict(counts)
