"""Senders sharing one database share each platform: its rate and its chats.

On PostgreSQL, three senders (three processes) each learn at their lease's renewal that
they are one of three: each paces at a third of the platform's rate and drains only the
chats that hash to it, so together they keep one platform limit and each chat is served
by one of them. A platform only one of them serves (Discord, on one process) stays whole
for that one. On SQLite (one process) a sender always takes the whole platform.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.db import session_factory
from bot.delivery import queue
from bot.delivery.lease import Share, shares_of
from tests.support.delivery_queue import enqueue, plan, sender_for
from tests.support.fakes import RecordingPlatform


def test_each_platform_is_shared_among_the_senders_that_serve_it() -> None:
    live = [("a", "discord,telegram"), ("b", "telegram"), ("c", "telegram")]
    assert shares_of("a", live) == {"telegram": Share(0, 3)}  # Discord: a alone, whole
    assert shares_of("c", live) == {"telegram": Share(2, 3)}
    assert shares_of("a", [("a", "telegram")]) == {}


async def test_three_senders_split_the_rate_and_the_chats(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    await enqueue(engine, clock, plan(300, chats=60))
    platforms = [RecordingPlatform() for _ in range(3)]
    senders = [sender_for(engine, clock, platform) for platform in platforms]
    for sender in senders:
        await sender.lease.renew()
    for sender in senders:  # a second renewal sees the senders that started after it
        await sender.lease.renew()
    postgres = engine.dialect.name == "postgresql"
    shares = sorted((s.lease.share("telegram") for s in senders), key=lambda s: s.index)
    assert shares == ([Share(i, 3) for i in range(3)] if postgres else [Share()] * 3)

    async with session_factory(engine)() as session:
        parts = [
            await queue.due(session, clock.now(), ["telegram"], 1000, shares=sender.lease.shares)
            for sender in senders
        ]
    if postgres:  # disjoint, complete, and by chat
        ids = [{row.id for row in part} for part in parts]
        assert sum(len(part) for part in ids) == 300 == len(set().union(*ids))
        chats = [{row.chat_id for row in part} for part in parts]
        assert not (chats[0] & chats[1]) and not (chats[1] & chats[2])
        assert all(part for part in parts)
    else:
        assert all(len(part) == 300 for part in parts)

    for sender in senders:
        await sender.drain()
    sent = [chat for platform in platforms for chat in platform.by_chat]
    assert len(sent) == len(set(sent)) == 60  # each chat by one sender only
    assert sum(len(platform.sent) for platform in platforms) == 300
    # Each paced at its share of the platform's rate.
    rate = senders[0]._limits("telegram").per_second
    count = 3 if postgres else 1
    for sender in senders[:count]:  # on SQLite the first sent everything
        _, pace = sender._paces["telegram", False]
        assert abs(pace.interval - count / rate) < 1e-12
    async with session_factory(engine)() as session:
        left = await queue.due(session, clock.now(), ["telegram"], 1000)
    assert left == []


async def test_a_dead_senders_chats_pass_to_the_live_one_when_its_lease_is_recovered(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    """Two senders, one dies (never renews again): once its lease lapsed, the survivor's
    recovery forgets it and takes the whole platform at once, so every chat is drained
    by the next pass instead of waiting for the survivor's next renewal."""
    await enqueue(engine, clock, plan(40, chats=20))
    survivor, dead = (sender_for(engine, clock, RecordingPlatform()) for _ in range(2))
    await survivor.lease.renew()
    await dead.lease.renew()
    await survivor.lease.renew()
    clock.advance(dead.lease.length * 0.9)
    await survivor.lease.renew()  # the dead one's lease still holds: half the chats
    platform = survivor.platforms["telegram"]
    assert isinstance(platform, RecordingPlatform)
    if engine.dialect.name == "postgresql":
        assert survivor.lease.share("telegram").count == 2
        await survivor.drain()
        assert 0 < len(platform.by_chat) < 20
    clock.advance(dead.lease.length * 0.2)  # the dead lease lapsed; ours is not due
    assert not survivor.lease.due()
    await survivor.recover()
    assert survivor.lease.share("telegram") == Share()
    await survivor.drain()
    assert len(platform.by_chat) == 20
