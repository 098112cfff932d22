"""``relais import quiz FILE``: questions for the quiz, from a CSV or a TOML file.

All or nothing, like the member import: every question is checked first, and a file with
any bad one imports nothing and lists every problem with its line number. A question
whose text is already in the database (the same file imported twice) is counted as
already there, never stored twice. The format is described in docs/coordinators.md:

- CSV (UTF-8 or Windows-1252, ``,`` ``;`` or tab): columns ``question_fr``,
  ``question_en``, ``options_fr``, ``options_en`` (options separated by ``|``),
  ``correct`` (option numbers from 1, several separated by ``|``), ``explanation_fr``,
  ``explanation_en``, ``categories`` (keys separated by spaces or commas; empty: everyone).
- TOML: one ``[[question]]`` table per question with the same keys, options and
  ``correct`` as arrays (``correct = 2`` also works), ``categories`` an array.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.animation.quiz import Draft, InvalidQuestion, build, check
from bot.cli import csvfile
from bot.cli.data import EXIT_BAD_FILE, transaction
from bot.cli.errors import say
from bot.core import audit
from bot.core.bilingual import Bilingual
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.text import fold
from bot.models import QuizQuestion

COLUMNS = (
    "question_fr",
    "question_en",
    "options_fr",
    "options_en",
    "correct",
    "explanation_fr",
    "explanation_en",
    "categories",
)
_SPLIT = re.compile(r"[\s,;]+")


@dataclass(slots=True)
class Checked:
    drafts: list[tuple[int, Draft]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def _numbers(value: object) -> tuple[int, ...]:
    """1-based option numbers (``2``, ``"1|3"``, ``[1, 3]``) as 0-based indexes."""
    if isinstance(value, bool):
        raise InvalidQuestion("correct: give option numbers from 1")
    if isinstance(value, int):
        items: list[object] = [value]
    elif isinstance(value, str):
        items = [part for part in re.split(r"[|,;\s]+", value) if part]
    elif isinstance(value, list):
        items = list(value)
    else:
        raise InvalidQuestion("correct: give option numbers from 1")
    try:
        return tuple(int(str(item)) - 1 for item in items)
    except ValueError as error:
        raise InvalidQuestion("correct: give option numbers from 1") from error


def _options(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = value.split("|") if value.strip() else []
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        parts = list(value)
    else:
        raise InvalidQuestion("options are a list of texts")
    return tuple(" ".join(part.split()) for part in parts)


def _text(value: object, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidQuestion(f"{name} is a text")
    return value.strip()


def draft_of(record: Mapping[str, Any], settings: Settings) -> Draft:
    """One question from a CSV row or a TOML table, checked (:class:`InvalidQuestion`)."""
    unknown = sorted(set(record) - set(COLUMNS))
    if unknown:
        raise InvalidQuestion(f"unknown key {unknown[0]!r}")
    categories = record.get("categories") or []
    if isinstance(categories, str):
        categories = [part for part in _SPLIT.split(categories) if part]
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise InvalidQuestion("categories are category keys")
    keys: dict[str, str] = {fold(c.key): c.key for c in settings.categories}
    draft = Draft(
        text=Bilingual(
            _text(record.get("question_fr"), "question_fr"),
            _text(record.get("question_en"), "question_en"),
        ),
        options={
            "fr": _options(record.get("options_fr") or []),
            "en": _options(record.get("options_en") or []),
        },
        correct=_numbers(record.get("correct", [])),
        explanation=Bilingual(
            _text(record.get("explanation_fr"), "explanation_fr"),
            _text(record.get("explanation_en"), "explanation_en"),
        ),
        categories=tuple(keys.get(fold(str(c)), str(c)) for c in categories),
    )
    return check(draft, [c.key for c in settings.categories])


def _csv_records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    layout = csvfile.inspect(path)
    header: list[str] | None = None
    for line, values in csvfile.rows(path, layout):
        if header is None:
            header = ["_".join(cell.casefold().split()).lstrip("\ufeff") for cell in values]
            missing = [c for c in ("correct",) if c not in header]
            if missing or not {"question_fr", "question_en"} & set(header):
                raise csvfile.BadFile(
                    "the header needs question_fr or question_en, options_fr or options_en, "
                    "and correct"
                )
            continue
        if not any(value.strip() for value in values):
            continue
        yield line, {name: value for name, value in zip(header, values, strict=False) if name}


def _toml_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        raise csvfile.BadFile(f"cannot read it ({error})") from error
    except tomllib.TOMLDecodeError as error:
        raise csvfile.BadFile(f"not valid TOML: {error}") from error
    questions = data.get("question")
    if not isinstance(questions, list) or set(data) != {"question"}:
        raise csvfile.BadFile("a quiz file holds [[question]] tables only")
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[question]]"]
    for index, table in enumerate(questions):
        yield (starts[index] if index < len(starts) else 0), table


def read(path: Path, settings: Settings) -> Checked:
    """Every question of the file, or every problem (:class:`csvfile.BadFile` for the
    file itself)."""
    records = _toml_records(path) if path.suffix.lower() == ".toml" else _csv_records(path)
    checked = Checked()
    for line, record in records:
        try:
            checked.drafts.append((line, draft_of(record, settings)))
        except InvalidQuestion as error:
            checked.problems.append((line, error.reason))
    if not checked.drafts and not checked.problems:
        raise csvfile.BadFile("it holds no question")
    return checked


async def import_quiz(settings: Settings, path: Path, *, dry_run: bool) -> int:
    """Check the whole file, then store its new questions, or nothing when any is bad."""
    try:
        checked = read(path, settings)
    except csvfile.BadFile as error:
        say(f"relais: {path}: {error}", file=sys.stderr)
        return EXIT_BAD_FILE
    if checked.problems:
        for line, message in checked.problems:
            say(f"{path}:{line}: {message}", file=sys.stderr)
        say(f"relais: {len(checked.problems)} problem(s); nothing was imported", file=sys.stderr)
        return EXIT_BAD_FILE
    clock = SystemClock()
    now = clock.now()
    async with transaction(settings.database.url, settings.network.default_language) as session:
        known = {
            (fr, en) for fr, en in await session.execute(
                select(QuizQuestion.text_fr, QuizQuestion.text_en)
            )
        }  # fmt: skip
        new = [d for _line, d in checked.drafts if (d.text.fr, d.text.en) not in known]
        new = list({(d.text.fr, d.text.en): d for d in new}.values())
        if not dry_run:
            session.add_all(build(draft, author_id=None, now=now) for draft in new)
            audit.record(session, clock, actor_id=None, action="import.quiz", questions=len(new))
        else:
            await session.rollback()
    verb = "would import" if dry_run else "imported"
    say(f"{verb} {len(new)} question(s); {len(checked.drafts) - len(new)} already there")
    return 0
