"""Events: meetings members answer (going, maybe, no), attend and rate.

An :class:`Event` is what a coordinator or referent plans; each date it happens on is an
:class:`EventOccurrence` (a repeating event has several, materialized a few ahead), and
everything members do — answering, checking in, rating — is about one occurrence. Every
fact that must not happen twice is a constraint: one answer, one attendance and one
rating per member and occurrence, one reminder of each kind per occurrence.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, enum_column


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RsvpAnswer(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    NO = "no"
    #: Said "going" when the event was full: promoted to going, oldest first, when a
    #: place frees up.
    WAITING = "waiting"


class Event(Base):
    """A meeting, once or repeating; its first occurrence's times are ``starts_at``/``ends_at``."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    text_fr: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    #: An address or an online link.
    place: Mapped[str] = mapped_column(String(300), default="")
    #: Category keys; empty means everyone.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: ``none``, ``monthly:<n>:<weekday 0-6>`` (n 1..4, or -1 for the last) or
    #: ``weeks:<N>``; expanded in the network's time zone (see
    #: :mod:`bot.animation.events.occurrences`).
    repeat: Mapped[str] = mapped_column(String(32), default="none")
    repeat_until: Mapped[date | None] = mapped_column(Date)
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: Answers close this many hours before each occurrence's start.
    rsvp_hours_before: Mapped[int | None] = mapped_column(Integer)
    #: Points for attending one occurrence.
    points: Mapped[int] = mapped_column(Integer, default=0)
    #: Also invite each addressed member privately (through the delivery queue).
    private_invites: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A kit item attendees are asked to share ("Open in the kit" on the card).
    kit_item_id: Mapped[int | None] = mapped_column(ForeignKey("kit_items.id", ondelete="SET NULL"))
    status: Mapped[EventStatus] = mapped_column(
        enum_column(EventStatus), default=EventStatus.SCHEDULED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r} {self.status}>"


class EventOccurrence(Base):
    """One date of an event: what answers, check-ins and reminders are about."""

    __tablename__ = "event_occurrences"
    __table_args__ = (
        UniqueConstraint("event_id", "number", name="uq_event_occurrences_number"),
        Index("ix_event_occurrences_starts", "starts_at", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    #: 1 for the first date, 2 for the next…
    number: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: What members type (or scan) to check in at the meeting.
    checkin_code: Mapped[str] = mapped_column(String(12), unique=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the job closed it after its end (and asked attendees how it was).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<EventOccurrence {self.event_id}#{self.number} {self.starts_at}>"


class Rsvp(Base):
    """A member's answer to one occurrence; pressing another button changes it."""

    __tablename__ = "event_rsvps"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "member_id", name="uq_event_rsvps_member"),
        Index("ix_event_rsvps_member", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE")
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    answer: Mapped[RsvpAnswer] = mapped_column(enum_column(RsvpAnswer))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the member joined the waiting list: its order (oldest promoted first).
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Rsvp {self.occurrence_id} {self.member_id} {self.answer}>"


class Attendance(Base):
    """A member was there: checked in (code, link, button) or marked by hand."""

    __tablename__ = "event_attendances"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "member_id", name="uq_event_attendances_member"),
        Index("ix_event_attendances_member", "member_id", "at"),
        Index("ix_event_attendances_at", "at", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE")
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    #: ``code``, ``link``, ``button`` or ``hand``.
    how: Mapped[str] = mapped_column(String(8))
    #: The organizer who marked it by hand.
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Attendance {self.occurrence_id} {self.member_id} {self.how}>"


class EventFeedback(Base):
    """An attendee's one-tap "How was it?" (1 to 3)."""

    __tablename__ = "event_feedback"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "member_id", name="uq_event_feedback_member"),
        Index("ix_event_feedback_member", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE")
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<EventFeedback {self.occurrence_id} {self.member_id} {self.rating}>"


class EventNotice(Base):
    """A job's step done for one occurrence (a reminder, the closing): done once."""

    __tablename__ = "event_notices"
    __table_args__ = (UniqueConstraint("occurrence_id", "kind", name="uq_event_notices_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE")
    )
    #: ``day_before``, ``hours_before``, ``feedback``, ``cancelled``, ``closed``…
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<EventNotice {self.occurrence_id} {self.kind}>"


class EventPost(Base):
    """Where an occurrence's card was posted, so it can be edited live and unpinned."""

    __tablename__ = "event_posts"
    __table_args__ = (
        UniqueConstraint(
            "occurrence_id", "platform", "chat_id", "thread_id", name="uq_event_posts_chat"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    last_edit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<EventPost {self.occurrence_id} {self.platform}:{self.chat_id}>"


class NativeEvent(Base):
    """A platform's own event object mirroring an occurrence (Discord's scheduled event)."""

    __tablename__ = "event_natives"
    __table_args__ = (UniqueConstraint("platform", "native_id", name="uq_event_natives_native"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    #: Where it lives on the platform (a Discord guild id).
    scope: Mapped[str] = mapped_column(String(64))
    native_id: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<NativeEvent {self.platform}:{self.native_id} → {self.occurrence_id}>"
