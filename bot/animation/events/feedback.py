"""After an occurrence: attendees' one-tap "How was it?" (1 to 3).

Only those who attended may rate (the job asks only them, and a forged press from
anyone else is refused); one rating per member and occurrence (a constraint), and
pressing another choice changes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Attendance, EventFeedback

RATINGS = (1, 2, 3)


async def record(
    session: AsyncSession, occurrence_id: int, member_id: int, rating: int, now: datetime
) -> bool:
    """Record (or change) the member's rating; False when they did not attend or the
    rating is not 1..3."""
    if rating not in RATINGS:
        return False
    attended = await session.scalar(
        select(Attendance.id).where(
            Attendance.occurrence_id == occurrence_id, Attendance.member_id == member_id
        )
    )
    if attended is None:
        return False
    row = await session.scalar(
        select(EventFeedback).where(
            EventFeedback.occurrence_id == occurrence_id, EventFeedback.member_id == member_id
        )
    )
    if row is not None:
        row.rating, row.at = rating, now
        return True
    try:
        async with session.begin_nested():
            session.add(
                EventFeedback(
                    occurrence_id=occurrence_id, member_id=member_id, rating=rating, at=now
                )
            )
    except IntegrityError:  # the same press twice at once: the other one recorded it
        pass
    return True
