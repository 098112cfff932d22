"""Checking in at an event: by the code the organizer shows, or marked by hand.

Attendance is one row per member and occurrence (a constraint), and its points one
ledger entry under the key ``event:<occurrence id>:attend:<member id>`` (unique): a
check-in update that arrives twice, or a code typed after the organizer marked the
member by hand, records and earns nothing the second time. Checking in is accepted in a
window around the occurrence (``[events] checkin_before_minutes`` before the start to
``checkin_after_minutes`` after the end). Attendance is a sign of life and an action
(see :mod:`bot.activity.engagement`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.animation.events.rsvp import invited
from bot.core import audit
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from bot.models import (
    Attendance,
    Event,
    EventOccurrence,
    EventStatus,
    Member,
    MemberStatus,
    PointsEntry,
)

#: The ledger reason of attendance points.
REASON = "event"
#: How an attendance was recorded.
HOWS = ("code", "link", "button", "hand")
_NOT_CODE = re.compile(r"[\s-]+")


class CheckIn(StrEnum):
    RECORDED = "recorded"
    #: Already checked in (or marked by hand): nothing recorded, nothing earned again.
    ALREADY = "already"
    OUTSIDE_WINDOW = "outside_window"
    #: No such code, or its occurrence was cancelled.
    UNKNOWN_CODE = "unknown_code"
    NOT_INVITED = "not_invited"


def points_key(occurrence_id: int, member_id: int) -> str:
    return f"event:{occurrence_id}:attend:{member_id}"


def normalize(code: str) -> str:
    """A code as typed ("abc 123", "ci-ABC123") in its stored form."""
    cleaned = _NOT_CODE.sub("", code.strip()).upper()
    # Deep links carry "ci-<code>"; codes never hold an I, so the prefix is unambiguous.
    return cleaned.removeprefix("CI")


def window(settings: Settings, occurrence: EventOccurrence) -> tuple[datetime, datetime]:
    """When checking in to ``occurrence`` is accepted: [opens, closes)."""
    return (
        occurrence.starts_at - timedelta(minutes=settings.events.checkin_before_minutes),
        occurrence.ends_at + timedelta(minutes=settings.events.checkin_after_minutes),
    )


async def find(session: AsyncSession, code: str) -> EventOccurrence | None:
    """The occurrence whose check-in code is ``code`` (as typed), cancelled or not."""
    cleaned = normalize(code)
    if not cleaned or len(cleaned) > 12:
        return None
    return await session.scalar(
        select(EventOccurrence).where(EventOccurrence.checkin_code == cleaned)
    )


async def by_code(
    session: AsyncSession,
    settings: Settings,
    member: Member,
    code: str,
    now: datetime,
    how: str = "code",
) -> CheckIn:
    """Check ``member`` in with ``code`` (``how``: ``code`` typed, ``link`` from the deep
    link or QR, ``button``). Records attendance and points once."""
    occurrence = await find(session, code)
    if occurrence is None or occurrence.cancelled_at is not None:
        return CheckIn.UNKNOWN_CODE
    event = await session.get(Event, occurrence.event_id)
    if event is None or event.status is EventStatus.CANCELLED:
        return CheckIn.UNKNOWN_CODE
    if not invited(event, member):
        return CheckIn.NOT_INVITED
    opens, closes = window(settings, occurrence)
    if not opens <= now < closes:
        return CheckIn.OUTSIDE_WINDOW
    recorded = await record(session, event, occurrence, member, how=how, now=now)
    return CheckIn.RECORDED if recorded else CheckIn.ALREADY


async def by_hand(
    session: AsyncSession,
    settings: Settings,
    occurrence: EventOccurrence,
    member_id: int,
    actor_id: int | None,
    now: datetime,
) -> CheckIn:
    """The organizer marks ``member_id`` as present (during or after the occurrence;
    any member not erased), audited. RECORDED, ALREADY, or NOT_INVITED for an unknown,
    erased or pending member."""
    member = await session.get(Member, member_id)
    event = await session.get(Event, occurrence.event_id)
    if member is None or event is None or member.status is not MemberStatus.ACTIVE:
        return CheckIn.NOT_INVITED
    recorded = await record(
        session, event, occurrence, member, how="hand", now=now, recorded_by=actor_id
    )
    if recorded:
        audit.record(
            session,
            FrozenClock(now),
            actor_id=actor_id,
            action="event.attendance",
            target_member_id=member_id,
            occurrence_id=occurrence.id,
        )
    return CheckIn.RECORDED if recorded else CheckIn.ALREADY


async def record(
    session: AsyncSession,
    event: Event,
    occurrence: EventOccurrence,
    member: Member,
    *,
    how: str,
    now: datetime,
    recorded_by: int | None = None,
) -> bool:
    """Write the attendance and its points, once; False when it existed already."""
    try:
        async with session.begin_nested():
            session.add(
                Attendance(
                    occurrence_id=occurrence.id,
                    member_id=member.id,
                    how=how,
                    recorded_by=recorded_by,
                    at=now,
                )
            )
    except IntegrityError:
        return False
    engagement.sign_of_life(member, now)
    if event.points > 0:
        try:
            async with session.begin_nested():
                session.add(
                    PointsEntry(
                        member_id=member.id,
                        points=event.points,
                        reason=REASON,
                        unique_key=points_key(occurrence.id, member.id),
                        created_at=now,
                    )
                )
        except IntegrityError:  # earned already (an attendance erased and re-marked)
            pass
    return True


async def attended(session: AsyncSession, occurrence_id: int, member_id: int) -> bool:
    """Whether the member's attendance to the occurrence is recorded."""
    found = await session.scalar(
        select(Attendance.id).where(
            Attendance.occurrence_id == occurrence_id, Attendance.member_id == member_id
        )
    )
    return found is not None
