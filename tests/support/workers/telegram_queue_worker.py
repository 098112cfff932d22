"""Drains the delivery queue through the real Telegram adapter into the fake Bot API
server (which lives in the test process); killed with SIGKILL and restarted by
test_kill_resume. Arguments: database URL, the fake server's base URL, its token."""

from __future__ import annotations

import asyncio
import sys

from bot.core.clock import SystemClock
from bot.core.db import create_engine, session_factory
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import build_app
from tests.support.harness import settings_for
from tests.support.workers.queue_worker import LEASE_SECONDS, recover_the_dead

#: Fast, but slow enough that the test can kill it part-way.
SPEEDUP = 20
CONCURRENCY = 16


async def main(url: str, base_url: str, token: str) -> None:
    engine = create_engine(url)
    settings = settings_for(
        url,
        telegram_token=token,
        telegram__api_base_url=base_url,
        delivery__speedup=str(SPEEDUP),
        delivery__concurrency=str(CONCURRENCY),
        delivery__lease_seconds=str(LEASE_SECONDS),
    )
    app = build_app(settings=settings, sessions=session_factory(engine), clock=SystemClock())
    platform = TelegramPlatform(app)
    await platform.initialize()
    try:
        await app.sender.recover()
        await app.sender.drain()
        await recover_the_dead(app.sender)
        await app.sender.drain()  # the chats the killed run's share held meanwhile
    finally:
        await platform.stop()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
