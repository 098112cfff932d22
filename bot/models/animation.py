"""What referents and coordinators animate: referents' categories, action plans,
campaigns and their runs, and members' answers to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, enum_column


class ReferentCategory(Base):
    """A member is referent of a category: one row per (member, category).

    ``Member.role`` says the member is a referent at all (it unlocks the commands); these
    rows say of which categories, so a referent only speaks for their own. A row with no
    ``appointed_by`` comes from the config file's ``[roles] referents``.
    """

    __tablename__ = "referent_categories"
    __table_args__ = (
        UniqueConstraint("member_id", "category", name="uq_referent_categories_member"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(32), index=True)
    appointed_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ReferentCategory {self.member_id} {self.category}>"


class ActionPlan(Base):
    """A referent's (or coordinator's) call to action for one category's channel.

    Its title, text and call to action are written in French and/or English (an empty
    string: not written in that language); :mod:`bot.core.bilingual` picks what a reader
    gets."""

    __tablename__ = "action_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(32), index=True)
    title_fr: Mapped[str] = mapped_column(String(120), default="", server_default="")
    title_en: Mapped[str] = mapped_column(String(120), default="", server_default="")
    text_fr: Mapped[str] = mapped_column(Text, default="", server_default="")
    text_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    call_fr: Mapped[str] = mapped_column(String(300), default="", server_default="")
    call_en: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: When members who said "I'm on it" are reminded (the due date, morning, local time).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: End of the window in which members' reports count as acting on it.
    window_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A kit item the plan asks members to share ("Open in the kit" under the post).
    kit_item_id: Mapped[int | None] = mapped_column(ForeignKey("kit_items.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<ActionPlan {self.id} {self.category} {self.title_fr or self.title_en!r}>"


class CampaignStatus(StrEnum):
    #: Waiting for its next run (a repeating campaign stays here between runs).
    SCHEDULED = "scheduled"
    #: Every run has happened.
    DONE = "done"
    CANCELLED = "cancelled"


class Repeat(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Campaign(Base):
    """A coordinator's broadcast ("1 ambassador – 1 action"), run by a job at its time.

    Its text and call to action are written in French and/or English (empty: not written
    in that language)."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    #: Category keys; empty means every category.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Narrower audience of its private messages and e-mails (see
    #: :mod:`bot.animation.segments`): ``{"min_points": 500, "activity": ["dormant"],
    #: "languages": ["en"], "platforms": ["discord"]}``, any key left out meaning "all".
    segments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    text_fr: Mapped[str] = mapped_column(Text, default="", server_default="")
    text_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    call_fr: Mapped[str] = mapped_column(String(300), default="", server_default="")
    call_en: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: The first run, and the base of repeats (weekly/monthly keep its local time).
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    repeat: Mapped[Repeat] = mapped_column(enum_column(Repeat), default=Repeat.NONE)
    #: Also send a private message to every targeted member.
    direct: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Also send it by e-mail (a newsletter) to targeted members who chose e-mail, or who
    #: have no chat account but an e-mail address.
    email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: A repeating campaign stops after this moment (no run later than it) ...
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ... or after this many runs, whichever comes first.
    max_runs: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[CampaignStatus] = mapped_column(enum_column(CampaignStatus), index=True)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: How many runs happened; the next run's occurrence number is ``runs + 1``.
    runs: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: A kit item the campaign asks members to share ("Open in the kit" under its call).
    kit_item_id: Mapped[int | None] = mapped_column(ForeignKey("kit_items.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.status} next {self.next_run_at}>"


class CampaignRun(Base):
    """One occurrence of a campaign: when it went out and until when answers count."""

    __tablename__ = "campaign_runs"
    __table_args__ = (
        UniqueConstraint("campaign_id", "occurrence", name="uq_campaign_runs_occurrence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    occurrence: Mapped[int] = mapped_column(Integer)
    #: The categories targeted at that run (empty: all), kept for its results.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<CampaignRun {self.campaign_id}#{self.occurrence}>"


class Answer(Base):
    """A member's answer to a plan or a campaign run: one per member and subject;
    pressing another button changes it, never adds one."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("subject", "member_id", name="uq_answers_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``p<plan id>`` or ``c<campaign id>-<occurrence>``.
    subject: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Answer {self.subject} {self.member_id} {self.answer}>"
