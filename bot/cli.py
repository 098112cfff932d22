"""The ``relais`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from datetime import datetime
from pathlib import Path

from bot import redaction
from bot.clock import Clock, FrozenClock, SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.db import create_engine, upgrade
from bot.platforms.console import ConsoleError, ConsolePlatform
from bot.platforms.port import PlatformUnavailable
from bot.runtime import build_platforms, configured_platforms, running_app, serve

EXIT_CONFIG = 2
#: A platform could not start (unreachable, token refused).
EXIT_UNAVAILABLE = 3


def _default_config() -> Path:
    explicit = os.environ.get("RELAIS_CONFIG")
    if explicit:
        return Path(explicit)
    local = Path("config.toml")
    return local if local.exists() else Path("config.example.toml")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relais",
        description="Relais animates a network of territorial ambassadors on Telegram, "
        "Discord and the console.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="settings file (default: $RELAIS_CONFIG, else ./config.toml, "
        "else ./config.example.toml)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run the bot on every platform with a token (the console when there is none)",
    )
    console = commands.add_parser(
        "console",
        help="talk to the bot as any member in the terminal, or replay a transcript",
        description="Interactive when standard input is a terminal; otherwise (or with "
        "--script) replays a transcript. Lines: '@alice /start', '@alice [2]' (press button 2), "
        "'@alice [Business]', '@alice some text', '@alice #business /leaderboard', "
        "'~ +7d' (move the clock), '# comment'.",
    )
    console.add_argument("--script", type=Path, help="transcript file to replay")
    console.add_argument(
        "--start",
        type=datetime.fromisoformat,
        help="freeze the clock at this ISO time with offset (e.g. 2026-03-02T09:00+01:00), "
        "for replayable transcripts",
    )
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply the database migrations")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        settings = load_settings(args.config or _default_config())
    except ConfigError as error:
        print(f"relais: config error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    redaction.protect(settings)
    if args.command == "db":
        asyncio.run(_upgrade(settings))
        print("database is up to date")
        return 0
    if args.command == "console":
        script = args.script.read_text(encoding="utf-8").splitlines() if args.script else None
        return asyncio.run(_console(settings, script, args.start))
    return asyncio.run(_run(settings))


async def _upgrade(settings: Settings) -> None:
    engine = create_engine(settings.database.url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _console(settings: Settings, script: list[str] | None, start: datetime | None) -> int:
    if start is not None and start.tzinfo is None:
        print("relais: --start needs a UTC offset, e.g. 2026-03-02T09:00+01:00", file=sys.stderr)
        return EXIT_CONFIG
    clock: Clock = FrozenClock(start) if start else SystemClock()
    async with running_app(settings, clock) as app:
        console = ConsolePlatform(app)
        try:
            if script is not None:
                await console.play(script)
            elif sys.stdin.isatty():
                await console.repl()
            else:
                await console.play(sys.stdin.read().splitlines())
        except ConsoleError as error:
            print(f"relais: {error}", file=sys.stderr)
            return 1
    return 0


async def _run(settings: Settings) -> int:
    """Serve every platform with a token until SIGINT or SIGTERM; the console otherwise."""
    names = configured_platforms(settings)
    if names == ["console"]:
        return await _console(settings, None, None)
    async with running_app(settings) as app:
        platforms = build_platforms(app, names)
        if not platforms:
            print(
                f"relais: {', '.join(names)} support is not part of this version yet; "
                "unset the token to use the console",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await serve(platforms, stop)
        except PlatformUnavailable as error:
            print(f"relais: {error}", file=sys.stderr)
            return EXIT_UNAVAILABLE
        except ConfigError as error:
            print(f"relais: config error: {error}", file=sys.stderr)
            return EXIT_CONFIG
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
    return 0
