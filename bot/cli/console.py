"""``relais console`` (and ``relais run`` with no token): the console platform in a terminal.

Interactive when standard input is a terminal: a banner says what runs (settings,
database, why the console) and how to speak, then lines are read with editing and
history (:mod:`bot.platforms.console_prompt`) while the clock's jobs run in the
background. Otherwise the lines of ``--script`` or of standard input are replayed as a
transcript; an empty standard input that is not a terminal (a service manager's
``/dev/null``) is said, not taken silently for an empty transcript.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.cli.errors import fail
from bot.core.clock import Clock, FrozenClock, SystemClock
from bot.core.config import Settings
from bot.platforms.console import ConsoleError, ConsolePlatform
from bot.platforms.console_prompt import reader
from bot.runtime import Background, running_app

EXIT_CONFIG = 2
#: Standard input is not a terminal and holds nothing to replay.
EXIT_NOTHING = 1

NOTHING_TO_READ = (
    "nothing to read: standard input is not a terminal and is empty; run relais in a "
    "terminal to talk to the bot, or give a transcript (--script FILE, or on standard input)"
)


@dataclass(frozen=True, slots=True)
class Options:
    """What the command line says about the console."""

    #: Where the settings came from: a file name, or the built-in defaults.
    source: str
    script: list[str] | None = None
    start: datetime | None = None
    save: Path | None = None
    #: Why the console runs: True when ``relais run`` found no platform token.
    no_token: bool = False


def _who(identities: list[str]) -> str:
    return ", ".join(f"@{i.partition(':')[2]}" for i in identities if i.startswith("console:"))


def banner(settings: Settings, options: Options) -> str:
    """The first lines of the interactive console: what runs, and how to speak."""
    database = make_url(settings.database.url).render_as_string(hide_password=True)
    why = (
        "No platform token is set (RELAIS_TELEGRAM_TOKEN, RELAIS_DISCORD_TOKEN), so this "
        "is the console"
        if options.no_token
        else "The console"
    )
    lines = [
        f"Relais console — settings: {options.source}; database: {database}",
        f"{why}: you speak as anyone, in every private chat and #channel.",
    ]
    people = []
    if coordinators := _who(settings.roles.coordinators):
        people.append(f"coordinator {coordinators}")
    for category, identities in settings.roles.referents.items():
        if referents := _who(identities):
            people.append(f"referent of {category} {referents}")
    if people:
        lines.append(f"In these settings: {'; '.join(people)}.")
    lines += [
        "Type @name text (e.g. @alice /start), @name [2] to press button 2 of the newest "
        "message, @name [3.2] for button 2 of message 3, @name #business text in a channel,",
        "~ +7d to move the clock a week (+3h, +30m), /quit or Ctrl-D to leave.",
    ]
    if options.save is not None:
        lines.append(f"Images and files the bot sends are saved in {options.save}.")
    return "\n".join(lines)


async def run_console(settings: Settings, options: Options) -> int:
    if options.start is not None and options.start.tzinfo is None:
        return fail("--start needs a UTC offset, e.g. 2026-03-02T09:00+01:00", EXIT_CONFIG)
    interactive = options.script is None and sys.stdin.isatty()
    script = options.script
    clock: Clock = FrozenClock(options.start) if options.start else SystemClock()
    async with running_app(settings, clock) as app:  # a broken database is said first
        if script is None and not interactive:
            script = sys.stdin.read().splitlines()
            if not any(line.strip() for line in script):
                return fail(NOTHING_TO_READ, EXIT_NOTHING)
        console = ConsolePlatform(app, save_dir=options.save)
        # Interactive on the real clock, jobs run as time passes; a transcript moves its
        # own clock with "~ +7d" and runs what became due then.
        background = Background(app) if interactive else None
        try:
            if background is not None:
                await background.start()
            if script is not None:
                await console.play(script)
            else:
                await console.repl(banner(settings, options), reader())
        except ConsoleError as error:
            return fail(str(error))
        finally:
            if background is not None:
                await background.stop()
    return 0
