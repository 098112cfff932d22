"""Partners record that a card holder used a benefit, from the card's page.

The partner's staff pick the benefit and type their partner code. A use counts once per
card, benefit and day (a database constraint: a form sent twice, or two taps, count one).
Wrong partner codes are limited per card — :data:`MAX_WRONG` within an hour, then the
card's page refuses codes for an hour — so nobody can find a partner's code by trying on
a card (the same counter as wrong ``/link`` codes, :mod:`bot.members.link_throttle`,
under its own name). A use keeps its card only until the card's owner is erased; the
counts per partner and benefit stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards import partners
from bot.core.config import Settings
from bot.core.db import insert_ignoring_conflicts
from bot.members import link_throttle
from bot.members.privacy.cards import WRONG_CARD_CODE, WRONG_PARTNER_CODE
from bot.models import Benefit, BenefitUse, MemberCard, Partner

__all__ = [
    "WRONG_CARD_CODE",
    "WRONG_PARTNER_CODE",
    "Outcome",
    "PartnerUses",
    "per_benefit",
    "record",
]


class Outcome(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"  # already recorded today for this card
    WRONG_CODE = "wrong_code"  # not this benefit's partner's code
    LOCKED = "locked"  # too many wrong codes on this card
    NOT_OFFERED = "not_offered"  # the benefit is not unlocked for this card today


@dataclass(frozen=True, slots=True)
class PartnerUses:
    partner: Partner
    benefit: Benefit
    uses: int
    last: datetime | None


async def record(
    session: AsyncSession, settings: Settings, card: MemberCard, offers: list[partners.Offer],
    *, benefit_id: int, partner_code: str, now: datetime,
) -> Outcome:  # fmt: skip
    """Record one use of ``benefit_id`` (one of ``offers``, what the card unlocks)."""
    who = {"platform": WRONG_PARTNER_CODE, "user_id": str(card.id)}
    if await link_throttle.locked_until(session, now, **who) is not None:
        return Outcome.LOCKED
    offer = next((o for o in offers if o.benefit.id == benefit_id), None)
    if offer is None:
        return Outcome.NOT_OFFERED
    partner = await partners.by_code(session, partner_code)
    if partner is None or partner.id != offer.partner.id:
        locked = await link_throttle.wrong(session, now, **who)
        return Outcome.LOCKED if locked is not None else Outcome.WRONG_CODE
    await link_throttle.forget(session, **who)
    result = await session.execute(
        insert_ignoring_conflicts(session, BenefitUse, on=("benefit_id", "card_id", "day")),
        {
            "benefit_id": offer.benefit.id,
            "partner_id": partner.id,
            "card_id": card.id,
            "day": partners.today(settings, now).isoformat(),
            "used_at": now,
        },
    )
    return Outcome.RECORDED if getattr(result, "rowcount", 0) else Outcome.ALREADY


async def per_benefit(session: AsyncSession, since: datetime | None = None) -> list[PartnerUses]:
    """Uses per partner and benefit (retired ones included), most used first."""
    count = func.count(BenefitUse.id)
    joined = BenefitUse.benefit_id == Benefit.id
    if since is not None:
        joined = joined & (BenefitUse.used_at >= since)
    rows = await session.execute(
        select(Partner, Benefit, count, func.max(BenefitUse.used_at))
        .join(Benefit, Benefit.partner_id == Partner.id)
        .outerjoin(BenefitUse, joined)
        .group_by(Partner.id, Benefit.id)
        .order_by(count.desc(), Partner.name, Benefit.id)
    )
    return [PartnerUses(p, b, int(n), last) for p, b, n, last in rows.all()]
