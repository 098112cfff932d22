"""What an occurrence gave, and what events gave over a period (for ``/stats``).

Results per occurrence: how many were invited, each answer, the waiting list, who came,
who said "going" and did not come (no-shows), the "How was it?" ratings, and the same
by category. Counted from the tables at the time asked: a member erased since is no
longer counted among the invited, and their answers went with them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation.events.rsvp import invitees
from bot.core.config import Settings
from bot.models import (
    Attendance,
    Event,
    EventFeedback,
    EventOccurrence,
    EventStatus,
    Member,
    Rsvp,
    RsvpAnswer,
)


@dataclass
class CategoryResults:
    invited: int = 0
    going: int = 0
    attended: int = 0


@dataclass
class Results:
    invited: int = 0
    going: int = 0
    maybe: int = 0
    no: int = 0
    waiting: int = 0
    attended: int = 0
    #: Said "going" and did not come.
    no_shows: int = 0
    #: Rating (1..3) → how many gave it.
    feedback: dict[int, int] = field(default_factory=lambda: dict.fromkeys((1, 2, 3), 0))
    by_category: dict[str, CategoryResults] = field(default_factory=dict)


async def results(
    session: AsyncSession, settings: Settings, occurrence: EventOccurrence
) -> Results:
    """The occurrence's results, by category in the config's order."""
    event = await session.get(Event, occurrence.event_id)
    found = Results()
    keys = [category.key for category in settings.categories]
    found.by_category = {key: CategoryResults() for key in keys}
    if event is None:
        return found
    for member in await invitees(session, event):
        found.invited += 1
        found.by_category.setdefault(member.category, CategoryResults()).invited += 1
    answers = await session.execute(
        select(Rsvp.answer, Member.category, func.count())
        .join(Member, Member.id == Rsvp.member_id)
        .where(Rsvp.occurrence_id == occurrence.id)
        .group_by(Rsvp.answer, Member.category)
    )
    for given, category, number in answers:
        answer = RsvpAnswer(given)
        setattr(found, answer.value, getattr(found, answer.value) + int(number))
        if answer is RsvpAnswer.GOING:
            found.by_category.setdefault(category, CategoryResults()).going += int(number)
    came = await session.execute(
        select(Member.category, func.count())
        .select_from(Attendance)
        .join(Member, Member.id == Attendance.member_id)
        .where(Attendance.occurrence_id == occurrence.id)
        .group_by(Member.category)
    )
    for category, number in came:
        found.attended += int(number)
        found.by_category.setdefault(category, CategoryResults()).attended += int(number)
    found.no_shows = int(
        await session.scalar(
            select(func.count())
            .select_from(Rsvp)
            .outerjoin(
                Attendance,
                and_(
                    Attendance.occurrence_id == Rsvp.occurrence_id,
                    Attendance.member_id == Rsvp.member_id,
                ),
            )
            .where(
                Rsvp.occurrence_id == occurrence.id,
                Rsvp.answer == RsvpAnswer.GOING,
                Attendance.id.is_(None),
            )
        )
        or 0
    )
    ratings = await session.execute(
        select(EventFeedback.rating, func.count())
        .where(EventFeedback.occurrence_id == occurrence.id)
        .group_by(EventFeedback.rating)
    )
    for rating, number in ratings:
        found.feedback[int(rating)] = int(number)
    return found


@dataclass(frozen=True)
class Held:
    """Events over a period: occurrences held (ended, not cancelled), "going" answers to
    them, how many of those came, and attendances in all (walk-ins included)."""

    held: int
    going: int
    came: int
    attended: int

    @property
    def rate(self) -> float | None:
        """The attendance rate: the share of "going" who came (None without any)."""
        return self.came / self.going if self.going else None


def _held(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [
        EventOccurrence.ends_at >= start,
        EventOccurrence.ends_at < end,
        EventOccurrence.cancelled_at.is_(None),
        Event.status == EventStatus.SCHEDULED,
    ]


async def held_between(session: AsyncSession, start: datetime, end: datetime) -> Held:
    """What events gave for occurrences that ended in ``[start, end)``."""
    conditions = _held(start, end)
    held = await session.scalar(
        select(func.count())
        .select_from(EventOccurrence)
        .join(Event, Event.id == EventOccurrence.event_id)
        .where(*conditions)
    )
    going_rows = await session.execute(
        select(Rsvp.answer, (Attendance.id.is_not(None)).label("came"), func.count())
        .select_from(Rsvp)
        .join(EventOccurrence, EventOccurrence.id == Rsvp.occurrence_id)
        .join(Event, Event.id == EventOccurrence.event_id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.occurrence_id == Rsvp.occurrence_id,
                Attendance.member_id == Rsvp.member_id,
            ),
        )
        .where(Rsvp.answer == RsvpAnswer.GOING, *conditions)
        .group_by(Rsvp.answer, "came")
    )
    tally: Counter[bool] = Counter()
    for _answer, came, number in going_rows:
        tally[bool(came)] += int(number)
    attended = await session.scalar(
        select(func.count())
        .select_from(Attendance)
        .join(EventOccurrence, EventOccurrence.id == Attendance.occurrence_id)
        .join(Event, Event.id == EventOccurrence.event_id)
        .where(*conditions)
    )
    return Held(
        held=int(held or 0),
        going=tally[True] + tally[False],
        came=tally[True],
        attended=int(attended or 0),
    )
