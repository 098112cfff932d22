"""The web desk: one-time sign-in links, signed-in sessions, coordinators' notes.

Secrets are never stored: a link's or a session's row holds the SHA-256 of its token, so
a copy of the database opens nobody's desk. Both rows name the membership and the role
they were issued for; a desk session is worth nothing once that role changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, enum_column
from bot.models.people import Role


class DeskLink(Base):
    """A one-time sign-in link sent by ``/desk``: single use, valid a few minutes."""

    __tablename__ = "desk_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    #: The account that asked (its role may differ from the membership's: see link_roles).
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<DeskLink {self.id} for {self.member_id} as {self.role}>"


class DeskSession(Base):
    """A browser signed in to the desk; revoked by signing out, expired after a while."""

    __tablename__ = "desk_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    #: The form token: every POST must carry it (a form from another site cannot).
    csrf: Mapped[str] = mapped_column(String(64))
    #: ``link`` or ``miniapp``: how the person signed in.
    via: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<DeskSession {self.id} for {self.member_id} as {self.role}>"


class CoordinatorNote(Base):
    """A coordinator's note on a member, shown on the member's desk page only."""

    __tablename__ = "coordinator_notes"
    __table_args__ = (Index("ix_coordinator_notes_member", "member_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<CoordinatorNote {self.id} on {self.member_id}>"
