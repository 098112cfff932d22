"""A member's last actions as ``/me`` lists them, with what each earned — read from the
points ledger, never recomputed: a report's own points, the bonus of a won signal, the
withdrawal of a rejected mention, the "Done" points of the plan or campaign a report
answers; and the entries that belong to no report (a sponsor's bonus, a "Done" given
without a report), each on its own line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import PointsEntry, Report

#: Ledger reasons of "Done" to a plan or a campaign run (keys ``done:<subject>:<member>``).
DONE_REASONS = ("plan", "campaign")


@dataclass(frozen=True, slots=True)
class Earned:
    """One ledger entry behind a line: why, and how many points (negative: withdrawn)."""

    reason: str
    points: int


@dataclass(slots=True)
class RecentAction:
    """A report with the entries it earned, or an entry of no report (``report`` None)."""

    at: datetime
    report: Report | None
    earned: list[Earned] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(entry.points for entry in self.earned)

    def has(self, reason: str) -> bool:
        return any(entry.reason == reason for entry in self.earned)


def _done_subject(entry: PointsEntry) -> str | None:
    """The subject a "Done" entry is for (``done:p12:5``, ``undone:p12:5:2`` → ``p12``)."""
    if entry.reason not in DONE_REASONS:
        return None
    parts = entry.unique_key.split(":")
    return parts[1] if len(parts) >= 3 and parts[0] in ("done", "undone") else None


async def recent_actions(
    session: AsyncSession, member_id: int, limit: int = 5
) -> list[RecentAction]:
    """The member's ``limit`` latest actions, newest first."""
    reports = list(
        await session.scalars(
            select(Report)
            .where(Report.member_id == member_id)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(limit)
        )
    )
    by_report = {report.id: RecentAction(report.created_at, report) for report in reports}
    by_subject = {report.subject: by_report[report.id] for report in reports if report.subject}
    entries = await session.scalars(
        select(PointsEntry)
        .where(PointsEntry.member_id == member_id)
        .where(
            or_(
                PointsEntry.report_id.in_(list(by_report)),
                PointsEntry.report_id.is_(None),
            )
        )
        .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc())
        .limit(20 * limit)
    )
    alone: dict[str, RecentAction] = {}
    lines = list(by_report.values())
    for entry in reversed(list(entries)):
        earned = Earned(entry.reason, entry.points)
        if entry.report_id is not None:
            by_report[entry.report_id].earned.append(earned)
            continue
        subject = _done_subject(entry)
        if subject is not None and subject in by_subject:
            by_subject[subject].earned.append(earned)
            continue
        key = f"subject:{subject}" if subject is not None else f"entry:{entry.id}"
        if key not in alone:
            alone[key] = RecentAction(entry.created_at, None)
            lines.append(alone[key])
        alone[key].earned.append(earned)
    lines.sort(key=lambda line: line.at, reverse=True)
    return lines[:limit]
