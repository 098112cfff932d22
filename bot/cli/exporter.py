"""``relais export members|reports|signals|points|invitations|events|attendance``: the
network's data as CSV or JSON (the events' two kinds are in :mod:`bot.cli.export_events`,
the invitations' in :mod:`bot.mailing.tracking`).

CSV is UTF-8 with a byte-order mark, which is what makes spreadsheets open French accents
right. Times are written in the network's time zone. Forgotten members are left out of
the member export, and their anonymized reports and points carry no member: the totals
stay right and nothing of the person remains. Each member's ``engagement`` (active,
dormant, never_activated) is the one ``/stats`` counts (:mod:`bot.activity.engagement`).
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.activity import engagement, signal_values
from bot.cli import export_cards, export_events, export_kit
from bot.core import csvsafe
from bot.mailing import tracking
from bot.models import Member, MemberStatus, PointsEntry, Report, ReportKind

KINDS = (
    "members", "reports", "signals", "points", "invitations", *export_events.KINDS,
    *export_kit.KINDS, *export_cards.KINDS,
)  # fmt: skip
FORMATS = ("csv", "json")
#: CSV separators by name: French spreadsheets (Excel in a French locale) split columns on
#: semicolons and show a comma-separated file in one column.
SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t"}
CHUNK = 5000

Row = dict[str, Any]

COLUMNS: dict[str, tuple[str, ...]] = {
    "members": (
        "id", "name", "email", "phone", "category", "language", "role", "status",
        "joined_at", "consent_version", "consent_at", "last_action_at", "engagement",
        "visibility", "invitation_code", "points",
    ),
    "reports": (
        "id", "created_at", "member_id", "member_name", "category", "kind", "subkind",
        "text", "url", "review", "points",
    ),
    "signals": (
        "id", "created_at", "member_id", "member_name", "category", "kind", "text",
        "contact", "stage", "assignee",
    ),
    "points": (
        "id", "created_at", "member_id", "member_name", "reason", "points", "report_id",
    ),
    "invitations": tracking.COLUMNS,
    **export_events.COLUMNS,
    **export_kit.COLUMNS,
    **export_cards.COLUMNS,
}  # fmt: skip


def columns(kind: str, value_fields: Sequence[str] = ()) -> tuple[str, ...]:
    """The export's columns; the signals' end with ``value_<key>`` per ``[signals]
    value_fields`` key given."""
    extra = tuple(f"value_{key}" for key in value_fields) if kind == "signals" else ()
    return COLUMNS[kind] + extra


def _figure(value: float | None) -> float | int | None:
    """A figure as a spreadsheet reads it: ``12``, not ``12.0``."""
    return int(value) if value is not None and value.is_integer() else value


def _when(value: datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat(sep=" ", timespec="seconds") if value else None


def _query(
    kind: str, since: datetime | None, at: datetime | None = None, days: int = engagement.DAYS
) -> Select[*tuple[Any, ...]]:
    if kind in export_events.KINDS:
        return export_events.query(kind, since)
    if kind in export_kit.KINDS:
        return export_kit.query(kind, since)
    if kind in export_cards.KINDS:
        return export_cards.query(kind, since)
    if kind == "members":
        points = (
            select(func.coalesce(func.sum(PointsEntry.points), 0))
            .where(PointsEntry.member_id == Member.id)
            .scalar_subquery()
        )
        state = engagement.state(at or datetime.now(UTC), days)
        query = select(Member, points, state).where(Member.status != MemberStatus.FORGOTTEN)
        return query.where(Member.joined_at >= since) if since else query
    if kind == "invitations":
        query = tracking.query()
        return query.where(Member.joined_at >= since) if since else query
    if kind == "points":
        query = select(PointsEntry, Member).join(Member, Member.id == PointsEntry.member_id)
        return query.where(PointsEntry.created_at >= since) if since else query
    assignee = aliased(Member)
    points = (
        select(func.coalesce(func.sum(PointsEntry.points), 0))
        .where(PointsEntry.report_id == Report.id)
        .scalar_subquery()
    )
    query = (
        select(Report, Member, points, assignee.display_name)
        .join(Member, Member.id == Report.member_id)
        .outerjoin(assignee, assignee.id == Report.assignee_id)
    )
    if kind == "signals":
        query = query.where(Report.kind == ReportKind.SIGNAL)
    return query.where(Report.created_at >= since) if since else query


def _who(member: Member) -> tuple[int | None, str | None]:
    if member.status is MemberStatus.FORGOTTEN:
        return None, None
    return member.id, member.display_name


def _row(kind: str, result: Any, zone: ZoneInfo, links: tracking.ClaimLinks) -> Row:
    if kind == "invitations":
        return tracking.row(result, zone, links)
    if kind in export_events.KINDS:
        return export_events.row(kind, result, zone)
    if kind in export_kit.KINDS:
        return export_kit.row(kind, result, zone)
    if kind in export_cards.KINDS:
        return export_cards.row(kind, result, zone)
    if kind == "members":
        member, points, state = result
        return {
            "id": member.id, "name": member.display_name, "email": member.email,
            "phone": member.phone, "category": member.category, "language": member.language,
            "role": member.role.value, "status": member.status.value,
            "joined_at": _when(member.joined_at, zone),
            "consent_version": member.consent_version,
            "consent_at": _when(member.consent_at, zone),
            "last_action_at": _when(member.last_action_at, zone), "engagement": state,
            "visibility": member.visibility.value, "invitation_code": member.invite_code,
            "points": int(points),
        }  # fmt: skip
    if kind == "points":
        entry, member = result
        member_id, name = _who(member)
        return {
            "id": entry.id, "created_at": _when(entry.created_at, zone), "member_id": member_id,
            "member_name": name, "reason": entry.reason, "points": entry.points,
            "report_id": entry.report_id,
        }  # fmt: skip
    report, member, points, assignee = result
    member_id, name = _who(member)
    common = {
        "id": report.id, "created_at": _when(report.created_at, zone), "member_id": member_id,
        "member_name": name, "category": member.category,
    }  # fmt: skip
    if kind == "signals":
        return common | {
            "kind": report.subkind, "text": report.text, "contact": report.contact,
            "stage": report.stage, "assignee": assignee,
        }  # fmt: skip
    return common | {
        "kind": report.kind.value, "subkind": report.subkind, "text": report.text,
        "url": report.url, "review": report.review, "points": int(points),
    }  # fmt: skip


async def count(session: AsyncSession, kind: str, since: datetime | None) -> int:
    total = await session.scalar(select(func.count()).select_from(_query(kind, since).subquery()))
    return int(total or 0)


async def rows(
    session: AsyncSession,
    kind: str,
    since: datetime | None,
    timezone: str,
    *,
    at: datetime | None = None,
    days: int = engagement.DAYS,
    links: tracking.ClaimLinks | None = None,
    value_fields: Sequence[str] = (),
) -> AsyncIterator[list[Row]]:
    """The export's rows in id order, a chunk at a time (keyset paging, so a large
    network never sits in memory at once); members' engagement as of ``at`` (now)
    with a window of ``days``; invitations with the personal ``links``; signals with
    the figures of ``value_fields`` (:mod:`bot.activity.signal_values`)."""
    zone = ZoneInfo(timezone)
    key = {"members": Member.id, "invitations": Member.id, "points": PointsEntry.id}.get(
        kind, Report.id
    )
    if kind in export_events.KINDS:
        key = export_events.key(kind)
    if kind in export_kit.KINDS:
        key = export_kit.key(kind)
    if kind in export_cards.KINDS:
        key = export_cards.key(kind)
    claim = links or tracking.ClaimLinks()
    last = 0
    while True:
        query = _query(kind, since, at, days).where(key > last).order_by(key).limit(CHUNK)
        results = (await session.execute(query)).all()
        if not results:
            return
        chunk = [_row(kind, result, zone, claim) for result in results]
        if kind == "signals" and value_fields:
            figures = await signal_values.of(session, [row["id"] for row in chunk])
            for row in chunk:
                found = figures.get(row["id"], {})
                row.update({f"value_{key}": _figure(found.get(key)) for key in value_fields})
        last = chunk[-1]["id"]
        yield chunk


async def write(
    out: BinaryIO,
    kind: str,
    fmt: str,
    chunks: AsyncIterator[list[Row]],
    on_chunk: Callable[[int], None] | None = None,
    *,
    separator: str = ",",
    value_fields: Sequence[str] = (),
) -> int:
    """Write the rows as CSV (UTF-8 with BOM, columns split by ``separator``, cells that
    a spreadsheet would run as formulas made safe: :mod:`bot.core.csvsafe`) or JSON (an
    array of objects)."""
    written = 0
    header = columns(kind, value_fields)
    if fmt == "csv":
        out.write("\ufeff".encode())
    else:
        out.write(b"[")
    async for chunk in chunks:
        if fmt == "csv":
            text = io.StringIO()
            csvsafe.write_rows(text, header, chunk, separator=separator, header=not written)
            out.write(text.getvalue().encode("utf-8"))
        else:
            for row in chunk:
                prefix = b",\n" if written or row is not chunk[0] else b"\n"
                out.write(prefix + json.dumps(row, ensure_ascii=False).encode("utf-8"))
        written += len(chunk)
        if on_chunk is not None:
            on_chunk(len(chunk))
    if fmt == "csv" and written == 0:
        text = io.StringIO()
        csvsafe.write_rows(text, header, [], separator=separator)
        out.write(text.getvalue().encode("utf-8"))
    if fmt == "json":
        out.write(b"\n]\n")
    return written
