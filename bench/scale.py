"""Scale of the weekly work: leaderboards, ranks, /me and /stats over a large ledger,
the nudge job's dormancy scan and a campaign's private messages to everyone.

Synthetic networks — 10k members with 200k reports and 200k ledger entries, 100k members
with 2M of each — are written by bulk insert (sqlite3 ``executemany``, PostgreSQL
``COPY``), with activity over the last 52 weeks skewed like a real network (a few
members very active, most dormant), and a Telegram private chat for 60 % of the members.
PostgreSQL gets ``VACUUM ANALYZE`` after the load, as autovacuum would; SQLite nothing.
Each operation is timed in a child process (so its peak RSS is the operation's, not the
generator's), median of 3, on SQLite and PostgreSQL.

Baseline in the same process: ``SELECT sum(points) FROM points_entries``, the floor for
anything that reads the whole ledger.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from bench.common import (
    ROOT,
    SqliteFiles,
    Table,
    median,
    peak_rss_mb,
    postgres_database,
)
from bot.activity import stats
from bot.activity.recent import recent_actions
from bot.activity.standings import board, boards, rank_of, totals
from bot.animation import campaigns, nudging
from bot.core.config import MEDIUMS
from bot.core.db import create_engine, session_factory
from bot.core.periods import week_start
from bot.core.port import Message
from bot.delivery import audience
from bot.runtime import freeze_startup_heap
from tests.support.harness import drop_postgres_database, settings_for

SIZES = [(10_000, 200_000), (100_000, 2_000_000)]
if os.environ.get("BENCH_QUICK"):
    SIZES = [(2_000, 40_000), (20_000, 400_000)]
CATEGORIES = ("business", "tourism", "research", "sport", "citizens")
NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday
REPEAT = 3


def _members(n: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(n)
    joined = NOW - timedelta(days=400)
    for i in range(1, n + 1):
        status = "active" if rng.random() < 0.9 else "pending"
        visibility = rng.choice(("name", "name", "name", "anonymous", "hidden"))
        yield (
            i,
            f"Member {i}",
            status,
            "member",
            CATEGORIES[i % len(CATEGORIES)],
            "fr",
            visibility,
            f"C{i:09d}",
            joined,
            joined,
        )


def _identities(n: int) -> Iterator[tuple[Any, ...]]:
    """A Telegram identity with an open private chat for 60 % of the members (the others
    never opened the private chat with the bot, so they cannot be nudged)."""
    rng = random.Random(-n)
    for i in range(1, n + 1):
        if rng.random() < 0.6:
            yield (i, "telegram", str(10_000_000 + i), i, str(10_000_000 + i))


IDENTITY_COLUMNS = ["id", "platform", "user_id", "member_id", "private_chat_id"]


def _reports(members: int, count: int) -> Iterator[tuple[Any, ...]]:
    """Reports with their ledger entry: member ids skewed (a Pareto-like tail)."""
    rng = random.Random(count)
    span = 52 * 7 * 86_400
    for i in range(1, count + 1):
        member = min(members, int(rng.paretovariate(1.2) * members / 20) % members + 1)
        created = NOW - timedelta(seconds=rng.randrange(span))
        medium = MEDIUMS[i % len(MEDIUMS)]
        yield (i, member, "mention", medium, f"https://news.test/{i}", created, 3)


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def generate_sqlite(path: str, members: int, reports: int) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    with db:
        db.executemany(
            "INSERT INTO members (id, display_name, status, role, category, language, "
            "visibility, sponsor_code, consent_at, joined_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            ((*row[:8], _sqlite_time(row[8]), _sqlite_time(row[9])) for row in _members(members)),
        )
        db.executemany(
            f"INSERT INTO identities ({', '.join(IDENTITY_COLUMNS)}) VALUES (?,?,?,?,?)",
            _identities(members),
        )
        db.executemany(
            "INSERT INTO reports (id, member_id, kind, subkind, url, created_at) "
            "VALUES (?,?,?,?,?,?)",
            (
                (r[0], r[1], r[2], r[3], r[4], _sqlite_time(r[5]))
                for r in _reports(members, reports)
            ),
        )
        db.executemany(
            "INSERT INTO points_entries (id, member_id, points, reason, report_id, unique_key, "
            "created_at) VALUES (?,?,?,?,?,?,?)",
            (
                (r[0], r[1], r[6], "report", r[0], f"report:{r[0]}", _sqlite_time(r[5]))
                for r in _reports(members, reports)
            ),
        )
    # No ANALYZE: Relais never runs it, so a real SQLite file has no statistics (and
    # with them SQLite picks a skip-scan over every member for a week's sums).
    db.close()


async def generate_postgres(url: str, members: int, reports: int) -> None:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.copy_records_to_table(
            "members",
            records=list(_members(members)),
            columns=[
                "id",
                "display_name",
                "status",
                "role",
                "category",
                "language",
                "visibility",
                "sponsor_code",
                "consent_at",
                "joined_at",
            ],
        )
        await connection.copy_records_to_table(
            "identities", records=list(_identities(members)), columns=IDENTITY_COLUMNS
        )
        chunk: list[tuple[Any, ...]] = []
        ledger: list[tuple[Any, ...]] = []
        for row in _reports(members, reports):
            chunk.append(row[:6])
            ledger.append((row[0], row[1], row[6], "report", row[0], f"report:{row[0]}", row[5]))
            if len(chunk) == 200_000:
                await _copy_reports(connection, chunk, ledger)
                chunk, ledger = [], []
        if chunk:
            await _copy_reports(connection, chunk, ledger)
        for table in ("members", "identities", "reports", "points_entries"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
        # What autovacuum does on a running server: statistics, and the visibility map
        # that lets PostgreSQL answer from covering indexes alone.
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def _copy_reports(connection: Any, reports: list[Any], ledger: list[Any]) -> None:
    await connection.copy_records_to_table(
        "reports",
        records=reports,
        columns=["id", "member_id", "kind", "subkind", "url", "created_at"],
    )
    await connection.copy_records_to_table(
        "points_entries",
        records=ledger,
        columns=["id", "member_id", "points", "reason", "report_id", "unique_key", "created_at"],
    )


# -- the timed operations (run in a child process) -------------------------------------


async def measure(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    settings = settings_for(url)
    week = week_start(NOW, settings.network.timezone)
    member_id = 1  # among the most active (the skew favours low ids)

    async def baseline() -> None:
        async with sessions() as session:
            await session.scalar(text("SELECT sum(points) FROM points_entries"))

    async def boards_week() -> None:
        async with sessions() as session:
            for category in (*CATEGORIES, None):
                await board(session, week, category)

    async def boards_all_time() -> None:
        async with sessions() as session:
            await boards(session, None, CATEGORIES)  # one pass over the ledger for all six

    async def me() -> None:
        async with sessions() as session:
            await totals(session, settings, member_id, NOW)
            await rank_of(session, member_id, week, CATEGORIES[member_id % 5])
            await rank_of(session, member_id, week, None)
            await recent_actions(session, member_id)

    async def network_stats() -> None:
        async with sessions() as session:
            await stats.compute(session, NOW, settings.network.timezone)

    async def dormancy_scan() -> None:
        async with sessions() as session:  # the nudge job's scan, page by page
            cursor: int | None = 0
            while cursor is not None:
                _page, cursor = await nudging.due_page(
                    session, settings, NOW, ("telegram",), after=cursor
                )

    async def campaign_to_everyone() -> None:
        # What a campaign's run queues for every active member's private chat, in its
        # transaction, then rolled back (the generator's data stays as it is).
        message = Message(text="Lyon is in the top 10 of European destinations! " * 4)
        async with sessions() as session, session.begin():
            async for member_ids in campaigns._audience_pages(session, []):
                await audience.tell_members(
                    session,
                    now=NOW,
                    platforms=["telegram"],
                    member_ids=member_ids,
                    key_prefix="campaign:1:1",
                    batch="campaign:1",
                    render=lambda _language: message,
                )
            await session.rollback()

    async def rank_overall() -> None:
        async with sessions() as session:
            await rank_of(session, member_id, week, None)

    operations: dict[str, Callable[[], Awaitable[None]]] = {
        "baseline: sum of the whole ledger": baseline,
        "weekly leaderboard, every category + overall": boards_week,
        "all-time leaderboard, every category + overall": boards_all_time,
        "/me for one member (totals, 2 ranks, last actions)": me,
        "rank_of (week, overall)": rank_overall,
        "/stats, whole network (the queries, not the chart)": network_stats,
        "dormancy scan (nudging.due_page, every page)": dormancy_scan,
        "campaign DM to every active member (queued, rolled back)": campaign_to_everyone,
    }
    results: dict[str, Any] = {}
    try:
        await baseline()  # warm the cache like a running bot would be
        freeze_startup_heap()  # as `relais run` does once its platforms have started
        for name, operation in operations.items():
            if name.startswith("dormancy"):
                results["peak RSS MB, before the dormancy scan"] = peak_rss_mb()
            if name.startswith("campaign"):
                results["peak RSS MB, after the dormancy scan"] = peak_rss_mb()
            times = []
            try:
                for _ in range(REPEAT):
                    start = time.perf_counter()
                    await operation()
                    times.append(time.perf_counter() - start)
            except Exception as error:  # reported in the table, the others still run
                first_line = (str(error).splitlines() or [type(error).__name__])[0]
                results[name] = f"failed: {type(error).__name__}: {first_line[:80]}"
                continue
            results[name] = median(times)
    finally:
        await engine.dispose()
    results["peak RSS MB"] = peak_rss_mb()
    return results


def _measure_in_child(url: str) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--measure", url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


async def main() -> Table:
    files = SqliteFiles()
    figures: dict[tuple[str, int], dict[str, Any]] = {}
    generation: dict[tuple[str, int], float] = {}
    try:
        for members, reports in SIZES:
            url = await files.fresh()
            start = time.perf_counter()
            await asyncio.to_thread(generate_sqlite, url.split("///", 1)[1], members, reports)
            generation[("SQLite", members)] = time.perf_counter() - start
            figures[("SQLite", members)] = _measure_in_child(url)
            name = f"relais_bench_scale_{members}"
            pg = await postgres_database(name)
            if pg is None:
                print("PostgreSQL unreachable: its half of the scale benchmark is skipped")
                continue
            try:
                start = time.perf_counter()
                await generate_postgres(pg, members, reports)
                generation[("PostgreSQL", members)] = time.perf_counter() - start
                figures[("PostgreSQL", members)] = _measure_in_child(pg)
            finally:
                await drop_postgres_database(name)
    finally:
        files.cleanup()
    small, large = SIZES[0][0], SIZES[-1][0]
    table = Table(
        f"Scale: {SIZES[0][0]:,}/{SIZES[0][1]:,} and {SIZES[-1][0]:,}/{SIZES[-1][1]:,} "
        "(members / reports, each with a ledger entry), seconds, median of 3",
        ["operation", "database", f"{small:,}", f"{large:,}", "growth", "÷ baseline (large)"],
    )
    for database in ("SQLite", "PostgreSQL"):
        if (database, large) not in figures:
            continue
        low, high = figures[(database, small)], figures[(database, large)]
        base = high["baseline: sum of the whole ledger"]
        for operation in low:
            if operation.startswith("peak RSS MB"):
                continue
            a, b = low[operation], high[operation]
            if isinstance(a, str) or isinstance(b, str):
                table.add(operation, database, a, b, "", "")
                continue
            table.add(operation, database, a, b, f"{b / a:.1f}×", f"{b / base:.2f}")
        for key in (
            "peak RSS MB, before the dormancy scan",
            "peak RSS MB, after the dormancy scan",
            "peak RSS MB",
        ):
            table.add(f"{key} (measuring process)", database, low[key], high[key], "", "")
        table.add(
            "generation by bulk insert (s)",
            database,
            generation[(database, small)],
            generation[(database, large)],
            "",
            "",
        )
    table.notes.append(
        f"growth: {large:,}-member time ÷ {small:,}-member time (data ×{large // small}); "
        "linear growth would be ×10."
    )
    table.print()
    return table


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(asyncio.run(measure(sys.argv[2]))))
    else:
        asyncio.run(main())
