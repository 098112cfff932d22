"""Drains the delivery queue into a log file; killed and restarted by test_delivery."""

from __future__ import annotations

import asyncio
import sys

from bot.clock import SystemClock
from bot.config import DeliverySettings
from bot.db import create_engine, session_factory
from bot.sender import Sender
from tests.fakes import RecordingPlatform


async def main(url: str, log_path: str) -> None:
    engine = create_engine(url)
    sender = Sender(
        sessions=session_factory(engine),
        platforms={"telegram": RecordingPlatform(log_path=log_path)},
        clock=SystemClock(),
        # Slow enough that the test can kill it part-way.
        settings=DeliverySettings(speedup=50, concurrency=8),
    )
    await sender.recover()
    await sender.drain()
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
