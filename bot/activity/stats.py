"""Network health, computed from the tables in a handful of grouped queries.

A *member* is someone with status active; pending and rejected applicants are counted
apart, forgotten people not at all. What an *action* is, and who is *active*, *dormant* or
*never activated*, is defined once in :mod:`bot.activity.engagement`; here they are counted:
- active, dormant and never activated members by category (one grouped query over
  :func:`engagement.state`);
- the engagement funnel: joined (members) → acted once (ever) → acts monthly (an action in
  each of the last three 30-day windows) → referents;
- the trend: actions and distinct members acting per network week (Monday to Sunday in
  the network's time zone), the current, unfinished week last and marked as such;
  presence at an event counts as acting (its own column, ``attended``, beside the
  reports);
- events over the twelve weeks: dates held, attendance rate (see
  :mod:`bot.activity.attendance`);
- the kit's reach per trend week: clicks counted on the members' shared links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    distinct,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import attendance, engagement, signals
from bot.core.config import MEDIUMS, SIGNAL_KINDS
from bot.core.periods import week_start
from bot.models import (
    Attendance,
    KitClick,
    KitShare,
    Member,
    MemberStatus,
    Report,
    ReportKind,
    Role,
)

ACTIVE_DAYS = 30
MONTHLY_WINDOWS = 3
TREND_WEEKS = 12


@dataclass(frozen=True, slots=True)
class Funnel:
    joined: int
    acted_once: int
    acts_monthly: int
    referents: int


@dataclass(frozen=True, slots=True)
class Week:
    start: datetime
    actions: int
    actors: int
    #: False for the current week: it is not over, its numbers are still growing.
    complete: bool = True
    #: Presences at events that week (members checked in or marked present).
    attended: int = 0
    #: Reach: unique clicks on the members' shared kit links that week (the kit's reach
    #: series; see :mod:`bot.animation.kit.clicks`).
    clicks: int = 0


@dataclass(slots=True)
class Stats:
    category: str | None
    #: category → status → members (forgotten people left out).
    by_category: dict[str, dict[MemberStatus, int]] = field(default_factory=dict)
    #: category → active members (see :mod:`bot.activity.engagement`).
    active_by_category: dict[str, int] = field(default_factory=dict)
    #: category → active members imported and never claimed.
    never_activated_by_category: dict[str, int] = field(default_factory=dict)
    #: The window of "active" and "dormant", in days.
    days: int = engagement.DAYS
    funnel: Funnel = Funnel(0, 0, 0, 0)
    actions_by_kind: dict[ReportKind, int] = field(default_factory=dict)
    mentions_by_medium: dict[str, int] = field(default_factory=dict)
    signals_by_stage: dict[signals.Stage, int] = field(default_factory=dict)
    trend: list[Week] = field(default_factory=list)
    #: Events whose dates ended in the trend's twelve weeks.
    events: attendance.Held = field(default_factory=attendance.Held)

    def count(self, status: MemberStatus) -> int:
        return sum(statuses.get(status, 0) for statuses in self.by_category.values())

    @property
    def members(self) -> int:
        return self.count(MemberStatus.ACTIVE)

    @property
    def active(self) -> int:
        return sum(self.active_by_category.values())

    @property
    def never_activated(self) -> int:
        return sum(self.never_activated_by_category.values())

    def dormant_in(self, category: str) -> int:
        members = self.by_category.get(category, {}).get(MemberStatus.ACTIVE, 0)
        return (
            members
            - self.active_by_category.get(category, 0)
            - self.never_activated_by_category.get(category, 0)
        )

    @property
    def dormant(self) -> int:
        return self.members - self.active - self.never_activated


def trend_starts(now: datetime, timezone: str, weeks: int = TREND_WEEKS) -> list[datetime]:
    """The UTC instants the last ``weeks`` network weeks start at, oldest first; each is
    found from the day before the next, so daylight-saving weeks stay right."""
    starts = [week_start(now, timezone)]
    for _ in range(weeks - 1):
        starts.append(week_start(starts[-1] - timedelta(hours=1), timezone))
    return starts[::-1]


async def compute(
    session: AsyncSession,
    now: datetime,
    timezone: str,
    category: str | None = None,
    *,
    days: int = engagement.DAYS,
) -> Stats:
    """The numbers of the network (or one category) at ``now``; ``days`` is the window
    of active and dormant (the network's ``nudges.dormant_days``)."""
    stats = Stats(category=category, days=days)
    in_scope = [Member.category == category] if category else []
    active_member = and_(Member.status == MemberStatus.ACTIVE, *in_scope)

    state = engagement.state(now, days).label("state")
    rows = await session.execute(
        select(Member.category, Member.status, state, func.count())
        .where(Member.status != MemberStatus.FORGOTTEN, *in_scope)
        .group_by(Member.category, Member.status, state)
    )
    for key, status, found, count in rows:
        statuses = stats.by_category.setdefault(key, {})
        statuses[MemberStatus(status)] = statuses.get(MemberStatus(status), 0) + int(count)
        if found == engagement.State.ACTIVE:
            stats.active_by_category[key] = int(count)
        elif found == engagement.State.NEVER_ACTIVATED:
            stats.never_activated_by_category[key] = int(count)

    stats.funnel = await _funnel(session, now, active_member)
    starts = trend_starts(now, timezone)
    scope = [engagement.is_action()]
    if category:
        scope.append(Report.member_id.in_(select(Member.id).where(Member.category == category)))
    where = [Report.created_at >= starts[0], *scope]

    # One range per week (a union, each read from the index that starts with
    # ``created_at``): cheaper than sorting the twelve weeks' rows by a computed bucket.
    weeks = [
        select(
            literal(index).label("bucket"), func.count(), func.count(distinct(Report.member_id))
        ).where(
            *scope,  # one lower bound per week: SQLite would seek from the first it finds
            Report.created_at >= start,
            *([Report.created_at < starts[index + 1]] if index + 1 < len(starts) else []),
        )
        for index, start in enumerate(starts)
    ]
    weekly = await session.execute(union_all(*weeks))
    per_week = {int(index): (int(actions), int(actors)) for index, actions, actors in weekly}
    present = await _presence(session, starts, category)
    clicks = await _clicks(session, starts, category)
    stats.trend = [
        Week(
            start,
            per_week.get(index, (0, 0))[0],
            present.get(index, (0, 0))[1],
            complete=index + 1 < len(starts),
            attended=present.get(index, (0, 0))[0],
            clicks=clicks.get(index, 0),
        )
        for index, start in enumerate(starts)
    ]
    stats.events = await attendance.held_between(session, starts[0], now, category)
    total = sum(actions for actions, _actors in per_week.values())  # the twelve weeks' reports
    for (kind, subkind), count in (await _by_kind(session, where, total)).items():
        stats.actions_by_kind[kind] = stats.actions_by_kind.get(kind, 0) + count
        if kind is ReportKind.MENTION and subkind:
            stats.mentions_by_medium[subkind] = count
    stats.signals_by_stage = await signals.counts_by_stage(session, category)
    return stats


async def _presence(
    session: AsyncSession, starts: list[datetime], category: str | None
) -> dict[int, tuple[int, int]]:
    """Per trend week: presences at events, and distinct members who acted (a report
    that is an action, or a presence), each week one small union."""
    weeks = []
    for index, start in enumerate(starts):
        end = [starts[index + 1]] if index + 1 < len(starts) else []
        reports = select(Report.member_id.label("member_id")).where(
            engagement.is_action(),
            Report.created_at >= start,
            *([Report.created_at < end[0]] if end else []),
        )
        present = select(Attendance.member_id).where(
            Attendance.at >= start, *([Attendance.at < end[0]] if end else [])
        )
        if category:
            in_category = select(Member.id).where(Member.category == category)
            reports = reports.where(Report.member_id.in_(in_category))
            present = present.where(Attendance.member_id.in_(in_category))
        actors = union(reports, present).subquery()
        weeks.append(
            select(
                literal(index).label("bucket"),
                present.with_only_columns(func.count()).scalar_subquery(),
                select(func.count()).select_from(actors).scalar_subquery(),
            )
        )
    rows = await session.execute(union_all(*weeks))
    return {int(index): (int(attended), int(actors)) for index, attended, actors in rows}


async def _clicks(
    session: AsyncSession, starts: list[datetime], category: str | None
) -> dict[int, int]:
    """Per trend week: clicks counted on shared kit links (for a category: on its
    members' links)."""
    weeks = []
    for index, start in enumerate(starts):
        query = select(literal(index).label("bucket"), func.count()).where(
            KitClick.created_at >= start,
            *([KitClick.created_at < starts[index + 1]] if index + 1 < len(starts) else []),
        )
        if category:
            theirs = select(KitShare.id).join(Member, Member.id == KitShare.member_id)
            query = query.where(KitClick.share_id.in_(theirs.where(Member.category == category)))
        weeks.append(query)
    rows = await session.execute(union_all(*weeks))
    return {int(index): int(count) for index, count in rows}


def known_pairs() -> list[tuple[ReportKind, str | None]]:
    """The (kind, subkind) pairs the bot writes: a mention's medium, a signal's kind, and
    every kind without a subkind."""
    return [
        *((ReportKind.MENTION, medium) for medium in MEDIUMS),
        *((ReportKind.SIGNAL, kind) for kind in SIGNAL_KINDS),
        *((kind, None) for kind in ReportKind),
    ]


def _pair(kind: ReportKind, subkind: str | None) -> ColumnElement[bool]:
    same = Report.subkind.is_(None) if subkind is None else Report.subkind == subkind
    return and_(Report.kind == kind, same)


async def _by_kind(
    session: AsyncSession, where: list[ColumnElement[bool]], total: int
) -> dict[tuple[ReportKind, str | None], int]:
    """Reports matching ``where`` (``total`` of them) per (kind, subkind), pairs with
    none left out.

    Grouped, the rows would be sorted (SQLite has no hash aggregate: 460k rows at 2M
    reports, 0.2-0.5 s). Instead each known pair is counted from its own range of the
    index ``(kind, subkind, created_at, review, member_id)``, no sort and no table read.
    Pairs the bot does not write (old data, a medium no longer offered) are found by
    difference with ``total``: only then are the rows outside the known pairs grouped.
    """
    pairs = known_pairs()
    ranges = [
        select(literal(index).label("pair"), func.count()).where(_pair(*pair), *where)
        for index, pair in enumerate(pairs)
    ]
    found: dict[tuple[ReportKind, str | None], int] = {}
    for index, count in await session.execute(union_all(*ranges)):
        if count:
            found[pairs[int(index)]] = int(count)
    if sum(found.values()) < total:
        # ``kind || ''``: grouping by the bare column makes SQLite walk an index that
        # starts with ``kind`` over every report to avoid a sort, instead of the range.
        kind_ = type_coerce(Report.kind, String).concat(literal_column("''"))
        known = or_(*(_pair(*pair) for pair in pairs if pair[1] is not None))
        rows = await session.execute(
            select(kind_, Report.subkind, func.count())
            .where(*where, Report.subkind.is_not(None), ~known)
            .group_by(kind_, Report.subkind)
        )
        for kind, subkind, count in rows:
            found[(ReportKind(kind), subkind)] = int(count)
    return found


async def _funnel(
    session: AsyncSession, now: datetime, active_member: ColumnElement[bool]
) -> Funnel:
    """The funnel, from one pass over the last three 30-day windows: each active
    member's index entries in that range (the member's index
    ``(member_id, created_at, review)``), one row per member with a flag per window; no
    sort of the range's reports by member. "Acted once" probes each member's index
    entries for the first."""
    joined = await session.scalar(select(func.count()).select_from(Member).where(active_member))
    referents = await session.scalar(
        select(func.count()).select_from(Member).where(active_member, Member.role == Role.REFERENT)
    )
    acted_once = await session.scalar(
        select(func.count()).select_from(Member).where(active_member, engagement.acted_ever())
    )

    def flag(condition: ColumnElement[bool], name: str) -> ColumnElement[int]:
        return func.max(case((condition, 1), else_=0)).label(name)

    since = now - timedelta(days=ACTIVE_DAYS * MONTHLY_WINDOWS)
    # Actions in the range: reports (from the member's index) and presences at events.
    moments = union_all(
        select(Report.member_id.label("member_id"), Report.created_at.label("at")).where(
            Report.created_at >= since, engagement.is_action()
        ),
        select(Attendance.member_id, Attendance.at).where(Attendance.at >= since),
    ).subquery()
    windows = [
        flag(
            and_(
                moments.c.at >= now - timedelta(days=ACTIVE_DAYS * (i + 1)),
                moments.c.at < now - timedelta(days=ACTIVE_DAYS * i),
            ),
            f"w{i}",
        )
        for i in range(MONTHLY_WINDOWS)
    ]
    per_member = (
        select(Member.id, Member.category, *windows)
        .join(moments, moments.c.member_id == Member.id)
        .where(active_member)
        .group_by(Member.id, Member.category)
        .subquery()
    )
    monthly = and_(*[per_member.c[f"w{i}"] == 1 for i in range(MONTHLY_WINDOWS)])
    acts_monthly = await session.scalar(
        select(func.coalesce(func.sum(case((monthly, 1), else_=0)), 0))
    )
    return Funnel(
        joined=int(joined or 0),
        acted_once=int(acted_once or 0),
        acts_monthly=int(acts_monthly or 0),
        referents=int(referents or 0),
    )
