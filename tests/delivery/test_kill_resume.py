"""A 5,000-recipient broadcast through the Telegram adapter, killed with SIGKILL at a
random point and restarted: checked against what the fake Bot API server (in this
process, outside the killed one) actually received."""

from __future__ import annotations

import asyncio
import math
import os
import random
import signal
import sys
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.db import session_factory
from bot.core.port import Address, Message
from bot.delivery import queue
from bot.delivery.sender import IN_FLIGHT
from bot.models import Delivery, DeliveryStatus
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import seed_telegram_members
from tests.support.paths import ROOT, WORKERS
from tests.support.workers import telegram_queue_worker as worker

RECIPIENTS = 5000
WORKER = WORKERS / "telegram_queue_worker.py"


async def _run_worker(database_url: str, fake: FakeTelegram, kill_after: int | None) -> int | None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(WORKER),
        database_url,
        fake.base_url,
        fake.token,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        if kill_after is None:
            return await asyncio.wait_for(process.wait(), timeout=600)
        await fake.wait_for(
            lambda: (
                len(fake.calls_to("sendMessage")) >= kill_after or process.returncode is not None
            ),
            within=300,
            interval=0.005,
        )
        process.send_signal(signal.SIGKILL)
        return await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_killed_broadcast_resumes_without_sending_twice(
    engine: AsyncEngine, database_url: str, clock: FrozenClock
) -> None:
    users = list(range(5_000_001, 5_000_001 + RECIPIENTS))
    await seed_telegram_members(engine, users)
    async with FakeTelegram() as fake:
        for user_id in users:
            fake.user(user_id, f"U{user_id}")
            fake.open_private_chat(user_id)
        blocked = set(users[::97])
        for user_id in blocked:
            fake.block(user_id)
        planned = [
            queue.Planned(
                key=f"campaign:1:member:{user_id}",
                address=Address("telegram", str(user_id)),
                message=Message(text="Share the festival programme"),
                private=True,
                member_id=user_id,
            )
            for user_id in users
        ]
        async with session_factory(engine).begin() as session:
            assert await queue.enqueue(session, clock.now(), "campaign:1", planned) == RECIPIENTS
        kill_after = random.randint(RECIPIENTS // 10, RECIPIENTS * 9 // 10)
        assert await _run_worker(database_url, fake, kill_after) == -signal.SIGKILL
        before_restart = len(fake.delivered())
        assert 0 < before_restart < RECIPIENTS
        assert await _run_worker(database_url, fake, None) == 0
        received = Counter({chat: len(texts) for chat, texts in fake.delivered().items()})
    async with session_factory(engine)() as session:
        rows = (await session.execute(select(Delivery.chat_id, Delivery.status))).all()
    status = {int(chat): DeliveryStatus(value) for chat, value in rows}
    assert len(status) == RECIPIENTS
    assert max(received.values()) == 1, "someone got the broadcast twice"
    counts = Counter(status.values())
    assert counts[DeliveryStatus.PENDING] == counts[DeliveryStatus.SENDING] == 0
    for user_id in users:
        got = received[user_id]
        if status[user_id] is DeliveryStatus.SENT:
            assert got == 1, f"{user_id} marked sent but received {got}"
        elif status[user_id] is DeliveryStatus.UNREACHABLE:
            assert got == 0 and user_id in blocked
        else:  # the rows in flight at the kill: maybe delivered, never resent
            assert status[user_id] is DeliveryStatus.UNKNOWN, status[user_id]
    assert all(status[u] in (DeliveryStatus.UNREACHABLE, DeliveryStatus.UNKNOWN) for u in blocked)
    # At most what was in flight in the two runs: the sender's workers at ×20.
    in_flight = max(worker.CONCURRENCY, math.ceil(30 * worker.SPEEDUP * IN_FLIGHT))
    assert counts[DeliveryStatus.UNKNOWN] <= 2 * in_flight
