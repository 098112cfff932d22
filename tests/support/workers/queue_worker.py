"""Drains the delivery queue into a log file; killed and restarted by test_delivery."""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import func, select

from bot.core.clock import SystemClock
from bot.core.config import DeliverySettings
from bot.core.db import create_engine, session_factory
from bot.delivery.sender import Sender
from bot.models import Delivery, DeliveryStatus
from tests.support.fakes import RecordingPlatform

#: Short, so a restart recovers the killed run's rows within seconds.
LEASE_SECONDS = 2.0
#: Slow enough that the test can kill it part-way.
SETTINGS = DeliverySettings(speedup=50, concurrency=8, lease_seconds=LEASE_SECONDS)


async def recover_the_dead(sender: Sender) -> None:
    """The killed run's rows in flight stay ``sending`` until its lease lapses; wait
    for that (real time: the killed process renewed it in real time) and recover them.
    Until then the killed run still holds a share of the platform (its chats wait), so
    those are drained after."""
    while True:
        async with sender.sessions() as session:
            left = await session.scalar(
                select(func.count()).where(Delivery.status == DeliveryStatus.SENDING)
            )
        if not left:
            return
        await asyncio.sleep(LEASE_SECONDS / 4)
        await sender.recover()


async def main(url: str, log_path: str) -> None:
    engine = create_engine(url)
    sender = Sender(
        sessions=session_factory(engine),
        platforms={"telegram": RecordingPlatform(log_path=log_path)},
        clock=SystemClock(),
        settings=SETTINGS,
    )
    await sender.recover()
    await sender.drain()
    await recover_the_dead(sender)
    await sender.drain()
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
