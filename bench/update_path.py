"""Update path: Telegram updates → python-telegram-bot → adapter → handler → SQLite commit.

Each run starts from a fresh SQLite file (WAL) with K active members and has every one of
them report a mention in four updates, sent as four waves of K updates: ``/report``
(a command), the buttons "Mention" and "Press" (callback queries), and a link (a text
step that writes the report and its points). The fake Bot API server runs in its own
process; updates reach the bot through real ``getUpdates`` calls and the bot's answers
(``answerCallbackQuery``, ``editMessageText``, ``sendMessage``) go back to it over HTTP.

The baseline is bare python-telegram-bot, same server, same update JSON (replayed), same
polling loop, dispatching to a no-op handler. Throughput is updates ÷ wall time of the
waves; latency is the time ``Application.process_update`` takes for one update (the
adapter handles a batch in order, so that is the service time an update adds).
"""

from __future__ import annotations

import contextlib
import cProfile
import os
import pstats
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import event, func, select
from telegram import Update
from telegram.ext import Application, TypeHandler

from bench.common import (
    RUNS,
    FakeProcess,
    SqliteFiles,
    Table,
    bench_settings,
    cpu_seconds,
    median,
    percentile,
    postgres_database,
)
from bot.core.clock import SystemClock
from bot.core.db import create_engine, session_factory
from bot.models import PointsEntry, Report
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.platforms.telegram.convert import ALLOWED_UPDATES
from bot.runtime import build_app, freeze_startup_heap
from tests.support.harness import drop_postgres_database, seed_telegram_members

USERS = 250  # per run: 4 updates each
WAVES: list[tuple[str, Callable[[int, int], str]]] = [
    ("command", lambda _run, _uid: "/report"),
    ("press", lambda _run, _uid: "Mention"),
    ("press", lambda _run, _uid: "Press"),
    ("text", lambda run, uid: f"https://news.test/r{run}/u{uid}"),
]
KIND_NAMES = {0: "/report (command)", 1: "button: kind", 2: "button: medium", 3: "link (text step)"}


@dataclass
class RunResult:
    seconds: float = 0.0
    cpu: float = 0.0
    updates: int = 0
    latencies: list[float] = field(default_factory=list)
    statements: Counter[int] = field(default_factory=Counter)
    commits: Counter[int] = field(default_factory=Counter)
    captured: list[list[dict[str, Any]]] = field(default_factory=list)
    #: Members whose report did not land (an update failed: the log says why).
    missing: int = 0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


_latencies: list[float] | None = None
_captured: list[dict[str, Any]] | None = None


@asynccontextmanager
async def timed_process_update() -> AsyncIterator[None]:
    """Time every ``Application.process_update`` (Relais' and the baseline's alike)."""
    original = Application.process_update

    async def timed(self: Application[Any, Any, Any, Any, Any, Any], update: object) -> None:
        start = perf_counter()
        await original(self, update)
        if _latencies is not None:
            _latencies.append(perf_counter() - start)
        if _captured is not None and isinstance(update, Update):
            _captured.append(update.to_dict())

    Application.process_update = timed  # type: ignore[method-assign]
    try:
        yield
    finally:
        Application.process_update = original  # type: ignore[method-assign]


async def relais_run(
    fake: FakeProcess,
    url: str,
    run: int,
    *,
    replies: bool = True,
    profile: bool = False,
    concurrent: int | None = None,
) -> RunResult:
    global _latencies, _captured
    users = [10_000_000 + run * 10_000 + i for i in range(USERS)]
    await fake.control("users", {"ids": users})
    engine = create_engine(url)
    await seed_telegram_members(engine, users)
    result = RunResult()
    wave_index = 0

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(*_args: object) -> None:
        result.statements[wave_index] += 1

    @event.listens_for(engine.sync_engine, "commit")
    def _commit(*_args: object) -> None:
        result.commits[wave_index] += 1

    # Pacing follows [delivery] speedup; the fake server enforces no limit here.
    settings = bench_settings(
        url,
        telegram_token=fake.token,
        telegram__api_base_url=fake.base_url,
        delivery__speedup="1000",
        **({"limits__concurrent_updates": str(concurrent)} if concurrent else {}),
    )
    app = build_app(settings=settings, sessions=session_factory(engine), clock=SystemClock())
    platform = TelegramPlatform(app)
    await platform.initialize()
    freeze_startup_heap()  # as `relais run` does once its platforms have started
    if not replies:

        async def _nowhere(_outgoing: object) -> str:
            return "1"

        async def _no_answer(_query: object) -> None:
            return None

        platform.sender.deliver = _nowhere  # type: ignore[method-assign,assignment]
        platform._answer = _no_answer  # type: ignore[method-assign,assignment]
    profiler = cProfile.Profile() if profile else None
    try:
        for wave_index, (kind, value) in enumerate(WAVES):
            await fake.control("push", {"actions": [[kind, u, value(run, u)] for u in users]})
            _latencies, _captured = result.latencies, []
            result.statements[wave_index] = result.commits[wave_index] = 0
            if profiler is not None:
                profiler.enable()
            cpu, start = cpu_seconds(), perf_counter()
            while await platform.poll_once():
                pass
            result.seconds += perf_counter() - start
            result.cpu += cpu_seconds() - cpu
            if profiler is not None:
                profiler.disable()
            result.captured.append(_captured)
            result.updates += len(_captured)
            if not replies:
                break  # without replies the fake server has no prompts to press
        async with app.sessions() as session:
            reports = await session.scalar(select(func.count()).select_from(Report))
            points = await session.scalar(select(func.sum(PointsEntry.points)))
        if replies:
            result.missing = USERS - int(reports or 0)
            if (reports, points) != (USERS - result.missing, 5 * (USERS - result.missing)):
                raise RuntimeError(f"{reports} reports but {points} points")
    finally:
        _latencies = _captured = None
        await platform.stop()
        await engine.dispose()
    if profiler is not None:
        _print_profile(profiler)
    return result


