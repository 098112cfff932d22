"""Their reports (mentions, signals, settlements) and each report's history: stage moves,
coordinators' notes, the reasons a mention was rejected.

``/mydata`` shows every report with its history. ``/forget`` blanks the texts, links and
contacts, and the notes and rejection reasons written on them (a note may quote the
reporter or the contact; the desk's follow-up dates are notes too). Each report's kind,
medium, date, review and points stay, so totals and statistics do not move. A signal a
coordinator already took up (qualified, in progress, won, lost) is the network's business
record: its description, stage, values and history stay, only the link and the contact
go. A signal nobody took up yet is only the reporter's words: its description goes too,
and it is closed as not relevant so that it leaves triage instead of waiting there empty.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members.privacy._kind import Erasure, when
from bot.models import TAKEN_UP, Member, Report, ReportEvent, ReportKind, SignalStage

ERASES = {
    "reports": "anonymised: texts, links and contacts blanked, but the description of a "
    "signal a coordinator took up; kinds, dates and points stay for the totals",
    "report_events": "anonymised: coordinators' notes and rejection reasons blanked (a note "
    "may quote the reporter or the contact); the moves stay",
}
KEEPS = {
    "signal_values": "coordinators' estimates describe the lead, not its reporter: they "
    "stay with a taken-up signal",
}


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    reports = list(
        await session.scalars(
            select(Report).where(Report.member_id == member.id).order_by(Report.id)
        )
    )
    events = await session.scalars(
        select(ReportEvent)
        .where(ReportEvent.report_id.in_([report.id for report in reports]))
        .order_by(ReportEvent.id)
    )
    history: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        history.setdefault(event.report_id, []).append(
            {"action": event.action, "note": event.note, "at": when(event.created_at)}
        )
    return {
        "reports": [
            {
                "id": r.id,
                "kind": r.kind.value,
                "subkind": r.subkind,
                "text": r.text,
                "url": r.url,
                "contact": r.contact,
                "stage": r.stage,
                "review": r.review,
                "created_at": when(r.created_at),
                "history": history.get(r.id, []),
            }
            for r in reports
        ],
    }


async def erase(erasure: Erasure) -> None:
    """Blank what the member wrote, except the description of the signals coordinators
    took up (the network's leads); close the signals nobody took up yet."""
    session, member = erasure.session, erasure.member
    their_reports = select(Report.id).where(Report.member_id == member.id)
    await session.execute(
        update(ReportEvent).where(ReportEvent.report_id.in_(their_reports)).values(note=None)
    )
    taken_up = and_(
        Report.kind == ReportKind.SIGNAL, Report.stage.in_([stage.value for stage in TAKEN_UP])
    )
    await session.execute(
        update(Report).where(Report.member_id == member.id, taken_up).values(url=None, contact=None)
    )
    untriaged = list(
        await session.scalars(
            select(Report.id).where(
                Report.member_id == member.id,
                Report.kind == ReportKind.SIGNAL,
                or_(Report.stage.is_(None), Report.stage == SignalStage.NEW.value),
            )
        )
    )
    for report_id in untriaged:
        session.add(
            ReportEvent(
                report_id=report_id,
                actor_id=None,
                action=SignalStage.NOT_RELEVANT.value,
                created_at=erasure.clock.now(),
            )
        )
    await session.execute(
        update(Report).where(Report.id.in_(untriaged)).values(stage=SignalStage.NOT_RELEVANT.value)
    )
    await session.execute(
        update(Report)
        .where(Report.member_id == member.id, not_(taken_up))
        .values(text=None, url=None, contact=None)
    )
