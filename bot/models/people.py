"""Members and their accounts on each platform."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, enum_column


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


class Member(Base):
    __tablename__ = "members"
    #: By category and status: the lookups by category, and /stats's counts read in
    #: group order from the index.
    __table_args__ = (
        Index("ix_members_category_status", "category", "status"),
        # The desk's members table pages through these orders (keyset paging: a page is
        # read from the index, however many members there are).
        Index("ix_members_name", "display_name", "id"),
        Index("ix_members_joined", "joined_at", "id"),
        # "Last sign of life": the start of the quiet spell (the joining when none).
        Index("ix_members_spell", text("coalesce(last_action_at, joined_at)"), "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(128))
    status: Mapped[MemberStatus] = mapped_column(enum_column(MemberStatus), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.MEMBER)
    category: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), default=Visibility.NAME)
    sponsor_code: Mapped[str] = mapped_column(String(16), unique=True)
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    #: When and to which version of the consent text the member agreed; empty for a
    #: member imported from a spreadsheet until they claim their account.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_version: Mapped[str | None] = mapped_column(String(32))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The member's last sign of life (a report, an answer, a referent's own work), moved
    #: by :func:`bot.activity.engagement.sign_of_life` (a ``/link`` merge keeps the later).
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
    #: "where I last wrote to the bot in private" (see :mod:`bot.delivery.recipients`).
    preferred_platform: Mapped[str | None] = mapped_column(String(16))

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.display_name!r} {self.status} {self.category}>"


def search_text() -> ColumnElement[str]:
    """What the desk's members search looks in: name, e-mail and phone, folded
    (:func:`bot.core.text.searchable`; in SQL on PostgreSQL, migration 0033)."""
    return func.relais_search(Member.display_name, Member.email, Member.phone, type_=Text)


# A substring search (``LIKE '%x%'``) reads this trigram index on PostgreSQL instead of
# the whole table; the query must use the very expression (:func:`search_text`). SQLite
# has no such index: it reads the table, one call to its ``relais_search`` per member.
Index(
    "ix_members_search",
    search_text().label("search"),
    postgresql_using="gin",
    postgresql_ops={"search": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")


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
    #: The account whose ``/link`` code joined this one to its member (None for the first
    #: account): that account may revoke this one, never the other way round.
    linked_by_id: Mapped[int | None] = mapped_column()
    #: False while a role above member, reached only through a link, waits for a
    #: coordinator's confirmation: until then this account acts as a plain member.
    role_confirmed: Mapped[bool] = mapped_column(default=True, server_default=true())

    def __repr__(self) -> str:
        return f"<Identity {self.platform}:{self.user_id} → {self.member_id}>"


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


class LinkAttempts(Base):
    """Wrong ``/link`` codes sent by one account: after a few, it is locked out a while,
    so nobody can try codes until one matches."""

    __tablename__ = "link_attempts"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Wrong codes since ``first_at`` (a new count starts once the window has passed).
    failures: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LinkAttempts {self.platform}:{self.user_id} {self.failures}>"
