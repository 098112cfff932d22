"""What an occurrence gave, and what events gave over a period (for ``/stats``).

Results per occurrence: how many were invited, each answer, the waiting list, who came,
who said "going" and did not come (no-shows), the "How was it?" ratings, and the same
by category. Counted from the tables at the time asked: a member erased since is no
longer counted among the invited, and their answers went with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity.attendance import Held, held_between
from bot.animation.events.rsvp import invitees
from bot.core.config import Settings
from bot.models import (
    Attendance,
    Event,
    EventFeedback,
    EventOccurrence,
    Member,
    Rsvp,
    RsvpAnswer,
)

#: Events over a period, for ``/stats``: defined in :mod:`bot.activity.attendance`
#: (below this package, so ``/stats`` can count them).
__all__ = ["CategoryResults", "Held", "Results", "held_between", "results"]


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
