"""What the member card keeps about one member, for their data export (/mydata) and
their erasure. Beside the privacy module (members may not import :mod:`bot.cards`); it
reads models only.

Erasure deletes the member's cards, so their QR links and printed codes stop verifying
at once; the uses partners recorded stay as counts for the partner and the benefit, with
no card left to trace them to (``card_id`` emptied). The counters of wrong partner codes
typed on their cards' pages and of wrong card codes their accounts sent go too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import BenefitUse, LinkAttempts, MemberCard

#: The attempts counters' names (see bot.cards.uses).
WRONG_PARTNER_CODE = "card-use"
WRONG_CARD_CODE = "card-verify"


async def cards_of(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    cards = await session.scalars(
        select(MemberCard).where(MemberCard.member_id == member_id).order_by(MemberCard.id)
    )
    return [
        {
            "code": card.code,
            "issued_at": card.issued_at.isoformat(),
            "valid_until": card.valid_until.isoformat(),
            "revoked_at": card.revoked_at.isoformat() if card.revoked_at else None,
        }
        for card in cards
    ]


async def forget_cards(
    session: AsyncSession, member_id: int, accounts: list[tuple[str, str]]
) -> None:
    """Delete the member's cards (see the module's docstring); ``accounts`` are their
    (platform, user id) pairs, read before their identities go."""
    ids = list(
        await session.scalars(select(MemberCard.id).where(MemberCard.member_id == member_id))
    )
    if ids:
        await session.execute(
            update(BenefitUse).where(BenefitUse.card_id.in_(ids)).values(card_id=None)
        )
        await session.execute(
            delete(LinkAttempts).where(
                LinkAttempts.platform == WRONG_PARTNER_CODE,
                LinkAttempts.user_id.in_([str(card_id) for card_id in ids]),
            )
        )
        await session.execute(delete(MemberCard).where(MemberCard.id.in_(ids)))
    if accounts:
        await session.execute(
            delete(LinkAttempts).where(
                LinkAttempts.platform == WRONG_CARD_CODE,
                LinkAttempts.user_id.in_([f"{p}:{u}"[:64] for p, u in accounts]),
            )
        )
