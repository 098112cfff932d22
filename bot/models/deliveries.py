"""The delivery queue: one row per message to send, and the senders' leases."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, enum_column


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
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus))
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


class DeliverySubject(Base):
    """A member a queued message names or quotes (an application card names the
    applicant, a signal card its reporter, a leaderboard post everyone it may rank).

    Written with the delivery (:func:`bot.delivery.queue.enqueue`), so that erasing a
    member finds every stored rendering about them by this table, not by searching texts
    for a name; the row goes with its delivery (pruning) and with its member.
    """

    __tablename__ = "delivery_subjects"

    delivery_key: Mapped[str] = mapped_column(
        ForeignKey("deliveries.key", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    def __repr__(self) -> str:
        return f"<DeliverySubject {self.delivery_key} names {self.member_id}>"


class DeliverySender(Base):
    """A running sender's lease: alive while ``expires_at`` is ahead of the clock.

    Each process's sender renews its own row; rows left ``sending`` by a sender whose
    lease lapsed were in flight when it died, and only those become ``unknown``.
    """

    __tablename__ = "delivery_senders"

    owner: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The platforms this sender serves, comma-separated (``discord,telegram``): each
    #: platform's rate and chats are split among the live senders that serve it.
    platforms: Mapped[str] = mapped_column(String(128), default="", server_default="")

    def __repr__(self) -> str:
        return f"<DeliverySender {self.owner} until {self.expires_at}>"
