"""Ranks and boards against a naive computation, including negative weekly totals (a
withdrawn report's compensating entry) and members without any entry (no rank at all)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.activity import standings
from bot.activity.standings import AllTimeRanks, board, boards, rank_of
from bot.core.clock import FrozenClock
from bot.core.db import session_factory
from bot.core.periods import week_start
from bot.models import Member, MemberStatus, PointsEntry, Role, Visibility

CATEGORIES = ("business", "tourism")


@pytest.mark.parametrize("first_read", [standings.FIRST_READ, 3])
async def test_ranks_and_boards_match_a_naive_count(
    engine: AsyncEngine, clock: FrozenClock, first_read: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # All-time boards read member_totals in growing slices; 3 rows at first makes them
    # read again (16 times more, then everything), as a large network's short board does.
    monkeypatch.setattr(standings, "FIRST_READ", first_read)
    rng = random.Random(7)
    now = clock.now()
    week = week_start(now, "Europe/Paris")
    members: list[Member] = []
    async with session_factory(engine).begin() as session:
        for i in range(40):
            members.append(
                Member(
                    display_name=f"M{i:02d}",
                    status=rng.choice([MemberStatus.ACTIVE] * 4 + [MemberStatus.PENDING]),
                    role=Role.MEMBER,
                    category=CATEGORIES[i % 2],
                    language="en",
                    visibility=rng.choice(list(Visibility)),
                    sponsor_code=f"Q{i:04d}",
                    consent_at=now,
                    joined_at=now,
                )
            )
        session.add_all(members)
        await session.flush()
        for n in range(150):
            member = rng.choice(members[:30])  # the last ten have no entry at all
            session.add(
                PointsEntry(
                    member_id=member.id,
                    points=rng.choice([-6, -2, 1, 3, 5]),
                    reason="test",
                    unique_key=f"t:{n}",
                    created_at=now - timedelta(days=rng.randrange(20)),
                )
            )
    entries: dict[int, list[tuple[int, object]]] = {}
    async with session_factory(engine)() as session:
        for member_id, points, created in await session.execute(
            select(PointsEntry.member_id, PointsEntry.points, PointsEntry.created_at)
        ):
            entries.setdefault(member_id, []).append((points, created))

        def total(member: Member, since: object) -> int:
            return sum(p for p, c in entries.get(member.id, []) if since is None or c >= since)

        ranks = AllTimeRanks()  # what the nudge job uses: the same all-time ranks
        for member in members:
            for category in CATEGORIES:
                assert await ranks.rank(session, member.id, category) == await rank_of(
                    session, member.id, None, category
                )
        for since in (week, None):
            every = await boards(session, since, CATEGORIES)
            assert set(every) == {*CATEGORIES, None}
            for category in (*CATEGORIES, None):
                scope = [
                    m
                    for m in members
                    if m.status is MemberStatus.ACTIVE and category in (None, m.category)
                ]
                for member in members:
                    # No rank without points in the period (0 or a withdrawn negative).
                    expected: int | None = None
                    if member in scope and total(member, since) > 0:
                        expected = 1 + sum(total(o, since) > total(member, since) for o in scope)
                    assert await rank_of(session, member.id, since, category) == expected
                public = [
                    m
                    for m in scope
                    if m.visibility is not Visibility.HIDDEN and total(m, since) > 0
                ]
                top, _ = await board(session, since, category)
                ranked = sorted(public, key=lambda m: (-total(m, since), m.display_name))[:10]
                assert [s.member_id for s in top] == [m.id for m in ranked]
                assert every[category] == top  # one pass for every board: the same lines
                for standing in top:
                    member = next(m for m in public if m.id == standing.member_id)
                    assert standing.points == total(member, since)
                    assert standing.rank == 1 + sum(
                        total(o, since) > standing.points for o in public
                    )
                for member in members:  # a member's own line under the top
                    _, own = await board(session, since, category, around=member.id)
                    if member not in public or member.id in [s.member_id for s in top]:
                        assert own is None
                        continue
                    assert own is not None and own.points == total(member, since)
                    assert own.rank == 1 + sum(total(o, since) > own.points for o in public)
