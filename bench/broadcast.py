"""Broadcast: a campaign DM to 10,000 members through the delivery queue, against the fake
Bot API server enforcing Telegram's flood limits.

Two modes:

* **free, ×20** (``python -m bench broadcast``): Telegram's free limits scaled up ×20
  (600 messages/s overall, one message per 50 ms in a private chat), so a run takes
  seconds instead of minutes.
* **paid, ×1** (``python -m bench broadcast_paid``): paid broadcasts at Telegram's real
  rates: ``[telegram] paid_broadcast = true``, 1,000 messages/s overall
  (``BENCH_PAID_RATE``), one a second per private chat; the fake server counts messages
  with ``allow_paid_broadcast`` against the paid rate, the others against the free 30/s.

Relais: ``bot.delivery.queue.enqueue`` writes 10,000 rows, ``app.sender.drain()`` sends them
through the Telegram adapter with ``[delivery] speedup`` set to the factor. The alternative a user
would pick: python-telegram-bot's ``AIORateLimiter`` configured for the same limits, and
8 tasks (the queue's default concurrency) calling ``bot.send_message`` in turn. (A
single ``asyncio.gather`` over 10,000 sends is worse: a first try ran at 25 msg/s, its
limiter waking thousands of waiters at every slot.)

Figures from the fake server's records: achieved rate (messages accepted ÷ time from
the first to the last) ÷ enforced limit, 429s answered, recipients who got nothing
(lost), and recipients who got the message more than once (sent twice); CPU of the
sending process (all its threads) per message.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
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
from bot.delivery import queue, sender
from bot.models import DeliveryStatus
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import build_app, freeze_startup_heap
from tests.support.harness import seed_telegram_members

RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "10000"))
RUNS = int(os.environ.get("BENCH_BROADCAST_RUNS", "3"))
#: ``[delivery] concurrency`` for the Relais run (the fewest sends in flight at once); the
#: default 8 is the setting's own default, sized for Telegram's real 30 messages/s; a
#: faster rate (×20, or paid broadcasts) adds workers for its rate (``Sender.workers``).
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
WORKERS = 8
TEXT = "The Lyon festival opens on Saturday: share the programme with your network!"


@dataclass(frozen=True)
class Mode:
    """Telegram's limits as the fake enforces them: ``factor`` divides time; ``paid`` is
    the paid broadcast rate (messages a second, before the factor) or 0 for free sends."""

    factor: float
    paid: int = 0

    @property
    def limit(self) -> float:
        """Messages a second overall that the fake accepts for this run's messages."""
        return (self.paid or 30) * self.factor


def _in_flight(mode: Mode) -> int:
    """The sends Relais keeps in flight at the mode's rate (``Sender.workers``)."""
    rate = mode.limit
    return max(CONCURRENCY, min(sender.MAX_WORKERS, math.ceil(rate * sender.IN_FLIGHT)))


FREE = Mode(factor=float(os.environ.get("BENCH_FACTOR", "20")))
PAID = Mode(factor=1.0, paid=int(os.environ.get("BENCH_PAID_RATE", "1000")))


@dataclass
class Outcome:
    mode: Mode
    seconds: float
    cpu: float
    rate: float
    floods: int
    lost: int
    twice: int
    failed: int
    #: Messages the fake accepted with ``allow_paid_broadcast``.
    paid: int
    load: float

    @property
    def ratio(self) -> float:
        return self.rate / self.mode.limit

    @property
    def cpu_per_message_ms(self) -> float:
        return self.cpu / RECIPIENTS * 1000


async def _outcome(
    fake: FakeProcess, mode: Mode, seconds: float, cpu: float, failed: int
) -> Outcome:
    stats: dict[str, Any] = await fake.control("stats")
    accepted = int(stats["accepted"])
    span = float(stats["last"]) - float(stats["first"])
    rate = (accepted - 1) / span if span > 0 else float("nan")
    return Outcome(
        mode=mode,
        seconds=seconds,
        cpu=cpu,
        rate=rate,
        floods=int(stats["floods"]),
        lost=RECIPIENTS - int(stats["chats"]),
        twice=int(stats["twice"]),
        failed=failed,
        paid=int(stats.get("paid", 0)),
        load=os.getloadavg()[0],
    )


async def _enforce(fake: FakeProcess, mode: Mode) -> None:
    await fake.control("reset", {})
    await fake.control("enforce", {"factor": mode.factor, "paid": mode.paid or 1000})