async def baseline_run(fake: FakeProcess, waves: list[list[dict[str, Any]]]) -> RunResult:
    """Bare python-telegram-bot: the same updates, polled the same way, to a no-op."""
    global _latencies, _captured
    application = (
        Application.builder().token(fake.token).base_url(fake.base_url).updater(None).build()
    )

    async def noop(_update: object, _context: object) -> None:
        return None

    application.add_handler(TypeHandler(Update, noop))
    await application.initialize()
    freeze_startup_heap()  # the same for the baseline
    result = RunResult()
    offset: int | None = None
    try:
        for wave in waves:
            await fake.control("push_raw", {"updates": wave})
            _latencies, _captured = result.latencies, []
            cpu, start = cpu_seconds(), perf_counter()
            while True:
                updates = await application.bot.get_updates(
                    offset=offset, timeout=0, allowed_updates=ALLOWED_UPDATES
                )
                if not updates:
                    break
                for update in updates:
                    await application.process_update(update)
                    offset = update.update_id + 1
            result.seconds += perf_counter() - start
            result.cpu += cpu_seconds() - cpu
            result.updates += len(_captured)
    finally:
        _latencies = _captured = None
        await application.shutdown()
    return result


def _print_profile(profiler: cProfile.Profile) -> None:
    """Own time by library: where the bot process spends its CPU on this path."""
    stats = pstats.Stats(profiler)
    by_library: defaultdict[str, float] = defaultdict(float)
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        total += tottime
        by_library[_library(filename)] += tottime
    table = Table(
        "Update path: where the bot process spends its time (cProfile, own time)",
        ["library", "share"],
    )
    for library, seconds in sorted(by_library.items(), key=lambda kv: -kv[1])[:12]:
        table.add(library, f"{100 * seconds / total:.1f} %")
    table.print()
    stats.sort_stats("cumulative").print_stats(25)


def _library(filename: str) -> str:
    for marker, name in (
        ("/sqlalchemy/", "sqlalchemy"),
        ("/telegram/", "python-telegram-bot"),
        ("/httpx/", "httpx"),
        ("/aiohttp/", "aiohttp"),
        ("/httpcore/", "httpcore"),
        ("/aiosqlite/", "aiosqlite"),
        ("/asyncio/", "asyncio"),
        ("/bot/", "relais (bot/)"),
        ("/json/", "json"),
        ("/anyio/", "anyio"),
    ):
        if marker in filename:
            return name
    if filename.startswith("~") or filename == "<built-in>":
        return "built-ins (incl. sqlite3, sockets, select)"
    return filename.rsplit("/", 2)[-2] if "/" in filename else filename


