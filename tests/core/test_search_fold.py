"""The members search folds text alike on both databases: PostgreSQL's ``relais_search``
(SQL, migration 0033) and SQLite's (:func:`bot.core.text.searchable`, registered on each
connection) give the same string for every Latin letter, accent, ligature and typographic
mark a name may hold — so a search finds the same members on either. And migration 0033's
frozen table is the code's."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.text import SEARCH_LETTERS, search_fold, searchable

#: Latin-1, Latin Extended-A and -B, IPA, spacing marks, combining marks, Latin Extended
#: Additional (Vietnamese), general punctuation, letter-like symbols.
BLOCKS = [(0x00A0, 0x0250), (0x0250, 0x0370), (0x1E00, 0x1F00), (0x2000, 0x2070), (0x2100, 0x2150)]
SAMPLES = [
    ("Hélène Dupré", None, None),
    ("ÉMILE", "Emile.Martin@Example.ORG", "+33 6 12 34 56 78"),
    ("Œuvre Straße", None, "06.12.34"),
    ("O’Brien — Zoë", "zoë@exemple.fr", None),
    ("ǅemal Łukasz Ørsted", None, None),
    ("", None, None),
]


def test_the_code_folds_as_a_coordinator_types() -> None:
    assert search_fold("Hélène") == "helene"
    assert search_fold("ŒUVRE") == "oeuvre"
    assert search_fold("O’Brien") == "o'brien"
    assert search_fold("ＭＩＡ") == "mia"  # full-width letters (NFKD)
    assert searchable("Zoé", None, "+33 6") == "zoe  +33 6"


async def _fold(engine: AsyncEngine, name: str | None, email: str | None, phone: str | None) -> str:
    async with engine.connect() as connection:
        folded = await connection.scalar(
            text("SELECT relais_search(:name, :email, :phone)"),
            {"name": name, "email": email, "phone": phone},
        )
    return str(folded)


async def test_the_database_folds_as_the_code(engine: AsyncEngine) -> None:
    for start, end in BLOCKS:
        letters = " ".join(chr(point) for point in range(start, end))
        got, wanted = await _fold(engine, letters, None, None), searchable(letters, None, None)
        if got != wanted:  # name the characters, not a 300-character string
            differ = [
                f"U+{point:04X} {chr(point)!r}: {await _fold(engine, chr(point), None, None)!r}"
                f" vs {searchable(chr(point), None, None)!r}"
                for point in range(start, end)
                if await _fold(engine, chr(point), None, None) != searchable(chr(point), None, None)
            ]
            raise AssertionError("\n".join(differ or [f"{got!r} vs {wanted!r}"]))
    for sample in SAMPLES:
        assert await _fold(engine, *sample) == searchable(*sample)


def test_migration_0033_holds_the_codes_table() -> None:
    path = Path(__file__).parents[2] / "bot/migrations/versions/0033_members_search.py"
    spec = importlib.util.spec_from_file_location("migration_0033", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.LETTERS == SEARCH_LETTERS
