"""The members directory: search, filters, orders and pages over any number of members.

What the desk's members table (and its export and bulk actions) shows, defined once:

* **Search** (``query``): a number (``12`` or ``#12``) finds that member, from the primary
  key; any other text is looked for, case and accents aside (``helene`` finds
  ``Hélène``: :func:`bot.core.text.search_fold`), in the name, the e-mail address and the
  phone number — on PostgreSQL through a trigram index on that very expression
  (:func:`bot.models.people.search_text`), so a search does not read 100,000 rows.
* **Filters**: categories (always limited to the ones the reader may see), status, role,
  level (all-time points between the level's threshold and the next one), activity
  (active, dormant, never activated: :mod:`bot.activity.engagement`, for active members),
  language, platform (an account there).
* **Orders**: by number, name, joining date or last sign of life, either way. Pages are
  read by *keyset*: a page starts after the last row of the previous one (its sort value
  and its number), so the database reads one page from an index whatever the page's
  depth — never an ``OFFSET`` over 100,000 rows. Erased members are never listed.
* **Count**: exact up to :data:`COUNT_CAP` matches, "more than 1,000" beyond (counting
  stops there, so a broad search never counts the whole table); counted once, on the
  first page, and carried by the cursors to the pages after it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.core.config import Settings
from bot.core.text import search_fold
from bot.models import Identity, Member, MemberStatus, MemberTotal, Role
from bot.models.people import search_text

PAGE = 50
#: Matches counted at most: beyond, the table says "more than 1,000" (a count reads every
#: match, and a broad search on a large network matches most of it).
COUNT_CAP = 1_000
#: Sort keys → the column read (each has an index ending with the member's number).
ORDERS = ("number", "name", "joined", "last_action")


@dataclass(frozen=True, slots=True)
class Filters:
    """What the reader asked for (empty: no filter)."""

    query: str = ""
    #: The categories the reader may see (None: all, a coordinator).
    scope: tuple[str, ...] | None = ()
    #: The categories asked for (empty: every one in scope).
    categories: tuple[str, ...] = ()
    status: MemberStatus | None = None
    role: Role | None = None
    level: int | None = None  # an index into ``settings.levels``
    activity: engagement.State | None = None
    language: str | None = None
    platform: str | None = None


@dataclass(frozen=True, slots=True)
class Order:
    key: str = "number"
    descending: bool = True


@dataclass(slots=True)
class Page:
    rows: list[Member]
    #: How many members match: exact, or the cap when ``capped`` (more than that match).
    total: int
    capped: bool = False
    #: Cursors of the next and previous pages (None at an end).
    after: str | None = None
    before: str | None = None
    points: dict[int, int] = field(default_factory=dict)


def _column(key: str) -> Any:
    """The sort column; never NULL (a member who never acted sorts by their joining,
    which is when their quiet spell started: :func:`engagement.spell_start`)."""
    return {
        "number": Member.id,
        "name": Member.display_name,
        "joined": Member.joined_at,
        "last_action": engagement.spell_start(),
    }[key]


def conditions(
    filters: Filters, settings: Settings, now: datetime, *, days: int, dialect: str = ""
) -> list[ColumnElement[bool]]:
    """The WHERE of a directory query (the visible categories always among them), for
    the session's ``dialect`` (the search is read differently on SQLite: :func:`_search`)."""
    where: list[ColumnElement[bool]] = [Member.status != MemberStatus.FORGOTTEN]
    if filters.scope is not None:
        where.append(Member.category.in_(filters.scope))
    if filters.categories:
        where.append(Member.category.in_(filters.categories))
    text = filters.query.strip()
    if text:
        where.append(_search(text, dialect))
    if filters.status is not None:
        where.append(Member.status == filters.status)
    if filters.role is not None:
        where.append(Member.role == filters.role)
    if filters.language is not None:
        where.append(Member.language == filters.language)
    if filters.platform is not None:
        where.append(
            exists().where(Identity.member_id == Member.id, Identity.platform == filters.platform)
        )
    if filters.activity is not None:
        where.append(
            {
                engagement.State.ACTIVE: engagement.active(now, days),
                engagement.State.DORMANT: engagement.dormant(now, days),
                engagement.State.NEVER_ACTIVATED: engagement.never_activated(),
            }[filters.activity]
        )
    if filters.level is not None and 0 <= filters.level < len(settings.levels):
        points = func.coalesce(
            select(MemberTotal.points).where(MemberTotal.member_id == Member.id).scalar_subquery(),
            0,
        )
        where.append(points >= settings.levels[filters.level].points)
        if filters.level + 1 < len(settings.levels):
            where.append(points < settings.levels[filters.level + 1].points)
    return where


