"""Reports and the points ledger: what members did and what it earned."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, enum_column


class ReportKind(StrEnum):
    MENTION = "mention"
    SIGNAL = "signal"
    SETTLEMENT = "settlement"


class SignalStage(StrEnum):
    """A signal's triage stage (see :mod:`bot.activity.signals` for the moves)."""

    NEW = "new"
    QUALIFIED = "qualified"
    IN_PROGRESS = "in_progress"
    WON = "won"
    LOST = "lost"
    NOT_RELEVANT = "not_relevant"


#: The stages a signal reaches once a coordinator took it up: from then on the lead is
#: the network's business record, and erasing its reporter keeps its description.
TAKEN_UP = (SignalStage.QUALIFIED, SignalStage.IN_PROGRESS, SignalStage.WON, SignalStage.LOST)


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind))
    #: The medium of a mention or the kind of a signal.
    subkind: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048))
    contact: Mapped[str | None] = mapped_column(String(256))
    #: Triage stage, for signals only (see :mod:`bot.activity.signals`).
    stage: Mapped[str | None] = mapped_column(String(16))
    #: The coordinator who took a signal in hand.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    #: A referent's or coordinator's check of a mention: verified or rejected.
    review: Mapped[str | None] = mapped_column(String(16))
    #: The action plan or campaign run this report answers (``p12``, ``c5-2``), if any.
    subject: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    #: Covering indexes for /stats: date ranges for everyone, one member's reports, one
    #: (kind, subkind) pair's range.
    __table_args__ = (
        Index("ix_reports_member_created", "member_id", "created_at", "review"),
        Index("ix_reports_kind_created", "kind", "created_at"),
        Index("ix_reports_created_member", "created_at", "member_id", "kind", "subkind", "review"),
        Index("ix_reports_kind_subkind", "kind", "subkind", "created_at", "review", "member_id"),
    )

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.kind}/{self.subkind} by {self.member_id}>"


class PointsEntry(Base):
    """The append-only points ledger; leaderboards are sums over it.

    ``unique_key`` names the fact that earned the points (a report, a link), so the same
    fact can never be credited twice.
    """

    __tablename__ = "points_entries"
    #: Covering indexes: one period for everyone (boards), one member's periods (/me).
    __table_args__ = (
        Index("ix_points_created_member", "created_at", "member_id", "points"),
        Index("ix_points_member_created", "member_id", "created_at", "points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    unique_key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<PointsEntry {self.points:+d} {self.reason} → {self.member_id}>"


class MemberTotal(Base):
    """Each member's all-time points, kept by database triggers on ``points_entries``
    (migration 0014) so that all-time boards read one row per member instead of the whole
    ledger. No code writes it: every insert, update and delete of a ledger entry, by any
    path (reports, reviews, approvals, ``/link`` merges, erasure's cascades), moves the
    total in the same statement, so it cannot drift from the ledger's sum.

    No foreign key on purpose: a ``/link`` merge moves every reference to a member
    (``linking._merge``) and would collide on this key; the triggers move the points
    instead. A row whose entries all went away holds 0, which is the sum of nothing.
    """

    __tablename__ = "member_totals"
    __table_args__ = (Index("ix_member_totals_points", "points", "member_id"),)

    member_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    points: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<MemberTotal {self.member_id}: {self.points}>"


class ReportEvent(Base):
    """The history of a report: a signal's stage moves and notes, a mention's review.

    ``action`` is the new stage (``qualified``, ``won``...), ``note`` or a review
    (``verified``, ``rejected``); who did it and when are kept for the record.
    """

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ReportEvent {self.action} on {self.report_id} by {self.actor_id}>"


class SignalValue(Base):
    """A coordinators' estimate for an opportunity signal, one per (signal, value field of
    ``[signals] value_fields``): one row each, so sums per stage are one ``GROUP BY``."""

    __tablename__ = "signal_values"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(24), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SignalValue {self.report_id} {self.field}={self.value}>"
