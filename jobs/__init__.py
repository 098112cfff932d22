"""What the clock does: the registry of jobs.

Each job module exports ``ID`` and ``async def run(app)``, registered in :data:`JOBS`.
A job's schedule comes from config (``[jobs] <id> = "mon 09:00"``), else from
:data:`SCHEDULES`, else it polls every minute — so a job registered by another feature
(``JOBS["campaigns"] = campaigns.run``) runs every minute with nothing else to declare.

Calendar jobs run once per occurrence and read that instant from
:func:`bot.scheduling.runner.occurrence`; polling jobs read the clock. Jobs that must run once
at a given time (a campaign, a plan reminder) register a handler in :data:`ONE_OFF` and
are scheduled with :func:`bot.scheduling.runner.schedule_once`. See :mod:`bot.scheduling.runner` for
how due jobs are found after a clock jump, a tick or a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from jobs import campaigns, plans, purge_applicants

if TYPE_CHECKING:
    from bot.app import Relais

Job = Callable[["Relais"], Awaitable[None]]
#: Receives the ``args`` it was scheduled with.
OneOff = Callable[["Relais", dict[str, Any]], Awaitable[None]]

#: Job id → ``run(app)``; the order breaks ties between jobs due at the same instant.
JOBS: dict[str, Job] = {
    purge_applicants.JOB_ID: purge_applicants.run,
    campaigns.ID: campaigns.run_due_campaigns,
    plans.ID: plans.remind_due_plans,
}
#: Job id → its default schedule, when config names none (absent: every minute).
SCHEDULES: dict[str, str] = {}
#: One-off job kind → ``run(app, args)``.
ONE_OFF: dict[str, OneOff] = {}


async def run_due(app: Relais) -> None:
    """Run what became due since the last look at the clock (see :mod:`bot.scheduling.runner`)."""
    from bot.scheduling.runner import run_due as _run_due

    await _run_due(app)


def _register_own() -> None:
    from jobs import digest, leaderboard, nudges, prune, roles

    for module in (leaderboard, digest, nudges, prune):
        JOBS[module.ID] = module.run
    JOBS[roles.ID] = roles.run
    SCHEDULES[roles.ID] = roles.SCHEDULE


_register_own()