def _search(text: str, dialect: str) -> ColumnElement[bool]:
    """A member number (``12``, ``#12``; a longer run of digits is a phone) reads the
    primary key; other text is a substring of the folded name, e-mail and phone, folded
    here the same way, wildcards taken literally. The expression is the index's own
    (:func:`search_text`), so PostgreSQL's planner can use its trigram index."""
    digits = text.removeprefix("#")
    if digits.isdigit() and len(digits) < 10:
        return Member.id == int(digits)
    escaped = search_fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    folded = search_text().like(pattern, escape="\\")
    return _ascii_first(pattern, folded) if dialect == "sqlite" else folded


def _ascii_first(pattern: str, folded: ColumnElement[bool]) -> ColumnElement[bool]:
    """SQLite's ``relais_search`` is Python, called once per member: a search read the
    table four times slower. ASCII needs no folding but lower case, which SQLite's
    ``LIKE`` already ignores, so only the members with another character (an accent, a
    letter from elsewhere) are folded — the same matches, by the same rule. Without a
    space, a pattern cannot span two of the fields: each is matched alone (no joining)."""
    columns = (Member.display_name, Member.email, Member.phone)
    ascii_only = and_(
        *(func.coalesce(func.length(c) == func.length(cast(c, LargeBinary)), True) for c in columns)
    )
    plain: ColumnElement[bool]
    if " " in pattern:
        joined = (
            columns[0] + " " + func.coalesce(columns[1], "") + " " + func.coalesce(columns[2], "")
        )
        plain = joined.like(pattern, escape="\\")
    else:
        plain = or_(*(column.like(pattern, escape="\\") for column in columns))
    return case((ascii_only, plain), else_=folded)


class _Cursor(NamedTuple):
    """Where a page starts (the sort value and member number of the row before it) and
    the count the first page made, so that later pages do not count again."""

    value: Any
    member_id: int
    counted: tuple[int, bool] | None


