"""Monthly meetings of two ("Donut"): members who opted in (``/profile``) are paired once
a month, told each other's contact, and asked a week later whether they met.

Rules of the pairing, in order: never two people of the same organisation; never a pair
that met within the last 365 days (pairs made, whether they met or not); preferably the
same town, then the same category. Whoever was left without a partner last month goes
first; the others in an order drawn anew each month (a hash of the month and the member,
so a re-run draws the same). An odd one out is recorded (``second_id`` NULL) and told.

A month is paired once: its rows exist, or it is not paired yet. "We met", from either
member, is counted once per pair (``met_at``): each member earns ``pair_points`` (ledger
keys ``meet:<pair>:<member>``) and the meeting is an action for both
(:func:`bot.activity.engagement.met_between`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.core.config import Settings
from bot.core.db import insert_ignoring_conflicts
from bot.directory import profiles
from bot.models import MeetingPair, Member, MemberStatus, PointsEntry, Profile

YEAR = timedelta(days=365)
REASON = "meeting"


def month_of(now: datetime, timezone: str) -> str:
    return now.astimezone(ZoneInfo(timezone)).strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class Candidate:
    member: Member
    profile: Profile

    @property
    def id(self) -> int:
        return self.member.id


def _draw(month: str, member_id: int) -> str:
    return hashlib.sha256(f"{month}:{member_id}".encode()).hexdigest()


def _compatible(a: Candidate, b: Candidate, recent: set[frozenset[int]]) -> bool:
    organisation = profiles.organisation_key(a.profile)
    if organisation and organisation == profiles.organisation_key(b.profile):
        return False
    return frozenset((a.id, b.id)) not in recent


def _score(a: Candidate, b: Candidate) -> int:
    town = profiles.town_key(a.profile)
    same_town = bool(town) and town == profiles.town_key(b.profile)
    return 2 * same_town + (a.member.category == b.member.category)


def match(
    candidates: list[Candidate], recent: set[frozenset[int]], first: set[int], month: str
) -> tuple[list[tuple[Candidate, Candidate]], list[Candidate]]:
    """Pairs and the members left alone: greedy, in the month's order, each taking the
    best-scoring compatible partner still free (the earlier in the order between equals)."""
    order = sorted(candidates, key=lambda c: (c.id not in first, _draw(month, c.id)))
    free = list(order)
    pairs: list[tuple[Candidate, Candidate]] = []
    alone: list[Candidate] = []
    while free:
        current = free.pop(0)
        options = [other for other in free if _compatible(current, other, recent)]
        if not options:
            alone.append(current)
            continue
        best = max(options, key=lambda other: (_score(current, other), -free.index(other)))
        free.remove(best)
        pairs.append((current, best))
    return pairs, alone


async def _candidates(session: AsyncSession) -> list[Candidate]:
    rows = await session.execute(
        select(Member, Profile)
        .join(Profile, Profile.member_id == Member.id)
        .where(Profile.pairs.is_(True), Member.status == MemberStatus.ACTIVE)
        .order_by(Member.id)
    )
    return [Candidate(member, profile) for member, profile in rows.all()]


async def _recent(session: AsyncSession, now: datetime) -> set[frozenset[int]]:
    rows = await session.execute(
        select(MeetingPair.first_id, MeetingPair.second_id).where(
            MeetingPair.second_id.is_not(None), MeetingPair.created_at > now - YEAR
        )
    )
    return {frozenset((a, b)) for a, b in rows.all() if b is not None}


async def _left_out_last_time(session: AsyncSession, month: str) -> set[int]:
    last = await session.scalar(
        select(MeetingPair.month)
        .where(MeetingPair.month < month)
        .order_by(MeetingPair.month.desc())
    )
    if last is None:
        return set()
    rows = await session.scalars(
        select(MeetingPair.first_id).where(
            MeetingPair.month == last, MeetingPair.second_id.is_(None)
        )
    )
    return set(rows)


async def pair_month(session: AsyncSession, settings: Settings, now: datetime) -> list[MeetingPair]:
    """Make this month's pairs (and the odd ones out) unless they are made; returns the
    new rows, to tell each member."""
    month = month_of(now, settings.network.timezone)
    if await session.scalar(select(MeetingPair.id).where(MeetingPair.month == month).limit(1)):
        return []
    candidates = await _candidates(session)
    if len(candidates) < 2:
        return []  # nobody to pair: the month stays open for a later opt-in
    matched, alone = match(
        candidates, await _recent(session, now), await _left_out_last_time(session, month), month
    )
    made = [
        MeetingPair(
            month=month,
            first_id=min(a.id, b.id),
            second_id=max(a.id, b.id),
            created_at=now,
        )
        for a, b in matched
    ]
    made += [MeetingPair(month=month, first_id=c.id, second_id=None, created_at=now) for c in alone]
    session.add_all(made)
    await session.flush()
    return made


async def due_followups(
    session: AsyncSession, settings: Settings, now: datetime
) -> list[MeetingPair]:
    """Pairs made ``pair_followup_days`` ago not asked yet; marked asked."""
    deadline = now - timedelta(days=settings.directory.pair_followup_days)
    rows = await session.scalars(
        select(MeetingPair)
        .where(
            MeetingPair.second_id.is_not(None),
            MeetingPair.asked_at.is_(None),
            MeetingPair.created_at <= deadline,
        )
        .order_by(MeetingPair.id)
    )
    due = list(rows)
    for pair in due:
        pair.asked_at = now
    return due


def partner_of(pair: MeetingPair, member_id: int) -> int | None:
    if pair.first_id == member_id:
        return pair.second_id
    if pair.second_id == member_id:
        return pair.first_id
    return None


async def confirm(
    session: AsyncSession, settings: Settings, pair: MeetingPair, now: datetime
) -> bool:
    """Record that the pair met; False when it was recorded already (by either). Both
    earn the points and a sign of life."""
    if pair.met_at is not None or pair.second_id is None:
        return False
    pair.met_at = now
    points = settings.directory.pair_points
    ids = [pair.first_id, pair.second_id]
    if points:
        statement = insert_ignoring_conflicts(session, PointsEntry, on=["unique_key"])
        await session.execute(
            statement,
            [
                {
                    "member_id": member_id,
                    "points": points,
                    "reason": REASON,
                    "unique_key": f"meet:{pair.id}:{member_id}",
                    "created_at": now,
                }
                for member_id in ids
            ],
        )
    members = await session.scalars(select(Member).where(Member.id.in_(ids)))
    for member in members:
        engagement.sign_of_life(member, now)
    return True


async def pairs_of(session: AsyncSession, member_id: int) -> list[MeetingPair]:
    rows = await session.scalars(
        select(MeetingPair)
        .where(or_(MeetingPair.first_id == member_id, MeetingPair.second_id == member_id))
        .order_by(MeetingPair.id)
    )
    return list(rows)
