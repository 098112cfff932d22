"""Several processes, one queue: recovery marks ``unknown`` only the rows of a sender
that died (its lease lapsed), never those another live sender has in flight."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.db import session_factory
from bot.core.port import Address, Message, Outgoing
from bot.delivery import queue
from bot.delivery.lease import Share
from bot.models import Delivery
from tests.support.delivery_queue import FAST, enqueue, plan, sender_for
from tests.support.fakes import RecordingPlatform

#: Waiting for a send to reach the platform (an event, not a sleep).
WITHIN = 60


class HeldPlatform(RecordingPlatform):
    """Holds every send until ``release`` is set: a message in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.entered = asyncio.Event()

    async def send(self, outgoing: Outgoing) -> str:
        self.entered.set()
        await self.release.wait()
        return await super().send(outgoing)


async def by_key(engine: AsyncEngine) -> dict[str, tuple[str, str | None]]:
    async with session_factory(engine)() as session:
        rows = await session.execute(select(Delivery.key, Delivery.status, Delivery.claimed_by))
        return {key: (str(status), owner) for key, status, owner in rows}


async def chat_in(engine: AsyncEngine, share: Share) -> str:
    """A private chat that this share of the platform serves: on PostgreSQL two live
    senders split the chats by ``hashtext`` (see ``queue._served``), so the live sender's
    message must be in one of its own chats."""
    if share.count == 1:
        return "2000"
    async with engine.connect() as connection:
        for candidate in range(2000, 2100):
            bucket = await connection.scalar(
                text("SELECT mod(hashtext(:chat)::bigint + 2147483648, :count)"),
                {"chat": str(candidate), "count": share.count},
            )
            if bucket == share.index:
                return str(candidate)
    raise AssertionError("no chat in this share")


async def test_a_dead_senders_rows_become_unknown_and_a_live_ones_end_sent(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    doomed_platform, live_platform = HeldPlatform(), HeldPlatform()
    doomed = sender_for(engine, clock, doomed_platform)
    live = sender_for(engine, clock, live_platform)
    await enqueue(engine, clock, plan(1, prefix="a"), batch="a")
    doomed_run = asyncio.create_task(doomed.drain())
    await asyncio.wait_for(doomed_platform.entered.wait(), WITHIN)
    # The live sender joins: with two of them alive, it serves its own chats.
    await live.lease.renew()
    chat = await chat_in(engine, live.lease.share("telegram"))
    planned = queue.Planned(
        key="b:m0",
        address=Address("telegram", chat),
        message=Message(text="b hello 0"),
        private=True,
    )
    await enqueue(engine, clock, [planned], batch="b")
    live_run = asyncio.create_task(live.drain())
    await asyncio.wait_for(live_platform.entered.wait(), WITHIN)
    assert await by_key(engine) == {
        "a:m0": ("sending", doomed.lease.owner),
        "b:m0": ("sending", live.lease.owner),
    }

    # A process starting now recovers nothing: both senders are alive.
    starting = sender_for(engine, clock, RecordingPlatform())
    await starting.recover()
    assert {key: status for key, (status, _) in (await by_key(engine)).items()} == {
        "a:m0": "sending",
        "b:m0": "sending",
    }

    # The first process dies mid-send: it writes nothing more, its lease lapses, while
    # the live one keeps renewing (its keeper does that every third of the lease).
    doomed_run.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await doomed_run
    clock.advance(timedelta(seconds=FAST.lease_seconds + 1))
    await live.lease.renew()
    await starting.recover()
    statuses = {key: status for key, (status, _) in (await by_key(engine)).items()}
    assert statuses == {"a:m0": "unknown", "b:m0": "sending"}

    live_platform.release.set()
    assert await asyncio.wait_for(live_run, WITHIN) == 1
    await live.drain()
    await starting.drain()
    statuses = {key: status for key, (status, _) in (await by_key(engine)).items()}
    assert statuses == {"a:m0": "unknown", "b:m0": "sent"}
    # The dead sender's message was never handed to a platform again.
    assert doomed_platform.sent == []
    assert [o.message.text for o in live_platform.sent] == ["b hello 0"]
    assert starting.platforms["telegram"].sent == []  # type: ignore[attr-defined]


async def test_a_stopped_sender_releases_its_lease(engine: AsyncEngine, clock: FrozenClock) -> None:
    """``run`` ends (the process stops): its lease goes at once, so what it left in
    flight is recovered by the next look, without waiting a lease."""
    platform = HeldPlatform()
    sender = sender_for(engine, clock, platform)
    await enqueue(engine, clock, plan(1))
    running = asyncio.create_task(sender.run(idle=3600))
    await asyncio.wait_for(platform.entered.wait(), WITHIN)
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    other = sender_for(engine, clock, RecordingPlatform())
    await other.recover()
    assert await by_key(engine) == {"c1:m0": ("unknown", sender.lease.owner)}
