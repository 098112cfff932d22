"""Finding and running due jobs, from the injected clock.

Two ways time reaches the jobs:

* :func:`run_due` — the clock moved on in a running process (a scheduler tick, the
  console's ``~ +7d``): every calendar occurrence crossed since the last look runs once,
  oldest first (jobs due at the same instant in registry order), then one-off jobs whose
  time came, then every polling job once. A transcript can so replay a month: a jump over
  two Mondays posts two weekly leaderboards, each for its own week.
* :func:`catch_up` — the process starts (or takes over the scheduler): Relais was down,
  so each calendar job runs its *latest* missed occurrence once, when it is at most
  ``jobs.grace_hours`` late; older ones are dropped. One-off jobs later than the grace are
  marked missed.

A completed occurrence is a row in ``job_runs`` (job, period = its scheduled instant), so
no occurrence runs twice, whatever restarts or takes over. Jobs are also idempotent on
their own (delivery keys name the week and the recipient): a job killed half-way is run
again, and what it had already queued is not queued twice.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, Protocol
from weakref import WeakKeyDictionary

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.timetable import EVERY_MINUTE, Schedule, parse
from bot.models import JobRun, OneOffJob, OneOffStatus
from bot.scheduling.table import JobTable

log = logging.getLogger(__name__)


class Host(Protocol):
    """What the runner needs of the app (:class:`bot.app.Relais`), which it never imports:
    the app calls the runner when its clock moves. ``jobs`` is the table the composition
    root handed the app; each job receives the app itself."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    jobs: JobTable[Any]
    job_cursor: datetime
    job_lock: asyncio.Lock


_due_at: ContextVar[datetime | None] = ContextVar("relais_job_due_at", default=None)
#: When each polling job last ran, per app (a process forgets it: they run at start).
_polled: WeakKeyDictionary[Any, dict[str, datetime]] = WeakKeyDictionary()


def occurrence(app: Host) -> datetime:
    """The instant the running job is for: its scheduled time when the scheduler runs a
    calendar occurrence (maybe late, after a clock jump or a restart), else now."""
    return _due_at.get() or app.clock.now()


def schedules(app: Host) -> dict[str, Schedule]:
    """Every registered job's parsed schedule, in registry order."""
    zone = app.settings.network.timezone
    table = app.jobs
    return {
        job: parse(app.settings.jobs.schedule_of(job, table.schedules.get(job, EVERY_MINUTE)), zone)
        for job in table.jobs
    }


# -- running ------------------------------------------------------------------------


async def run_due(app: Host, *, tick: bool = False) -> None:
    """Run everything that became due between the last look and now, in time order.

    Polling jobs run at every call, except on the scheduler's ``tick``s, which come more
    often than polling jobs ask to run (``every 1m``)."""
    async with app.job_lock:
        now = app.clock.now()
        since = app.job_cursor
        plan = schedules(app)
        due = [
            (moment, order, job)
            for order, (job, schedule) in enumerate(plan.items())
            for moment in schedule.occurrences(since, now)
        ]
        done = await _done_since(app, since) if due else set()
        records: list[dict[str, Any]] = []
        try:
            for moment, _order, job in sorted(due):
                if (job, _period(moment)) not in done:
                    records.append(await _attempt(app, job, moment))
        finally:
            # One write for the whole jump: a crash before it only makes the catch-up
            # run the latest occurrence again, which the jobs' own keys make harmless.
            await _record(app, records)
        await _run_one_offs(app, now)
        polled = _polled.setdefault(app, {})
        for job, schedule in plan.items():
            if schedule.interval is None:
                continue
            last = polled.get(job)
            # A tick comes a little early or late: 5% of slack keeps "every 1m" at a minute.
            due_again = last is None or now < last or now - last >= schedule.interval * 0.95
            if due_again or not tick:
                polled[job] = now
                await _run(app, job, now)
        app.job_cursor = max(since, now)


async def catch_up(app: Host) -> None:
    """At start: each calendar job's latest missed occurrence within the grace, once."""
    async with app.job_lock:
        now = app.clock.now()
        grace = timedelta(hours=app.settings.jobs.grace_hours)
        missed = []
        for order, (job, schedule) in enumerate(schedules(app).items()):
            moment = schedule.latest(now, grace)
            if moment is not None:
                missed.append((moment, order, job))
        for moment, _order, job in sorted(missed):
            if not await _done(app, job, moment):
                log.info("catching up %s due at %s", job, moment.isoformat())
                await _run_occurrence(app, job, moment)
        async with app.sessions.begin() as session:
            await session.execute(
                update(OneOffJob)
                .where(OneOffJob.status == OneOffStatus.PENDING, OneOffJob.run_at < now - grace)
                .values(status=OneOffStatus.MISSED, done_at=now)
            )
        await _run_one_offs(app, now)
        app.job_cursor = max(app.job_cursor, now)


