"""Introductions: a member asks the bot to introduce them to another, with a short message.

The bot relays the message; the other member accepts or declines. On acceptance both
receive each other's contact (:func:`bot.directory.profiles.contact_lines`); before it,
nothing about either is revealed. A decline is never told as such: the request stays
"waiting" for the asker until its time runs out (``[directory] introduction_days``), then
declined and unanswered requests alike close as "no answer" (:func:`close_expired`).

A member may ask for ``introductions_per_week`` introductions in any 7 days, and never
twice the same person while a request to them is open (``open_key`` is unique).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.directory import profiles
from bot.models import Introduction, IntroStatus, Member, Profile

MAX_MESSAGE = 500
WEEK = timedelta(days=7)


class Refusal(StrEnum):
    """Why a request cannot be made (each told in words by the handler)."""

    SELF = "self"
    UNAVAILABLE = "unavailable"  # not listed, not contactable, gone
    WAITING = "waiting"  # a request to them is open
    LIMIT = "limit"  # the week's requests are used


def open_key(asker_id: int, target_id: int) -> str:
    return f"{asker_id}:{target_id}"


async def contactable(session: AsyncSession, target_id: int) -> tuple[Member, Profile] | None:
    """The member and profile if they may be asked now (found by a search, accepting
    contact)."""
    row = (
        await session.execute(
            select(Member, Profile)
            .join(Profile, Profile.member_id == Member.id)
            .where(Member.id == target_id, profiles.findable(), Profile.contact.is_(True))
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def asked_this_week(session: AsyncSession, asker_id: int, now: datetime) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Introduction)
        .where(Introduction.asker_id == asker_id, Introduction.created_at > now - WEEK)
    )
    return int(count or 0)


async def check(
    session: AsyncSession, settings: Settings, asker: Member, target_id: int, now: datetime
) -> Refusal | Member:
    """The member ``asker`` may ask to meet, or why not."""
    if target_id == asker.id:
        return Refusal.SELF
    found = await contactable(session, target_id)
    if found is None:
        return Refusal.UNAVAILABLE
    waiting = await session.scalar(
        select(Introduction.id).where(Introduction.open_key == open_key(asker.id, target_id))
    )
    if waiting is not None:
        return Refusal.WAITING
    if await asked_this_week(session, asker.id, now) >= settings.directory.introductions_per_week:
        return Refusal.LIMIT
    return found[0]


async def ask(
    session: AsyncSession,
    settings: Settings,
    asker: Member,
    target_id: int,
    message: str,
    now: datetime,
) -> Refusal | Introduction:
    """Record a request (checked again: the person may have left the directory while the
    asker wrote)."""
    checked = await check(session, settings, asker, target_id, now)
    if isinstance(checked, Refusal):
        return checked
    introduction = Introduction(
        asker_id=asker.id,
        target_id=target_id,
        message=message,
        status=IntroStatus.OPEN,
        open_key=open_key(asker.id, target_id),
        created_at=now,
    )
    session.add(introduction)
    await session.flush()
    return introduction


def answer(introduction: Introduction, *, accept: bool, now: datetime) -> bool:
    """Record the answer of the person asked; False when it was answered or closed
    already (a second press changes nothing). An accepted request closes at once; a
    declined one stays open for the asker until its time runs out."""
    if introduction.status is not IntroStatus.OPEN:
        return False
    introduction.answered_at = now
    if accept:
        introduction.status = IntroStatus.ACCEPTED
        introduction.open_key = None
    else:
        introduction.status = IntroStatus.DECLINED
    return True


async def close_expired(
    session: AsyncSession, settings: Settings, now: datetime
) -> list[Introduction]:
    """Close the requests whose time ran out, declined or unanswered alike, and return
    them: each asker is told "no answer"."""
    deadline = now - timedelta(days=settings.directory.introduction_days)
    rows = await session.scalars(
        select(Introduction)
        .where(
            Introduction.status.in_([IntroStatus.OPEN, IntroStatus.DECLINED]),
            Introduction.created_at <= deadline,
        )
        .order_by(Introduction.id)
        .with_for_update(skip_locked=True)
    )
    closed = list(rows)
    for introduction in closed:
        introduction.status = IntroStatus.CLOSED
        introduction.open_key = None
    return closed
