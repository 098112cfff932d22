"""Leaderboards, ranks and levels: queries over the points ledger. The one stored figure
is each member's all-time total (``member_totals``), which database triggers on the
ledger keep equal to its sum; periods are always summed from the ledger.

Ranks are competition ranks (1, 2, 2, 4): members with equal points share a rank, and
only members with points in the period have one (:func:`ranked`, read by the boards,
``/me`` and the nudges alike).
Public boards leave out members who chose to be hidden; a member's own rank (in ``/me``)
counts every active member, since nobody else sees it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    Subquery,
    case,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Level, Settings
from bot.core.periods import month_start, week_start
from bot.models import Member, MemberStatus, MemberTotal, PointsEntry, Visibility

BOARD_SIZE = 10
#: Rows of ``member_totals`` an all-time board reads first (then 16 times more, and so on).
FIRST_READ = 32 * BOARD_SIZE


@dataclass(frozen=True, slots=True)
class Totals:
    week: int
    month: int
    all_time: int


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    member_id: int
    display_name: str
    visibility: Visibility
    points: int


@dataclass(frozen=True, slots=True)
class LevelProgress:
    level: Level
    next_level: Level | None
    points_to_next: int | None


async def totals(
    session: AsyncSession, settings: Settings, member_id: int, now: datetime
) -> Totals:
    zone = settings.network.timezone
    week, month = week_start(now, zone), month_start(now, zone)
    row = (
        await session.execute(
            select(
                func.coalesce(
                    func.sum(case((PointsEntry.created_at >= week, PointsEntry.points), else_=0)), 0
                ),
                func.coalesce(
                    func.sum(case((PointsEntry.created_at >= month, PointsEntry.points), else_=0)),
                    0,
                ),
                func.coalesce(func.sum(PointsEntry.points), 0),
            ).where(PointsEntry.member_id == member_id)
        )
    ).one()
    return Totals(week=int(row[0]), month=int(row[1]), all_time=int(row[2]))


def _period_sums(since: datetime | None, until: datetime | None = None) -> Subquery:
    """Points per member who has ledger entries since ``since`` (and before ``until``, for
    a past week): the ledger is summed first (a covering index holds each period),
    members are joined after. All time, it is ``member_totals`` (one row per member who
    ever had an entry, possibly 0 once they all went away), not a pass over the ledger."""
    if since is None and until is None:  # all time: the totals the ledger's triggers keep
        return select(
            MemberTotal.member_id.label("member_id"), MemberTotal.points.label("points")
        ).subquery()
    # One period: the (created_at, member_id, points) index holds it. Grouping by
    # ``member_id + 0`` keeps SQLite from scanning the whole member-ordered index just
    # to avoid a sort (it does, without statistics, and Relais never gathers any).
    member = PointsEntry.member_id + 0
    query = select(member.label("member_id"), func.sum(PointsEntry.points).label("points"))
    if since is not None:
        query = query.where(PointsEntry.created_at >= since)
    if until is not None:
        query = query.where(PointsEntry.created_at < until)
    return query.group_by(member).subquery()


def _scope(category: str | None, *, public: bool) -> list[ColumnElement[bool]]:
    """Active members of the category (all categories for None); public boards leave
    out members who chose to be hidden."""
    conditions: list[ColumnElement[bool]] = [Member.status == MemberStatus.ACTIVE]
    if category is not None:
        conditions.append(Member.category == category)
    if public:
        conditions.append(Member.visibility != Visibility.HIDDEN)
    return conditions


def ranked(points: int) -> bool:
    """The one rank rule: a member has a rank in a period only with points in it (more
    than 0), as on the public boards; with none, they are "not ranked yet", never "#1"
    of a board nobody is on yet."""
    return points > 0


async def rank_of(
    session: AsyncSession, member_id: int, since: datetime | None, category: str | None
) -> int | None:
    """The member's competition rank among the active members in scope who have points
    in the period; None when they have none (see :func:`ranked`) or are out of scope."""
    scope = _scope(category, public=False)
    if await session.scalar(select(Member.id).where(Member.id == member_id, *scope)) is None:
        return None
    own = select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
        PointsEntry.member_id == member_id
    )
    if since is not None:
        own = own.where(PointsEntry.created_at >= since)
    mine = int(await session.scalar(own) or 0)
    if not ranked(mine):
        return None
    sums = _period_sums(since)
    ahead = await session.scalar(
        select(func.count())
        .select_from(sums)
        .join(Member, Member.id == sums.c.member_id)
        .where(sums.c.points > mine, *scope)
    )
    return int(ahead or 0) + 1


class AllTimeRanks:
    """All-time ranks within categories for a job that asks for many (personal nudges):
    the ledger is summed once, on first use, and each category keeps only the sorted
    totals of its active members (integers, not members). Same ranks as :func:`rank_of`
    with ``since=None`` (None for a member without points), as of that first use."""

    def __init__(self) -> None:
        self._totals: dict[str, list[int]] | None = None

    async def rank(self, session: AsyncSession, member_id: int, category: str) -> int | None:
        scope = _scope(category, public=False)
        if await session.scalar(select(Member.id).where(Member.id == member_id, *scope)) is None:
            return None
        if self._totals is None:
            sums = _period_sums(None)
            rows = await session.execute(
                select(Member.category, func.coalesce(sums.c.points, 0))
                .outerjoin(sums, sums.c.member_id == Member.id)
                .where(*_scope(None, public=False))
            )
            totals: dict[str, list[int]] = {}
            for key, points in rows:
                totals.setdefault(key, []).append(int(points))
            self._totals = {key: sorted(values) for key, values in totals.items()}
        mine = await session.scalar(
            select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
                PointsEntry.member_id == member_id
            )
        )
        if not ranked(int(mine or 0)):
            return None
        totals_in = self._totals.get(category, [])
        return len(totals_in) - bisect_right(totals_in, int(mine or 0)) + 1


async def board(
    session: AsyncSession,
    since: datetime | None,
    category: str | None,
    *,
    around: int | None = None,
    until: datetime | None = None,
) -> tuple[list[Standing], Standing | None]:
    """The top of the public board, and ``around``'s own line if it is not in the top."""
    if since is None and until is None:
        top = (await _all_time_tops(session, [category], within=category))[category]
        own = None
        if around is not None and all(standing.member_id != around for standing in top):
            own = await _all_time_line(session, around, category)
        return top, own
    sums = _period_sums(since, until)
    ranked = (
        select(
            sums.c.member_id,
            sums.c.points,
            func.rank().over(order_by=sums.c.points.desc()).label("rank"),
        )
        .join(Member, Member.id == sums.c.member_id)
        .where(sums.c.points > 0, *_scope(category, public=True))  # ranked()
        .subquery()
    )
    columns = (
        ranked.c.rank,
        ranked.c.member_id,
        Member.display_name,
        Member.visibility,
        ranked.c.points,
    )
    base = select(*columns).join(Member, Member.id == ranked.c.member_id)
    top_rows = (
        await session.execute(
            base.order_by(ranked.c.rank, Member.display_name, Member.id).limit(BOARD_SIZE)
        )
    ).all()
    top = [Standing(int(r[0]), r[1], r[2], r[3], int(r[4])) for r in top_rows]
    own = None
    if around is not None and all(standing.member_id != around for standing in top):
        row = (await session.execute(base.where(ranked.c.member_id == around))).first()
        if row is not None:
            own = Standing(int(row[0]), row[1], row[2], row[3], int(row[4]))
    return top, own


