"""Member cards, the partners who honour them and the benefits they give.

A :class:`MemberCard` is one issued card: its ``code`` is random (the short code printed
on the card and checked by ``/verify``; it is also part of what the QR token signs), its
validity ends at ``valid_until``, and ``revoked_at`` is set when it is re-issued. A
member's cards are deleted when they are erased. A :class:`BenefitUse` is one recorded
use of a benefit at a partner: it keeps the card only until the card's owner is erased
(``SET NULL``), so the partner's counts stay and nobody can be traced through them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


class MemberCard(Base):
    """One card issued to a member; at most one is live (not revoked) at a time."""

    __tablename__ = "member_cards"
    __table_args__ = (Index("ix_member_cards_member", "member_id", "issued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    #: The short code printed on the card (``/verify CODE``), 8 letters and digits.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<MemberCard {self.id} of {self.member_id}>"


class Partner(Base):
    """A place that honours the card: a museum, a restaurant, a shop… ``kind`` is the
    kind of place as the coordinator wrote it (benefits are listed by it); ``code`` is
    what the partner's staff type on a card's page to record a use."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    link: Mapped[str | None] = mapped_column(String(2048))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Partner {self.id} {self.name!r}>"


class Benefit(Base):
    """What a partner gives card holders from a level on (``min_level``: the level's
    threshold in points, as levels have no other key), between two dates (inclusive,
    either open)."""

    __tablename__ = "benefits"
    __table_args__ = (Index("ix_benefits_partner", "partner_id", "retired_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    text_fr: Mapped[str] = mapped_column(Text, default="", server_default="")
    text_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    min_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Benefit {self.id} at {self.partner_id}>"


class BenefitUse(Base):
    """A partner recorded that a card holder used a benefit: once per card, benefit and
    day (the network's), so a form sent twice counts once."""

    __tablename__ = "benefit_uses"
    __table_args__ = (
        UniqueConstraint("benefit_id", "card_id", "day", name="uq_benefit_uses_card_day"),
        Index("ix_benefit_uses_partner", "partner_id", "used_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    #: Emptied when the card's owner is erased: the use still counts for the partner.
    card_id: Mapped[int | None] = mapped_column(ForeignKey("member_cards.id", ondelete="SET NULL"))
    #: ``YYYY-MM-DD`` in the network's time zone.
    day: Mapped[str] = mapped_column(String(10))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<BenefitUse {self.benefit_id} {self.day}>"
