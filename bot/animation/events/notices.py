"""The events job's steps: reminders, promotions told, occurrences closed (with "How was
it?"), the next dates of repeating events made and posted.

Each step is idempotent twice over: an :class:`~bot.models.EventNotice` row per
(occurrence, kind) is written in the same transaction as the deliveries it queues (a
re-run finds it and queues nothing), and every delivery's key names the occurrence and
the member. Steps follow :class:`jobs._queueing.QueueStep`: they return how many
deliveries were new, so the job wakes the sender only when needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Literal

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation.events import occurrences, posting, rsvp, words
from bot.animation.events.buttons import CalendarPress, FeedbackPress, RsvpPress
from bot.core.config import Settings
from bot.core.i18n import N_, Translator
from bot.core.port import Button, Message
from bot.delivery import audience
from bot.models import (
    Attendance,
    Event,
    EventNotice,
    EventOccurrence,
    EventStatus,
    Rsvp,
    RsvpAnswer,
)

REMINDER = N_("Reminder: “{title}” — {when}")
WHERE = N_("Place: {place}")
CANT_GO = N_("Can't go after all")
CALENDAR = N_("Add to calendar")
PROMOTED = N_("A place opened up: you are now going to “{title}” — {when}.")
HOW_WAS_IT = N_("Thanks for coming to “{title}”! How was it?")
RATINGS: dict[Literal["1", "2", "3"], str] = {
    "1": N_("Not great"),
    "2": N_("Good"),
    "3": N_("Great"),
}
#: Attendees of an occurrence closed later than this after its end are not asked.
FEEDBACK_WITHIN = timedelta(days=3)
#: Notice kinds (see :class:`~bot.models.EventNotice`).
CLOSED = "closed"
FEEDBACK = "feedback"


def reminder_kind(hours: int) -> str:
    return f"reminder:{hours}h"


def promoted_key(occurrence_id: int) -> str:
    """The key prefix of "a place opened up" (the member's ``:m<id>`` follows)."""
    return f"ev:{occurrence_id}:promoted"


async def _mark(session: AsyncSession, occurrence_id: int, kind: str, now: datetime) -> bool:
    """Write the notice; False when it existed (the step was done already)."""
    exists = await session.scalar(
        select(EventNotice.id).where(
            EventNotice.occurrence_id == occurrence_id, EventNotice.kind == kind
        )
    )
    if exists is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(EventNotice(occurrence_id=occurrence_id, kind=kind, at=now))
    except IntegrityError:  # another run wrote it first
        return False
    return True


async def _live(
    session: AsyncSession, *conditions: ColumnElement[bool]
) -> list[tuple[EventOccurrence, Event]]:
    rows = await session.execute(
        select(EventOccurrence, Event)
        .join(Event, Event.id == EventOccurrence.event_id)
        .where(
            Event.status == EventStatus.SCHEDULED,
            EventOccurrence.cancelled_at.is_(None),
            *conditions,
        )
        .order_by(EventOccurrence.starts_at, EventOccurrence.id)
    )
    return [(occurrence, event) for occurrence, event in rows]


async def _going(session: AsyncSession, occurrence_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(Rsvp.member_id)
            .where(Rsvp.occurrence_id == occurrence_id, Rsvp.answer == RsvpAnswer.GOING)
            .order_by(Rsvp.member_id)
        )
    )


def reminder(
    translator: Translator,
    settings: Settings,
    language: str,
    event: Event,
    occurrence: EventOccurrence,
) -> Message:
    """The reminder to someone going, with "Can't go after all" and the calendar file."""
    _ = translator.gettext
    lines = [
        _(language, REMINDER, title=event.title, when=words.when(settings, language, occurrence))
    ]
    if event.place:
        lines.append(_(language, WHERE, place=event.place))
    rows = [
        [Button(_(language, CANT_GO), RsvpPress(occurrence.id, RsvpAnswer.NO).pack())],
        [Button(_(language, CALENDAR), CalendarPress(occurrence.id).pack())],
    ]
    return Message.with_rows("\n".join(lines), rows)


