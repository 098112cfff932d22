"""Creating, editing and cancelling events.

A :class:`Draft` is what the author's flow gathers; :func:`create` writes the event and
its first occurrences in one transaction. :func:`update` and :func:`cancel` are audited
(who changed what, when); cancelling returns who must be told, and doing it twice tells
nobody twice (the second call finds nothing left to cancel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation.events import occurrences
from bot.core import audit
from bot.core.bilingual import Bilingual
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.models import Event, EventOccurrence, EventStatus, Rsvp, RsvpAnswer

MAX_TITLE = 120
MAX_TEXT = 2000
MAX_PLACE = 300
MAX_CAPACITY = 100_000
_WHEN = re.compile(
    r"^(?:(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?|(\d{4})-(\d{1,2})-(\d{1,2}))"
    r"(?:[ T]+(\d{1,2})(?:[:hH](\d{2})?)?)?$"
)
#: What :func:`update` may change.
EDITABLE = frozenset(
    {
        "title", "text", "place", "starts_at", "ends_at", "categories", "capacity",
        "rsvp_hours_before", "repeat", "repeat_until", "points", "private_invites",
    }
)  # fmt: skip
#: Changes that move the dates of occurrences not yet started.
_TIMING = frozenset({"starts_at", "ends_at", "repeat", "repeat_until"})


@dataclass
class Draft:
    """An event being written: everything the preview shows and :func:`create` stores."""

    title: str = ""
    text: Bilingual = field(default_factory=Bilingual)
    place: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    #: Category keys; empty means everyone.
    categories: tuple[str, ...] = ()
    capacity: int | None = None
    rsvp_hours_before: int | None = None
    repeat: str = "none"
    repeat_until: date | None = None
    points: int = 0
    private_invites: bool = False
    #: A kit item attendees are asked to share.
    kit_item_id: int | None = None


def parse_when(text: str, settings: Settings, now: datetime) -> datetime | None:
    """A local date and time the author typed ("20/03/2027 18:30", "20/03 18h30",
    "2027-03-20 18:30"; a day without a year is the next such day), as UTC in the
    network's zone; None when it is not one or is already past."""
    match = _WHEN.match(" ".join(text.strip().split()))
    if match is None:
        return None
    zone = ZoneInfo(settings.network.timezone)
    today = now.astimezone(zone).date()
    try:
        if match[4]:
            day = date(int(match[4]), int(match[5]), int(match[6]))
        else:
            day = date(int(match[3]) if match[3] else today.year, int(match[2]), int(match[1]))
            if not match[3] and day < today:
                day = day.replace(year=today.year + 1)
        hour, minute = int(match[7] or 0), int(match[8] or 0)
        moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    except ValueError:
        return None
    result = moment.astimezone(UTC)
    if result <= now or result > occurrences.horizon(settings, now):
        return None
    return result


async def create(
    session: AsyncSession, settings: Settings, draft: Draft, author_id: int | None, now: datetime
) -> Event:
    """Write the event and its first occurrences (audited). The draft must be complete
    (title, start, end after the start); raises ValueError otherwise."""
    if not draft.title.strip() or draft.starts_at is None or draft.ends_at is None:
        raise ValueError("a draft needs a title, a start and an end")
    if draft.ends_at <= draft.starts_at:
        raise ValueError("the end comes before the start")
    if occurrences.parse_repeat(draft.repeat) != draft.repeat:
        raise ValueError(f"unknown repeat rule {draft.repeat!r}")
    event = Event(
        author_id=author_id,
        title=draft.title.strip()[:MAX_TITLE],
        text_fr=draft.text.fr[:MAX_TEXT],
        text_en=draft.text.en[:MAX_TEXT],
        place=draft.place.strip()[:MAX_PLACE],
        categories=list(draft.categories),
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        repeat=draft.repeat,
        repeat_until=draft.repeat_until,
        capacity=draft.capacity,
        rsvp_hours_before=draft.rsvp_hours_before,
        points=draft.points,
        private_invites=draft.private_invites,
        kit_item_id=draft.kit_item_id,
        status=EventStatus.SCHEDULED,
        created_at=now,
    )
    session.add(event)
    await session.flush()
    await occurrences.ensure_occurrences(session, settings, event, now)
    audit.record(
        session, FrozenClock(now), actor_id=author_id, action="event.create", event_id=event.id
    )
    return event


def _apply(event: Event, key: str, value: Any) -> None:
    if key == "text":
        text = value if isinstance(value, Bilingual) else Bilingual.of(value)
        event.text_fr, event.text_en = text.fr[:MAX_TEXT], text.en[:MAX_TEXT]
    elif key == "categories":
        event.categories = list(value)
    elif key == "title":
        event.title = str(value).strip()[:MAX_TITLE]
    elif key == "place":
        event.place = str(value).strip()[:MAX_PLACE]
    else:
        setattr(event, key, value)