async def relais_run(fake: FakeProcess, url: str, run: int, mode: Mode = FREE) -> Outcome:
    users = [20_000_000 + run * 100_000 + i for i in range(RECIPIENTS)]
    await fake.control("users", {"ids": users})
    engine = create_engine(url)
    await seed_telegram_members(engine, users)
    settings = bench_settings(
        url,
        telegram_token=fake.token,
        telegram__api_base_url=fake.base_url,
        telegram__paid_broadcast="true" if mode.paid else "false",
        telegram__paid_rate=str(mode.paid or 1000),
        delivery__speedup=str(mode.factor),
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
            broadcast=True,  # as a campaign's private messages are
        )
        for user in users
    ]
    async with app.sessions.begin() as session:
        await queue.enqueue(session, app.clock.now(), f"campaign:{run}", planned)
    await _enforce(fake, mode)
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
    return await _outcome(fake, mode, seconds, cpu, failed)


async def ptb_run(fake: FakeProcess, run: int, mode: Mode = FREE) -> Outcome:
    """What a user of python-telegram-bot would write: AIORateLimiter set to the same
    limits (30 or the paid rate per 1/factor s overall, 20 per 60/factor s per group),
    up to 5 retries on 429; in paid mode every message carries ``allow_paid_broadcast``."""
    users = [30_000_000 + run * 100_000 + i for i in range(RECIPIENTS)]
    await fake.control("users", {"ids": users})
    limiter = AIORateLimiter(
        overall_max_rate=mode.paid or 30,
        overall_time_period=1 / mode.factor,
        group_max_rate=20,
        group_time_period=60 / mode.factor,
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
    await _enforce(fake, mode)
    paid = True if mode.paid else None
    try:
        cpu, start = cpu_seconds(), perf_counter()
        pending = iter(users)
        failures: list[BaseException] = []

        async def worker() -> None:
            for user in pending:
                try:
                    await application.bot.send_message(user, TEXT, allow_paid_broadcast=paid)
                except TelegramError as error:
                    failures.append(error)

        await asyncio.gather(*(worker() for _ in range(WORKERS)))
        seconds, cpu = perf_counter() - start, cpu_seconds() - cpu
    finally:
        await application.shutdown()
    return await _outcome(fake, mode, seconds, cpu, len(failures))


async def main(mode: Mode = FREE) -> Table:
    files = SqliteFiles()
    relais: list[Outcome] = []
    ptb: list[Outcome] = []
    try:
        async with FakeProcess() as fake:
            for run in range(RUNS):
                await fake.control("reset", {})
                relais.append(await relais_run(fake, await files.fresh(), run, mode))
                await fake.control("reset", {})
                ptb.append(await ptb_run(fake, run, mode))
    finally:
        files.cleanup()
    kind = f"paid broadcasts at {mode.paid:,}/s" if mode.paid else "Telegram's limits"
    table = Table(
        f"Broadcast: {RECIPIENTS:,} private messages, {kind} ×{mode.factor:g} "
        f"(enforced: {mode.limit:,.0f} msg/s overall, 1 per {1000 / mode.factor:g} ms per "
        f"chat), median of {RUNS} runs",
        [
            "sender",
            "msg/s",
            "rate ÷ limit",
            "each run",
            "wall s",
            "CPU s",
            "CPU ms/msg",
            "429s",
            "lost",
            "sent twice",
            "not sent (own count)",
            "paid flag",
            "load",
        ],
    )
    for name, results in (
        (
            f"Relais delivery queue (SQLite) → adapter, {_in_flight(mode)} in flight "
            f"(concurrency {CONCURRENCY})",
            relais,
        ),
        ("bare PTB + AIORateLimiter, 8 tasks", ptb),
    ):
        table.add(
            name,
            median([r.rate for r in results]),
            f"{median([r.ratio for r in results]):.3f}",
            " ".join(f"{r.ratio:.3f}" for r in results),
            median([r.seconds for r in results]),
            median([r.cpu for r in results]),
            f"{median([r.cpu_per_message_ms for r in results]):.3f}",
            f"{median([r.floods for r in results]):g} (max {max(r.floods for r in results)})",
            max(r.lost for r in results),
            max(r.twice for r in results),
            max(r.failed for r in results),
            min(r.paid for r in results),
            " ".join(f"{r.load:.1f}" for r in results),
        )
    table.notes.append(
        "lost and sent twice: the worst run, from the fake server's records; paid flag: the "
        "fewest messages a run delivered with allow_paid_broadcast; load: the machine's "
        "1-minute load average at the end of each run (2 cores). Telegram's real limits are "
        "undocumented; the fake allows at most 30 messages without the flag in any "
        "1/factor s, the paid rate in all, 1 per 1/factor s in one private chat, and "
        "answers 429 with a fractional retry_after when scaled."
    )
    table.print()
    return table


async def main_paid() -> Table:
    """The paid mode: 1,000 messages/s at Telegram's real time (×1)."""
    return await main(PAID)


if __name__ == "__main__":
    asyncio.run(main_paid() if "--paid" in sys.argv else main())
