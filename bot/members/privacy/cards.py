"""Their member cards: each card's code, when it was issued, until when it is valid and
when it was replaced; and the counters of wrong codes that stop guessing (wrong partner
codes typed on their cards' pages, wrong card codes their accounts sent to ``/verify``).

``/mydata`` shows the cards. ``/forget`` deletes them, so their QR links and printed codes
stop verifying at once, and the counters with them. The uses partners recorded stay as
counts for the partner and the benefit, with the card emptied (``card_id``), so they no
longer lead to anyone. It reads models only (members may not import :mod:`bot.cards`);
:mod:`bot.cards.uses` counts wrong codes under the names defined here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members.privacy._kind import Erasure, when
from bot.models import BenefitUse, LinkAttempts, Member, MemberCard

#: The attempts counters' names (see bot.cards.uses).
WRONG_PARTNER_CODE = "card-use"
WRONG_CARD_CODE = "card-verify"

ERASES = {
    "member_cards": "deleted: a card's QR link and code lead to them; they stop verifying",
    "benefit_uses": "anonymised: the card emptied, the use still counts for the partner",
    "link_attempts": "their cards' and accounts' counts of wrong codes deleted",
}
KEEPS: dict[str, str] = {}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    cards = await session.scalars(
        select(MemberCard).where(MemberCard.member_id == member.id).order_by(MemberCard.id)
    )
    return {
        "member_cards": [
            {
                "code": card.code,
                "issued_at": when(card.issued_at),
                "valid_until": when(card.valid_until),
                "revoked_at": when(card.revoked_at),
            }
            for card in cards
        ],
    }


async def erase(erasure: Erasure) -> None:
    session = erasure.session
    ids = list(
        await session.scalars(
            select(MemberCard.id).where(MemberCard.member_id == erasure.member.id)
        )
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
    if erasure.accounts:  # read before their accounts went
        await session.execute(
            delete(LinkAttempts).where(
                LinkAttempts.platform == WRONG_CARD_CODE,
                LinkAttempts.user_id.in_([f"{p}:{u}"[:64] for p, u in erasure.accounts]),
            )
        )