async def remind(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Remind those going, ``[events] reminder_hours`` before each start. When several
    reminders are due at once (the bot was off, or the event was made late) only the one
    nearest the start goes, and the earlier ones are marked done."""
    hours = sorted(settings.events.reminder_hours)
    if not hours:
        return 0
    widest = timedelta(hours=hours[-1])
    queued = 0
    for occurrence, event in await _live(
        session, EventOccurrence.starts_at > now, EventOccurrence.starts_at <= now + widest
    ):
        due = [h for h in hours if now >= occurrence.starts_at - timedelta(hours=h)]
        if not due:
            continue
        nearest = due[0]
        fresh = await _mark(session, occurrence.id, reminder_kind(nearest), now)
        for later in due[1:]:
            await _mark(session, occurrence.id, reminder_kind(later), now)
        if not fresh:
            continue
        queued += await audience.tell_members(
            session,
            now=now,
            platforms=platforms,
            member_ids=await _going(session, occurrence.id),
            key_prefix=f"ev:{occurrence.id}:{reminder_kind(nearest)}",
            batch=posting.batch(occurrence.id),
            render=partial(reminder, translator, settings, event=event, occurrence=occurrence),
        )
    return queued


def promoted(
    translator: Translator,
    settings: Settings,
    language: str,
    event: Event,
    occurrence: EventOccurrence,
) -> Message:
    """ "A place opened up", with "Can't go after all" and the calendar file."""
    text = translator.gettext(
        language, PROMOTED, title=event.title, when=words.when(settings, language, occurrence)
    )
    rows = [
        [
            Button(
                translator.gettext(language, CANT_GO),
                RsvpPress(occurrence.id, RsvpAnswer.NO).pack(),
            )
        ],
        [Button(translator.gettext(language, CALENDAR), CalendarPress(occurrence.id).pack())],
    ]
    return Message.with_rows(text, rows)


async def tell_promoted(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
    occurrence_ids: Sequence[int] | None = None,
) -> int:
    """Tell members promoted from the waiting list (answer going, ``waiting_since`` still
    set) that a place opened, then clear the mark. A handler may call it right after
    :func:`bot.animation.events.rsvp.answer` with that occurrence (same keys: nobody is
    told twice); the job catches any promotion left. Places freed without an answer (a
    member erased, a capacity raised) are filled first."""
    await _fill(session, now, occurrence_ids)
    query = (
        select(Rsvp)
        .join(EventOccurrence, EventOccurrence.id == Rsvp.occurrence_id)
        .where(
            Rsvp.answer == RsvpAnswer.GOING,
            Rsvp.waiting_since.is_not(None),
            EventOccurrence.ends_at > now,
        )
    )
    if occurrence_ids is not None:
        query = query.where(Rsvp.occurrence_id.in_(occurrence_ids))
    rows = list(await session.scalars(query))
    by_occurrence: dict[int, list[Rsvp]] = {}
    for row in rows:
        by_occurrence.setdefault(row.occurrence_id, []).append(row)
    queued = 0
    for occurrence_id, promotions in by_occurrence.items():
        occurrence = await session.get(EventOccurrence, occurrence_id)
        event = await session.get(Event, occurrence.event_id) if occurrence else None
        if occurrence is None or event is None:
            continue
        queued += await audience.tell_members(
            session,
            now=now,
            platforms=platforms,
            member_ids=[row.member_id for row in promotions],
            key_prefix=promoted_key(occurrence_id),
            batch=posting.batch(occurrence_id),
            render=partial(promoted, translator, settings, event=event, occurrence=occurrence),
        )
        for row in promotions:
            row.waiting_since = None
    return queued


async def _fill(session: AsyncSession, now: datetime, occurrence_ids: Sequence[int] | None) -> None:
    """Promote the waiting list wherever a place is free."""
    waiting = select(Rsvp.occurrence_id).where(Rsvp.answer == RsvpAnswer.WAITING)
    if occurrence_ids is not None:
        waiting = waiting.where(Rsvp.occurrence_id.in_(occurrence_ids))
    for occurrence, event in await _live(
        session, EventOccurrence.ends_at > now, EventOccurrence.id.in_(waiting.distinct())
    ):
        await rsvp.promote(session, event, occurrence, now)


def how_was_it(
    translator: Translator, language: str, event: Event, occurrence: EventOccurrence
) -> Message:
    """ "How was it?" with three one-tap answers."""
    row = [
        Button(translator.gettext(language, label), FeedbackPress(occurrence.id, rating).pack())
        for rating, label in RATINGS.items()
    ]
    return Message.with_rows(translator.gettext(language, HOW_WAS_IT, title=event.title), [row])


async def close(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Close occurrences whose check-in window is over: mark them, ask attendees "How
    was it?" (unless closed days late), and post the next date of a repeating event.
    Cancelled occurrences are closed silently."""
    after = timedelta(minutes=settings.events.checkin_after_minutes)
    due = list(
        await session.scalars(
            select(EventOccurrence)
            .where(EventOccurrence.closed_at.is_(None), EventOccurrence.ends_at <= now - after)
            .order_by(EventOccurrence.ends_at, EventOccurrence.id)
        )
    )
    queued = 0
    for occurrence in due:
        occurrence.closed_at = now
        event = await session.get(Event, occurrence.event_id)
        if event is None or not await _mark(session, occurrence.id, CLOSED, now):
            continue
        live = event.status is EventStatus.SCHEDULED and occurrence.cancelled_at is None
        if not live:
            continue
        if now - occurrence.ends_at <= after + FEEDBACK_WITHIN and await _mark(
            session, occurrence.id, FEEDBACK, now
        ):
            attendees = list(
                await session.scalars(
                    select(Attendance.member_id)
                    .where(Attendance.occurrence_id == occurrence.id)
                    .order_by(Attendance.member_id)
                )
            )
            queued += await audience.tell_members(
                session,
                now=now,
                platforms=platforms,
                member_ids=attendees,
                key_prefix=f"ev:{occurrence.id}:{FEEDBACK}",
                batch=posting.batch(occurrence.id),
                render=partial(how_was_it, translator, event=event, occurrence=occurrence),
            )
        queued += await _post_next(session, settings, translator, event, platforms, now)
    return queued


async def _post_next(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    event: Event,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    if event.repeat == "none" or event.status is not EventStatus.SCHEDULED:
        return 0
    await occurrences.ensure_occurrences(session, settings, event, now)
    following = await occurrences.next_occurrence(session, event.id, now)
    if following is None:
        return 0
    return await posting.post(
        session, settings, translator, event, following, platforms=platforms, now=now
    )


async def materialize(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Keep ``[events] occurrences_ahead`` future dates of every repeating event (so
    members can answer them from ``/events``). Queues nothing."""
    repeating = list(
        await session.scalars(
            select(Event).where(Event.status == EventStatus.SCHEDULED, Event.repeat != "none")
        )
    )
    for event in repeating:
        await occurrences.ensure_occurrences(session, settings, event, now)
    return 0
