"""The data commands of the ``relais`` CLI: import, export (and the demo network).

Each opens the configured database (migrated first), runs in one transaction, and
writes an audit entry, so what the command line did to the network is on record like
what coordinators do in chat.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import demo, exporter, importer
from bot.cli.progress import Progress
from bot.core import audit
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.db import create_engine, session_factory, upgrade
from bot.models import Base

DEMO_DATABASE = "sqlite+aiosqlite:///relais-demo.sqlite3"


@asynccontextmanager
async def transaction(url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


def since_instant(day: date | None, timezone: str) -> datetime | None:
    """Midnight of ``day`` in the network's time zone, as a UTC instant."""
    if day is None:
        return None
    return datetime.combine(day, time(), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


async def import_members(settings: Settings, path: Path, data: bytes, *, dry_run: bool) -> int:
    """Check the file's rows, then import them all, or nothing when any row is bad."""
    outcome = importer.parse(importer.decode(data), settings)
    if outcome.problems:
        for problem in outcome.problems:
            print(f"{path}:{problem.line}: {problem.message}", file=sys.stderr)
        count = len(outcome.problems)
        print(f"relais: {count} problem(s); nothing was imported", file=sys.stderr)
        return 1
    progress = Progress("importing", len(outcome.rows))
    async with transaction(settings.database.url) as session:
        await importer.import_members(
            session, settings, SystemClock(), outcome, dry_run=dry_run, progress=progress
        )
    progress.finish()
    verb = "would import" if dry_run else "imported"
    print(
        f"{verb} {outcome.created} new member(s); {outcome.unchanged} already there "
        f"({len(outcome.rows)} rows)"
    )
    if outcome.created and not dry_run:
        print(
            "Each new member claims their account by sending /start CODE to the bot; "
            "`relais export members` lists the invitation codes."
        )
    return 0


async def export(
    settings: Settings,
    kind: str,
    fmt: str,
    since: date | None,
    output: Path | None,
    *,
    separator: str = ",",
) -> int:
    start = since_instant(since, settings.network.timezone)
    async with transaction(settings.database.url) as session:
        progress = Progress(f"exporting {kind}", await exporter.count(session, kind, start))
        chunks = exporter.rows(
            session,
            kind,
            start,
            settings.network.timezone,
            at=SystemClock().now(),
            days=settings.nudges.dormant_days,
        )
        if output is None:
            written = await exporter.write(
                sys.stdout.buffer, kind, fmt, chunks, progress.advance, separator=separator
            )
            sys.stdout.buffer.flush()
        else:
            with output.open("wb") as out:
                written = await exporter.write(
                    out, kind, fmt, chunks, progress.advance, separator=separator
                )
        audit.record(
            session,
            SystemClock(),
            actor_id=None,
            action=f"export.{kind}",
            rows=written,
            since=since.isoformat() if since else None,
        )
    progress.finish()
    if output is not None:
        print(f"exported {written} {kind} to {output}", file=sys.stderr)
    return 0


async def build_demo(settings: Settings, url: str, *, members: int, seed: int, reset: bool) -> int:
    """Create the demo network in its own database (never the configured one by default)."""
    async with transaction(url) as session:
        if not await demo.is_empty(session):
            if not reset:
                print(
                    f"relais: {url} already holds a network; add --reset to replace it",
                    file=sys.stderr,
                )
                return 1
            for table in reversed(Base.metadata.sorted_tables):
                await session.execute(table.delete())
        progress = Progress("building the demo network", members * 6)
        summary = await demo.build(
            session, settings, datetime.now(UTC), members=members, seed=seed, progress=progress
        )
        progress.finish()
    print(
        f"demo network ready in {url}: {summary.members} members, {summary.reports} reports "
        f"({summary.signals} signals), {summary.points_entries} points entries"
    )
    print(f"explore it: relais console --database {url}")
    print("  then: @carol /stats   @carol /signals   @carol /leaderboard all   @rita /review")
    return 0
