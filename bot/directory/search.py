"""Searching the directory: ``/directory [words|#tag|category|town]``.

What someone typed becomes a :class:`Query` of folded terms: ``#tag`` matches a tag
exactly, a category's key or name restricts to that category, any other word must appear
in the profile's words (a town, an organisation, a job, a language, the presentation…),
as the start or the middle of a word ("tour" finds "tourisme"). Every term must match.
The query packs into a button's payload (a page's Next and Previous), so paging needs no
state; a query too long for it keeps its first terms. Only :func:`profiles.findable`
members are ever returned, whatever the terms.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.text import fold
from bot.directory import profiles
from bot.models import Member, Profile

#: The packed query's budget in a payload (with the prefix and the page, under 64 bytes).
MAX_PACKED = 40
#: The packed form of "no terms".
EVERYONE = "-"


@dataclass(frozen=True, slots=True)
class Query:
    words: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.words or self.tags or self.categories)

    def pack(self) -> str:
        terms = [f"@{key}" for key in self.categories]
        terms += [f"t{tag}" for tag in self.tags] + [f"w{word}" for word in self.words]
        return ".".join(terms) or EVERYONE


def _category_key(settings: Settings, term: str) -> str | None:
    for category in settings.categories:
        names = (category.key, category.name.fr, category.name.en)
        if term in {fold(name) for name in names}:
            return category.key
    return None


def _bounded(query: Query) -> Query:
    """The query whose packed form fits a payload: later terms are dropped."""
    while len(query.pack().encode()) > MAX_PACKED:
        if query.words:
            query = Query(query.words[:-1], query.tags, query.categories)
        elif query.tags:
            query = Query(query.words, query.tags[:-1], query.categories)
        else:
            query = Query(query.words, query.tags, query.categories[:-1])
    return query


def parse(settings: Settings, text: str) -> Query:
    """The query someone typed."""
    words: list[str] = []
    tags: list[str] = []
    categories: list[str] = []
    whole = _category_key(settings, fold(text))  # "Tourisme & culture" in one go
    if whole is not None:
        return Query(categories=(whole,))
    for raw in text.split():
        if raw.startswith("#"):
            tag = fold(raw)[: profiles.MAX_TAG]
            if tag and tag not in tags:
                tags.append(tag)
            continue
        key = _category_key(settings, fold(raw))
        if key is not None:
            if key not in categories:
                categories.append(key)
            continue
        for word in profiles.words(raw):
            if word not in words:
                words.append(word[:24])
    return _bounded(Query(tuple(words), tuple(tags), tuple(categories)))


def unpack(settings: Settings, packed: str) -> Query:
    """The query a button carries (anything forged reads as fewer terms, never more)."""
    words: list[str] = []
    tags: list[str] = []
    categories: list[str] = []
    if packed != EVERYONE:
        for term in packed.split("."):
            kind, value = term[:1], fold(term[1:])[:24]
            if not value:
                continue
            if kind == "@" and settings.category(value) is not None:
                categories.append(value)
            elif kind == "t":
                tags.append(value)
            elif kind == "w":
                words.append(value)
    return _bounded(Query(tuple(words), tuple(tags), tuple(categories)))


def _conditions(query: Query) -> list[ColumnElement[bool]]:
    # Folded terms hold letters and digits only: nothing to escape in LIKE patterns.
    conditions = [profiles.findable()]
    if query.categories:
        conditions.append(Member.category.in_(query.categories))
    for tag in query.tags:
        conditions.append(Profile.search_text.like(f"% #{tag} %"))
    for word in query.words:
        conditions.append(Profile.search_text.like(f"%{word}%"))
    return conditions


@dataclass(frozen=True, slots=True)
class Page:
    found: list[tuple[Member, Profile]]
    total: int
    offset: int

    @property
    def remaining(self) -> int:
        """Results after this page."""
        return max(0, self.total - self.offset - len(self.found))


async def search(session: AsyncSession, query: Query, *, offset: int, limit: int) -> Page:
    """One page of the members ``query`` finds, by name then number."""
    conditions = _conditions(query)
    base = select(Member, Profile).join(Profile, Profile.member_id == Member.id)
    total = await session.scalar(
        select(func.count())
        .select_from(Member)
        .join(Profile, Profile.member_id == Member.id)
        .where(*conditions)
    )
    rows = await session.execute(
        base.where(*conditions)
        .order_by(func.lower(Member.display_name), Member.id)
        .offset(offset)
        .limit(limit)
    )
    found = [(member, profile) for member, profile in rows.all()]
    return Page(found, int(total or 0), offset)
