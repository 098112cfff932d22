"""``relais import members FILE.csv``: the member spreadsheet an agency already has.

All or nothing: every row is checked first, and a file with any bad row imports nothing
and lists every problem with its line number. Each person gets an ``import_key`` (email,
else phone, else category and name), so importing the same file again finds them: rows
whose category, language, role or contact changed are listed, and applied with
``--update``. New members are active, with an invitation code they send to the bot
(``/start CODE``) to claim their account and give their consent. A referent is referent of
their row's category. People who asked to be erased are on the suppression list
(:mod:`bot.members.suppression`) and are skipped, never re-created.

The file is read twice, lazily (checking, then writing in batches), so a large file never
sits in memory. Columns are matched by name in French or English, case and accents aside;
every column not understood is reported.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.cli.csvfile import BadFile, Layout, rows
from bot.core.config import LANGUAGES, Settings
from bot.core.text import clean_name
from bot.members.suppression import fold, identifiers
from bot.models import Role

ALIASES = {
    "name": "name", "nom": "name", "full name": "name", "nom complet": "name",
    "nom et prenom": "name", "prenom et nom": "name", "nom prenom": "name",
    "prenom": "first", "first name": "first", "firstname": "first", "given name": "first",
    "last name": "last", "lastname": "last", "surname": "last", "family name": "last",
    "nom de famille": "last",
    "email": "email", "e-mail": "email", "mail": "email", "courriel": "email",
    "adresse email": "email", "adresse e-mail": "email", "email address": "email",
    "phone": "phone", "telephone": "phone", "tel": "phone", "tel.": "phone",
    "portable": "phone", "mobile": "phone", "tel portable": "phone", "gsm": "phone",
    "telephone portable": "phone", "mobile phone": "phone", "phone number": "phone",
    "cell": "phone", "cellphone": "phone", "numero de telephone": "phone",
    "category": "category", "categorie": "category",
    "language": "language", "langue": "language",
    "role": "role",
}  # fmt: skip
LANGUAGE_WORDS = {"fr": "fr", "francais": "fr", "french": "fr",
                  "en": "en", "english": "en", "anglais": "en"}  # fmt: skip
ROLE_WORDS = {
    "member": Role.MEMBER, "membre": Role.MEMBER, "ambassador": Role.MEMBER,
    "ambassadeur": Role.MEMBER, "ambassadrice": Role.MEMBER,
    "referent": Role.REFERENT, "referente": Role.REFERENT,
    "coordinator": Role.COORDINATOR, "coordinateur": Role.COORDINATOR,
    "coordinatrice": Role.COORDINATOR,
}  # fmt: skip
#: Columns that may appear more than once: the first non-empty one counts.
REPEATABLE = {"phone"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    name: str
    email: str | None
    phone: str | None
    category: str
    language: str
    role: Role

    @property
    def key(self) -> str:
        if self.email:
            return f"email:{self.email}"
        if self.phone:
            return f"phone:{self.phone}"
        return f"name:{self.category}:{fold(self.name)}"

    @property
    def identifiers(self) -> list[str]:
        """What the suppression list is searched for: the contact given, else the name
        in the category (a homonym with another address is another person)."""
        found = identifiers(
            email=self.email, phone=self.phone, name=self.name, category=self.category
        )
        if self.email or self.phone:
            return [one for one in found if not one.startswith("name:")]
        return found


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Header:
    """Which cell of a row holds which field."""

    columns: dict[str, list[int]]
    ignored: list[str]


@dataclass(slots=True)
class Check:
    """The first pass over a file."""

    header: Header | None = None
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class Outcome:
    """What an import did (or would do, on a dry run)."""

    rows: int = 0
    created: int = 0
    unchanged: int = 0
    changed: list[int] = field(default_factory=list)
    updated: int = 0
    suppressed: list[int] = field(default_factory=list)


def read_header(cells: list[str]) -> Header:
    """Map the header's columns to fields; two columns of the same name, or two giving
    the same field, are :class:`BadFile` (which one is right cannot be guessed)."""
    names = [" ".join(cell.strip().split()) for cell in cells]
    seen: dict[str, int] = {}
    columns: dict[str, list[int]] = {}
    ignored: list[str] = []
    for index, name in enumerate(names):
        folded = fold(name)
        if not folded:
            continue
        if folded in seen:
            raise BadFile(
                f"the header has the column {name!r} twice (columns {seen[folded] + 1} "
                f"and {index + 1}); keep one"
            )
        seen[folded] = index
        what = ALIASES.get(folded.rstrip(" :*"))
        if what is None:
            ignored.append(name)
            continue
        if what in columns and what not in REPEATABLE:
            other = names[columns[what][0]]
            raise BadFile(f"the columns {other!r} and {name!r} both give the {what}; keep one")
        columns.setdefault(what, []).append(index)
    if "first" in columns and "name" in columns and "last" not in columns:
        columns["last"] = columns.pop("name")  # "Prénom" beside "Nom": Nom is the surname
    if "name" in columns and ("first" in columns or "last" in columns):
        raise BadFile("the header has a full name column and first or last name columns")
    missing = [needed for needed in ("name", "category") if needed not in _fields(columns)]
    if missing:
        raise BadFile(f"the header has no {' and no '.join(missing)} column")
    return Header(columns, ignored)


def _fields(columns: dict[str, list[int]]) -> set[str]:
    fields = set(columns)
    if "first" in fields or "last" in fields:
        fields.add("name")
    return fields


class Checker:
    """Turns a file's cells into checked rows (one instance per file)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.categories = {c.key: c.key for c in settings.categories}
        for category in settings.categories:
            self.categories[fold(category.key)] = category.key
            self.categories[fold(category.name.fr)] = category.key
            self.categories[fold(category.name.en)] = category.key

    def cells(self, header: Header, values: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for what, indexes in header.columns.items():
            texts = [values[i].strip() for i in indexes if i < len(values)]
            found[what] = next((text for text in texts if text), "")
        if "name" not in found:
            found["name"] = f"{found.get('first', '')} {found.get('last', '')}"
        return found

    def row(self, line: int, cells: dict[str, str]) -> tuple[Row | None, list[str]]:
        errors = []
        raw = " ".join(cells.get("name", "").split())
        name = clean_name(raw, limit=len(raw))  # no hidden characters; length checked below
        if not name:
            errors.append("name is empty")
        elif len(name) > 128:
            errors.append("name is longer than 128 characters")
        email = cells.get("email", "").lower() or None
        if email and (len(email) > 254 or not EMAIL.match(email)):
            errors.append(f"email {email!r} is not valid")
        phone = None
        if cells.get("phone"):
            digits = re.sub(r"[\s.()/-]", "", cells["phone"])
            if not re.fullmatch(r"\+?\d{6,15}", digits):
                errors.append("phone is not a phone number")
            phone = digits
        category = self.categories.get(fold(cells.get("category", "")))
        if category is None:
            errors.append(
                f"category {cells.get('category', '')!r} is unknown; known: "
                + ", ".join(c.key for c in self.settings.categories)
            )
        raw_language = fold(cells.get("language", ""))
        default = self.settings.network.default_language
        language = LANGUAGE_WORDS.get(raw_language) if raw_language else default
        if language is None:
            errors.append(f"language must be one of {', '.join(LANGUAGES)}")
        raw_role = fold(cells.get("role", ""))
        role = ROLE_WORDS.get(raw_role) if raw_role else Role.MEMBER
        if role is None:
            errors.append("role must be member, referent or coordinator")
        if errors or category is None or language is None or role is None:
            return None, errors
        return Row(line, name, email, phone, category, language, role), []


def _fingerprint(key: str) -> int:
    """A row's key in 8 bytes: the first pass remembers a million rows in little memory."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


def check(path: Path, layout: Layout, settings: Settings) -> Check:
    """The first pass: the header, every row's problems, and the same person twice."""
    outcome = Check()
    checker = Checker(settings)
    seen: dict[int, int] = {}
    for line, values in rows(path, layout):
        if outcome.header is None:
            outcome.header = read_header(values)
            continue
        if not any(value.strip() for value in values):
            continue
        row, errors = checker.row(line, checker.cells(outcome.header, values))
        outcome.problems.extend(Problem(line, error) for error in errors)
        if row is None:
            continue
        outcome.rows += 1
        first = seen.setdefault(_fingerprint(row.key), line)
        if first != line:
            outcome.problems.append(Problem(line, f"same person as line {first}"))
    if outcome.header is None:
        raise BadFile("the file is empty")
    return outcome


def checked_rows(path: Path, layout: Layout, settings: Settings) -> Iterator[Row]:
    """The second pass: the rows again, lazily (the file was checked by :func:`check`)."""
    checker = Checker(settings)
    header: Header | None = None
    for line, values in rows(path, layout):
        if header is None:
            header = read_header(values)
            continue
        if not any(value.strip() for value in values):
            continue
        row, _errors = checker.row(line, checker.cells(header, values))
        if row is not None:
            yield row
