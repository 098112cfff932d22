"""The ``relais`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.cli import data, invite, kit, quiz_import
from bot.cli.console import Options, run_console
from bot.cli.demo import DEFAULT_MEMBERS
from bot.cli.errors import fail, protect_environment, say
from bot.cli.exporter import FORMATS, KINDS, SEPARATORS
from bot.cli.failures import T, describe, settled
from bot.core import redaction
from bot.core.config import ConfigError, Settings, load_settings
from bot.core.db import create_engine, upgrade
from bot.core.defaults import SOURCE, built_in
from bot.core.port import PlatformUnavailable
from bot.models import KitKind
from bot.runtime import Background, build_platforms, configured_platforms, running_app, serve

EXIT_CONFIG = 2
#: A platform could not start (unreachable, token refused).
EXIT_UNAVAILABLE = 3


def _default_config() -> Path | None:
    """$RELAIS_CONFIG, else ./config.toml, else ./config.example.toml; None when there is
    no settings file at all (the built-in defaults then)."""
    explicit = os.environ.get("RELAIS_CONFIG")
    if explicit:
        return Path(explicit)
    for local in (Path("config.toml"), Path("config.example.toml")):
        if local.exists():
            return local
    return None


def _day(text: str) -> date:
    """``2026-03-04`` or ``04/03/2026`` (also ``04.03.2026``), as the bot reads dates."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    day, sep, rest = text.partition("/") if "/" in text else text.partition(".")
    month, _, year = rest.partition(sep)
    try:
        if sep and len(year) == 4:
            return date(int(year), int(month), int(day))
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date: write 2026-03-04 or 04/03/2026")


