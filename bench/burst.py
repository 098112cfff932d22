"""The burst after a campaign: 10,000 members get it privately on Telegram at the real
limits, and while it is still going out 30 % of them press "Done" within two minutes of
receiving it (a fifth of those press it twice), 5 % send ``/report`` and 5 % ``/me``.

One Relais process, as ``relais run`` has it: the Telegram adapter polls the fake Bot
API server (long polling, the default mode), the delivery queue's sender runs in the
background, and the campaign is a real one, queued by the campaigns job. The fake server
runs in its own process and enforces Telegram's limits (30 messages/s overall, 1/s in a
private chat) at ×1; it starts each member's timers when the campaign reaches their chat
and records, with its own clock, when each update became available and when each answer
arrived (:mod:`bench.burst_fake`). Latency is that difference; what counts as lost,
doubled or late is in :mod:`bench.burst_accounting`. After the run the ledger is read:
every member who pressed "Done" must hold the campaign's points once.

``BENCH_QUICK=1``: 600 members, presses within 20 s (a run of about a minute);
``BENCH_BURST_MEMBERS`` and ``BENCH_BURST_WINDOW`` set them; ``BENCH_BURST_DATABASES``
(``sqlite,postgresql``) which databases. ``BENCH_BURST_FACTOR`` scales the fake's limits,
the sender's pace (``[delivery] speedup``) and the members' delays alike, for
development only: the latency target stays 1 s, so only ×1 figures are reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
from collections import Counter
from dataclasses import dataclass
from time import monotonic, perf_counter
from typing import Any

from sqlalchemy import func, select

from bench.burst_accounting import account, ledger
from bench.burst_report import Run, print_run, table
from bench.common import (
    FakeProcess,
    SqliteFiles,
    Table,
    bench_settings,
    cpu_seconds,
    postgres_database,
)
from bot.core.clock import SystemClock
from bot.core.db import create_engine, session_factory
from bot.models import Campaign, CampaignStatus, PointsEntry, Repeat
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import build_app, freeze_startup_heap
from jobs.campaigns import run_due_campaigns
from tests.support.harness import drop_postgres_database, seed_telegram_members

QUICK = os.environ.get("BENCH_QUICK") == "1"
MEMBERS = int(os.environ.get("BENCH_BURST_MEMBERS", "600" if QUICK else "10000"))
#: Members press within this many seconds of receiving the campaign.
WINDOW = float(os.environ.get("BENCH_BURST_WINDOW", "20" if QUICK else "120"))
FACTOR = float(os.environ.get("BENCH_BURST_FACTOR", "1"))
DATABASES = os.environ.get("BENCH_BURST_DATABASES", "sqlite,postgresql").split(",")
LIMIT = 30 * FACTOR
DONE, DOUBLE, REPORT, ME = 0.30, 0.20, 0.05, 0.05  # DOUBLE: share of those who press
#: Members who send ``/me`` to the bot at rest before the campaign (the baseline).
PROBES = 40
#: Nobody presses sooner than this after receiving (reading takes longer).
FIRST_PRESS = 1.0
TEXT = "The Lyon festival opens on Saturday: share the programme with your network!"
CALL = "Share the festival's programme with one person"


@dataclass(frozen=True)
class Shape:
    """How big a run is: members, the seconds within which they act, baseline probes."""

    members: int = MEMBERS
    window: float = WINDOW
    probes: int = PROBES


def plan(users: list[int], window: float = WINDOW, seed: int = 21) -> dict[str, list[list[Any]]]:
    """Each scripted member's actions: ``[delay after receipt, kind, value, tag]``."""
    rng = random.Random(seed)
    order = users[:]
    rng.shuffle(order)
    pressing = round(DONE * len(order))
    twice = round(DOUBLE * pressing)
    reporting = round(REPORT * len(order))
    asking = round(ME * len(order))
    first, window = FIRST_PRESS / FACTOR, window / FACTOR
    scripts: dict[str, list[list[Any]]] = {}
    for index, user in enumerate(order):
        delay = rng.uniform(first, window)
        if index < pressing:
            actions = [[delay, "press", "Done", "done"]]
            if index < twice:  # a double click, or pressing again for want of feedback
                actions.append([delay + rng.uniform(0.1, 2.0) / FACTOR, "press", "Done", "double"])
        elif index < pressing + reporting:
            actions = [[delay, "text", "/report", "report"]]
        elif index < pressing + reporting + asking:
            actions = [[delay, "text", "/me", "me"]]
        else:
            actions = []
        scripts[str(user)] = actions
    return scripts


class _Counting(logging.Handler):
    """Counts the bot's log lines by logger and level; keeps the first errors."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[f"{record.levelname} {record.name}"] += 1
        if record.levelno >= logging.ERROR and len(self.errors) < 5:
            error = record.exc_info[1] if record.exc_info else None
            cause = f" ({type(error).__name__}: {str(error)[:120]})" if error else ""
            self.errors.append(record.getMessage()[:200] + cause)


async def _start_campaign(app: Any) -> None:
    """A coordinator's campaign to every category, privately, due now; the job runs it."""
    now = app.clock.now()
    async with app.sessions.begin() as session:
        session.add(
            Campaign(
                author_id=None,
                categories=[],
                segments={},
                text_fr="",
                text_en=TEXT,
                call_fr="",
                call_en=CALL,
                starts_at=now,
                repeat=Repeat.NONE,
                direct=True,
                email=False,
                status=CampaignStatus.SCHEDULED,
                next_run_at=now,
                runs=0,
                created_at=now,
                updated_at=now,
            )
        )
    await run_due_campaigns(app)


