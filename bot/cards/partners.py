"""Partners and their benefits: what a card unlocks, where, from which level.

A partner is a place (its kind as the coordinator names it: "Museum", "Restaurant"…),
with an address, a link and a short code its staff type on a card's page to record a
use. A benefit is a text in French and/or English, a minimum level (the level's points
threshold) and optional first and last days. Retired partners and benefits disappear from
every list but keep their recorded uses for the statistics.

One definition of "what a member may use" (:func:`unlocked`), read by ``/benefits``, the
card's verification page and ``/verify``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards.issuing import new_code
from bot.core.bilingual import Bilingual
from bot.core.config import Settings
from bot.core.text import fold
from bot.models import Benefit, Partner

PARTNER_CODE_LENGTH = 6
MAX_NAME = 120
MAX_KIND = 60
MAX_ADDRESS = 300
MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class Offer:
    partner: Partner
    benefit: Benefit

    def text(self, language: str, default: str) -> str:
        written = Bilingual(fr=self.benefit.text_fr, en=self.benefit.text_en)
        return written.pick(language, default)[0]


def today(settings: Settings, now: datetime) -> date:
    return now.astimezone(ZoneInfo(settings.network.timezone)).date()


async def add_partner(
    session: AsyncSession, *, name: str, kind: str, address: str, link: str | None,
    now: datetime,
) -> Partner:  # fmt: skip
    code = new_code(PARTNER_CODE_LENGTH)
    while await session.scalar(select(Partner.id).where(Partner.code == code)):
        code = new_code(PARTNER_CODE_LENGTH)  # pragma: no cover - rare
    partner = Partner(name=name, kind=kind, address=address, link=link, code=code, created_at=now)
    session.add(partner)
    await session.flush()
    return partner


async def add_benefit(
    session: AsyncSession, partner: Partner, *, text: Bilingual, min_level: int,
    starts_on: date | None, ends_on: date | None, now: datetime,
) -> Benefit:  # fmt: skip
    benefit = Benefit(
        partner_id=partner.id, text_fr=text.fr, text_en=text.en, min_level=min_level,
        starts_on=starts_on, ends_on=ends_on, created_at=now,
    )  # fmt: skip
    session.add(benefit)
    await session.flush()
    return benefit


async def live_partners(session: AsyncSession) -> list[Partner]:
    rows = await session.scalars(
        select(Partner).where(Partner.retired_at.is_(None)).order_by(Partner.kind, Partner.name)
    )
    return list(rows)


async def by_code(session: AsyncSession, typed: str) -> Partner | None:
    """The live partner whose code was typed (any case, spaces ignored)."""
    code = "".join(typed.split()).upper()
    if not code or len(code) > 16:
        return None
    found: Partner | None = await session.scalar(
        select(Partner).where(Partner.code == code, Partner.retired_at.is_(None))
    )
    return found


def is_open(benefit: Benefit, day: date) -> bool:
    """Running on ``day``: not retired, begun and not ended."""
    if benefit.retired_at is not None:
        return False
    if benefit.starts_on is not None and day < benefit.starts_on:
        return False
    return benefit.ends_on is None or day <= benefit.ends_on


async def offers(session: AsyncSession, day: date, *, partner_id: int | None = None) -> list[Offer]:
    """Every running benefit of live partners, by kind of place, partner, level."""
    query = (
        select(Partner, Benefit)
        .join(Benefit, Benefit.partner_id == Partner.id)
        .where(Partner.retired_at.is_(None), Benefit.retired_at.is_(None))
        .order_by(Partner.kind, Partner.name, Benefit.min_level, Benefit.id)
    )
    if partner_id is not None:
        query = query.where(Partner.id == partner_id)
    rows = (await session.execute(query)).all()
    return [Offer(partner, benefit) for partner, benefit in rows if is_open(benefit, day)]


def unlocked(found: Sequence[Offer], points: int) -> list[Offer]:
    """The offers a member with ``points`` all-time points may use (their level's
    threshold is at most their points, so comparing with the points is the same)."""
    return [offer for offer in found if offer.benefit.min_level <= points]


def by_kind(found: Sequence[Offer]) -> list[tuple[str, list[Offer]]]:
    """Offers grouped by kind of place, kinds compared without case or accents (the
    first spelling met names the group), in the order met."""
    groups: dict[str, tuple[str, list[Offer]]] = {}
    for offer in found:
        key = fold(offer.partner.kind)
        groups.setdefault(key, (offer.partner.kind, []))[1].append(offer)
    return list(groups.values())


def retire_partner(partner: Partner, now: datetime) -> bool:
    if partner.retired_at is not None:
        return False
    partner.retired_at = now
    return True


def retire_benefit(benefit: Benefit, now: datetime) -> bool:
    if benefit.retired_at is not None:
        return False
    benefit.retired_at = now
    return True
