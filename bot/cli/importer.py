"""``relais import members FILE.csv``: the member spreadsheet an agency already has.

All or nothing: every row is checked first, and a file with any bad row imports nothing
and lists every problem with its line number. Each person gets an ``import_key`` (email,
else phone, else category and name), so importing the same file again finds them and
changes nothing. New members are active, with an invitation code they send to the bot
(``/start CODE``) to claim their account and give their consent.

Files saved by spreadsheets come in UTF-8 (with or without BOM) or Windows-1252, with
commas or semicolons; French column names are accepted too.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.progress import Progress
from bot.core import audit
from bot.core.clock import Clock
from bot.core.config import LANGUAGES, Settings
from bot.core.text import clean_name
from bot.members.membership import new_sponsor_code
from bot.models import Member, MemberStatus, Role, Visibility

CHUNK = 1000
ALIASES = {
    "name": "name", "nom": "name", "full name": "name", "nom complet": "name",
    "email": "email", "e-mail": "email", "mail": "email", "courriel": "email",
    "phone": "phone", "téléphone": "phone", "telephone": "phone", "tel": "phone",
    "category": "category", "catégorie": "category", "categorie": "category",
    "language": "language", "langue": "language",
    "role": "role", "rôle": "role",
}  # fmt: skip
LANGUAGE_WORDS = {"fr": "fr", "français": "fr", "francais": "fr", "french": "fr",
                  "en": "en", "english": "en", "anglais": "en"}  # fmt: skip
ROLE_WORDS = {"member": Role.MEMBER, "membre": Role.MEMBER, "ambassadeur": Role.MEMBER,
              "referent": Role.REFERENT, "référent": Role.REFERENT,
              "coordinator": Role.COORDINATOR, "coordinateur": Role.COORDINATOR}  # fmt: skip
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
        return f"name:{self.category}:{_fold(self.name)}"


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str


@dataclass(slots=True)
class Outcome:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.casefold().split())


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse(text: str, settings: Settings) -> Outcome:
    """Check every row; the outcome lists good rows and every problem found."""
    outcome = Outcome()
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        outcome.problems.append(Problem(1, "the file is empty"))
        return outcome
    columns = [ALIASES.get(_fold(name), "") for name in header]
    for needed in ("name", "category"):
        if needed not in columns:
            outcome.problems.append(Problem(1, f"no '{needed}' column"))
    if outcome.problems:
        return outcome
    categories = {c.key: c.key for c in settings.categories}
    for category in settings.categories:
        categories[_fold(category.name.fr)] = category.key
        categories[_fold(category.name.en)] = category.key
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        cells = {col: value.strip() for col, value in zip(columns, values, strict=False) if col}
        row, errors = _check(line, cells, categories, settings)
        outcome.problems.extend(Problem(line, error) for error in errors)
        if row is None:
            continue
        if row.key in seen:
            outcome.problems.append(Problem(line, f"same person as line {seen[row.key]}"))
            continue
        seen[row.key] = line
        outcome.rows.append(row)
    return outcome


def _check(
    line: int, cells: dict[str, str], categories: dict[str, str], settings: Settings
) -> tuple[Row | None, list[str]]:
    errors = []
    name = " ".join(cells.get("name", "").split())
    if not name:
        errors.append("name is empty")
    elif len(name) > 128:
        errors.append("name is longer than 128 characters")
    email = cells.get("email", "").lower() or None
    if email and (len(email) > 254 or not EMAIL.match(email)):
        errors.append(f"email {email!r} is not valid")
    phone = None
    if cells.get("phone"):
        digits = re.sub(r"[\s.()-]", "", cells["phone"])
        if not re.fullmatch(r"\+?\d{6,15}", digits):
            errors.append("phone is not a phone number")
        phone = digits
    category = categories.get(_fold(cells.get("category", "")))
    if category is None:
        errors.append(
            f"category {cells.get('category', '')!r} is unknown; known: "
            + ", ".join(c.key for c in settings.categories)
        )
    raw_language = _fold(cells.get("language", ""))
    language = (
        LANGUAGE_WORDS.get(raw_language) if raw_language else settings.network.default_language
    )
    if language is None:
        errors.append(f"language must be one of {', '.join(LANGUAGES)}")
    raw_role = _fold(cells.get("role", ""))
    role = ROLE_WORDS.get(raw_role) if raw_role else Role.MEMBER
    if role is None:
        errors.append("role must be member, referent or coordinator")
    if errors or category is None or language is None or role is None:
        return None, errors
    return Row(line, name, email, phone, category, language, role), []


async def import_members(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    outcome: Outcome,
    *,
    dry_run: bool,
    progress: Progress | None = None,
) -> Outcome:
    """Create the members of a checked file that are not there yet (nothing on a dry
    run, nothing at all if the file has a problem)."""
    if outcome.problems:
        return outcome
    known: set[str] = set()
    keys = [row.key for row in outcome.rows]
    for start in range(0, len(keys), CHUNK):
        found = await session.scalars(
            select(Member.import_key).where(Member.import_key.in_(keys[start : start + CHUNK]))
        )
        known.update(key for key in found if key)
    new = [row for row in outcome.rows if row.key not in known]
    outcome.unchanged = len(outcome.rows) - len(new)
    outcome.created = len(new)
    if dry_run or not new:
        return outcome
    codes = await _fresh_codes(session, 2 * len(new))
    for start in range(0, len(new), CHUNK):
        rows = new[start : start + CHUNK]
        await session.execute(
            insert(Member),
            [
                {
                    "display_name": clean_name(row.name) or row.name,
                    "email": row.email,
                    "phone": row.phone,
                    "status": MemberStatus.ACTIVE,
                    "role": row.role,
                    "category": row.category,
                    "language": row.language,
                    "visibility": Visibility.NAME,
                    "sponsor_code": codes.pop(),
                    "invite_code": codes.pop(),
                    "import_key": row.key,
                    "joined_at": clock.now(),
                }
                for row in rows
            ],
        )
        if progress is not None:
            progress.advance(len(rows))
    audit.record(
        session,
        clock,
        actor_id=None,
        action="import.members",
        created=outcome.created,
        unchanged=outcome.unchanged,
    )
    return outcome


async def _fresh_codes(session: AsyncSession, count: int) -> list[str]:
    """``count`` distinct codes used by no member as sponsor or invitation code."""
    codes: set[str] = set()
    while len(codes) < count:
        batch = {new_sponsor_code() for _ in range(count - len(codes))} - codes
        ordered = sorted(batch)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            for column in (Member.sponsor_code, Member.invite_code):
                taken = await session.scalars(select(column).where(column.in_(chunk)))
                batch -= {code for code in taken if code}
        codes |= batch
    return list(codes)
