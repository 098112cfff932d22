"""``/desk/audit``: who did what privileged thing, when — filtered by action, by whom, on
whom and by dates, newest first, paged by entry number; ``/desk/audit.csv`` exports the
same selection (cells made safe for spreadsheets, the export itself audited).
Coordinators only. The page says each action in words
(:mod:`bot.web.desk.audit_actions`); the filter's values and the export keep the codes."""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import ColumnElement, select

from bot.core import audit, csvsafe
from bot.models import AuditEntry, Member, Role
from bot.web.desk import audit_actions
from bot.web.desk.access import Desk, page

PAGE = 100
EXPORT_LIMIT = 200_000
FILTERS = ("action", "actor", "target", "since", "until")
COLUMNS = ("id", "at", "action", "actor", "actor_name", "target", "target_name", "details")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/audit", audit_page)
    router.add_get("/desk/audit.csv", audit_csv)


def _day(value: str, zone: ZoneInfo) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(value), time(), zone)
    except ValueError:
        return None


def _folded(text: str) -> str:
    """For sorting labels as a reader does: « Événement » among the E."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _number(value: str) -> int | None:
    digits = value.strip().removeprefix("#")
    return int(digits) if digits.isdigit() and len(digits) < 10 else None


def conditions(params: Mapping[str, str], timezone: str) -> list[ColumnElement[bool]]:
    zone = ZoneInfo(timezone)
    where: list[ColumnElement[bool]] = []
    if params.get("action"):
        where.append(AuditEntry.action == params["action"])
    actor = _number(params.get("actor", ""))
    if actor is not None:
        where.append(AuditEntry.actor_id == actor)
    target = _number(params.get("target", ""))
    if target is not None:
        where.append(AuditEntry.target_member_id == target)
    since = _day(params.get("since", ""), zone)
    if since is not None:
        where.append(AuditEntry.created_at >= since)
    until = _day(params.get("until", ""), zone)
    if until is not None:
        where.append(AuditEntry.created_at < until + timedelta(days=1))
    return where


async def _names(desk: Desk, entries: list[AuditEntry]) -> dict[int, str]:
    ids = {e.actor_id for e in entries if e.actor_id} | {
        e.target_member_id for e in entries if e.target_member_id
    }
    if not ids:
        return {}
    async with desk.context.sessions() as session:
        rows = await session.execute(
            select(Member.id, Member.display_name).where(Member.id.in_(ids))
        )
        return {int(number): name for number, name in rows}


@page(Role.COORDINATOR)
async def audit_page(desk: Desk) -> web.StreamResponse:
    params = desk.request.query
    where = conditions(params, desk.context.settings.network.timezone)
    before = _number(params.get("before", ""))
    async with desk.context.sessions() as session:
        query = select(AuditEntry).where(*where)
        if before is not None:
            query = query.where(AuditEntry.id < before)
        entries = list(await session.scalars(query.order_by(AuditEntry.id.desc()).limit(PAGE + 1)))
        actions = sorted(await session.scalars(select(AuditEntry.action).distinct()))
    more = len(entries) > PAGE
    entries = entries[:PAGE]
    selection = urlencode([(key, params[key]) for key in FILTERS if params.get(key)])
    named = {
        code: audit_actions.label(desk._, code) for code in {*actions, *(e.action for e in entries)}
    }
    return desk.render(
        "audit.html",
        title=desk._("Audit log"),
        entries=entries,
        names=await _names(desk, entries),
        actions=sorted(named.items(), key=lambda pair: _folded(pair[1])),
        action_names=named,
        params=params,
        selection=selection,
        next_url=f"/desk/audit?{selection}&before={entries[-1].id}" if more else None,
    )


@page(Role.COORDINATOR)
async def audit_csv(desk: Desk) -> web.StreamResponse:
    where = conditions(desk.request.query, desk.context.settings.network.timezone)
    async with desk.context.sessions.begin() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry).where(*where).order_by(AuditEntry.id).limit(EXPORT_LIMIT)
            )
        )
        audit.record(
            session, desk.context.clock, actor_id=desk.member.id, action="export.audit",
            rows=len(entries), via="desk",
        )  # fmt: skip
    names = await _names(desk, entries)
    out = io.StringIO()
    csvsafe.write_rows(
        out,
        COLUMNS,
        (
            {
                "id": entry.id,
                "at": entry.created_at.isoformat(),
                "action": entry.action,
                "actor": entry.actor_id or "",
                "actor_name": names.get(entry.actor_id or 0, ""),
                "target": entry.target_member_id or "",
                "target_name": names.get(entry.target_member_id or 0, ""),
                "details": json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
            }
            for entry in entries
        ),
    )
    return web.Response(
        body=out.getvalue().encode("utf-8-sig"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
