"""What recognition keeps about one member, for their data export (/mydata): the levels
they reached, their badges and the points awarded to them by hand, with the reasons.
Beside the privacy module (members may not import the recognition package above them);
it reads models only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import BadgeEarned, LevelReached, PointsAward


def _when(moment: datetime) -> str:
    return moment.isoformat()


async def recognition_of(session: AsyncSession, member_id: int) -> dict[str, Any]:
    levels = await session.scalars(
        select(LevelReached).where(LevelReached.member_id == member_id).order_by(LevelReached.id)
    )
    badges = await session.scalars(
        select(BadgeEarned).where(BadgeEarned.member_id == member_id).order_by(BadgeEarned.id)
    )
    awards = await session.scalars(
        select(PointsAward).where(PointsAward.member_id == member_id).order_by(PointsAward.id)
    )
    return {
        "levels_reached": [{"points": r.level, "at": _when(r.reached_at)} for r in levels],
        "badges": [{"badge": b.badge, "at": _when(b.earned_at)} for b in badges],
        "points_awarded": [
            {"points": a.points, "reason": a.reason, "by": a.awarded_by, "at": _when(a.created_at)}
            for a in awards
        ],
    }
