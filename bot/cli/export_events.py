"""The events' part of ``relais export``: ``events`` (one row per date, with its counts)
and ``attendance`` (one row per member present at a date).

Kept beside :mod:`bot.cli.exporter`, which dispatches here for these two kinds. Counts
are read with correlated subqueries on the unique (occurrence, member) indexes, a page of
dates at a time. Erased members' answers and attendances were deleted with them, so they
appear in neither export.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import aliased

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

KINDS = ("events", "attendance")
COLUMNS: dict[str, tuple[str, ...]] = {
    "events": (
        "id", "event_id", "number", "title", "categories", "starts_at", "ends_at", "place",
        "status", "capacity", "points", "going", "maybe", "no", "waiting", "attended",
        "no_shows", "feedback_count", "feedback_average",
    ),
    "attendance": (
        "id", "occurrence_id", "event_id", "title", "starts_at", "member_id", "member_name",
        "category", "how", "at", "recorded_by",
    ),
}  # fmt: skip


def _answers(answer: RsvpAnswer) -> ColumnElement[int]:
    return (
        select(func.count())
        .where(Rsvp.occurrence_id == EventOccurrence.id, Rsvp.answer == answer)
        .scalar_subquery()
    )


def query(kind: str, since: datetime | None) -> Select[*tuple[Any, ...]]:
    """The rows' query, ``since`` on the date's start (events) or the check-in (attendance)."""
    if kind == "events":
        attended = (
            select(func.count()).where(Attendance.occurrence_id == EventOccurrence.id)
        ).scalar_subquery()
        came = aliased(Attendance)
        no_shows = (
            select(func.count())
            .select_from(Rsvp)
            .outerjoin(
                came,
                and_(came.occurrence_id == Rsvp.occurrence_id, came.member_id == Rsvp.member_id),
            )
            .where(
                Rsvp.occurrence_id == EventOccurrence.id,
                Rsvp.answer == RsvpAnswer.GOING,
                came.id.is_(None),
            )
            .scalar_subquery()
        )
        rated = (
            select(func.count()).where(EventFeedback.occurrence_id == EventOccurrence.id)
        ).scalar_subquery()
        average = (
            select(func.avg(EventFeedback.rating)).where(
                EventFeedback.occurrence_id == EventOccurrence.id
            )
        ).scalar_subquery()
        events = select(
            EventOccurrence,
            Event,
            *(_answers(answer) for answer in RsvpAnswer),
            attended,
            no_shows,
            rated,
            average,
        ).join(Event, Event.id == EventOccurrence.event_id)
        return events.where(EventOccurrence.starts_at >= since) if since else events
    rows = (
        select(Attendance, EventOccurrence, Event, Member)
        .join(EventOccurrence, EventOccurrence.id == Attendance.occurrence_id)
        .join(Event, Event.id == EventOccurrence.event_id)
        .join(Member, Member.id == Attendance.member_id)
    )
    return rows.where(Attendance.at >= since) if since else rows


def key(kind: str) -> Any:
    return EventOccurrence.id if kind == "events" else Attendance.id


def _when(value: datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat(sep=" ", timespec="seconds") if value else None


def row(kind: str, result: Any, zone: ZoneInfo) -> dict[str, Any]:
    if kind == "events":
        occurrence, event, going, maybe, no, waiting, attended, no_shows, rated, average = result
        if event.status is EventStatus.CANCELLED or occurrence.cancelled_at is not None:
            status = "cancelled"
        else:
            status = "held" if occurrence.closed_at is not None else "scheduled"
        return {
            "id": occurrence.id, "event_id": event.id, "number": occurrence.number,
            "title": event.title, "categories": " ".join(event.categories),
            "starts_at": _when(occurrence.starts_at, zone),
            "ends_at": _when(occurrence.ends_at, zone), "place": event.place,
            "status": status, "capacity": event.capacity, "points": event.points,
            "going": int(going), "maybe": int(maybe), "no": int(no), "waiting": int(waiting),
            "attended": int(attended), "no_shows": int(no_shows),
            "feedback_count": int(rated),
            "feedback_average": round(float(average), 2) if average is not None else None,
        }  # fmt: skip
    attendance, occurrence, event, member = result
    return {
        "id": attendance.id, "occurrence_id": occurrence.id, "event_id": event.id,
        "title": event.title, "starts_at": _when(occurrence.starts_at, zone),
        "member_id": member.id, "member_name": member.display_name,
        "category": member.category, "how": attendance.how, "at": _when(attendance.at, zone),
        "recorded_by": attendance.recorded_by,
    }  # fmt: skip
