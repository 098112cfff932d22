"""Searching the kit for words (``/kit WORDS``).

- **SQLite with FTS5** (the usual build): the ``kit_search`` index that migration 0025
  keeps in step with ``kit_items`` by triggers. Each word the member typed must appear,
  as a word or the start of one (``lum`` finds « lumières »), accents and case ignored
  (``unicode61 remove_diacritics``).
- **SQLite without FTS5**: every word as a substring of the title, texts or topics
  (ASCII case ignored).
- **PostgreSQL**: full-text search, ``to_tsvector`` against a ``to_tsquery`` of prefixes
  with the ``simple`` configuration (items are written in French and English, so no
  stemming favours one of them; accents count, as PostgreSQL has no unaccent built in).

Whatever was typed becomes quoted search terms, never query syntax: a quote or an
``OR`` in the words cannot change what is searched.
"""

from __future__ import annotations

import re

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    false,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db import is_sqlite
from bot.models import KitItem

#: At most this many words count; the rest of a long query is ignored.
MAX_TERMS = 8
INDEX = "kit_search"


def terms(words: str) -> list[str]:
    """The words searched for: letters and digits, lower-cased, at most :data:`MAX_TERMS`."""
    return [term.lower() for term in re.findall(r"\w+", words)][:MAX_TERMS]


def fts_query(found: list[str]) -> str:
    """An FTS5 query where every term is a quoted prefix: ``"lum"* "lyon"*``."""
    return " ".join('"' + term.replace('"', '""') + '"*' for term in found)


async def has_index(session: AsyncSession) -> bool:
    """Whether this SQLite database carries the FTS5 index (its library may lack FTS5)."""
    name = await session.scalar(
        text("SELECT name FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": INDEX},
    )
    return name is not None


def _document() -> ColumnElement[str]:
    return KitItem.title + " " + KitItem.text_fr + " " + KitItem.text_en + " " + KitItem.tags


async def matches(session: AsyncSession, words: str) -> ColumnElement[bool]:
    """A condition on :class:`KitItem` true for the items that match ``words``."""
    found = terms(words)
    if not found:
        return false()
    if is_sqlite(session):
        if await has_index(session):
            rowid: ColumnElement[int] = literal_column("rowid", Integer)
            hits = (
                select(rowid)
                .select_from(text(INDEX))
                .where(text(f"{INDEX} MATCH :kit_words").bindparams(kit_words=fts_query(found)))
            )
            return KitItem.id.in_(hits)
        haystack = func.lower(_document())
        return and_(*(haystack.contains(term, autoescape=True) for term in found))
    simple: ColumnElement[str] = literal_column("'simple'::regconfig")
    document = func.to_tsvector(simple, _document())
    query = " & ".join(f"'{term}':*" for term in found)  # terms are letters and digits
    return document.bool_op("@@")(func.to_tsquery(simple, query))
