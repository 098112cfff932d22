"""Two Relais processes answering one Telegram bot's webhook, on one database: the
reverse proxy hands a person's updates to one and then the other (played here by giving
each update to the next process). On PostgreSQL the person is told to slow down at
``[limits] updates_per_minute``, once, not at twice it; and once the two senders know
each other, each process's flood gate keeps half of the bot's limits, replies included
(the pace itself: ``test_telegram_limits.py``). SQLite serves one process: its count and
its gate are that process's own.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import SLOW_DOWN
from bot.core.clock import FrozenClock
from bot.core.db import create_engine
from bot.platforms.telegram.limits import FloodGate
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

HELP = "What you can do"


async def test_two_processes_share_a_persons_limit_and_the_bots_pace(
    engine: AsyncEngine, database_url: str, clock: FrozenClock
) -> None:
    second = create_engine(database_url)
    async with FakeTelegram() as fake:
        processes = [
            TelegramNetwork(e, database_url, clock, fake, limits__updates_per_minute="4")
            for e in (engine, second)
        ]
        try:
            for process in processes:
                await process.platform.initialize()
            for _ in range(2):  # the second renewals see the sender that started after
                for process in processes:
                    await process.app.sender.lease.renew()
            stranger = fake.user(7000, "Stranger")
            for i in range(10):
                assert await processes[i % 2].platform._on_webhook(fake.text(stranger, "/help"))
            texts = fake.texts(stranger)
            postgres = engine.dialect.name == "postgresql"
            assert sum(HELP in text for text in texts) == (4 if postgres else 8)
            assert texts.count(SLOW_DOWN) == (1 if postgres else 2)

            gates = [process.platform.bot.rate_limiter for process in processes]
            assert all(isinstance(gate, FloodGate) for gate in gates)
            # Both replied since their leases met: their gates keep a half each.
            parts = [gate.parts for gate in gates if isinstance(gate, FloodGate)]
            assert parts == ([2, 2] if postgres else [1, 1])
        finally:
            for process in processes:
                await process.platform.stop()
                await process.app.sender.lease.release()
            await second.dispose()
