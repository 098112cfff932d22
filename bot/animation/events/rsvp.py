"""Answering an occurrence: going, maybe, can't go; capacity, waiting list, deadline.

One answer per member and occurrence (a constraint); pressing another button changes it.
With a capacity, a "going" past the last place joins the waiting list, ordered by
``waiting_since``; when a place frees up (someone changes their mind, the capacity
grows) the oldest waiting member is promoted to going, and :func:`answer` returns who
was, so the caller tells them (the events job also tells any promotion it finds, under
the same delivery key, so nobody is told twice). The occurrence's row is locked while
counting, so two members pressing "Going" for the last place at once cannot both get it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.models import (
    Event,
    EventOccurrence,
    EventStatus,
    Member,
    MemberStatus,
    Role,
    Rsvp,
    RsvpAnswer,
)


class RsvpClosed(Exception):
    """Answers are closed: ``reason`` is ``deadline`` (the RSVP deadline passed),
    ``over`` (the occurrence ended) or ``cancelled``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotInvited(Exception):
    """The member is not among the event's invitees (another category, not active)."""


@dataclass
class Outcome:
    """What an answer did: the answer recorded (``waiting`` when "going" found the event
    full), who was promoted from the waiting list to going, and whether anything changed
    (False for the same button pressed twice)."""

    answer: RsvpAnswer
    promoted: list[int] = field(default_factory=list)
    changed: bool = True


def invited(event: Event, member: Member) -> bool:
    """Whether ``member`` is invited: an active member of one of the event's categories
    (any category when it has none), its author, or a coordinator (they run every
    category's events). Erased, pending and rejected people never are."""
    if member.status is not MemberStatus.ACTIVE:
        return False
    if member.id == event.author_id or member.role is Role.COORDINATOR:
        return True
    return not event.categories or member.category in event.categories


async def invitees(session: AsyncSession, event: Event) -> list[Member]:
    """The members the event addresses (its categories' active members; everyone's when
    it has none), by id: whom a private invitation goes to and results count as invited.
    Its author and coordinators of other categories may answer too, uninvited."""
    query = select(Member).where(Member.status == MemberStatus.ACTIVE).order_by(Member.id)
    if event.categories:
        query = query.where(Member.category.in_(event.categories))
    return list(await session.scalars(query))


def deadline(event: Event, occurrence: EventOccurrence) -> datetime:
    """When answers to ``occurrence`` close: the RSVP deadline, else its end."""
    if event.rsvp_hours_before is None:
        return occurrence.ends_at
    return min(occurrence.ends_at, occurrence.starts_at - timedelta(hours=event.rsvp_hours_before))


def closed_reason(event: Event, occurrence: EventOccurrence, now: datetime) -> str | None:
    """Why answers are closed at ``now`` (see :class:`RsvpClosed`), or None when open."""
    if event.status is EventStatus.CANCELLED or occurrence.cancelled_at is not None:
        return "cancelled"
    if now >= occurrence.ends_at:
        return "over"
    if now >= deadline(event, occurrence):
        return "deadline"
    return None


async def _going(session: AsyncSession, occurrence_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                Rsvp.occurrence_id == occurrence_id, Rsvp.answer == RsvpAnswer.GOING
            )
        )
        or 0
    )


async def _lock(session: AsyncSession, occurrence_id: int) -> None:
    """Serialize answers to one occurrence (PostgreSQL row lock; SQLite writes are
    serialized by its one-writer lock already)."""
    await session.execute(
        select(EventOccurrence.id).where(EventOccurrence.id == occurrence_id).with_for_update()
    )


