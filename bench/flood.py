"""A flooding stranger: how long a member waits for ``/help`` while someone else sends
sixty ``/help`` at once, against the same member's wait on a quiet bot, in the same run.

The fake Bot API server runs in its own process and enforces Telegram's flood limits
(1 message a second in a private chat, 30 a second overall), scaled by ``BENCH_FACTOR``
(default 10), with ``[delivery] speedup`` set to the same factor. Relais polls it with
its own polling loop. Each run pushes the member's ``/help`` alone ("quiet"), then a new
stranger's sixty ``/help`` followed at once by the member's ("flood"); the latency is
from the push to the moment the server accepted the member's answer. Handled one update
after another, the member's answer came after the stranger's sixty, each paced to the
stranger's chat's rate (issue #15 measured 1.5 s → 58.8 s at Telegram's real rates).
"""

from __future__ import annotations

import asyncio
import os
from time import monotonic

from bench.common import RUNS, FakeProcess, SqliteFiles, Table, bench_settings, median
from bot.core.clock import SystemClock
from bot.core.db import create_engine, session_factory
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import build_app
from tests.support.harness import seed_telegram_members

FACTOR = float(os.environ.get("BENCH_FACTOR", "10"))
FLOOD = 60
MEMBER = 20_000_001


async def _answered(fake: FakeProcess, chat: int, count: int) -> float:
    """Wait until ``chat`` received ``count`` messages; when the server accepted the
    last (the server's monotonic clock, the same machine's as ours)."""
    while True:
        stats = await fake.control("chat", {"chat_id": chat})
        if stats["count"] >= count:
            return float(stats["last"])
        await asyncio.sleep(0.005)


async def _one(
    fake: FakeProcess, platform: TelegramPlatform, received: int, stranger: int | None
) -> float:
    actions = [["text", stranger, "/help"]] * FLOOD if stranger is not None else []
    start = monotonic()
    await fake.control("push", {"actions": [*actions, ["text", MEMBER, "/help"]]})
    answered = await _answered(fake, MEMBER, received + 1)
    await _settled(fake, platform)  # the flood is over before the next measure
    return answered - start


async def _settled(fake: FakeProcess, platform: TelegramPlatform) -> None:
    pending = True
    while pending:
        await asyncio.sleep(0.05)
        pending = bool((await fake.control("stats"))["pending"] or platform.lines.busy_chats)


async def main() -> Table:
    files = SqliteFiles()
    quiet: list[float] = []
    flooded: list[float] = []
    try:
        async with FakeProcess() as fake:
            url = await files.fresh()
            engine = create_engine(url)
            strangers = [30_000_000 + run for run in range(RUNS)]
            await fake.control("users", {"ids": [MEMBER, *strangers]})
            await fake.control("enforce", {"factor": FACTOR})
            await seed_telegram_members(engine, [MEMBER])
            settings = bench_settings(
                url,
                telegram_token=fake.token,
                telegram__api_base_url=fake.base_url,
                delivery__speedup=str(FACTOR),
                limits__updates_per_minute="30",
            )
            app = build_app(
                settings=settings, sessions=session_factory(engine), clock=SystemClock()
            )
            platform = TelegramPlatform(app)
            await platform.start()
            try:
                received = 0
                for stranger in strangers:
                    quiet.append(await _one(fake, platform, received, None))
                    received += 1
                    flooded.append(await _one(fake, platform, received, stranger))
                    received += 1
            finally:
                await platform.stop()
                await engine.dispose()
    finally:
        files.cleanup()
    table = Table(
        f"A member's /help while a stranger sends {FLOOD} /help (Telegram's limits ×{FACTOR:g}, "
        f"median of {RUNS} runs)",
        ["member's /help", "median s", "max s", "ratio to quiet"],
    )
    base = median(quiet)
    table.add("quiet bot", base, max(quiet), "1.00")
    table.add(
        f"a stranger's {FLOOD} /help just before",
        median(flooded),
        max(flooded),
        f"{median(flooded) / base:.2f}",
    )
    table.notes.append(
        "latency: from pushing the update to the fake server accepting the member's answer; "
        "the stranger is cut to 30 updates a minute ([limits] updates_per_minute) and one "
        '"slow down".'
    )
    table.print()
    return table


if __name__ == "__main__":
    asyncio.run(main())
