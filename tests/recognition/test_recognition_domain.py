# ruff: noqa: F811  (the world fixture is imported, then named by each test)
"""The recognition steps on the database: a level reached by two reports at once is
recorded and announced once even when two runs race; badges are granted once whatever
the re-runs; /forget erases levels, badges and award reasons. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.members import privacy
from bot.models import (
    BadgeEarned,
    Delivery,
    LevelReached,
    Member,
    PointsAward,
    PointsEntry,
    Report,
    ReportKind,
    Role,
)
from bot.recognition import awards
from bot.recognition.badges import award_badges, badges_of
from bot.recognition.levels import announce_level_ups
from tests.animation.event_fixtures import PLATFORMS, World, add_member, world  # noqa: F401


async def step(world: World, run: Any) -> int:
    async with world.sessions.begin() as session:
        return int(
            await run(
                session, world.settings, world.translator, platforms=PLATFORMS, now=world.now()
            )
        )


async def credit(world: World, member_id: int, points: int, key: str) -> None:
    async with world.sessions.begin() as session:
        now = world.now()
        report = Report(
            member_id=member_id, kind=ReportKind.MENTION, subkind="press", created_at=now
        )
        session.add(report)
        await session.flush()
        entry = PointsEntry(member_id=member_id, points=points, reason="report", unique_key=key)
        entry.report_id, entry.created_at = report.id, now
        session.add(entry)


async def deliveries(world: World, prefix: str) -> list[str]:
    async with world.sessions() as session:
        rows = await session.scalars(select(Delivery.key).where(Delivery.key.like(f"{prefix}%")))
        return sorted(rows)


async def test_two_reports_crossing_a_level_at_once_announce_it_once(world: World) -> None:
    async with world.sessions.begin() as session:
        alice = (await add_member(session, "alice", joined_at=world.now())).id
    await credit(world, alice, 40, "r1")
    assert await step(world, announce_level_ups) == 0  # 40 < 50
    # Two reports land together (50 → 60), then two runs of the job race.
    await asyncio.gather(credit(world, alice, 10, "r2"), credit(world, alice, 10, "r3"))
    told = await asyncio.gather(step(world, announce_level_ups), step(world, announce_level_ups))
    assert sorted(told) == [0, 1]
    assert await step(world, announce_level_ups) == 0
    assert await deliveries(world, "level:") == [f"level:{alice}:50:m{alice}"]
    # Crossing two levels at once: both recorded, the highest told.
    await credit(world, alice, 500, "r4")
    assert await step(world, announce_level_ups) == 1
    async with world.sessions() as session:
        levels = sorted(await session.scalars(select(LevelReached.level)))
    assert levels == [50, 200, 500]
    assert await deliveries(world, f"level:{alice}:500") == [f"level:{alice}:500:m{alice}"]
    assert await deliveries(world, f"level:{alice}:200") == []


async def test_badges_are_granted_once(world: World) -> None:
    async with world.sessions.begin() as session:
        alice = (await add_member(session, "alice", joined_at=world.now())).id
        bob = (await add_member(session, "bob", joined_at=world.now())).id
    assert await step(world, award_badges) == 0
    for number in range(10):
        await credit(world, alice, 5, f"m{number}")
    await credit(world, bob, 5, "b1")
    # alice: first report and ten mentions; bob: first report.
    results = await asyncio.gather(step(world, award_badges), step(world, award_badges))
    assert sum(results) == 3
    assert await step(world, award_badges) == 0
    world.clock.advance(timedelta(days=366))
    assert await step(world, award_badges) == 2  # one year in the network, each
    assert await step(world, award_badges) == 0
    async with world.sessions() as session:
        held = [badge.key for badge in await badges_of(session, alice)]
        assert held == ["first-report", "ten-mentions", "one-year"]
        labels = [
            badge.label(world.settings, world.translator, "fr")
            for badge in await badges_of(session, alice)
        ]
        assert labels == ["Premier pas", "Dix mentions", "Un an dans le réseau"]


async def test_forget_erases_recognition(world: World) -> None:
    async with world.sessions.begin() as session:
        carol = await add_member(session, "carol", joined_at=world.now())
        alice = await add_member(session, "alice", joined_at=world.now())
        carol.role = Role.COORDINATOR
        outcome = await awards.award(
            session, world.settings, actor=carol, target=alice, points=60,
            reason="stand held", now=world.now(),
        )  # fmt: skip
        assert outcome.award is not None
        alice_id = alice.id
    await step(world, announce_level_ups)
    await credit(world, alice_id, 5, "a1")
    await step(world, award_badges)
    async with world.sessions.begin() as session:
        member = await session.get(Member, alice_id)
        assert member is not None
        await privacy.forget(session, member, world.clock, actor_id=alice_id)
    async with world.sessions() as session:
        for model in (LevelReached, BadgeEarned, PointsAward):
            left = await session.scalar(
                select(func.count()).select_from(model).where(model.member_id == alice_id)
            )
            assert left == 0, model
