"""Broadcast: a campaign DM to 10,000 members through the delivery queue, against the fake
Bot API server enforcing Telegram's flood limits scaled up ×20 (600 messages/s overall,
one message per 50 ms in a private chat), so a run takes seconds instead of minutes.

Relais: ``bot.delivery.queue.enqueue`` writes 10,000 rows, ``app.sender.drain()`` sends them
through the Telegram adapter with ``[delivery] speedup = 20``. The alternative a user
would pick: python-telegram-bot's ``AIORateLimiter`` configured for the same limits, and
8 tasks (the queue's default concurrency) calling ``bot.send_message`` in turn. (A
single ``asyncio.gather`` over 10,000 sends is worse: a first try ran at 25 msg/s, its
limiter waking thousands of waiters at every slot.)

Figures from the fake server's records: achieved rate (messages accepted ÷ time from
the first to the last) ÷ enforced limit, 429s answered, recipients who got nothing
(lost), and recipients who got the message more than once (sent twice).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application

from bench.common import (
    FakeProcess,
    SqliteFiles,
    Table,
    bench_settings,
    cpu_seconds,
    median,
)
from bot.core.clock import SystemClock
from bot.core.db import create_engine, session_factory
from bot.core.port import Address, Message
from bot.delivery import queue
from bot.models import DeliveryStatus
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import build_app, freeze_startup_heap
from tests.support.harness import seed_telegram_members

RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "10000"))
FACTOR = float(os.environ.get("BENCH_FACTOR", "20"))
LIMIT = 30 * FACTOR  # messages per second overall
RUNS = int(os.environ.get("BENCH_BROADCAST_RUNS", "3"))
#: ``[delivery] concurrency`` for the Relais run (sends in flight at once); the default 8 is
#: the setting's own default, sized for Telegram's real 30 messages/s.
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
WORKERS = 8
TEXT = "The Lyon festival opens on Saturday: share the programme with your network!"


@dataclass
class Outcome:
    seconds: float
    cpu: float
    rate: float
    floods: int
    lost: int
    twice: int
    failed: int

    @property
    def ratio(self) -> float:
        return self.rate / LIMIT


async def _outcome(fake: FakeProcess, seconds: float, cpu: float, failed: int) -> Outcome:
    stats: dict[str, Any] = await fake.control("stats")
    accepted = int(stats["accepted"])
    span = float(stats["last"]) - float(stats["first"])
    rate = (accepted - 1) / span if span > 0 else float("nan")
    return Outcome(
        seconds=seconds,
        cpu=cpu,
        rate=rate,
        floods=int(stats["floods"]),
        lost=RECIPIENTS - int(stats["chats"]),
        twice=int(stats["twice"]),
        failed=failed,
    )


async def relais_run(fake: FakeProcess, url: str, run: int) -> Outcome:
    users = [20_000_000 + run * 100_000 + i for i in range(RECIPIENTS)]
    await fake.control("users", {"ids": users})
    engine = create_engine(url)
    await seed_telegram_members(engine, users)
    settings = bench_settings(
        url,
        telegram_token=fake.token,
        telegram__api_base_url=fake.base_url,
        delivery__speedup=str(FACTOR),
        delivery__concurrency=str(CONCURRENCY),
    )
    app = build_app(settings=settings, sessions=session_factory(engine), clock=SystemClock())
    platform = TelegramPlatform(app)
    await platform.initialize()
    freeze_startup_heap()  # as `relais run` does once its platforms have started
    planned = [
        queue.Planned(
            key=f"campaign:{run}:member:{user}",
            address=Address("telegram", str(user)),
            message=Message(text=TEXT),
            private=True,
            member_id=user,
        )
        for user in users
    ]
    async with app.sessions.begin() as session:
        await queue.enqueue(session, app.clock.now(), f"campaign:{run}", planned)
    await fake.control("reset", {})
    await fake.control("enforce", {"factor": FACTOR})
    try:
        cpu, start = cpu_seconds(), perf_counter()
        await app.sender.drain()
        seconds, cpu = perf_counter() - start, cpu_seconds() - cpu
        async with app.sessions() as session:
            counts = await queue.progress(session, f"campaign:{run}")
    finally:
        await platform.stop()
        await engine.dispose()
    failed = RECIPIENTS - counts[DeliveryStatus.SENT]
    return await _outcome(fake, seconds, cpu, failed)


async def ptb_run(fake: FakeProcess, run: int) -> Outcome:
    """What a user of python-telegram-bot would write: AIORateLimiter set to the same
    limits (30 per 1/20 s overall, 20 per 3 s per group), up to 5 retries on 429."""
    users = [30_000_000 + run * 100_000 + i for i in range(RECIPIENTS)]
    await fake.control("users", {"ids": users})
    limiter = AIORateLimiter(
        overall_max_rate=30,
        overall_time_period=1 / FACTOR,
        group_max_rate=20,
        group_time_period=60 / FACTOR,
        max_retries=5,
    )
    application = (
        Application.builder()
        .token(fake.token)
        .base_url(fake.base_url)
        .rate_limiter(limiter)
        .updater(None)
        .build()
    )
    await application.initialize()
    await fake.control("reset", {})
    await fake.control("enforce", {"factor": FACTOR})
    try:
        cpu, start = cpu_seconds(), perf_counter()
        pending = iter(users)
        failures: list[BaseException] = []

        async def worker() -> None:
            for user in pending:
                try:
                    await application.bot.send_message(user, TEXT)
                except TelegramError as error:
                    failures.append(error)

        await asyncio.gather(*(worker() for _ in range(WORKERS)))
        seconds, cpu = perf_counter() - start, cpu_seconds() - cpu
    finally:
        await application.shutdown()
    return await _outcome(fake, seconds, cpu, len(failures))


async def main() -> Table:
    files = SqliteFiles()
    relais: list[Outcome] = []
    ptb: list[Outcome] = []
    try:
        async with FakeProcess() as fake:
            for run in range(RUNS):
                await fake.control("reset", {})
                relais.append(await relais_run(fake, await files.fresh(), run))
                await fake.control("reset", {})
                ptb.append(await ptb_run(fake, run))
    finally:
        files.cleanup()
    table = Table(
        f"Broadcast: {RECIPIENTS:,} private messages, Telegram's limits ×{FACTOR:g} "
        f"(enforced: {LIMIT:,.0f} msg/s overall, 1 per {1000 / FACTOR:g} ms per chat), "
        f"median of {RUNS} runs",
        [
            "sender",
            "msg/s",
            "rate ÷ limit",
            "wall s",
            "CPU s",
            "429s",
            "lost",
            "sent twice",
            "not sent (own count)",
        ],
    )
    for name, results in (
        (f"Relais delivery queue (SQLite) → adapter, concurrency {CONCURRENCY}", relais),
        ("bare PTB + AIORateLimiter, 8 tasks", ptb),
    ):
        table.add(
            name,
            median([r.rate for r in results]),
            f"{median([r.ratio for r in results]):.3f}",
            median([r.seconds for r in results]),
            median([r.cpu for r in results]),
            f"{median([r.floods for r in results]):g} (max {max(r.floods for r in results)})",
            max(r.lost for r in results),
            max(r.twice for r in results),
            max(r.failed for r in results),
        )
    table.notes.append(
        "lost and sent twice: the worst run, from the fake server's records. Telegram's "
        "real limits are undocumented; the fake allows at most 30 messages in any 1/20 s "
        "and 1 per 1/20 s in one private chat, and answers 429 with a fractional "
        "retry_after (Telegram says whole seconds, which ×20 would be 50 ms units)."
    )
    table.print()
    return table


if __name__ == "__main__":
    asyncio.run(main())
