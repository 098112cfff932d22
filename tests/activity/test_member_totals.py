"""``member_totals`` (kept by triggers on the ledger) against a naive sum of the ledger,
after random sequences of ledger writes and after the bot's own write paths: reports,
a rejected mention, a ``/link`` merge of two members with history, ``/forget`` and a
coordinator's erasure."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.db import session_factory
from bot.members.linking import _merge
from bot.models import Member, MemberStatus, MemberTotal, PointsEntry, Role
from tests.support.actions import (
    issue_code,
    mention,
    press,
    press_mention,
    press_or_say,
    report_settlement,
)
from tests.support.harness import Network, OtherPlatform


async def assert_totals_exact(engine: AsyncEngine) -> None:
    """Every member's stored total equals the sum of their ledger entries (0 for none)."""
    async with session_factory(engine)() as session:
        naive = {
            member_id: int(points)
            for member_id, points in await session.execute(
                select(PointsEntry.member_id, func.sum(PointsEntry.points)).group_by(
                    PointsEntry.member_id
                )
            )
        }
        stored = {
            member_id: points
            for member_id, points in await session.execute(
                select(MemberTotal.member_id, MemberTotal.points)
            )
        }
    for member_id in naive.keys() | stored.keys():
        assert stored.get(member_id, 0) == naive.get(member_id, 0), member_id


def _member(i: int, now: object) -> Member:
    return Member(
        display_name=f"M{i}",
        status=MemberStatus.ACTIVE,
        role=Role.MEMBER,
        category="business",
        language="en",
        sponsor_code=f"T{i:05d}",
        consent_at=now,
        joined_at=now,
    )


async def test_random_ledger_writes_keep_totals_exact(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    rng = random.Random(14)
    now = clock.now()
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        session.add_all([_member(i, now) for i in range(12)])
    keys = iter(range(1_000_000))
    for _step in range(120):
        async with sessions.begin() as session:
            members = list(await session.scalars(select(Member.id)))
            entries = list(await session.scalars(select(PointsEntry.id)))
            operation = rng.choice(
                ["insert"] * 5 + ["move", "repoint", "delete", "delete member", "merge", "new"]
            )
            if operation == "insert" or not entries:
                session.add_all(
                    PointsEntry(
                        member_id=rng.choice(members),
                        points=rng.choice([-5, -3, 1, 3, 5, 30]),
                        reason="test",
                        unique_key=f"t:{next(keys)}",
                        created_at=now - timedelta(days=rng.randrange(400)),
                    )
                    for _ in range(rng.randint(1, 4))
                )
            elif operation == "move":  # entries change hands (several at once)
                chosen = rng.sample(entries, min(3, len(entries)))
                await session.execute(
                    update(PointsEntry)
                    .where(PointsEntry.id.in_(chosen))
                    .values(member_id=rng.choice(members))
                )
            elif operation == "repoint":  # an entry's points change (and its owner, once)
                await session.execute(
                    update(PointsEntry)
                    .where(PointsEntry.id == rng.choice(entries))
                    .values(points=PointsEntry.points + 2, member_id=rng.choice(members))
                )
            elif operation == "delete":
                await session.execute(
                    delete(PointsEntry).where(PointsEntry.id == rng.choice(entries))
                )
            elif operation == "delete member" and len(members) > 3:  # the ledger cascades
                await session.execute(delete(Member).where(Member.id == rng.choice(members)))
            elif operation == "merge" and len(members) > 3:  # what /link does to two members
                survivor, absorbed = rng.sample(members, 2)
                await _merge(
                    session,
                    survivor=await session.get_one(Member, survivor),
                    absorbed=await session.get_one(Member, absorbed),
                )
            else:
                session.add(_member(100 + next(keys), now))
        await assert_totals_exact(engine)
    # Not a vacuous comparison: the totals hold points, for several members.
    async with sessions() as session:
        assert await session.scalar(select(func.count()).where(MemberTotal.points != 0)) >= 3


async def test_totals_follow_the_bots_write_paths(network: Network) -> None:
    engine = network.engine
    other = OtherPlatform(network.app)
    for name, category in (("carol", "Business"), ("alice", "Business"), ("bob", "Sport")):
        await network.join(name, category=category)
    await mention(network, "alice", "Press", "https://news.test/a")
    await mention(network, "bob", "Blog", "https://blog.test/b")
    await press_mention(network, "alice", "https://press.test/a2")
    await assert_totals_exact(engine)
    # A rejected mention: a compensating entry.
    out = await network.play("@carol /review")
    assert "Mention #1" in out
    out = await press(network, "carol", "rev:r:1")
    out = await network.play("@carol The article does not mention Lyon")
    assert "points withdrawn" in out
    await assert_totals_exact(engine)
    # /link merges a member with history on the other platform into Alice.
    for line in ("/start", "[en]", "[yes]", "[sport]", "[skip]"):
        await press_or_say(other, "77", line)
    await report_settlement(other, "77")
    await assert_totals_exact(engine)
    code = await issue_code(network, "alice")
    assert "Your two memberships are now one." in await other.say("77", f"/link {code}")
    await assert_totals_exact(engine)
    # /forget by the member, erasure by a coordinator.
    out = await network.play(
        """
        @alice /forget
        @alice [Yes, erase my data]
        """
    )
    assert "Your data was erased." in out
    await assert_totals_exact(engine)
    out = await network.play("@carol /erase bob")
    out = await network.play("@carol [Erase]")
    assert "was erased" in out
    await assert_totals_exact(engine)
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(MemberTotal)) >= 2
