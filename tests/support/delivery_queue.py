"""A delivery queue to test on: a plan of messages, enqueued on the test's database,
drained by a fast sender into a recording platform."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.config import DeliverySettings
from bot.core.db import session_factory
from bot.core.port import Address, Message
from bot.delivery import queue
from bot.delivery.sender import Sender
from tests.support.fakes import RecordingPlatform

FAST = DeliverySettings(speedup=10_000, concurrency=32, max_attempts=4)


def plan(n: int, prefix: str = "c1", chats: int | None = None) -> list[queue.Planned]:
    return [
        queue.Planned(
            key=f"{prefix}:m{i}",
            address=Address("telegram", str(1000 + (i % chats if chats else i))),
            message=Message(text=f"{prefix} hello {i}"),
            private=True,
        )
        for i in range(n)
    ]


async def enqueue(
    engine: AsyncEngine, clock: FrozenClock, items: list[queue.Planned], batch: str = "c1"
) -> int:
    async with session_factory(engine).begin() as session:
        return await queue.enqueue(session, clock.now(), batch, items)


def sender_for(engine: AsyncEngine, clock: FrozenClock, platform: RecordingPlatform) -> Sender:
    return Sender(
        sessions=session_factory(engine),
        platforms={platform.name: platform},
        clock=clock,
        settings=FAST,
    )
