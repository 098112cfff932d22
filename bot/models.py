"""The network's data, as typed SQLAlchemy 2 models.

Every business fact that must not be counted twice has a database constraint, so a
retried update cannot double it whatever the code path. Times are stored in UTC.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def _enum(enum_class: type[StrEnum]) -> Enum:
    """Store an enum as its value in a short string column, and load it back as the enum."""
    return Enum(
        enum_class,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use the clock")
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        from datetime import UTC

        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class MemberStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"


class Role(StrEnum):
    MEMBER = "member"
    REFERENT = "referent"
    COORDINATOR = "coordinator"

    @property
    def rank(self) -> int:
        return (Role.MEMBER, Role.REFERENT, Role.COORDINATOR).index(self)


class Visibility(StrEnum):
    """How a member appears in public leaderboards."""

    NAME = "name"
    ANONYMOUS = "anonymous"
    HIDDEN = "hidden"


class ReportKind(StrEnum):
    MENTION = "mention"
    SIGNAL = "signal"
    SETTLEMENT = "settlement"


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(128))
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.MEMBER)
    category: Mapped[str] = mapped_column(String(32), index=True)
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility), default=Visibility.NAME)
    sponsor_code: Mapped[str] = mapped_column(String(16), unique=True)
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.display_name!r} {self.status} {self.category}>"


class Identity(Base):
    """One person's account on one platform; several identities may share a member."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    #: The private chat with this person, where nudges and private flows go.
    private_chat_id: Mapped[str | None] = mapped_column(String(64))
    #: When the platform last refused a private message (the person blocked the bot or
    #: never opened the chat); cleared when they write to the bot in private again.
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Identity {self.platform}:{self.user_id} → {self.member_id}>"


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind))
    #: The medium of a mention or the kind of a signal.
    subkind: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048))
    contact: Mapped[str | None] = mapped_column(String(256))
    #: Triage stage, for signals only.
    stage: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_reports_member_created", "member_id", "created_at"),)

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


class Conversation(Base):
    """A multi-step flow in progress, kept in the database so a restart resumes it.

    ``version`` grows at every step; buttons carry it, so a press on an old prompt is
    recognised as stale instead of being applied to the wrong step.
    """

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Conversation {self.platform}:{self.user_id} {self.flow}/{self.step}>"


class GroupGreeting(Base):
    """People already greeted when they joined a channel: greeted once, never again."""

    __tablename__ = "group_greetings"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    greeted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessedUpdate(Base):
    """Platform delivery ids already handled: a redelivered update is ignored."""

    __tablename__ = "processed_updates"
    __table_args__ = (UniqueConstraint("platform", "update_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(64))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ChannelBinding(Base):
    """A chat (or forum topic / thread) that serves as a channel of the network.

    ``scope`` is ``category:<key>``, ``general`` or ``coordinators``. One chat serves one
    scope, and a scope has at most one chat per platform.
    """

    __tablename__ = "channel_bindings"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "thread_id", name="uq_channel_bindings_chat"),
        UniqueConstraint("platform", "scope", name="uq_channel_bindings_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    #: Empty when the whole chat is bound (NULLs would not be unique on PostgreSQL).
    thread_id: Mapped[str] = mapped_column(String(64), default="")
    scope: Mapped[str] = mapped_column(String(48))
    bound_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ChannelBinding {self.platform}:{self.chat_id}/{self.thread_id} {self.scope}>"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    #: Handed to the platform; if the process dies now, the outcome is unknown.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    #: Was being sent when the process stopped: maybe delivered, never retried.
    UNKNOWN = "unknown"


class Delivery(Base):
    """One message to one address, queued before anything is sent.

    ``key`` names the business fact (``campaign:12:member:34``), so enqueuing the same
    broadcast again (a retried update, a re-run job) adds nothing.
    """

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    batch: Mapped[str] = mapped_column(String(80), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[str | None] = mapped_column(String(64))
    #: A private chat (per-chat limits differ from groups').
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The member it is for, when it is a private message (to mark them unreachable).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    image_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    platform_message_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Delivery {self.id} {self.key} {self.status}>"


class AuditEntry(Base):
    """Who did what privileged thing, to whom, when; never updated or deleted."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(48), index=True)
    target_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} by {self.actor_id} on {self.target_member_id}>"
