"""What the web desk adds to the signal pipeline (:mod:`bot.activity.signals`), and the
reporter's news that the chat and the desk share.

* **The reporter's news**: when a signal reaches a stage, its reporter is told privately,
  in their language, under the delivery key ``signal:<id>:<stage>`` — the same words and
  the same key whether a coordinator pressed a chat button or a desk button, so a move
  made twice (a chat press then a desk click, a retried request) tells them once.
* **Assigning to any coordinator**: the chat's "Assign to me" takes a signal in hand for
  the one who pressed; the desk may hand it to another active coordinator. It is the same
  move (stage *in progress*, an event, an audit entry).
* **Follow-up dates**: a ``follow_up`` event whose note is the date (ISO); the newest one
  counts. On that day the assignee is reminded privately, once per (signal, date) —
  the key ``signal:<id>:follow_up:<date>`` keeps a re-run job from reminding twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity.signals import CLOSED, OPEN, Moved, MoveRefused, Stage
from bot.core import audit
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import N_, Translator
from bot.core.port import Message
from bot.delivery import audience
from bot.models import Member, MemberStatus, Report, ReportEvent, ReportKind, Role

FOLLOW_UP = "follow_up"
#: A follow-up date missed while the bot was stopped is still reminded this many days on.
LATE_DAYS = 7

#: What the reporter is told when their signal reaches a stage.
TO_REPORTER = {
    Stage.QUALIFIED: N_(
        "Good news: the coordinators qualified your opportunity signal “{summary}”."
    ),
    Stage.IN_PROGRESS: N_("A coordinator is now following up your opportunity signal “{summary}”."),
    Stage.WON: N_("Your opportunity signal “{summary}” led to a success! Thank you."),
    Stage.LOST: N_(
        "Your opportunity signal “{summary}” did not succeed this time. Thank you for "
        "reporting it: keep them coming!"
    ),
    Stage.NOT_RELEVANT: N_(
        "The coordinators looked at your opportunity signal “{summary}”: it is not one they "
        "can follow up. Thank you all the same!"
    ),
}
FOLLOW_UP_DUE = N_("Follow-up due for opportunity signal #{id} “{summary}” (date set: {date}).")


def excerpt(text: str | None, limit: int = 60) -> str:
    """A one-line excerpt of a member's text."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reporter_news(translator: Translator, language: str, report: Report, moved: Moved) -> Message:
    """The reporter's message for a move, in ``language``."""
    text = translator.gettext(language, TO_REPORTER[moved.stage], summary=excerpt(report.text, 40))
    if moved.bonus:
        text += "\n" + translator.ngettext(language, "+{n} point", "+{n} points", moved.bonus)
    return Message(text=text)


async def tell_reporter(
    session: AsyncSession,
    translator: Translator,
    *,
    now: datetime,
    platforms: Sequence[str],
    report: Report,
    moved: Moved,
) -> int:
    """Queue the reporter's news (see the module); how many deliveries were queued."""
    key = f"signal:{report.id}:{moved.stage.value}"
    await session.flush()
    return await audience.tell_members(
        session,
        now=now,
        platforms=platforms,
        member_ids=[report.member_id],
        key_prefix=key,
        batch=key,
        render=lambda language: reporter_news(translator, language, report, moved),
    )


async def coordinators(session: AsyncSession) -> list[Member]:
    """Active coordinators, whom a signal may be assigned to."""
    return list(
        await session.scalars(
            select(Member)
            .where(Member.role == Role.COORDINATOR, Member.status == MemberStatus.ACTIVE)
            .order_by(Member.display_name, Member.id)
        )
    )


