"""The record of privileged actions, and the server-role requests that follow them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


class AuditEntry(Base):
    """Who did what privileged thing, to whom, when; never updated or deleted."""

    __tablename__ = "audit_entries"
    #: The desk's member page and audit log filter by whom an entry is about, and by whom.
    __table_args__ = (
        Index("ix_audit_entries_target", "target_member_id", "id"),
        Index("ix_audit_entries_actor", "actor_id", "id"),
    )

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
