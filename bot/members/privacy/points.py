"""Their points and what they earned: the ledger's entries, the levels they reached, their
badges, the points awarded to them by hand (with the reasons), and the months they were
ambassador of.

``/mydata`` shows the ledger's entries and, under ``recognition``, the levels, badges and
awards. ``/forget`` keeps the ledger's points, anonymous like a report's, so totals and
everyone else's rank do not move (leaderboards only show active members); levels, badges
and awards were told once and are kept for nobody (an award's reason may name them); a
month they were ambassador of stays decided, naming nobody.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members.privacy._kind import Erasure, when
from bot.models import (
    BadgeEarned,
    LevelReached,
    Member,
    MonthlyAmbassador,
    PointsAward,
    PointsEntry,
)

ERASES = {
    "levels_reached": "deleted: announced once, kept for nobody",
    "badges_earned": "deleted: announced once, kept for nobody",
    "points_awards": "deleted: a coordinator's reason may name them (the ledger keeps the points)",
    "monthly_ambassadors": "anonymised: the month stays decided, naming nobody",
}
KEEPS = {
    "points_entries": "the ledger's points stay, anonymous like a report's, so totals and "
    "everyone else's rank do not move",
    "member_totals": "the anonymous husk's all-time sum of the ledger, kept by the ledger's "
    "triggers; leaderboards show active members only",
}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    entries = await session.scalars(
        select(PointsEntry).where(PointsEntry.member_id == member.id).order_by(PointsEntry.id)
    )
    levels = await session.scalars(
        select(LevelReached).where(LevelReached.member_id == member.id).order_by(LevelReached.id)
    )
    badges = await session.scalars(
        select(BadgeEarned).where(BadgeEarned.member_id == member.id).order_by(BadgeEarned.id)
    )
    awards = await session.scalars(
        select(PointsAward).where(PointsAward.member_id == member.id).order_by(PointsAward.id)
    )
    return {
        "points": [
            {
                "points": e.points,
                "reason": e.reason,
                "report_id": e.report_id,
                "at": when(e.created_at),
            }
            for e in entries
        ],
        "recognition": {
            "levels_reached": [{"points": r.level, "at": when(r.reached_at)} for r in levels],
            "badges": [{"badge": b.badge, "at": when(b.earned_at)} for b in badges],
            "points_awarded": [
                {
                    "points": a.points,
                    "reason": a.reason,
                    "by": a.awarded_by,
                    "at": when(a.created_at),
                }
                for a in awards
            ],
        },
    }


async def erase(erasure: Erasure) -> None:
    session, member_id = erasure.session, erasure.member.id
    for owned in (LevelReached, BadgeEarned, PointsAward):
        await session.execute(delete(owned).where(owned.member_id == member_id))
    await session.execute(
        update(MonthlyAmbassador)
        .where(MonthlyAmbassador.member_id == member_id)
        .values(member_id=None)
    )