def _encode(value: Any, member_id: int, total: int, capped: bool) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps([value, member_id, total, capped]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> _Cursor | None:
    """The cursor of a link, or None when it is not one (a link from before the count
    was carried has no count: the page counts again)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, member_id, *count = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if isinstance(value, dict) and isinstance(value.get("t"), str):
        try:
            value = datetime.fromisoformat(value["t"])
        except ValueError:
            return None
    if not isinstance(member_id, int):
        return None
    known = None
    if len(count) == 2 and isinstance(count[0], int) and isinstance(count[1], bool):
        known = (max(count[0], 0), count[1])
    return _Cursor(value, member_id, known)


async def _count(
    session: AsyncSession, where: list[ColumnElement[bool]], cap: int
) -> tuple[int, bool]:
    """How many members match, reading at most ``cap + 1`` of them: (the count, whether
    more than ``cap`` match — the count is then ``cap``)."""
    matches = select(Member.id).where(*where).limit(cap + 1).subquery()
    found = int(await session.scalar(select(func.count()).select_from(matches)) or 0)
    return min(found, cap), found > cap


def _sort_value(member: Member, key: str) -> Any:
    return {
        "number": member.id,
        "name": member.display_name,
        "joined": member.joined_at,
        # The column's own value (``engagement.spell_start``): a member who never acted
        # sorts by their joining, so the cursor must carry it, never a None.
        "last_action": member.last_action_at or member.joined_at,
    }[key]


def _beyond(key: str, value: Any, member_id: int, forward: bool) -> ColumnElement[bool]:
    """Rows after (``forward``) or before the cursor in ascending order of (column,
    number): one row-value comparison, which both databases read as a range of the
    order's index (an ``OR`` of two comparisons is read as a filter from the index's
    start, longer for every page further)."""
    if key == "number":
        return Member.id > member_id if forward else Member.id < member_id
    pair = tuple_(_column(key), Member.id)
    return pair > (value, member_id) if forward else pair < (value, member_id)


def _ordered(query: Select[Any], key: str, ascending: bool) -> Select[Any]:
    """Plain ascending or descending: the columns are never NULL, and a ``NULLS FIRST``
    or ``LAST`` that is not the index's own makes PostgreSQL sort every member for each
    page instead of reading 51 rows from the index."""
    column = _column(key)
    if key == "number":
        return query.order_by(Member.id.asc() if ascending else Member.id.desc())
    if ascending:
        return query.order_by(column.asc(), Member.id.asc())
    return query.order_by(column.desc(), Member.id.desc())


async def page(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    filters: Filters,
    order: Order,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE,
    days: int = engagement.DAYS,
    cap: int | None = None,
) -> Page:
    """One page of the directory, and how many members match in all (up to ``cap``,
    :data:`COUNT_CAP` unless told)."""
    key = order.key if order.key in ORDERS else "number"
    dialect = session.get_bind().dialect.name
    where = conditions(filters, settings, now, days=days, dialect=dialect)
    cursor = _decode(after or before or "")
    if cursor is not None and cursor.value is None and key != "number":
        cursor = None  # a link from when a member who never acted had no sort value
    backwards = before is not None and cursor is not None
    query = select(Member).where(*where)
    if cursor is not None:
        # Ascending display goes forward on "after"; a descending one walks the index back.
        forward = (not order.descending) != backwards
        query = query.where(_beyond(key, cursor.value, cursor.member_id, forward))
    ascending = (not order.descending) != backwards
    rows = list(await session.scalars(_ordered(query, key, ascending).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if cursor is not None and cursor.counted is not None:
        total, capped = cursor.counted  # on the first page
    elif cursor is None and not more:
        total, capped = len(rows), False  # the whole selection is on this page
    else:
        total, capped = await _count(session, where, COUNT_CAP if cap is None else cap)
    result = Page(rows=rows, total=total, capped=capped)
    if rows:
        first, last = rows[0], rows[-1]
        if more or backwards:
            result.after = _encode(_sort_value(last, key), last.id, total, capped)
        if (cursor is not None and not backwards) or (backwards and more):
            result.before = _encode(_sort_value(first, key), first.id, total, capped)
    result.points = await points_of(session, [row.id for row in rows])
    return result


async def points_of(session: AsyncSession, member_ids: Sequence[int]) -> dict[int, int]:
    if not member_ids:
        return {}
    rows = await session.execute(
        select(MemberTotal.member_id, MemberTotal.points).where(
            MemberTotal.member_id.in_(member_ids)
        )
    )
    return {int(member): int(points) for member, points in rows}


async def matching_ids(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    filters: Filters,
    *,
    days: int = engagement.DAYS,
    limit: int = 100_000,
) -> list[int]:
    """Every member number the filters match (a bulk action's or an export's selection)."""
    dialect = session.get_bind().dialect.name
    where = conditions(filters, settings, now, days=days, dialect=dialect)
    rows = await session.scalars(select(Member.id).where(*where).order_by(Member.id).limit(limit))
    return list(rows)
