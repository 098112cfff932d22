"""The opportunity-signal pipeline: stages, who may move a signal where, its history.

Stages: new → qualified → in progress → won / lost / not relevant. A closed signal (won,
lost, not relevant) does not move again, so the reporter is never told "won" and then
"lost". Every move and note is a :class:`ReportEvent` (who, when, note) and an audit
entry; a won signal credits ``points.signal_won`` to the reporter under the ledger key
``signal_won:<id>``, so a retried or concurrent "Won" cannot pay twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core import audit
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.models import Member, PointsEntry, Report, ReportEvent, ReportKind, SignalStage

WON_REASON = "signal_won"
NOTE = "note"
LISTING_LIMIT = 20


#: The stages live with the model (erasure, below the activity package, reads them).
Stage = SignalStage


OPEN = (Stage.NEW, Stage.QUALIFIED, Stage.IN_PROGRESS)
CLOSED = (Stage.WON, Stage.LOST, Stage.NOT_RELEVANT)


class Move(StrEnum):
    """What a coordinator's button asks; the value is the payload code (short)."""

    QUALIFY = "q"
    ASSIGN = "a"
    WON = "w"
    LOST = "l"
    NOT_RELEVANT = "x"


TARGET = {
    Move.QUALIFY: Stage.QUALIFIED,
    Move.ASSIGN: Stage.IN_PROGRESS,
    Move.WON: Stage.WON,
    Move.LOST: Stage.LOST,
    Move.NOT_RELEVANT: Stage.NOT_RELEVANT,
}


