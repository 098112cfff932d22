"""What the clock does. Each job module exports ``run(app)`` and a stable id; they are
registered in :data:`JOBS`. The scheduler itself (APScheduler) arrives with the jobs;
for now the console's ``~ +7d`` calls :func:`run_due` so transcripts stay ready for them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.jobs import campaigns, plans, purge_applicants

if TYPE_CHECKING:
    from bot.app import Relais

Job = Callable[["Relais"], Awaitable[None]]

JOBS: dict[str, Job] = {
    purge_applicants.JOB_ID: purge_applicants.run,
    campaigns.ID: campaigns.run_due_campaigns,
    plans.ID: plans.remind_due_plans,
}


async def run_due(app: Relais) -> None:
    for job in JOBS.values():
        await job(app)
