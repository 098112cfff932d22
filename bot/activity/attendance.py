"""What events gave over a period, for ``/stats``: dates held, "going" answers to them,
how many of those came, and attendances in all.

Here, below the events package (:mod:`bot.animation.events`), because ``/stats``
counts it and :mod:`bot.activity` may not import the animation packages. A date is
*held* when it ended in the period and was not cancelled. The *attendance rate* is the
share of members who said "going" and came (walk-ins are counted in ``attended`` but
not in the rate, which would otherwise pass 100 %).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Attendance, Event, EventOccurrence, EventStatus, Member, Rsvp, RsvpAnswer


@dataclass(frozen=True)
class Held:
    held: int = 0
    going: int = 0
    came: int = 0
    attended: int = 0

    @property
    def rate(self) -> float | None:
        """The share of "going" who came (None without any "going")."""
        return self.came / self.going if self.going else None


def _held(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [
        EventOccurrence.ends_at >= start,
        EventOccurrence.ends_at < end,
        EventOccurrence.cancelled_at.is_(None),
        Event.status == EventStatus.SCHEDULED,
    ]


def _addressed(category: str) -> ColumnElement[bool]:
    """Events for ``category``: those naming it, or for everyone (an empty list). JSON
    lists are matched on their text form, the same on SQLite and PostgreSQL."""
    listed = cast(Event.categories, String)
    return or_(listed == "[]", listed.like(f'%"{category}"%'))


async def held_between(
    session: AsyncSession, start: datetime, end: datetime, category: str | None = None
) -> Held:
    """Events' numbers for dates that ended in ``[start, end)``; with ``category``, the
    dates of events addressed to it (or to everyone) and its members' answers and
    attendances."""
    conditions = _held(start, end)
    dates = (
        select(func.count())
        .select_from(EventOccurrence)
        .join(Event, Event.id == EventOccurrence.event_id)
    )
    members: list[ColumnElement[bool]] = []
    if category is not None:
        dates = dates.where(_addressed(category))
        members = [Member.category == category]
    held = await session.scalar(dates.where(*conditions))
    going_rows = await session.execute(
        select((Attendance.id.is_not(None)).label("came"), func.count())
        .select_from(Rsvp)
        .join(EventOccurrence, EventOccurrence.id == Rsvp.occurrence_id)
        .join(Event, Event.id == EventOccurrence.event_id)
        .join(Member, Member.id == Rsvp.member_id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.occurrence_id == Rsvp.occurrence_id,
                Attendance.member_id == Rsvp.member_id,
            ),
        )
        .where(Rsvp.answer == RsvpAnswer.GOING, *conditions, *members)
        .group_by("came")
    )
    tally: Counter[bool] = Counter()
    for came, number in going_rows:
        tally[bool(came)] += int(number)
    attended = await session.scalar(
        select(func.count())
        .select_from(Attendance)
        .join(EventOccurrence, EventOccurrence.id == Attendance.occurrence_id)
        .join(Event, Event.id == EventOccurrence.event_id)
        .join(Member, Member.id == Attendance.member_id)
        .where(*conditions, *members)
    )
    return Held(
        held=int(held or 0),
        going=tally[True] + tally[False],
        came=tally[True],
        attended=int(attended or 0),
    )