class MoveRefused(ValueError):
    """The signal cannot make this move now; ``reason`` is ``closed`` or ``already``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def moves_from(stage: Stage, *, assignee_id: int | None, actor_id: int) -> list[Move]:
    """The moves a coordinator may make on a signal at ``stage``."""
    if stage in CLOSED:
        return []
    moves = []
    if stage is Stage.NEW:
        moves.append(Move.QUALIFY)
    if not (stage is Stage.IN_PROGRESS and assignee_id == actor_id):
        moves.append(Move.ASSIGN)
    return [*moves, Move.WON, Move.LOST, Move.NOT_RELEVANT]


@dataclass(frozen=True, slots=True)
class Moved:
    stage: Stage
    bonus: int


async def load(session: AsyncSession, report_id: int, *, lock: bool = False) -> Report | None:
    query = select(Report).where(Report.id == report_id, Report.kind == ReportKind.SIGNAL)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def move(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    report: Report,
    actor: Member,
    requested: Move,
) -> Moved:
    """Apply a coordinator's move in the caller's transaction, or :class:`MoveRefused`.

    The caller loads ``report`` with ``lock=True`` so that two coordinators pressing at
    once are serialised (PostgreSQL row lock; SQLite has a single writer)."""
    now = clock.now()
    stage = Stage(report.stage or Stage.NEW)
    if stage in CLOSED:
        raise MoveRefused("closed")
    if requested not in moves_from(stage, assignee_id=report.assignee_id, actor_id=actor.id):
        raise MoveRefused("already")
    target = TARGET[requested]
    report.stage = target.value
    if requested is Move.ASSIGN:
        report.assignee_id = actor.id
    session.add(
        ReportEvent(report_id=report.id, actor_id=actor.id, action=target.value, created_at=now)
    )
    audit.record(
        session,
        clock,
        actor_id=actor.id,
        action=f"signal.{target.value}",
        target_member_id=report.member_id,
        report_id=report.id,
        previous=stage.value,
    )
    bonus = 0
    if target is Stage.WON and settings.points.signal_won > 0:
        try:
            async with session.begin_nested():
                session.add(
                    PointsEntry(
                        member_id=report.member_id,
                        points=settings.points.signal_won,
                        reason=WON_REASON,
                        report_id=report.id,
                        unique_key=f"{WON_REASON}:{report.id}",
                        created_at=now,
                    )
                )
            bonus = settings.points.signal_won
        except IntegrityError:
            bonus = 0
    return Moved(stage=target, bonus=bonus)


def add_note(session: AsyncSession, clock: Clock, report: Report, actor: Member, note: str) -> None:
    session.add(
        ReportEvent(
            report_id=report.id, actor_id=actor.id, action=NOTE, note=note, created_at=clock.now()
        )
    )
    audit.record(
        session,
        clock,
        actor_id=actor.id,
        action="signal.note",
        target_member_id=report.member_id,
        report_id=report.id,
    )


@dataclass(frozen=True, slots=True)
class SignalView:
    """A signal with the names a coordinator needs to read it."""

    report: Report
    reporter: str
    category: str
    assignee: str | None


async def view(session: AsyncSession, report_id: int) -> SignalView | None:
    views = await _views(session, select_ids=[report_id])
    return views[0] if views else None


async def listing(
    session: AsyncSession,
    *,
    stages: tuple[Stage, ...],
    category: str | None = None,
    kind: str | None = None,
    limit: int = LISTING_LIMIT,
    offset: int = 0,
) -> tuple[list[SignalView], int]:
    """A page of the signals matching the filters, newest first, and how many match in
    all."""
    where = [Report.kind == ReportKind.SIGNAL, Report.stage.in_([s.value for s in stages])]
    if kind is not None:
        where.append(Report.subkind == kind)
    if category is not None:
        where.append(Report.member_id.in_(select(Member.id).where(Member.category == category)))
    total = await session.scalar(select(func.count()).select_from(Report).where(*where))
    ids = list(
        await session.scalars(
            select(Report.id)
            .where(*where)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    return await _views(session, select_ids=ids), int(total or 0)


async def _views(session: AsyncSession, *, select_ids: list[int]) -> list[SignalView]:
    if not select_ids:
        return []
    reporter, assignee = aliased(Member), aliased(Member)
    rows = (
        await session.execute(
            select(Report, reporter.display_name, reporter.category, assignee.display_name)
            .join(reporter, reporter.id == Report.member_id)
            .outerjoin(assignee, assignee.id == Report.assignee_id)
            .where(Report.id.in_(select_ids), Report.kind == ReportKind.SIGNAL)
            .order_by(Report.created_at.desc(), Report.id.desc())
        )
    ).all()
    return [SignalView(row[0], row[1], row[2], row[3]) for row in rows]


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: datetime
    actor: str | None
    action: str
    note: str | None


async def history(session: AsyncSession, report_id: int) -> list[HistoryLine]:
    rows = (
        await session.execute(
            select(ReportEvent, Member.display_name)
            .outerjoin(Member, Member.id == ReportEvent.actor_id)
            .where(ReportEvent.report_id == report_id)
            .order_by(ReportEvent.created_at, ReportEvent.id)
        )
    ).all()
    return [HistoryLine(e.created_at, name, e.action, e.note) for e, name in rows]


async def counts_by_stage(session: AsyncSession, category: str | None = None) -> dict[Stage, int]:
    query = select(Report.stage, func.count()).where(Report.kind == ReportKind.SIGNAL)
    if category is not None:
        query = query.join(Member, Member.id == Report.member_id).where(Member.category == category)
    rows = (await session.execute(query.group_by(Report.stage))).all()
    counts = dict.fromkeys(Stage, 0)
    for stage, count in rows:
        if stage in counts:
            counts[Stage(stage)] = int(count)
    return counts


#: An open signal nobody moved or annotated for this many days waits for a follow-up.
FOLLOW_UP_DAYS = 14


async def awaiting_follow_up(session: AsyncSession, at: datetime) -> int:
    """Signals already taken up (qualified or in progress) with no move nor note for
    :data:`FOLLOW_UP_DAYS` days: signals carry no follow-up date, so their last move
    stands for it (the coordinators' digest counts them)."""
    last_move = (
        select(func.max(ReportEvent.created_at))
        .where(ReportEvent.report_id == Report.id)
        .scalar_subquery()
    )
    quiet_since = func.coalesce(last_move, Report.created_at)
    count = await session.scalar(
        select(func.count())
        .select_from(Report)
        .where(
            Report.kind == ReportKind.SIGNAL,
            Report.stage.in_([Stage.QUALIFIED.value, Stage.IN_PROGRESS.value]),
            quiet_since <= at - timedelta(days=FOLLOW_UP_DAYS),
        )
    )
    return int(count or 0)
