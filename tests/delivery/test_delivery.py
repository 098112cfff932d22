"""The delivery queue: nothing sent twice, nothing lost, limits and failures handled."""

from __future__ import annotations

import asyncio
import math
import os
import signal
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.db import session_factory
from bot.delivery import sender as sender_module
from bot.delivery.sender import IN_FLIGHT, Pace, Sender, Window
from bot.models import Delivery, DeliveryStatus
from tests.support.delivery_queue import FAST, enqueue, plan, sender_for
from tests.support.fakes import RecordingPlatform
from tests.support.paths import ROOT, WORKERS
from tests.support.workers import queue_worker


async def statuses(engine: AsyncEngine) -> Counter[str]:
    async with session_factory(engine)() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        return Counter({str(status): int(n) for status, n in rows})


async def test_enqueuing_the_same_keys_twice_adds_nothing(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    assert await enqueue(engine, clock, plan(50)) == 50
    assert await enqueue(engine, clock, plan(50)) == 0
    platform = RecordingPlatform()
    await sender_for(engine, clock, platform).drain()
    assert len(platform.sent) == 50
    assert await enqueue(engine, clock, plan(50)) == 0
    await sender_for(engine, clock, platform).drain()
    assert len(platform.sent) == 50


async def test_two_thousand_with_429s_and_403s_end_sent_or_unreachable_once(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    await enqueue(engine, clock, plan(2000))
    platform = RecordingPlatform()
    for i in range(0, 2000, 7):
        platform.throttle[str(1000 + i)] = 2
    for i in range(3, 2000, 11):
        platform.flaky[str(1000 + i)] = 1
    platform.blocked = {str(1000 + i) for i in range(5, 2000, 13)}
    sender = sender_for(engine, clock, platform)
    for _ in range(10):
        await sender.drain()
        clock.advance(timedelta(seconds=30))
    counts = await statuses(engine)
    assert counts == Counter(
        {"sent": 2000 - len(platform.blocked), "unreachable": len(platform.blocked)}
    )
    texts = [o.message.text for o in platform.sent]
    assert len(texts) == len(set(texts))
    assert platform.rejections > 0


async def test_a_429_delays_only_its_chat_and_keeps_order(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    await enqueue(engine, clock, plan(30, chats=3))
    platform = RecordingPlatform()
    platform.throttle["1000"] = 1
    sender = sender_for(engine, clock, platform)
    await sender.drain()
    assert platform.by_chat["1000"] == []
    assert len(platform.by_chat["1001"]) == 10 and len(platform.by_chat["1002"]) == 10
    clock.advance(timedelta(seconds=5))
    await sender.drain()
    assert platform.by_chat["1000"] == [f"c1 hello {i}" for i in range(0, 30, 3)]


async def test_repeated_failures_end_failed(engine: AsyncEngine, clock: FrozenClock) -> None:
    await enqueue(engine, clock, plan(1))
    platform = RecordingPlatform()
    platform.flaky["1000"] = 99
    sender = sender_for(engine, clock, platform)
    for _ in range(8):
        await sender.drain()
        clock.advance(timedelta(minutes=5))
    assert await statuses(engine) == Counter({"failed": 1})
    assert platform.rejections == FAST.max_attempts


async def test_in_flight_rows_become_unknown_and_are_never_resent(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    await enqueue(engine, clock, plan(3))
    async with session_factory(engine).begin() as session:
        await session.execute(
            update(Delivery).where(Delivery.key == "c1:m0").values(status=DeliveryStatus.SENDING)
        )
    platform = RecordingPlatform()
    sender = sender_for(engine, clock, platform)
    await sender.recover()
    await sender.drain()
    # Different chats: no order between them.
    assert sorted(o.message.text for o in platform.sent) == ["c1 hello 1", "c1 hello 2"]
    assert await statuses(engine) == Counter({"sent": 2, "unknown": 1})


def test_windows_and_pace_hold_the_published_limits() -> None:
    """Pure logic on made-up instants: a private chat gets 1 message per second, a group
    20 per minute, and the platform's pace spaces messages evenly."""
    private = Window(1, 1.0)
    private.take(0.0)
    assert private.wait(0.5) == 0.5
    assert private.wait(1.0) == 0.0
    group = Window(20, 60.0)
    for second in range(20):
        assert group.wait(float(second)) == 0.0
        group.take(float(second))
    assert group.wait(20.0) == 40.0
    assert group.wait(60.0) == 0.0
    pace = Pace(30)
    delays = [pace.reserve(0.0) for _ in range(4)]
    assert [round(d * 30) for d in delays] == [0, 1, 2, 3]


WORKER = WORKERS / "queue_worker.py"


async def test_killed_mid_broadcast_then_restarted_sends_each_at_most_once(
    engine: AsyncEngine, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    total = 2000
    await enqueue(engine, clock, plan(total))
    log = tmp_path / "sent.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(WORKER), database_url, str(log)]
    first = await asyncio.create_subprocess_exec(*command, env=env)
    try:
        for _ in range(600):
            await asyncio.sleep(0.05)
            if log.exists() and log.read_text().count("\n") >= total // 4:
                break
        first.send_signal(signal.SIGKILL)
    finally:
        await first.wait()
    killed_at = log.read_text().count("\n")
    assert 0 < killed_at < total
    second = await asyncio.create_subprocess_exec(*command, env=env)
    assert await asyncio.wait_for(second.wait(), timeout=300) == 0
    lines = log.read_text().splitlines()
    per_message = Counter(line.split("\t")[1] for line in lines)
    assert max(per_message.values()) == 1
    counts = await statuses(engine)
    assert counts["pending"] == counts["sending"] == 0
    assert counts["sent"] + counts["unknown"] == total
    # At most what the killed sweep had in flight: Telegram's rate × speedup × a round
    # trip (sender.workers()).
    assert counts["unknown"] <= math.ceil(30 * queue_worker.SETTINGS.speedup * IN_FLIGHT)
    assert len(per_message) >= counts["sent"]


async def test_pages_read_ahead_keep_each_chats_order_and_hold_a_paused_chat(
    engine: AsyncEngine, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of 10 read while the previous ones are still being sent: a chat's rows from
    later pages join its worker in order, and once a chat is rate limited, the rows of
    it already read from later pages wait too."""
    monkeypatch.setattr(sender_module, "PAGE", 10)
    monkeypatch.setattr(sender_module, "LOW_WATER", 5)
    await enqueue(engine, clock, plan(60, chats=4))
    platform = RecordingPlatform()
    platform.throttle["1001"] = 1  # its first row draws a 429: the chat pauses 5 s
    await sender_for(engine, clock, platform).drain()
    for chat in ("1000", "1002", "1003"):
        assert platform.by_chat[chat] == [f"c1 hello {i}" for i in range(int(chat) - 1000, 60, 4)]
    assert platform.by_chat["1001"] == []
    clock.advance(timedelta(seconds=6))
    await sender_for(engine, clock, platform).drain()
    assert platform.by_chat["1001"] == [f"c1 hello {i}" for i in range(1, 60, 4)]
    assert await statuses(engine) == Counter({"sent": 60})


async def test_a_row_claimed_elsewhere_takes_no_slot_of_the_pace(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    """The pace is reserved once the claim is committed: a row another sender claimed
    first costs no slot, so the rate goes to the rows this sender does send."""
    await enqueue(engine, clock, plan(20))
    platform = RecordingPlatform()
    sender = Sender(
        sessions=session_factory(engine),
        platforms={platform.name: platform},
        clock=clock,
        settings=FAST,
        monotonic=lambda: 0.0,  # every reservation made at the same instant
    )
    ledger = sender._ledger
    claim = ledger.claim

    async def claim_unless_taken(row_id: int) -> bool:
        if row_id % 2:  # another sender claims it between our read and our claim
            async with session_factory(engine).begin() as session:
                await session.execute(
                    update(Delivery)
                    .where(Delivery.id == row_id)
                    .values(status=DeliveryStatus.SENDING, claimed_by="another-sender")
                )
        return await claim(row_id)

    ledger.claim = claim_unless_taken  # type: ignore[method-assign]
    await sender.drain()
    assert len(platform.sent) == 10
    _, pace = sender._paces["telegram", False]
    assert pace.next_free == pytest.approx(10 * pace.interval)
