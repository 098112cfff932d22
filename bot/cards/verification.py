"""Checking a card, from its QR link (the web page) or its printed code (``/verify``),
and what a partner may then see: the holder's first name, whether the card is valid,
their level and the benefits it unlocks — never a contact, never a number.

A card is **valid** when it exists (its owner was not erased), its signature or code
matches, it is not revoked (re-issued or renewed), it has not expired, and its owner is
still an active member. Every other case is "not valid", with the reason when it helps
the partner (expired, replaced) and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity.standings import level_progress, totals
from bot.cards import partners, tokens
from bot.cards.issuing import normalized
from bot.core.config import Level, Settings
from bot.models import Member, MemberCard, MemberStatus


class State(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"  # replaced by a newer card, or its owner left
    UNKNOWN = "unknown"  # no such card, or a forged link


@dataclass(frozen=True, slots=True)
class Checked:
    state: State
    card: MemberCard | None = None
    first_name: str = ""
    level: Level | None = None
    #: Everything the holder's level unlocks today (only for a valid card).
    offers: tuple[partners.Offer, ...] = ()
    points: int = 0

    @property
    def valid(self) -> bool:
        return self.state is State.VALID


def first_name(display_name: str) -> str:
    parts = display_name.split()
    return parts[0] if parts else ""


async def _checked(
    session: AsyncSession, settings: Settings, card: MemberCard | None, now: datetime
) -> Checked:
    if card is None:
        return Checked(State.UNKNOWN)
    member = await session.get(Member, card.member_id)
    if member is None or member.status is not MemberStatus.ACTIVE:
        return Checked(State.REVOKED, card)
    if card.revoked_at is not None:
        return Checked(State.REVOKED, card, first_name(member.display_name))
    if now >= card.valid_until:
        return Checked(State.EXPIRED, card, first_name(member.display_name))
    points = (await totals(session, settings, member.id, now)).all_time
    level = level_progress(settings, points).level
    found = await partners.offers(session, partners.today(settings, now))
    return Checked(
        State.VALID, card, first_name(member.display_name), level,
        tuple(partners.unlocked(found, points)), points,
    )  # fmt: skip


async def by_token(session: AsyncSession, settings: Settings, token: str, now: datetime) -> Checked:
    """The card a QR link names, checked; a forged or malformed link is UNKNOWN."""
    claimed = tokens.parse(token)
    if claimed is None:
        return Checked(State.UNKNOWN)
    card_id, signature = claimed
    card = await session.get(MemberCard, card_id)
    secret = await tokens.key(session, settings, now)
    if card is None or not tokens.matches(secret, card.id, card.code, signature):
        return Checked(State.UNKNOWN)
    return await _checked(session, settings, card, now)


async def by_code(session: AsyncSession, settings: Settings, typed: str, now: datetime) -> Checked:
    """The card whose printed code was typed, checked."""
    code = normalized(typed)
    if code is None:
        return Checked(State.UNKNOWN)
    card = await session.scalar(select(MemberCard).where(MemberCard.code == code))
    return await _checked(session, settings, card, now)