async def boards(
    session: AsyncSession,
    since: datetime | None,
    categories: Sequence[str],
    *,
    until: datetime | None = None,
) -> dict[str | None, list[Standing]]:
    """The top of every category's public board and of the overall one (key None), from
    one pass over the ledger: the same lines as :func:`board` for each, at the cost of one
    board instead of one per category (all-time boards read the whole ledger)."""
    if since is None and until is None:
        return await _all_time_tops(session, [*categories, None])
    sums = _period_sums(since, until)
    points = sums.c.points.desc()
    ranked = (
        select(
            sums.c.member_id,
            sums.c.points,
            Member.category,
            Member.display_name,
            Member.visibility,
            func.rank().over(partition_by=Member.category, order_by=points).label("rank_in"),
            func.rank().over(order_by=points).label("rank_all"),
            func.row_number()
            .over(partition_by=Member.category, order_by=(points, Member.display_name, Member.id))
            .label("line_in"),
            func.row_number()
            .over(order_by=(points, Member.display_name, Member.id))
            .label("line_all"),
        )
        .join(Member, Member.id == sums.c.member_id)
        .where(sums.c.points > 0, *_scope(None, public=True))
        .subquery()
    )
    rows = (
        await session.execute(
            select(ranked).where(
                or_(ranked.c.line_in <= BOARD_SIZE, ranked.c.line_all <= BOARD_SIZE)
            )
        )
    ).all()
    found: dict[str | None, list[tuple[int, Standing]]] = {key: [] for key in categories}
    found[None] = []
    for member_id, total, category, name, visibility, rank_in, rank_all, line_in, line_all in rows:
        if line_in <= BOARD_SIZE and category in found and category is not None:
            found[category].append(
                (line_in, Standing(int(rank_in), member_id, name, visibility, int(total)))
            )
        if line_all <= BOARD_SIZE:
            found[None].append(
                (line_all, Standing(int(rank_all), member_id, name, visibility, int(total)))
            )
    return {key: [standing for _line, standing in sorted(lines)] for key, lines in found.items()}