async def assign(
    session: AsyncSession, clock: Clock, report: Report, actor: Member, assignee: Member
) -> Moved:
    """Hand the signal to ``assignee`` (stage *in progress*), or :class:`MoveRefused`."""
    stage = Stage(report.stage or Stage.NEW)
    if stage in CLOSED:
        raise MoveRefused("closed")
    if stage is Stage.IN_PROGRESS and report.assignee_id == assignee.id:
        raise MoveRefused("already")
    report.stage = Stage.IN_PROGRESS.value
    report.assignee_id = assignee.id
    session.add(
        ReportEvent(
            report_id=report.id, actor_id=actor.id, action=Stage.IN_PROGRESS.value,
            note=f"→ #{assignee.id}", created_at=clock.now(),
        )
    )  # fmt: skip
    audit.record(
        session, clock, actor_id=actor.id, action="signal.in_progress",
        target_member_id=report.member_id, report_id=report.id, previous=stage.value,
        assignee_id=assignee.id,
    )  # fmt: skip
    return Moved(stage=Stage.IN_PROGRESS, bonus=0)


def set_follow_up(
    session: AsyncSession, clock: Clock, report: Report, actor: Member, day: date | None
) -> None:
    """Record a follow-up date (``None`` clears it) in the signal's history."""
    session.add(
        ReportEvent(
            report_id=report.id, actor_id=actor.id, action=FOLLOW_UP,
            note=day.isoformat() if day else "", created_at=clock.now(),
        )
    )  # fmt: skip
    audit.record(
        session, clock, actor_id=actor.id, action="signal.follow_up",
        target_member_id=report.member_id, report_id=report.id,
        day=day.isoformat() if day else "",
    )  # fmt: skip


def _day(note: str | None) -> date | None:
    try:
        return date.fromisoformat(note) if note else None
    except ValueError:
        return None


async def follow_ups(session: AsyncSession, report_ids: Sequence[int]) -> dict[int, date]:
    """Each signal's current follow-up date (its newest ``follow_up`` event), if any."""
    if not report_ids:
        return {}
    newest = (
        select(func.max(ReportEvent.id))
        .where(ReportEvent.action == FOLLOW_UP, ReportEvent.report_id.in_(report_ids))
        .group_by(ReportEvent.report_id)
    )
    rows = await session.execute(
        select(ReportEvent.report_id, ReportEvent.note).where(ReportEvent.id.in_(newest))
    )
    found = {report_id: _day(note) for report_id, note in rows.all()}
    return {report_id: day for report_id, day in found.items() if day is not None}


@dataclass(frozen=True, slots=True)
class Due:
    report: Report
    day: date


async def due(session: AsyncSession, today: date) -> list[Due]:
    """Open, assigned signals whose follow-up date is today or a few days past."""
    candidates = list(
        await session.scalars(
            select(Report).where(
                Report.kind == ReportKind.SIGNAL,
                Report.stage.in_([stage.value for stage in OPEN]),
                Report.assignee_id.is_not(None),
                Report.id.in_(
                    select(ReportEvent.report_id).where(
                        ReportEvent.action == FOLLOW_UP,
                        ReportEvent.note >= (today - timedelta(days=LATE_DAYS)).isoformat(),
                    )
                ),
            )
        )
    )
    days = await follow_ups(session, [report.id for report in candidates])
    return [
        Due(report, days[report.id])
        for report in candidates
        if report.id in days and today - timedelta(days=LATE_DAYS) <= days[report.id] <= today
    ]


async def remind_assignees(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    now: datetime,
    today: date,
    platforms: Sequence[str],
) -> int:
    """Remind each due signal's assignee privately (once per signal and date)."""
    queued = 0
    base = (settings.web.public_url or "").rstrip("/")
    for item in await due(session, today):
        report = item.report
        assert report.assignee_id is not None

        def render(language: str, report: Report = report, day: date = item.day) -> Message:
            text = translator.gettext(
                language, FOLLOW_UP_DUE, id=report.id, summary=excerpt(report.text, 40),
                date=day.isoformat(),
            )  # fmt: skip
            return Message(text=f"{text}\n{base}/desk/signals/{report.id}" if base else text)

        key = f"signal:{report.id}:follow_up:{item.day.isoformat()}"
        queued += await audience.tell_members(
            session, now=now, platforms=platforms, member_ids=[report.assignee_id],
            key_prefix=key, batch=key, render=render, subjects=[report.member_id],
        )  # fmt: skip
    return queued
