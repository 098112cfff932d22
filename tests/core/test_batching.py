"""Id lists longer than PostgreSQL's 32,767 bind parameters are queried in pieces."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.batching import chunked
from bot.core.db import session_factory
from bot.delivery import recipients

MANY = list(range(1, 40_001))


def test_chunked_keeps_every_value_in_order() -> None:
    pieces = list(chunked(range(12), size=5))
    assert pieces == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]
    assert list(chunked([])) == []


async def test_forty_thousand_members_in_one_lookup(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        assert await recipients.private_addresses(session, MANY, ["telegram"]) == {}
        assert await recipients.private_recipients(session, MANY, ["telegram"]) == []
