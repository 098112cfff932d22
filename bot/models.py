"""The network's data, as typed SQLAlchemy 2 models.

Every business fact that must not be counted twice has a database constraint, so a
retried update cannot double it whatever the code path. Times are stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use the clock")
        # SQLite keeps the wall time and drops the offset: store UTC, always.
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
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
    #: Erased on request (GDPR): no identity, no personal field; the row stays so that
    #: the anonymized reports and points keep aggregates right.
    FORGOTTEN = "forgotten"


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
    #: By category and status: the lookups by category, and /stats's counts read in
    #: group order from the index.
    __table_args__ = (Index("ix_members_category_status", "category", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(128))
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.MEMBER)
    category: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility), default=Visibility.NAME)
    sponsor_code: Mapped[str] = mapped_column(String(16), unique=True)
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    #: When and to which version of the consent text the member agreed; empty for a
    #: member imported from a spreadsheet until they claim their account.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_version: Mapped[str | None] = mapped_column(String(32))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    #: Secret code an imported member sends (``/start CODE``) to claim the account.
    invite_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    #: What identifies an imported row (email, phone or name+category), so that
    #: importing the same spreadsheet twice changes nothing.
    import_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    forgotten_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The platform the member chose for private messages (``/platform``); empty means
    #: "where I last wrote to the bot in private" (see :mod:`bot.recipients`).
    preferred_platform: Mapped[str | None] = mapped_column(String(16))

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
    #: When this person last wrote to the bot in private (to the hour): nudges go to the
    #: platform a member last used privately.
    last_private_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
    #: Triage stage, for signals only (see :mod:`bot.signals`).
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


class LinkCode(Base):
    """A one-time code that joins a second platform identity to a member (``/link``).

    The code is unique while its row exists; a used or expired row is kept for a day so
    that a late attempt is told "already used" or "expired" rather than "unknown".
    """

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    #: The identity that asked for the code: the code must be used from another platform.
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LinkCode {self.code} for {self.member_id} from {self.platform}:{self.user_id}>"


class PlatformState(Base):
    """Small facts an adapter keeps between runs, e.g. the hash of the slash commands
    last registered with Discord, so that start-up only syncs when the table changed."""

    __tablename__ = "platform_state"
    __table_args__ = (UniqueConstraint("platform", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<PlatformState {self.platform}:{self.key}>"


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
    #: The sender (:attr:`DeliverySender.owner`) that marked the row ``sending``, and when.
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Delivery {self.id} {self.key} {self.status}>"


class DeliverySender(Base):
    """A running sender's lease: alive while ``expires_at`` is ahead of the clock.

    Each process's sender renews its own row; rows left ``sending`` by a sender whose
    lease lapsed were in flight when it died, and only those become ``unknown``.
    """

    __tablename__ = "delivery_senders"

    owner: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<DeliverySender {self.owner} until {self.expires_at}>"


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
    """A referent's (or coordinator's) call to action for one category's channel."""

    __tablename__ = "action_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    call_to_action: Mapped[str] = mapped_column(String(300))
    #: When members who said "I'm on it" are reminded (the due date, morning, local time).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: End of the window in which members' reports count as acting on it.
    window_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ActionPlan {self.id} {self.category} {self.title!r}>"


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
    """A coordinator's broadcast ("1 ambassador – 1 action"), run by a job at its time."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    #: Category keys; empty means every category.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text)
    call_to_action: Mapped[str] = mapped_column(String(300))
    #: The first run, and the base of repeats (weekly/monthly keep its local time).
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    repeat: Mapped[Repeat] = mapped_column(_enum(Repeat), default=Repeat.NONE)
    #: Also send a private message to every targeted member.
    direct: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[CampaignStatus] = mapped_column(_enum(CampaignStatus), index=True)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: How many runs happened; the next run's occurrence number is ``runs + 1``.
    runs: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

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


class JobRun(Base):
    """One occurrence of a recurring job that completed: ``period`` is its scheduled
    instant (UTC), so running the same occurrence again, after a crash, a restart or on
    another process, is skipped."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_runs_occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(48))
    period: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    error: Mapped[str | None] = mapped_column(String(256))

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.period} {self.status}>"


class OneOffStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    #: Its time passed while Relais was down for longer than the catch-up grace.
    MISSED = "missed"
    CANCELLED = "cancelled"


class OneOffJob(Base):
    """A job to run once at a given time (a campaign, a plan reminder): the scheduler's
    persistent job store, in the network's own database.

    ``key`` names the business fact (``campaign:12``), so scheduling it again moves it
    instead of adding a second run.
    """

    __tablename__ = "one_off_jobs"
    __table_args__ = (Index("ix_one_off_jobs_due", "status", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    job: Mapped[str] = mapped_column(String(48))
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OneOffStatus] = mapped_column(_enum(OneOffStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(256))

    def __repr__(self) -> str:
        return f"<OneOffJob {self.key} {self.job} at {self.run_at} {self.status}>"


class NudgeStep(StrEnum):
    GENTLE = "gentle"
    PERSONAL = "personal"
    #: Not a message to the member: they are listed in their referent's weekly digest.
    REFERENT = "referent"


class Nudge(Base):
    """One rung of the nudge ladder reached by a dormant member.

    ``spell_start`` is when the member's dormancy began (their last action, else their
    joining): a new action starts a new spell, so the ladder starts again. ``ordinal``
    numbers the rungs of a spell; the unique constraint makes a re-run add nothing.
    """

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("member_id", "spell_start", "ordinal", name="uq_nudges_rung"),
        Index("ix_nudges_member_sent", "member_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    spell_start: Mapped[datetime] = mapped_column(UTCDateTime)
    ordinal: Mapped[int] = mapped_column(Integer)
    step: Mapped[NudgeStep] = mapped_column(_enum(NudgeStep))
    #: The wording the member was assigned (stable per member), for ``/nudges``.
    variant: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: The member's one-tap answer: did, lead, later, pause or stop.
    answer: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: For the referent step: when a referent wrote to the member or marked them contacted.
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contacted_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Nudge {self.id} {self.step} → {self.member_id} at {self.sent_at}>"


class NudgePreference(Base):
    """What a member asked of nudges: a pause until a date, or no nudges at all."""

    __tablename__ = "nudge_preferences"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return (
            f"<NudgePreference {self.member_id} paused={self.paused_until} stop={self.stopped_at}>"
        )


class RoleSync(Base):
    """A platform account whose server roles must be brought in line with Relais.

    Written in the same transaction as the change that calls for it (an approval, a move,
    an appointment, an erasure, a link), so a crash after commit loses nothing: the row
    waits until the platform's adapter has applied the roles. The account is named by its
    platform id, not by member, because an erased member's identity is gone while their
    roles must still be removed. ``version`` grows when the account is asked for again
    while a sync is under way, so that sync does not delete a request it did not see.
    ``priority`` 0 is a change people wait for; 1 is the daily reconciliation's check.
    """

    __tablename__ = "role_syncs"
    __table_args__ = (
        UniqueConstraint("platform", "user_id"),
        Index("ix_role_syncs_due", "platform", "priority", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: After a passing failure: not before this time.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RoleSync {self.platform}:{self.user_id} p{self.priority} v{self.version}>"
