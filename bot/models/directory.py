"""The members' directory: opt-in profiles, introductions between members, and the
monthly meetings of two.

Nothing here is shown to anyone unless the member chose so: a profile is found only while
``listed``; a contact is given only on an accepted introduction or to a meeting partner.
Uniqueness is in the database: one open request per asker and person (``open_key``), one
pair per member and month, one "we met" per pair, whatever is pressed twice or re-run.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, enum_column


class Profile(Base):
    """A member's directory profile. ``listed`` is the opt-in: off by default, and
    turning it off hides the profile from the next search on."""

    __tablename__ = "profiles"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    organisation: Mapped[str] = mapped_column(String(120), default="")
    job_title: Mapped[str] = mapped_column(String(120), default="")
    town: Mapped[str] = mapped_column(String(80), default="")
    #: Folded tags (the config's and the member's own), in the member's order.
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[str] = mapped_column(String(120), default="")
    presentation: Mapped[str] = mapped_column(Text, default="")
    offers: Mapped[str] = mapped_column(Text, default="")
    seeks: Mapped[str] = mapped_column(Text, default="")
    #: Other members may ask for an introduction.
    contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The member's e-mail is given on accepted introductions (and to meeting partners).
    share_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Takes part in the monthly meetings of two.
    pairs: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The member's Telegram @username (without the @) as last seen when they edited
    #: the profile or answered an introduction: a clickable contact.
    handle: Mapped[str] = mapped_column(String(64), default="")
    #: Every searchable word, folded (no case, no accents), between spaces; tags as
    #: ``#tag``. Written by :func:`bot.directory.profiles.refresh` only.
    search_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Profile {self.member_id} listed={self.listed}>"

    def tag_list(self) -> list[str]:
        value: Any = self.tags
        return [str(tag) for tag in value] if isinstance(value, list) else []


class IntroStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    #: Closed without an answer in time, or declined, once its time ran out: the asker
    #: was told "no answer" (the two are never told apart).
    CLOSED = "closed"


class Introduction(Base):
    """A member asked the bot to introduce them to another, with a short message."""

    __tablename__ = "introductions"
    __table_args__ = (
        Index("ix_introductions_asker", "asker_id", "created_at"),
        Index("ix_introductions_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[IntroStatus] = mapped_column(enum_column(IntroStatus))
    #: ``<asker>:<target>`` while open, NULL after: one open request per pair of people.
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Introduction {self.id} {self.asker_id}→{self.target_id} {self.status}>"


class MeetingPair(Base):
    """Two members paired for a month's meeting (``first_id`` < ``second_id``), or one
    member left without a partner that month (``second_id`` NULL: first in line next
    month)."""

    __tablename__ = "meeting_pairs"
    __table_args__ = (
        UniqueConstraint("month", "first_id", name="uq_meeting_pairs_first"),
        UniqueConstraint("month", "second_id", name="uq_meeting_pairs_second"),
        Index("ix_meeting_pairs_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``yyyy-mm`` in the network's time zone.
    month: Mapped[str] = mapped_column(String(7))
    first_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    second_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When both were asked "did you meet?".
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When one of them first answered yes (the meeting counts once).
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<MeetingPair {self.month} {self.first_id}+{self.second_id}>"
