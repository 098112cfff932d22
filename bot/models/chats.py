"""What adapters keep about chats: flows in progress, handled updates, each person's
updates this minute, greetings, channel bindings and small per-platform facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


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


class UpdateCount(Base):
    """A person's updates in their current minute, counted in the database so that the
    processes sharing it (PostgreSQL) keep one ``[limits] updates_per_minute`` between
    them (:mod:`bot.conversation.throttle`; SQLite's one process counts in memory).
    Unlogged on PostgreSQL: a count lost in a crash is a minute's worth at most."""

    __tablename__ = "update_counts"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: When the person's current minute began (their first update after the last one).
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Updates since ``window_start``, refused ones included.
    count: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<UpdateCount {self.platform}:{self.user_id} {self.count}>"


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