async def update(
    session: AsyncSession,
    settings: Settings,
    event: Event,
    changes: dict[str, Any],
    actor_id: int | None,
    now: datetime,
) -> Event:
    """Change an event (keys of :data:`EDITABLE`; ``text`` takes a :class:`Bilingual`),
    audited with the names of the fields changed. A change of time or repeat moves the
    occurrences not yet started (an occurrence the new rule no longer has is
    cancelled); a larger capacity promotes the waiting list (see
    :func:`bot.animation.events.rsvp.promote`). Raises ValueError for an unknown field
    or an end before the start."""
    from bot.animation.events import rsvp  # rsvp builds on this module's neighbours

    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    if "repeat" in changes and occurrences.parse_repeat(changes["repeat"]) != changes["repeat"]:
        raise ValueError(f"unknown repeat rule {changes['repeat']!r}")
    for key, value in changes.items():
        _apply(event, key, value)
    if event.ends_at <= event.starts_at:
        raise ValueError("the end comes before the start")
    if _TIMING & set(changes):
        await _retime(session, settings, event, now)
    await occurrences.ensure_occurrences(session, settings, event, now)
    if "capacity" in changes:
        for occurrence in await _upcoming(session, event.id, now):
            await rsvp.promote(session, event, occurrence, now)
    audit.record(
        session,
        FrozenClock(now),
        actor_id=actor_id,
        action="event.update",
        event_id=event.id,
        fields=sorted(changes),
    )
    return event


async def _upcoming(session: AsyncSession, event_id: int, now: datetime) -> list[EventOccurrence]:
    return list(
        await session.scalars(
            select(EventOccurrence)
            .where(
                EventOccurrence.event_id == event_id,
                EventOccurrence.starts_at > now,
                EventOccurrence.cancelled_at.is_(None),
            )
            .order_by(EventOccurrence.number)
        )
    )


async def _retime(session: AsyncSession, settings: Settings, event: Event, now: datetime) -> None:
    upcoming = await _upcoming(session, event.id, now)
    if not upcoming:
        return
    last = max(occurrence.number for occurrence in upcoming)
    dates: dict[int, tuple[datetime, datetime]] = {}
    for number, start, end in occurrences.series(event, settings):
        if number > last:
            break
        dates[number] = (start, end)
    for occurrence in upcoming:
        found = dates.get(occurrence.number)
        if found is None or found[0] <= now:
            occurrence.cancelled_at = now
        else:
            occurrence.starts_at, occurrence.ends_at = found


async def cancel(
    session: AsyncSession,
    settings: Settings,
    event_or_occurrence: Event | EventOccurrence,
    actor_id: int | None,
    now: datetime,
) -> list[int]:
    """Cancel a whole event (its occurrences not yet over) or one occurrence, audited.
    Returns the ids of members who said going, maybe or waiting for what was cancelled,
    to tell them; a second call returns [] (nothing left to cancel)."""
    if isinstance(event_or_occurrence, Event):
        event = event_or_occurrence
        targets = list(
            await session.scalars(
                select(EventOccurrence).where(
                    EventOccurrence.event_id == event.id,
                    EventOccurrence.ends_at > now,
                    EventOccurrence.cancelled_at.is_(None),
                )
            )
        )
        already = event.status is EventStatus.CANCELLED
        event.status = EventStatus.CANCELLED
        subject: dict[str, int] = {"event_id": event.id}
    else:
        occurrence = event_or_occurrence
        already = occurrence.cancelled_at is not None
        targets = [] if already else [occurrence]
        subject = {"event_id": occurrence.event_id, "occurrence_id": occurrence.id}
    if already and not targets:
        return []
    ids = [target.id for target in targets]
    if ids:
        await session.execute(
            sql_update(EventOccurrence)
            .where(EventOccurrence.id.in_(ids), EventOccurrence.cancelled_at.is_(None))
            .values(cancelled_at=now)
        )
        for target in targets:
            target.cancelled_at = now
    told = (
        list(
            await session.scalars(
                select(Rsvp.member_id)
                .where(
                    Rsvp.occurrence_id.in_(ids),
                    Rsvp.answer.in_((RsvpAnswer.GOING, RsvpAnswer.MAYBE, RsvpAnswer.WAITING)),
                )
                .distinct()
                .order_by(Rsvp.member_id)
            )
        )
        if ids
        else []
    )
    audit.record(session, FrozenClock(now), actor_id=actor_id, action="event.cancel", **subject)
    return told


def default_end(start: datetime) -> datetime:
    """The end an author who gives none gets: two hours after the start."""
    return start + timedelta(hours=2)
