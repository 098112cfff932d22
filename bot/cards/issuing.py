"""Issuing, renewing and revoking member cards.

One live card per member: ``/card`` shows it again as long as it is valid; from
``[cards] renew_days`` before its end (or once it has ended) asking for it issues a new
card for another ``valid_months`` — renewal is the member's own request, free, for every
active member (volunteering stays free: no fee, no activity test). ``/card new`` re-issues
it at once (a lost phone, a card shown too widely). Issuing revokes every earlier live
card of the member, so an old printout or screenshot stops verifying. A member's cards are
deleted when they are erased (:mod:`bot.members.privacy`).

The short code printed on the card is 8 characters from an alphabet without look-alike
letters (40 bits): nobody finds a valid code by trying, and ``/verify`` limits wrong
codes anyway.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.models import MemberCard

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def shown(code: str) -> str:
    """The code as printed: ``ABCD-EFGH``."""
    return f"{code[:4]}-{code[4:]}"


def normalized(typed: str, length: int = CODE_LENGTH) -> str | None:
    """A typed code without spaces or dashes, upper case; None when it cannot be one
    (so a wrong guess never reaches the database)."""
    code = "".join(ch for ch in typed.upper() if ch not in " -_.")
    if len(code) != length or any(ch not in ALPHABET for ch in code):
        return None
    return code


@dataclass(frozen=True, slots=True)
class Issued:
    card: MemberCard
    #: A new card was made (first one, renewal, re-issue); else the live one is shown.
    new: bool
    #: It replaces an earlier card, now revoked.
    replaced: bool


async def live_card(session: AsyncSession, member_id: int) -> MemberCard | None:
    """The member's newest card not revoked (it may have expired)."""
    found: MemberCard | None = await session.scalar(
        select(MemberCard)
        .where(MemberCard.member_id == member_id, MemberCard.revoked_at.is_(None))
        .order_by(MemberCard.issued_at.desc(), MemberCard.id.desc())
        .limit(1)
    )
    return found


def renewable(settings: Settings, card: MemberCard, now: datetime) -> bool:
    """Asking for the card now renews it (its end is near, or past)."""
    return now >= card.valid_until - timedelta(days=settings.cards.renew_days)


async def revoke_all(session: AsyncSession, member_id: int, now: datetime) -> int:
    """Revoke the member's live cards; how many."""
    result = await session.execute(
        update(MemberCard)
        .where(MemberCard.member_id == member_id, MemberCard.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def card_for(
    session: AsyncSession, settings: Settings, member_id: int, now: datetime, *,
    reissue: bool = False,
) -> Issued:  # fmt: skip
    """The member's live card, or a new one when they have none, it is due for renewal,
    or ``reissue`` asks for one."""
    current = await live_card(session, member_id)
    if current is not None and not reissue and not renewable(settings, current, now):
        return Issued(current, new=False, replaced=False)
    replaced = await revoke_all(session, member_id, now) > 0
    code = new_code()
    while await session.scalar(select(MemberCard.id).where(MemberCard.code == code)):
        code = new_code()  # pragma: no cover - one chance in a trillion
    card = MemberCard(
        member_id=member_id,
        code=code,
        issued_at=now,
        valid_until=now + relativedelta(months=settings.cards.valid_months),
    )
    session.add(card)
    await session.flush()
    return Issued(card, new=True, replaced=replaced)
