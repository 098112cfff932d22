"""The scheduler: APScheduler's ``AsyncIOScheduler`` drives the clock's jobs in one
process of a deployment.

APScheduler ticks (every ``jobs.tick_seconds``, never two ticks at once) and each tick
calls :func:`bot.scheduling.runner.run_due`, which asks the injected clock what became due.
Schedules are APScheduler ``CronTrigger``s in the network's zone (:mod:`bot.core.timetable`);
what ran is in the ``job_runs`` table and one-off jobs are in ``one_off_jobs``, both in
the network's database. APScheduler's own ``SQLAlchemyJobStore`` is not used: it needs a
synchronous driver (a second driver and pool beside asyncpg/aiosqlite), pickles
callables, follows the wall clock only (tests and the console move an injected clock),
and cannot be shared between processes.

Several processes on PostgreSQL: each polls ``pg_try_advisory_lock`` on a dedicated
connection; the one that holds it is the leader and runs the jobs, the others only serve
updates. The lock lives as long as that connection: when the leader dies its connection
closes, the lock is released, and the next poll of another process takes over, catching
up what the leader missed (each occurrence once: ``job_runs``). The leader checks its
connection at every poll and steps down if it broke. SQLite: a single process is
assumed; it is always the leader.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.scheduling import runner


class Waker(Protocol):
    def wake(self) -> None: ...


class Host(runner.Host, Protocol):
    """What the scheduler needs of the app: the runner's needs, and the sender to wake
    once jobs have queued deliveries."""

    @property
    def sender(self) -> Waker: ...


log = logging.getLogger(__name__)

#: The advisory lock's key: "relais-scheduler" as a signed 64-bit integer. Advisory
#: locks are per database, so two networks on one server do not share it.
LOCK_KEY = int.from_bytes(b"relaisSc", "big", signed=True)


class Scheduler:
    """Leadership and ticks; ``start`` and ``stop`` from the runtime."""

    def __init__(self, app: Host, database_url: str) -> None:
        self.app = app
        self.url = database_url
        self.postgres = database_url.startswith("postgresql")
        self.aps = AsyncIOScheduler(timezone=UTC)
        self._lock_engine: AsyncEngine | None = None
        self._lock: AsyncConnection | None = None
        self.leader = False
        #: Whether this process said it follows (logged once, not at every poll).
        self._following = False

    async def start(self) -> None:
        jobs = self.app.settings.jobs
        self.aps.start()
        if not self.postgres:
            await self._lead()
            return
        self.aps.add_job(
            self._poll,
            IntervalTrigger(seconds=jobs.leader_poll_seconds),
            id="leadership",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )

    async def stop(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)
        await self._release()

    async def _lead(self) -> None:
        """Become the leader: catch up on what was missed, then tick."""
        self.leader = True
        log.info("this process runs the scheduler")
        await runner.catch_up(self.app)
        self.app.sender.wake()
        self.aps.add_job(
            self.tick,
            IntervalTrigger(seconds=self.app.settings.jobs.tick_seconds),
            id="tick",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            replace_existing=True,
        )

    async def tick(self) -> None:
        try:
            await runner.run_due(self.app, tick=True)
        except Exception:
            log.exception("scheduler tick failed")
        self.app.sender.wake()

    async def _poll(self) -> None:
        """Take the lock if free; as leader, check the lock's connection still lives."""
        if self._lock is not None:
            try:
                await self._lock.execute(text("SELECT 1"))
                return
            except Exception:
                log.warning("lost the scheduler lock's connection; stepping down")
                await self._step_down()
        try:
            if await self._acquire():
                await self._lead()
            elif not self._following:
                self._following = True
                log.info("another process runs the scheduler; this one serves updates")
        except Exception:
            log.exception("could not take the scheduler lock; trying again later")
            await self._release()

    async def _acquire(self) -> bool:
        if self._lock_engine is None:
            self._lock_engine = create_async_engine(self.url, poolclass=NullPool)
        connection = await self._lock_engine.connect()
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        got = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
        if not got:
            await connection.close()
            return False
        self._lock = connection
        return True

    async def _step_down(self) -> None:
        self.leader = False
        if self.aps.get_job("tick") is not None:
            self.aps.remove_job("tick")
        await self._release()

    async def _release(self) -> None:
        """Close the lock's connection: PostgreSQL releases the lock with it."""
        if self._lock is not None:
            try:
                await self._lock.close()
            except Exception:
                log.info("the scheduler lock's connection was already gone")
            self._lock = None
        if self._lock_engine is not None:
            await self._lock_engine.dispose()
            self._lock_engine = None