async def answer(
    session: AsyncSession,
    occurrence: EventOccurrence,
    member: Member,
    answer: RsvpAnswer,
    now: datetime,
) -> Outcome:
    """Record ``member``'s answer to ``occurrence`` (``waiting`` is asked as ``going``).
    Raises :class:`NotInvited` for a member the event does not invite and
    :class:`RsvpClosed` after the deadline, the end, or a cancellation. Answering is a
    sign of life."""
    event = await session.get(Event, occurrence.event_id)
    if event is None:
        raise RsvpClosed("cancelled")
    if not invited(event, member):
        raise NotInvited()
    reason = closed_reason(event, occurrence, now)
    if reason is not None:
        raise RsvpClosed(reason)
    wanted = RsvpAnswer.GOING if answer is RsvpAnswer.WAITING else answer
    await _lock(session, occurrence.id)
    row = await session.scalar(
        select(Rsvp).where(Rsvp.occurrence_id == occurrence.id, Rsvp.member_id == member.id)
    )
    before = row.answer if row is not None else None
    engagement.sign_of_life(member, now)
    if before is wanted or (before is RsvpAnswer.WAITING and wanted is RsvpAnswer.GOING):
        assert before is not None
        return Outcome(answer=before, changed=False)
    recorded: RsvpAnswer = wanted
    if wanted is RsvpAnswer.GOING and event.capacity is not None:
        full = await _going(session, occurrence.id) >= event.capacity
        recorded = RsvpAnswer.WAITING if full else wanted
    waiting_since = now if recorded is RsvpAnswer.WAITING else None
    if row is None:
        row = Rsvp(
            occurrence_id=occurrence.id,
            member_id=member.id,
            answer=recorded,
            answered_at=now,
            waiting_since=waiting_since,
        )
        try:
            async with session.begin_nested():
                session.add(row)
        except IntegrityError:  # the same press handled twice at once: the other one won
            return Outcome(answer=recorded, changed=False)
    else:
        row.answer, row.answered_at, row.waiting_since = recorded, now, waiting_since
    await session.flush()
    promoted: list[int] = []
    if before is RsvpAnswer.GOING:
        promoted = await promote(session, event, occurrence, now)
    return Outcome(answer=recorded, promoted=promoted, changed=True)


async def promote(
    session: AsyncSession, event: Event, occurrence: EventOccurrence, now: datetime
) -> list[int]:
    """Move the oldest waiting members to going while places are free; returns their
    ids in order. A promoted answer keeps its ``waiting_since`` (the mark the events
    job tells promotions by)."""
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - await _going(session, occurrence.id)
        if free <= 0:
            return []
    query = (
        select(Rsvp)
        .where(Rsvp.occurrence_id == occurrence.id, Rsvp.answer == RsvpAnswer.WAITING)
        .order_by(Rsvp.waiting_since, Rsvp.id)
    )
    if free is not None:
        query = query.limit(free)
    rows = list(await session.scalars(query))
    for row in rows:
        row.answer, row.answered_at = RsvpAnswer.GOING, now
    await session.flush()
    return [row.member_id for row in rows]


async def counts(
    session: AsyncSession, occurrence_ids: Sequence[int]
) -> dict[int, dict[RsvpAnswer, int]]:
    """Per occurrence, how many members gave each answer (every answer present, 0 when
    none), in one query."""
    found: dict[int, dict[RsvpAnswer, int]] = {
        occurrence_id: dict.fromkeys(RsvpAnswer, 0) for occurrence_id in occurrence_ids
    }
    if not occurrence_ids:
        return found
    rows = await session.execute(
        select(Rsvp.occurrence_id, Rsvp.answer, func.count())
        .where(Rsvp.occurrence_id.in_(occurrence_ids))
        .group_by(Rsvp.occurrence_id, Rsvp.answer)
    )
    for occurrence_id, given, number in rows:
        found[occurrence_id][RsvpAnswer(given)] = int(number)
    return found


async def names(session: AsyncSession, occurrence_id: int) -> dict[RsvpAnswer, list[str]]:
    """Who gave each answer (display names; the waiting list in its order), for the
    coordinators' view of the card. Erased members are left out."""
    rows = await session.execute(
        select(Rsvp.answer, Member.display_name)
        .join(Member, Member.id == Rsvp.member_id)
        .where(Rsvp.occurrence_id == occurrence_id, Member.status != MemberStatus.FORGOTTEN)
        .order_by(Rsvp.waiting_since, Rsvp.answered_at, Rsvp.id)
    )
    found: dict[RsvpAnswer, list[str]] = defaultdict(list)
    for given, name in rows:
        found[RsvpAnswer(given)].append(name)
    return {key: found.get(key, []) for key in RsvpAnswer}


async def mine(session: AsyncSession, occurrence_id: int, member_id: int) -> RsvpAnswer | None:
    """The member's current answer to the occurrence, if any."""
    found = await session.scalar(
        select(Rsvp.answer).where(Rsvp.occurrence_id == occurrence_id, Rsvp.member_id == member_id)
    )
    return RsvpAnswer(found) if found is not None else None
