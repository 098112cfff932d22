"""``/desk/signals``: the opportunity-signal pipeline as columns, one per stage.

Coordinators only, as ``/signals`` in the chat: a signal's text and contact stay with
them (referents and members: 403). Filters: category, kind, "assigned to me". The open
stages show their newest signals up to :data:`COLUMN`, the closed ones fewer; each
column says how many it holds in all and, with ``[signals] value_fields``, the sum of a
chosen field (the first by default) over the column's signals, filters applied. A card
opens the signal's page (:mod:`bot.web.desk.signal_page`), where it moves.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import signal_desk, signal_values, signals
from bot.activity.signals import CLOSED, Stage
from bot.core.config import SIGNAL_KINDS
from bot.core.i18n import N_
from bot.models import Member, Report, ReportKind, Role
from bot.web.desk import labels
from bot.web.desk.access import Desk, page

#: Cards per open column, per closed column.
COLUMN = 50
CLOSED_COLUMN = 10

#: The chat's words for the kinds (handlers/_labels.py), so the catalogs hold each once.
SIGNAL_KIND = {
    "investor": N_("Investor"),
    "site": N_("Company looking for a site"),
    "event": N_("Event or congress"),
    "film": N_("Film shoot"),
    "talent": N_("Talent"),
    "other": N_("Other"),
}
assert set(SIGNAL_KIND) == set(SIGNAL_KINDS)


def kind_label(kind: str | None) -> str:
    return SIGNAL_KIND.get(kind or "other", SIGNAL_KIND["other"])


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/signals", board)


@page(Role.COORDINATOR)
async def board(desk: Desk) -> web.StreamResponse:
    query = desk.request.query
    settings = desk.context.settings
    category = query.get("category") if settings.category(query.get("category", "")) else None
    kind = query.get("kind") if query.get("kind") in SIGNAL_KINDS else None
    mine = query.get("mine") == "1"
    columns = []
    async with desk.context.sessions() as session:
        for stage in Stage:
            limit = CLOSED_COLUMN if stage in CLOSED else COLUMN
            if mine:
                views, total = await _mine(session, desk, stage, category, kind, limit)
            else:
                views, total = await signals.listing(
                    session, stages=(stage,), category=category, kind=kind, limit=limit
                )
            columns.append((stage, labels.STAGE[stage], views, total))
        shown = [view.report.id for _s, _l, views, _t in columns for view in views]
        days = await signal_desk.follow_ups(session, shown)
        fields = settings.signals.value_fields
        summed = settings.signals.field(query.get("sum", "")) or (fields[0] if fields else None)
        sums = (
            await signal_values.sums_by_stage(
                session, summed.key, _where(desk, category, kind, mine=mine)
            )
            if summed is not None
            else {}
        )
    today = desk.context.clock.now().date()
    return desk.render(
        "signals.html",
        title=desk._(N_("Opportunity signals")),
        columns=columns,
        days=days,
        today=today,
        overdue=lambda day: isinstance(day, date) and day <= today,
        kinds=[(key, kind_label(key)) for key in SIGNAL_KINDS],
        kind_label=kind_label,
        excerpt=signal_desk.excerpt,
        categories=[(c.key, c.name.get(desk.language)) for c in settings.categories],
        chosen={
            "category": category or "",
            "kind": kind or "",
            "mine": mine,
            "sum": summed.key if summed else "",
        },
        value_fields=[(field.key, field.label.get(desk.language)) for field in fields],
        summed=summed,
        sums={
            stage: signal_values.shown(summed, sums.get(stage.value, 0.0), desk.language)
            for stage in Stage
        }
        if summed is not None
        else {},
    )


def _where(
    desk: Desk, category: str | None, kind: str | None, *, mine: bool
) -> list[ColumnElement[bool]]:
    """The board's filters as conditions on ``Report`` (for the sums per stage)."""
    where: list[ColumnElement[bool]] = []
    if kind is not None:
        where.append(Report.subkind == kind)
    if category is not None:
        where.append(Report.member_id.in_(select(Member.id).where(Member.category == category)))
    if mine:
        where.append(Report.assignee_id == desk.member.id)
    return where


async def _mine(
    session: AsyncSession,
    desk: Desk,
    stage: Stage,
    category: str | None,
    kind: str | None,
    limit: int,
) -> tuple[list[signals.SignalView], int]:
    """The column restricted to the signals assigned to the person at the desk."""
    where = [
        Report.kind == ReportKind.SIGNAL,
        Report.stage == stage.value,
        Report.assignee_id == desk.member.id,
    ]
    if kind is not None:
        where.append(Report.subkind == kind)
    if category is not None:
        where.append(Report.member_id.in_(select(Member.id).where(Member.category == category)))
    total = int(await session.scalar(select(func.count()).select_from(Report).where(*where)) or 0)
    ids = list(
        await session.scalars(
            select(Report.id).where(*where).order_by(Report.created_at.desc()).limit(limit)
        )
    )
    views = [view for report_id in ids if (view := await signals.view(session, report_id))]
    return views, total