async def _all_time_tops(
    session: AsyncSession, keys: Sequence[str | None], *, within: str | None = None
) -> dict[str | None, list[Standing]]:
    """The all-time top of each board in ``keys`` (a category, or None for the overall
    one), read from ``member_totals`` in board order (points, then name and id) until
    every board has its lines: the best totals come first from the index on points, so
    a network's boards read a few hundred rows, not one per member. Ranks are counted
    as the rows go by (competition ranks: one more than the lines with more points);
    a board with fewer lines than its size reads to the end of its scope."""

    # On SQLite the scope's columns as expressions (``status || ''``...): it has no
    # statistics, and offered an index on members it reads every active member and sorts
    # them all instead of walking the totals' index from the top. PostgreSQL walks it with
    # the plain columns, and would misjudge the expressions' selectivity.
    sqlite = session.get_bind().dialect.name == "sqlite"

    def bare(column: Any) -> ColumnElement[str]:
        if not sqlite:
            return column  # type: ignore[no-any-return]
        return type_coerce(column, String).concat(literal_column("''"))

    scope = [bare(Member.status) == MemberStatus.ACTIVE.value]
    scope.append(bare(Member.visibility) != Visibility.HIDDEN.value)
    if within is not None:
        scope.append(bare(Member.category) == within)
    order = (MemberTotal.points.desc(), Member.display_name, Member.id)
    wanted = set(keys)
    limit = FIRST_READ
    while True:
        rows = (
            await session.execute(
                select(
                    MemberTotal.member_id,
                    MemberTotal.points,
                    Member.category,
                    Member.display_name,
                    Member.visibility,
                )
                .join(Member, Member.id == MemberTotal.member_id)
                .where(MemberTotal.points > 0, *scope)
                .order_by(*order)
                .limit(limit)
            )
        ).all()
        found: dict[str | None, list[Standing]] = {key: [] for key in wanted}
        seen: dict[str | None, int] = dict.fromkeys(wanted, 0)
        for member_id, points, category, name, visibility in rows:
            for key in {None, category} & wanted:
                lines = found[key]
                if len(lines) < BOARD_SIZE:
                    tied = bool(lines) and lines[-1].points == points
                    rank = lines[-1].rank if tied else seen[key] + 1
                    lines.append(Standing(rank, member_id, name, visibility, int(points)))
                seen[key] += 1
            if all(len(lines) == BOARD_SIZE for lines in found.values()):
                return found
        if len(rows) < limit:  # the whole scope was read: some boards are short
            return found
        limit *= 16


async def _all_time_line(
    session: AsyncSession, member_id: int, category: str | None
) -> Standing | None:
    """One member's line on an all-time public board (None when not on it): their rank is
    one more than the members in scope with more points."""
    scope = _scope(category, public=True)
    row = (
        await session.execute(
            select(MemberTotal.points, Member.display_name, Member.visibility)
            .join(Member, Member.id == MemberTotal.member_id)
            .where(MemberTotal.member_id == member_id, MemberTotal.points > 0, *scope)
        )
    ).first()
    if row is None:
        return None
    ahead = await session.scalar(
        select(func.count())
        .select_from(MemberTotal)
        .join(Member, Member.id == MemberTotal.member_id)
        .where(MemberTotal.points > row[0], *scope)
    )
    return Standing(int(ahead or 0) + 1, member_id, row[1], row[2], int(row[0]))


def level_progress(settings: Settings, all_time: int) -> LevelProgress:
    reached = [level for level in settings.levels if level.points <= all_time]
    level = reached[-1]
    later = [level for level in settings.levels if level.points > all_time]
    next_level = later[0] if later else None
    return LevelProgress(
        level=level,
        next_level=next_level,
        points_to_next=next_level.points - all_time if next_level else None,
    )