def _settings(config: Path | None) -> tuple[Settings, str]:
    """The settings and where they came from."""
    path = config or _default_config()
    if path is None:
        say(
            "relais: no settings file here (config.toml, config.example.toml): running on "
            "the built-in defaults; --config FILE names one",
            file=sys.stderr,
        )
        return built_in(), SOURCE
    return load_settings(path), str(path)


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
        "else ./config.example.toml, else built-in defaults)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log more (-v: INFO, -vv: DEBUG; never anything personal, see docs/privacy.md)",
    )
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--database", metavar="URL", help="database URL (overrides the settings)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    save = argparse.ArgumentParser(add_help=False)
    save.add_argument(
        "--save",
        type=Path,
        metavar="DIR",
        help="on the console: write every image and file the bot sends (charts, /mydata…) "
        "in DIR and print their paths",
    )
    commands.add_parser(
        "run",
        parents=[database, save],
        help="run the bot on every platform with a token (the console when there is none)",
    )
    console = commands.add_parser(
        "console",
        parents=[database, save],
        help="talk to the bot as any member in the terminal, or replay a transcript",
        description="Interactive when standard input is a terminal; otherwise (or with "
        "--script) replays a transcript. Lines: '@alice /start', '@alice [2]' (press button 2), "
        "'@alice [Business]', '@alice some text', '@alice #business /leaderboard', "
        "'@alice [3.2]' (button 2 of message 3), '~ +7d' (move the clock), '# comment', "
        "'/quit'.",
    )
    console.add_argument("--script", type=Path, help="transcript file to replay")
    console.add_argument(
        "--start",
        type=datetime.fromisoformat,
        help="freeze the clock at this ISO time with offset (e.g. 2026-03-02T09:00+01:00), "
        "for replayable transcripts",
    )
    load = commands.add_parser("import", help="import data from a file")
    load_what = load.add_subparsers(dest="import_what", required=True, metavar="WHAT")
    members = load_what.add_parser(
        "members",
        parents=[database],
        help="members from a CSV file (name or first and last name, email, phone, category, "
        "language, role)",
        description="All or nothing: a file with any bad row imports nothing and every "
        "bad row is listed with its line number. Importing the same file again creates "
        "nobody twice and lists the rows that changed (--update applies them). People who "
        "asked to be erased are skipped. New members get an invitation code to claim their "
        "account (/start CODE).",
    )
    members.add_argument("file", type=Path, help="CSV file (UTF-8 or Windows-1252, , or ;)")
    members.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    members.add_argument(
        "--update",
        action="store_true",
        help="apply the rows that changed (category, language, role, email, phone) to the "
        "members already there; without it they are only listed",
    )
    quiz = load_what.add_parser(
        "quiz",
        parents=[database],
        help="quiz questions from a CSV or TOML file (format: docs/coordinators.md)",
        description="All or nothing: a file with any bad question imports nothing and every "
        "bad question is listed with its line number. A question already there (same text) "
        "is not stored twice.",
    )
    quiz.add_argument("file", type=Path, help="a .csv or .toml file")
    quiz.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    dump = commands.add_parser(
        "export",
        parents=[database],
        help="export members, reports, signals, points, invitations (codes, personal links "
        "and how each invitation went), events or attendance, the kit, partners' benefits and "
        "their recorded uses",
    )
    dump.add_argument("what", choices=KINDS)
    dump.add_argument(
        "--since",
        type=_day,
        help="only from this date (2026-03-04 or 04/03/2026, network time)",
    )
    dump.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or json")
    dump.add_argument(
        "--separator",
        choices=tuple(SEPARATORS),
        default="comma",
        help="CSV column separator: comma (default), semicolon (French Excel) or tab",
    )
    dump.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    sample = commands.add_parser(
        "demo",
        help="create a realistic demo network in a separate database",
        description="Members over the configured categories, most dormant and a few very "
        "active, with 12 weeks of reports and signals in every stage, action plans and "
        "campaigns with their answers, and nudges with theirs; written in the network's "
        "language ([network] default_language).",
    )
    sample.add_argument(
        "--members", type=int, default=DEFAULT_MEMBERS, help=f"how many (default {DEFAULT_MEMBERS})"
    )
    sample.add_argument(
        "--database",
        metavar="URL",
        default=data.DEMO_DATABASE,
        help=f"where to build it (default {data.DEMO_DATABASE})",
    )
    sample.add_argument("--seed", type=int, default=7, help="random seed (same seed, same network)")
    sample.add_argument("--reset", action="store_true", help="replace what that database holds")
    invite = commands.add_parser(
        "invite",
        parents=[database],
        help="e-mail an invitation to every imported member who has not claimed their account",
        description="One e-mail per member in their language: their name, the welcome "
        "words of [email] welcome, the Telegram link that claims the account, the Discord "
        "command, and a QR code. Only members with an address, not unsubscribed, not "
        "bounced and never invited; reminders follow by themselves ([email] reminder_days, "
        "max_reminders) while `relais run` runs. See docs/email.md.",
    )
    invite.add_argument("--category", metavar="KEY", help="only members of this category")
    invite.add_argument(
        "--dry-run", action="store_true", help="count and show one invitation, send nothing"
    )
    stop_mail = commands.add_parser(
        "unsubscribe",
        parents=[database],
        help="stop every e-mail to an address (a reply asking for it reached you)",
    )
    stop_mail.add_argument("address", help="the member's e-mail address")
    commands.add_parser(
        "web",
        parents=[database],
        help="serve only the web pages ([web] listen), e.g. e-mail unsubscribe links",
    )
    kit_parser = commands.add_parser("kit", parents=[database], help="the ambassador's kit")
    kit_commands = kit_parser.add_subparsers(dest="kit_command", required=True, metavar="ACTION")
    kit_add = kit_commands.add_parser(
        "add",
        help="add a kit item, with an image or a PDF",
        description="Add an item to the kit members open with /kit (see "
        "docs/coordinators.md). A file is accepted when its content is a PNG, JPEG, WebP or "
        "GIF image or a PDF, up to [kit] max_file_mb; it is kept in [kit] files_dir.",
    )
    kit_add.add_argument("--kind", choices=[kind.value for kind in KitKind], required=True)
    kit_add.add_argument("--title", required=True, help="one line")
    kit_add.add_argument("--text-fr", default="", help="the text in French")
    kit_add.add_argument("--text-en", default="", help="the text in English")
    kit_add.add_argument("--link", help="the link members share (https://...)")
    kit_add.add_argument("--tags", default="", help='topics, e.g. "tourism cycling"')
    kit_add.add_argument("--category", metavar="KEY", help="only for this category")
    kit_add.add_argument("--file", type=Path, help="an image or a PDF to attach")
    db = commands.add_parser("db", parents=[database], help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply the database migrations")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    protect_environment()
    logging.basicConfig(
        level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        settings, source = _settings(args.config)
        if getattr(args, "database", None):
            settings = _with_database(settings, args.database)
    except ConfigError as error:
        return fail(f"config error: {error}", EXIT_CONFIG)
    redaction.protect(settings)
    try:
        return _dispatch(args, settings, source)
    except Exception as error:
        described = describe(error, settings.database.url)
        if described is None:
            raise  # not an operational failure: a bug, whose traceback is needed
        return fail(*described)


def _dispatch(args: argparse.Namespace, settings: Settings, source: str) -> int:
    if args.command == "import" and args.import_what == "quiz":
        return _complete(quiz_import.import_quiz(settings, args.file, dry_run=args.dry_run))
    if args.command == "import":
        return _complete(
            data.import_members(settings, args.file, dry_run=args.dry_run, update=args.update)
        )
    if args.command == "demo":
        if args.members < 1:
            return fail("--members must be at least 1", EXIT_CONFIG)
        return _complete(
            data.build_demo(
                settings,
                settings.database.url,
                members=args.members,
                seed=args.seed,
                reset=args.reset,
            )
        )
    if args.command == "export":
        return _complete(
            data.export(
                settings,
                args.what,
                args.format,
                args.since,
                args.output,
                separator=SEPARATORS[args.separator],
            )
        )
    if args.command == "invite":
        return _complete(invite.invite(settings, category=args.category, dry_run=args.dry_run))
    if args.command == "unsubscribe":
        return _complete(invite.unsubscribe(settings, args.address))
    if args.command == "web":
        return _complete(invite.web(settings))
    if args.command == "kit":
        return _complete(
            kit.add(
                settings, kind=args.kind, title=args.title, text_fr=args.text_fr,
                text_en=args.text_en, link=args.link, tags=args.tags, category=args.category,
                file=args.file,
            )
        )  # fmt: skip
    if args.command == "db":
        _complete(_upgrade(settings))
        say("database is up to date")
        return 0
    if args.command == "console":
        try:
            script = args.script.read_text(encoding="utf-8").splitlines() if args.script else None
        except (OSError, UnicodeDecodeError) as error:
            return fail(f"cannot read the transcript {args.script}: {error}")
        options = Options(source, script, args.start, args.save)
        return _complete(run_console(settings, options))
    return _complete(_run(settings, source, args.save))


def _complete(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to its end in a new event loop (see :func:`settled`)."""
    return asyncio.run(settled(work))


def _with_database(settings: Settings, url: str) -> Settings:
    from pydantic import ValidationError

    from bot.core.config import DatabaseSettings

    try:
        database = DatabaseSettings(url=url, echo=settings.database.echo)
    except ValidationError as error:
        message = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"--database: {message}") from error
    return settings.model_copy(update={"database": database})


async def _upgrade(settings: Settings) -> None:
    engine = create_engine(settings.database.url)
    try:
        await upgrade(engine, network_language=settings.network.default_language)
    finally:
        await engine.dispose()


async def _run(settings: Settings, source: str, save: Path | None = None) -> int:
    """Serve every platform with a token until SIGINT or SIGTERM; the console otherwise."""
    names = configured_platforms(settings)
    if names == ["console"]:
        return await run_console(settings, Options(source, save=save, no_token=True))
    async with running_app(settings) as app:
        platforms = build_platforms(app, names)
        if not platforms:
            return fail(
                f"{', '.join(names)} support is not part of this version yet; "
                "unset the token to use the console",
                EXIT_CONFIG,
            )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        background = Background(app)
        try:
            await serve(platforms, stop, on_started=background.start)
        except PlatformUnavailable as error:
            return fail(str(error), EXIT_UNAVAILABLE)
        except ConfigError as error:
            return fail(f"config error: {error}", EXIT_CONFIG)
        finally:
            await background.stop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
    return 0