async def _settled(fake: FakeProcess, platform: TelegramPlatform, shape: Shape) -> None:
    """Until every member received the campaign, every action fired and was handled,
    and nothing was sent for a few seconds; or a deadline well past the expected end."""
    quiet = 3.0 / FACTOR
    members = shape.members
    deadline = monotonic() + 3 * members / LIMIT + shape.window / FACTOR + 120
    while monotonic() < deadline:
        await asyncio.sleep(1.0)
        progress = await fake.control("script/progress")
        if progress["received"] < members or progress["pending"]:
            continue
        stats = await fake.control("stats")
        if stats["pending"] or platform.lines.busy_chats:
            continue
        if progress["now"] - progress["last_reply"] >= quiet:
            return
    print("burst: deadline reached before the run settled", flush=True)


async def _quiet_baseline(fake: FakeProcess, chats: list[int]) -> None:
    """``/me`` from members outside the campaign, one every quarter second, on the bot
    at rest: what an answer costs on this machine in these minutes."""
    for chat in chats:
        await fake.control("script/probe", {"chat": chat, "text": "/me"})
        await asyncio.sleep(0.25)
    if chats:
        await asyncio.sleep(2.0)


async def _points(app: Any) -> dict[int, tuple[int, int]]:
    async with app.sessions() as session:
        rows = await session.execute(
            select(PointsEntry.member_id, func.sum(PointsEntry.points), func.count())
            .where(PointsEntry.reason == "campaign")
            .group_by(PointsEntry.member_id)
        )
        return {int(member): (int(total), int(count)) for member, total, count in rows}


async def burst_run(fake: FakeProcess, database: str, url: str, shape: Shape = Shape()) -> Run:
    """One run on the database at ``url`` (migrated, empty); the fake server is reset."""
    users = [40_000_000 + i for i in range(shape.members)]
    quiet = [39_000_000 + i for i in range(shape.probes)]
    await fake.control("reset", {})
    await fake.control("users", {"ids": users + quiet})
    engine = create_engine(url)
    await seed_telegram_members(engine, users + quiet)
    settings = bench_settings(
        url,
        telegram_token=fake.token,
        telegram__api_base_url=fake.base_url,
        delivery__speedup=str(FACTOR),
        limits__updates_per_minute="60",  # the shipped default, not the tests' 10,000
    )
    app = build_app(settings=settings, sessions=session_factory(engine), clock=SystemClock())
    platform = TelegramPlatform(app)
    counting = _Counting()
    logging.getLogger().addHandler(counting)
    scripts = plan(users, shape.window)
    await platform.start()
    sender = asyncio.create_task(app.sender.run(), name="sender")
    freeze_startup_heap()  # as `relais run` does once its platforms have started
    try:
        await fake.control("script", {"trigger": "Done", "scripts": scripts})
        await fake.control("enforce", {"factor": FACTOR})
        await _quiet_baseline(fake, quiet)
        load_before = os.getloadavg()[0]
        cpu, start = cpu_seconds(), perf_counter()
        await _start_campaign(app)
        await _settled(fake, platform, shape)
        seconds, cpu = perf_counter() - start, cpu_seconds() - cpu
        load = (load_before, os.getloadavg()[0])
        report = await fake.control("script")
        points = await _points(app)
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        await platform.stop()
        await engine.dispose()
        logging.getLogger().removeHandler(counting)
    found = account(report, users, LIMIT)
    pressers = [
        int(chat) for chat, actions in scripts.items() if actions and actions[0][3] == "done"
    ]
    ledger(found, points, pressers, settings.points.campaign_done)
    return Run(database, found, seconds, cpu, load, counting.counts, counting.errors)


def _title() -> str:
    return (
        f"Burst: {MEMBERS:,} members get a campaign privately (Telegram's limits ×{FACTOR:g}: "
        f"{LIMIT:g} msg/s overall, 1 per {1 / FACTOR:g} s per chat); {DONE:.0%} press Done "
        f"within {WINDOW:g} s of receipt ({DOUBLE:.0%} of them twice), {REPORT:.0%} /report, "
        f"{ME:.0%} /me"
    )


async def main() -> Table:
    logging.getLogger().setLevel(logging.WARNING)
    runs: list[Run] = []
    files = SqliteFiles()
    pg_name = f"relais_bench_burst_{os.getpid()}"
    try:
        async with FakeProcess() as fake:
            for database in DATABASES:
                url = await files.fresh() if database == "sqlite" else None
                if database == "postgresql":
                    url = await postgres_database(pg_name)
                if url is None:
                    print(f"burst: {database} unavailable; skipped", flush=True)
                    continue
                runs.append(await burst_run(fake, database, url))
                print_run(runs[-1])
    finally:
        files.cleanup()
        with contextlib.suppress(Exception):
            await drop_postgres_database(pg_name)
    return table(runs, _title())


if __name__ == "__main__":
    asyncio.run(main())
