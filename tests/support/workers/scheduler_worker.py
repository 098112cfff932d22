"""A Relais process that only runs the scheduler, with one probe job due every second;
started (and killed) by test_scheduler_processes. Each run of the probe appends
``pid occurrence`` to a log file, unbuffered, so a SIGKILL loses nothing written."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC
from typing import Any

from apscheduler.triggers.cron import CronTrigger

import jobs
from bot.app import Relais
from bot.core.clock import SystemClock
from bot.core.db import create_engine, session_factory
from bot.core.timetable import Schedule
from bot.runtime import build_app
from bot.scheduling import runner
from bot.scheduling.scheduler import Scheduler
from tests.support.harness import settings_for


async def main(url: str, log_path: str) -> None:
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    async def probe(app: Relais) -> None:
        os.write(log, f"{os.getpid()} {runner.occurrence(app).isoformat()}\n".encode())

    jobs.JOBS.clear()
    jobs.JOBS["probe"] = probe
    every_second = Schedule("every second", cron=CronTrigger(second="*", timezone=UTC))

    def schedules(_app: Any) -> dict[str, Schedule]:
        return {"probe": every_second}

    runner.schedules = schedules  # type: ignore[assignment]
    settings = settings_for(
        url, jobs__tick_seconds="0.2", jobs__leader_poll_seconds="0.3", jobs__grace_hours="1"
    )
    engine = create_engine(url)
    app = build_app(settings=settings, sessions=session_factory(engine), clock=SystemClock())
    scheduler = Scheduler(app, url)
    await scheduler.start()
    try:
        await asyncio.Event().wait()
    finally:
        await scheduler.stop()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