def _period(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def _done(app: Host, job: str, moment: datetime) -> bool:
    async with app.sessions() as session:
        status = await session.scalar(
            select(JobRun.status).where(JobRun.job == job, JobRun.period == _period(moment))
        )
    return status == "done"


async def _done_since(app: Host, since: datetime) -> set[tuple[str, str]]:
    """Occurrences after ``since`` that already completed (periods sort as text)."""
    async with app.sessions() as session:
        rows = await session.execute(
            select(JobRun.job, JobRun.period).where(
                JobRun.period > _period(since), JobRun.status == "done"
            )
        )
    return {(job, period) for job, period in rows}


async def _run_occurrence(app: Host, job: str, moment: datetime) -> None:
    if not await _done(app, job, moment):
        await _record(app, [await _attempt(app, job, moment)])


async def _attempt(app: Host, job: str, moment: datetime) -> dict[str, Any]:
    """Run one occurrence; the ``job_runs`` row that says how it went."""
    started = app.clock.now()
    error = await _run(app, job, moment)
    return {
        "job": job,
        "period": _period(moment),
        "status": "failed" if error else "done",
        "started_at": started,
        "finished_at": app.clock.now(),
        "error": error,
    }


async def _record(app: Host, records: list[dict[str, Any]]) -> None:
    if not records:
        return
    async with app.sessions.begin() as session:
        insert = _insert(session)(JobRun)
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=["job", "period"],
                set_={key: insert.excluded[key] for key in ("status", "finished_at", "error")},
            ),
            records,
        )


async def _run(app: Host, job: str, moment: datetime) -> str | None:
    """Run one job for ``moment``; a failure is logged and returned, never raised."""
    token = _due_at.set(moment)
    try:
        await app.jobs.jobs[job](app)
    except Exception as exc:
        log.exception("job %s for %s failed", job, moment.isoformat())
        return f"{type(exc).__name__}: {exc}"[:256]
    finally:
        _due_at.reset(token)
    return None


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


# -- one-off jobs -------------------------------------------------------------------


async def schedule_once(
    session: AsyncSession,
    *,
    key: str,
    job: str,
    run_at: datetime,
    now: datetime,
    args: dict[str, Any] | None = None,
) -> None:
    """Run the one-off kind ``job`` (``app.jobs.one_off[job](app, args)``) once at
    ``run_at``, in the caller's transaction.

    Scheduling the same ``key`` again moves a job that has not run yet. ``args`` must be
    JSON. The handler should be idempotent (delivery keys), since a process killed while
    it runs makes it run again.
    """
    values = {
        "key": key,
        "job": job,
        "run_at": run_at,
        "args": args or {},
        "status": OneOffStatus.PENDING,
        "created_at": now,
    }
    insert = _insert(session)
    await session.execute(
        insert(OneOffJob)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={"run_at": run_at, "args": args or {}, "job": job},
            where=OneOffJob.status == OneOffStatus.PENDING,
        )
    )


async def cancel_once(session: AsyncSession, key: str) -> bool:
    """Cancel a one-off job that has not run; True if there was one."""
    result = await session.execute(
        update(OneOffJob)
        .where(OneOffJob.key == key, OneOffJob.status == OneOffStatus.PENDING)
        .values(status=OneOffStatus.CANCELLED)
    )
    return bool(getattr(result, "rowcount", 0))


async def _run_one_offs(app: Host, now: datetime) -> None:
    async with app.sessions() as session:
        rows = list(
            await session.scalars(
                select(OneOffJob)
                .where(OneOffJob.status == OneOffStatus.PENDING, OneOffJob.run_at <= now)
                .order_by(OneOffJob.run_at, OneOffJob.id)
            )
        )
    for row in rows:
        handler = app.jobs.one_off.get(row.job)
        error: str | None = f"no one-off job {row.job!r} is registered"
        if handler is not None:
            token = _due_at.set(row.run_at)
            try:
                await handler(app, dict(row.args))
                error = None
            except Exception as exc:
                log.exception("one-off job %s failed", row.key)
                error = f"{type(exc).__name__}: {exc}"[:256]
            finally:
                _due_at.reset(token)
        else:
            log.error("one-off job %s: %s", row.key, error)
        async with app.sessions.begin() as session:
            await session.execute(
                update(OneOffJob)
                .where(OneOffJob.id == row.id)
                .values(
                    status=OneOffStatus.FAILED if error else OneOffStatus.DONE,
                    done_at=app.clock.now(),
                    error=error,
                )
            )


async def prune_runs(session: AsyncSession, before: datetime) -> int:
    """Forget completed occurrences older than ``before`` (the catch-up never looks back
    that far)."""
    result = await session.execute(delete(JobRun).where(JobRun.finished_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
