"""Their part in events: their answers (going, maybe, can't go, waiting list), their
check-ins and their "How was it?" ratings.

``/mydata`` shows all three. ``/forget`` deletes them: a place they held frees up (the
events job promotes the waiting list), and the counts of past events lose them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members.privacy._kind import Erasure, when
from bot.models import Attendance, EventFeedback, Member, Rsvp

ERASES = {
    "event_rsvps": "deleted: their place frees up for the waiting list",
    "event_attendances": "deleted: the counts of past events lose them",
    "event_feedback": "deleted: the ratings of past events lose theirs",
}
KEEPS: dict[str, str] = {}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    rsvps = await session.scalars(select(Rsvp).where(Rsvp.member_id == member.id).order_by(Rsvp.id))
    attended = await session.scalars(
        select(Attendance).where(Attendance.member_id == member.id).order_by(Attendance.id)
    )
    ratings = await session.scalars(
        select(EventFeedback).where(EventFeedback.member_id == member.id).order_by(EventFeedback.id)
    )
    return {
        "event_answers": [
            {
                "occurrence": r.occurrence_id,
                "answer": r.answer.value,
                "at": when(r.answered_at),
                "waiting_since": when(r.waiting_since),
            }
            for r in rsvps
        ],
        "event_attendance": [
            {"occurrence": a.occurrence_id, "how": a.how, "at": when(a.at)} for a in attended
        ],
        "event_feedback": [
            {"occurrence": f.occurrence_id, "rating": f.rating, "at": when(f.at)} for f in ratings
        ],
    }


async def erase(erasure: Erasure) -> None:
    for model in (Rsvp, Attendance, EventFeedback):
        await erasure.session.execute(delete(model).where(model.member_id == erasure.member.id))
