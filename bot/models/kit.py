"""The ambassador's kit: items members share, their personal tracked links, the clicks.

A :class:`KitShare` is one member's personal link to one item (one per member and item, a
database constraint); its ``code`` is the unguessable part of ``/r/<code>``. A
:class:`KitClick` is one visitor's first visit of a link on one day: the visitor is only a
keyed hash of (address, browser, day) — no IP address and no user agent are stored — so
the same visitor the same day counts once (a constraint), and the next day cannot be
linked to the day before (see :mod:`bot.animation.kit.clicks`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, enum_column


class KitKind(StrEnum):
    TALKING_POINT = "talking_point"
    FIGURE = "figure"
    POST = "post"
    VISUAL = "visual"
    DOCUMENT = "document"
    LINK = "link"


class KitItem(Base):
    """One item of the kit. ``tags`` are folded words separated by spaces; ``categories``
    are category keys separated by spaces, empty for everyone. ``file_name`` names a file
    in the kit's folder (:mod:`bot.animation.kit.files`), ``file_type`` what its content
    proved to be (png, jpeg, webp, gif, pdf)."""

    __tablename__ = "kit_items"
    __table_args__ = (Index("ix_kit_items_live", "retired_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[KitKind] = mapped_column(enum_column(KitKind))
    title: Mapped[str] = mapped_column(String(120))
    text_fr: Mapped[str] = mapped_column(Text, default="", server_default="")
    text_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    link: Mapped[str | None] = mapped_column(String(2048))
    tags: Mapped[str] = mapped_column(String(300), default="", server_default="")
    categories: Mapped[str] = mapped_column(String(300), default="", server_default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    file_name: Mapped[str | None] = mapped_column(String(80))
    file_type: Mapped[str | None] = mapped_column(String(8))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split()

    @property
    def category_list(self) -> list[str]:
        return self.categories.split()

    def __repr__(self) -> str:
        return f"<KitItem {self.id} {self.kind} {self.title!r}>"


class KitShare(Base):
    """A member's personal tracked link to an item: one per (member, item)."""

    __tablename__ = "kit_shares"
    __table_args__ = (
        UniqueConstraint("member_id", "item_id"),
        Index("ix_kit_shares_item_created", "item_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("kit_items.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<KitShare {self.item_id} by {self.member_id}>"


class KitClick(Base):
    """One visitor's visit of a tracked link on one day (network time zone)."""

    __tablename__ = "kit_clicks"
    __table_args__ = (UniqueConstraint("share_id", "day", "visitor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("kit_shares.id", ondelete="CASCADE"))
    #: ``YYYY-MM-DD``.
    day: Mapped[str] = mapped_column(String(10))
    #: HMAC-SHA256 (hex) of (address, browser, day) under the deployment's key.
    visitor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<KitClick {self.share_id} {self.day}>"


class KitUse(Base):
    """A member said "I used it" about an item: once per (member, item), a constraint, so
    a double press or a redelivered update counts one use."""

    __tablename__ = "kit_uses"
    __table_args__ = (UniqueConstraint("member_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("kit_items.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<KitUse {self.item_id} by {self.member_id}>"
