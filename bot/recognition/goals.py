"""Collective goals: "200 mentions in March", "10 signals this quarter" — a target for
the whole network (scope ``all``) or one category over a calendar month or quarter.

Progress is counted, never stored: reports of the measure's kind made in the period by
the scope's members (rejected mentions left out), or their points. The weekly post shows
a bar per goal; the job announces a goal reached once: the update that sets
``reached_at`` where it was empty is the only one that queues the post (keyed by the
goal), so re-runs and a second process add nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity.engagement import REJECTED
from bot.core.config import Settings
from bot.core.i18n import N_, NP_, Translator
from bot.core.periods import month_start
from bot.delivery import channels
from bot.models import CollectiveGoal, Member, PointsEntry, Report, ReportKind
from bot.recognition._tell import in_channel

ALL = "all"
MEASURE_CONTEXT = "goal measure"
MEASURES = {
    "mentions": NP_("goal measure", "mentions"),
    "signals": NP_("goal measure", "signals"),
    "settlements": NP_("goal measure", "settlements"),
    "reports": NP_("goal measure", "reports"),
    "points": NP_("goal measure", "points"),
}
KINDS = {
    "mentions": ReportKind.MENTION,
    "signals": ReportKind.SIGNAL,
    "settlements": ReportKind.SETTLEMENT,
}
PERIODS = ("month", "quarter")
LINE = N_("Goal {scope} (until {end}) — {measure}: {done} / {target} {bar}")
REACHED = N_("Goal reached {scope} (until {end}) — {measure}: {target}. Thank you all!")
NETWORK = N_("for the network")
IN_CATEGORY = N_("in {category}")
CELLS = 10


def period_bounds(period: str, now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The current month or quarter, in the network's time zone, as UTC instants."""
    zone = ZoneInfo(timezone)
    start = month_start(now, timezone).astimezone(zone)
    if period == "quarter":
        start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
    months = 3 if period == "quarter" else 1
    year, month = divmod(start.month - 1 + months, 12)
    end = start.replace(year=start.year + year, month=month + 1)
    first = start.replace(tzinfo=None).replace(tzinfo=zone)
    last = end.replace(tzinfo=None).replace(tzinfo=zone)
    return first.astimezone(ZoneInfo("UTC")), last.astimezone(ZoneInfo("UTC"))


async def progress(session: AsyncSession, goal: CollectiveGoal) -> int:
    if goal.measure == "points":
        query = select(func.coalesce(func.sum(PointsEntry.points), 0)).join(
            Member, Member.id == PointsEntry.member_id
        )
        query = query.where(
            PointsEntry.created_at >= goal.starts_at, PointsEntry.created_at < goal.ends_at
        )
    else:
        query = select(func.count(Report.id)).join(Member, Member.id == Report.member_id)
        query = query.where(
            Report.created_at >= goal.starts_at,
            Report.created_at < goal.ends_at,
            or_(Report.review.is_(None), Report.review != REJECTED),
        )
        if goal.measure in KINDS:
            query = query.where(Report.kind == KINDS[goal.measure])
    if goal.scope != ALL:
        query = query.where(Member.category == goal.scope)
    return int(await session.scalar(query) or 0)


async def current(session: AsyncSession, now: datetime, scope: str | None) -> list[CollectiveGoal]:
    """Goals whose period holds ``now``; of one scope when given."""
    query = select(CollectiveGoal).where(
        CollectiveGoal.starts_at <= now, CollectiveGoal.ends_at > now
    )
    if scope is not None:
        query = query.where(CollectiveGoal.scope == scope)
    return list(await session.scalars(query.order_by(CollectiveGoal.id)))


def bar(done: int, target: int) -> str:
    share = min(done / target, 1.0) if target else 1.0
    full = round(share * CELLS)
    return "▓" * full + "░" * (CELLS - full) + f" {round(share * 100)}\u00a0%"


def _scope(settings: Settings, translator: Translator, language: str, scope: str) -> str:
    category = settings.category(scope)
    if category is None:
        return translator.gettext(language, NETWORK)
    return translator.gettext(language, IN_CATEGORY, category=category.name.get(language))


def _end(goal: CollectiveGoal, settings: Settings) -> str:
    """The period's last day, as members read dates."""
    local = goal.ends_at.astimezone(ZoneInfo(settings.network.timezone))
    return (local - timedelta(days=1)).strftime("%d/%m/%Y")


async def lines(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    language: str,
    scope: str,
    now: datetime,
) -> list[str]:
    """One line with a progress bar per goal of ``scope`` running at ``now``."""
    found = []
    for goal in await current(session, now, scope):
        done = await progress(session, goal)
        found.append(
            translator.gettext(
                language, LINE, scope=_scope(settings, translator, language, goal.scope),
                measure=translator.pgettext(language, MEASURE_CONTEXT, goal.measure),
                end=_end(goal, settings), done=done, target=goal.target,
                bar=bar(done, goal.target),
            )
        )  # fmt: skip
    return found


async def announce_reached(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Announce, once each, the running goals that reached their target."""
    told = 0
    for goal in await current(session, now, None):
        if goal.reached_at is not None or await progress(session, goal) < goal.target:
            continue
        marked = await session.execute(
            update(CollectiveGoal)
            .where(CollectiveGoal.id == goal.id, CollectiveGoal.reached_at.is_(None))
            .values(reached_at=now)
        )
        if not marked.rowcount:  # type: ignore[attr-defined]
            continue
        language = settings.network.default_language
        measure = translator.pgettext(language, MEASURE_CONTEXT, goal.measure)
        text = translator.gettext(
            language, REACHED, scope=_scope(settings, translator, language, goal.scope),
            target=goal.target, measure=measure, end=_end(goal, settings),
        )  # fmt: skip
        where = channels.GENERAL if goal.scope == ALL else channels.category_scope(goal.scope)
        await in_channel(
            session, settings, now=now, platforms=platforms, scope=where,
            key=f"goal:{goal.id}:reached", text=text, subjects=[],
        )  # fmt: skip
        told += 1
    return told
