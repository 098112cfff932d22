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

from bot.cli import csvfile, demo, exporter, import_write, importer
from bot.cli.errors import say
from bot.cli.invite import telegram_prefix
from bot.cli.progress import Progress
from bot.core import audit
from bot.core.clock import SystemClock
from bot.core.config import LANGUAGES, Settings
from bot.core.db import create_engine, session_factory, upgrade
from bot.core.i18n import Translator
from bot.mailing import invitations, tracking
from bot.models import Base

DEMO_DATABASE = "sqlite+aiosqlite:///relais-demo.sqlite3"
#: The exit code of an import refused for its file (unreadable, or bad rows).
EXIT_BAD_FILE = 1


@asynccontextmanager
async def transaction(url: str, network_language: str = "fr") -> AsyncIterator[AsyncSession]:
    engine = create_engine(url)
    try:
        await upgrade(engine, network_language=network_language)
        async with session_factory(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


def since_instant(day: date | None, timezone: str) -> datetime | None:
    """Midnight of ``day`` in the network's time zone, as a UTC instant."""
    if day is None:
        return None
    return datetime.combine(day, time(), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


#: Lines listed at most when a report names rows.
LISTED = 20


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:LISTED])
    return shown + (f" and {len(lines) - LISTED} more" if len(lines) > LISTED else "")


async def import_members(settings: Settings, path: Path, *, dry_run: bool, update: bool) -> int:
    """Check the whole file, then import its rows, or nothing when any row is bad."""
    try:
        layout = csvfile.inspect(path)
        checked = importer.check(path, layout, settings)
    except csvfile.BadFile as error:
        say(f"relais: {path}: {error}", file=sys.stderr)
        return EXIT_BAD_FILE
    header = checked.header
    assert header is not None
    if header.ignored:
        names = ", ".join(repr(name) for name in header.ignored)
        say(f"columns not understood (ignored): {names}", file=sys.stderr)
    if checked.problems:
        for problem in checked.problems:
            say(f"{path}:{problem.line}: {problem.message}", file=sys.stderr)
        count = len(checked.problems)
        say(f"relais: {count} problem(s); nothing was imported", file=sys.stderr)
        return EXIT_BAD_FILE
    progress = Progress("importing", checked.rows)
    try:
        async with transaction(settings.database.url, settings.network.default_language) as session:
            outcome = await import_write.import_members(
                session,
                SystemClock(),
                importer.checked_rows(path, layout, settings),
                dry_run=dry_run,
                update=update,
                progress=progress,
            )
    except csvfile.BadFile as error:  # the file changed between the two readings
        say(f"relais: {path}: {error}; nothing was imported", file=sys.stderr)
        return EXIT_BAD_FILE
    progress.finish()
    _report(outcome, dry_run=dry_run, update=update)
    return 0


def _report(outcome: importer.Outcome, *, dry_run: bool, update: bool) -> None:
    verb = "would import" if dry_run else "imported"
    say(
        f"{verb} {outcome.created} new member(s); {outcome.unchanged} already there "
        f"({outcome.rows} rows)"
    )
    if outcome.suppressed:
        say(
            f"{len(outcome.suppressed)} rows skipped: these people asked to be erased "
            f"(lines {_lines(outcome.suppressed)})"
        )
    if outcome.changed:
        count, lines = len(outcome.changed), _lines(outcome.changed)
        if update and not dry_run:
            say(f"updated {count} member(s) whose row changed (lines {lines})")
        elif update:
            say(f"would update {count} member(s) whose row changed (lines {lines})")
        else:
            say(
                f"{count} rows differ from the members already there (lines {lines}); "
                "add --update to apply them"
            )
    if outcome.created and not dry_run:
        say(
            "Each new member claims their account by sending /start CODE to the bot; "
            "`relais export members` lists the invitation codes."
        )


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
    links = await _claim_links(settings) if kind == "invitations" else None
    figures = [field.key for field in settings.signals.value_fields]
    async with transaction(settings.database.url, settings.network.default_language) as session:
        progress = Progress(f"exporting {kind}", await exporter.count(session, kind, start))
        chunks = exporter.rows(
            session,
            kind,
            start,
            settings.network.timezone,
            at=SystemClock().now(),
            days=settings.nudges.dormant_days,
            links=links,
            value_fields=figures,
        )
        if output is None:
            written = await exporter.write(
                sys.stdout.buffer, kind, fmt, chunks, progress.advance,
                separator=separator, value_fields=figures,
            )  # fmt: skip
            sys.stdout.buffer.flush()
        else:
            with output.open("wb") as out:
                written = await exporter.write(
                    out, kind, fmt, chunks, progress.advance,
                    separator=separator, value_fields=figures,
                )  # fmt: skip
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
        say(f"exported {written} {kind} to {output}", file=sys.stderr)
    return 0


async def _claim_links(settings: Settings) -> tracking.ClaimLinks:
    """The personal links' prefixes: Telegram's (config or getMe), Discord's command in
    each language."""
    translator = Translator(settings.network.default_language)
    discord = {
        language: invitations.discord_command(translator, language, "") for language in LANGUAGES
    }
    return tracking.ClaimLinks(telegram=await telegram_prefix(settings), discord=discord)


async def build_demo(settings: Settings, url: str, *, members: int, seed: int, reset: bool) -> int:
    """Create the demo network in its own database (never the configured one by default)."""
    async with transaction(url) as session:
        if not await demo.is_empty(session):
            if not reset:
                say(
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
    say(
        f"demo network ready in {url}: {summary.members} members, {summary.reports} reports "
        f"({summary.signals} signals), {summary.points_entries} points entries, "
        f"{summary.plans} action plans, {summary.campaigns} campaigns, {summary.nudges} nudges"
    )
    say(f"explore it: relais console --database {url}")
    say("  then: @carol /stats  @carol /plans  @carol /campaigns  @carol /nudges  @rita /review")
    return 0
