"""The members directory: search, filters, orders and pages over any number of members.

What the desk's members table (and its export and bulk actions) shows, defined once:

* **Search** (``query``): a number (``12`` or ``#12``) finds that member; any other text
  is looked for, case aside, in the name, the e-mail address and the phone number.
* **Filters**: categories (always limited to the ones the reader may see), status, role,
  level (all-time points between the level's threshold and the next one), activity
  (active, dormant, never activated: :mod:`bot.activity.engagement`, for active members),
  language, platform (an account there).
* **Orders**: by number, name, joining date or last sign of life, either way. Pages are
  read by *keyset*: a page starts after the last row of the previous one (its sort value
  and its number), so the database reads one page from an index whatever the page's
  depth — never an ``OFFSET`` over 100,000 rows. Erased members are never listed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.core.config import Settings
from bot.models import Identity, Member, MemberStatus, MemberTotal, Role

PAGE = 50
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
    total: int
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
    """The WHERE of a directory query (the visible categories always among them).
    ``dialect``: SQLite's ``LIKE`` already ignores case (ASCII, as its ``lower()`` does),
    so it is used there instead of ``ILIKE``, which SQLite runs as ``lower() LIKE``."""
    where: list[ColumnElement[bool]] = [Member.status != MemberStatus.FORGOTTEN]
    if filters.scope is not None:
        where.append(Member.category.in_(filters.scope))
    if filters.categories:
        where.append(Member.category.in_(filters.categories))
    text = filters.query.strip()
    if text:
        digits = text.removeprefix("#")
        if digits.isdigit() and len(digits) < 10:
            where.append(Member.id == int(digits))
        else:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            columns = (Member.display_name, Member.email, Member.phone)
            if dialect == "sqlite":
                where.append(or_(*(column.like(pattern, escape="\\") for column in columns)))
            else:
                where.append(or_(*(column.ilike(pattern, escape="\\") for column in columns)))
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


def _encode(value: Any, member_id: int) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps([value, member_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[Any, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, member_id = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if isinstance(value, dict) and isinstance(value.get("t"), str):
        try:
            value = datetime.fromisoformat(value["t"])
        except ValueError:
            return None
    if not isinstance(member_id, int):
        return None
    return value, member_id


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
    """Rows after (``forward``) the cursor in ascending order of (column, id); NULLs
    (never acted) sort first."""
    column = _column(key)
    if key == "number":
        return Member.id > member_id if forward else Member.id < member_id
    if value is None:
        same = and_(column.is_(None), Member.id > member_id if forward else Member.id < member_id)
        return or_(same, column.is_not(None)) if forward else same
    if forward:
        return or_(column > value, and_(column == value, Member.id > member_id))
    return or_(column.is_(None), column < value, and_(column == value, Member.id < member_id))


def _ordered(query: Select[Any], key: str, ascending: bool) -> Select[Any]:
    column = _column(key)
    if key == "number":
        return query.order_by(Member.id.asc() if ascending else Member.id.desc())
    if ascending:
        return query.order_by(column.asc().nulls_first(), Member.id.asc())
    return query.order_by(column.desc().nulls_last(), Member.id.desc())


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
) -> Page:
    """One page of the directory, and how many members match in all."""
    key = order.key if order.key in ORDERS else "number"
    where = conditions(filters, settings, now, days=days, dialect=session.get_bind().dialect.name)
    cursor = _decode(after or before or "")
    backwards = before is not None and cursor is not None
    query = select(Member).where(*where)
    if cursor is not None:
        # Ascending display goes forward on "after"; a descending one walks the index back.
        forward = (not order.descending) != backwards
        query = query.where(_beyond(key, cursor[0], cursor[1], forward))
    ascending = (not order.descending) != backwards
    rows = list(await session.scalars(_ordered(query, key, ascending).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if cursor is None and not more:
        total = len(rows)  # the whole selection is on this page: no second scan to count it
    else:
        count = select(func.count()).select_from(Member).where(*where)
        total = int(await session.scalar(count) or 0)
    result = Page(rows=rows, total=total)
    if rows:
        first, last = rows[0], rows[-1]
        if more or backwards:
            result.after = _encode(_sort_value(last, key), last.id)
        if (cursor is not None and not backwards) or (backwards and more):
            result.before = _encode(_sort_value(first, key), first.id)
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
    where = conditions(filters, settings, now, days=days)
    rows = await session.scalars(select(Member.id).where(*where).order_by(Member.id).limit(limit))
    return list(rows)