async def main(profile: bool = False) -> Table:
    files = SqliteFiles()
    relais: list[RunResult] = []
    commit_only: list[RunResult] = []
    bare: list[RunResult] = []
    try:
        async with FakeProcess() as fake, timed_process_update():
            for run in range(RUNS):
                await fake.control("reset", {})
                result = await relais_run(fake, await files.fresh(), run)
                relais.append(result)
                await fake.control("reset", {})
                bare.append(await baseline_run(fake, result.captured))
                await fake.control("reset", {})
                commit_only.append(
                    await relais_run(fake, await files.fresh(), 100 + run, replies=False)
                )
            if profile:
                await fake.control("reset", {})
                await relais_run(fake, await files.fresh(), 999, profile=True)
    finally:
        files.cleanup()
    table = Table(
        f"Update path on SQLite (WAL): {USERS * 4:,} updates per run, median of {RUNS} runs",
        [
            "path",
            "updates/s",
            "updates per CPU-s",
            "p50 ms",
            "p99 ms",
            "ratio to bare PTB",
            "per CPU-s ÷ bare PTB",
            "reports lost",
        ],
    )
    base_rate = median([r.rate for r in bare])
    base_per_cpu = median([r.updates / r.cpu for r in bare])
    rows = [
        ("bare PTB, no-op handler (baseline)", bare),
        ("Relais: PTB → adapter → handler → commit → replies", relais),
        ("Relais, replies not sent (up to commit)", commit_only),
    ]
    for name, results in rows:
        rate = median([r.rate for r in results])
        per_cpu = median([r.updates / r.cpu for r in results])
        latencies = [x for r in results for x in r.latencies]
        table.add(
            name,
            rate,
            per_cpu,
            1000 * percentile(latencies, 0.5),
            1000 * percentile(latencies, 0.99),
            f"{rate / base_rate:.3f}",
            f"{per_cpu / base_per_cpu:.3f}",
            sum(r.missing for r in results),
        )
    first = relais[0]
    statements = Table(
        "SQL statements per update (cursor executions incl. BEGIN/SAVEPOINT; commits apart)",
        ["update", "statements", "commits"],
    )
    for index, name in KIND_NAMES.items():
        statements.add(
            name,
            f"{first.statements[index] / USERS:.2f}",
            f"{first.commits[index] / USERS:.2f}",
        )
    table.notes.append(
        "updates per CPU-s: updates ÷ CPU time of the bot process (user+system, all its "
        "threads, aiosqlite's included) during the waves; the fake server's process is not "
        "counted."
    )
    table.print()
    statements.print()
    table.rows.extend([])
    table.notes.append("\n" + statements.render())
    if CONCURRENCY_LEVELS:
        concurrency = await concurrency_table(base_rate)
        table.notes.append("\n" + concurrency.render())
    return table


#: ``[limits] concurrent_updates`` compared by :func:`concurrency_table` (empty: skipped).
CONCURRENCY_LEVELS = [
    int(level) for level in os.environ.get("BENCH_CONCURRENT_UPDATES", "1,32").split(",") if level
]


async def concurrency_table(base_rate: float) -> Table:
    """The same updates handled one at a time (``concurrent_updates = 1``) and across
    chats at once (the default 32), on SQLite and on PostgreSQL, runs alternated."""
    files = SqliteFiles()
    results: dict[tuple[str, int], list[RunResult]] = defaultdict(list)
    created: list[str] = []
    try:
        async with FakeProcess() as fake, timed_process_update():
            for run in range(RUNS):
                for database in ("SQLite", "PostgreSQL"):
                    for level in CONCURRENCY_LEVELS:
                        number = 200 + run * 10 + CONCURRENCY_LEVELS.index(level)
                        if database == "SQLite":
                            url: str | None = await files.fresh()
                        else:
                            created.append(f"relais_bench_updates_{number}")
                            url = await postgres_database(created[-1])
                        if url is None:
                            continue
                        await fake.control("reset", {})
                        results[database, level].append(
                            await relais_run(fake, url, number, concurrent=level)
                        )
    finally:
        files.cleanup()
        for name in created:
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                await drop_postgres_database(name)
    table = Table(
        f"Update path, updates handled one at a time or across chats at once: "
        f"{USERS * 4:,} updates per run, median of {RUNS} runs",
        [
            "database",
            "concurrent_updates",
            "updates/s",
            "updates per CPU-s",
            "p50 ms",
            "p99 ms",
            "reports lost (all runs)",
        ],
    )
    for (database, level), runs in sorted(results.items()):
        latencies = [x for r in runs for x in r.latencies]
        table.add(
            database,
            level,
            median([r.rate for r in runs]),
            median([r.updates / r.cpu for r in runs]),
            1000 * percentile(latencies, 0.5),
            1000 * percentile(latencies, 0.99),
            sum(r.missing for r in runs),
        )
    table.notes.append(
        f"bare PTB in the main table's runs: {base_rate:,.0f} updates/s. p50/p99: the time "
        "one update's handling takes once its chat's turn came (with 32 at once, updates of "
        "other chats run meanwhile, so an update's own time includes waiting for the "
        "database they share)."
    )
    table.print()
    return table


if __name__ == "__main__":
    import asyncio
    import sys

    asyncio.run(main(profile="--profile" in sys.argv))
