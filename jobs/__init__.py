"""What the clock does: the table of jobs.

Each job module exports an id and ``async def run(app)``, listed in :data:`JOBS`. A job's
schedule comes from config (``[jobs] <id> = "mon 09:00"``), else from :data:`SCHEDULES`,
else it polls every minute — so a job added here runs every minute with nothing else to
declare.

Calendar jobs run once per occurrence and read that instant from
:func:`bot.scheduling.runner.occurrence`; polling jobs read the clock. Jobs that must run
once at a given time register a handler in :data:`ONE_OFF` and are scheduled with
:func:`bot.scheduling.runner.schedule_once`. The composition root (:mod:`bot.runtime`)
hands :data:`TABLE` to the app; see :mod:`bot.scheduling.runner` for how due jobs are found
after a clock jump, a tick or a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.app import Relais
from bot.scheduling.table import JobTable
from jobs import (
    application_reminders,
    campaigns,
    coordinator_digest,
    digest,
    directory,
    event_cards,
    event_natives,
    events,
    invitations,
    leaderboard,
    nudges,
    plans,
    prune,
    prune_deliveries,
    purge_applicants,
    quiz,
    recognition,
    roles,
    signal_follow_ups,
)

Job = Callable[[Relais], Awaitable[None]]
#: Receives the ``args`` it was scheduled with.
OneOff = Callable[[Relais, dict[str, Any]], Awaitable[None]]

#: Job id → ``run(app)``; the order breaks ties between jobs due at the same instant.
JOBS: dict[str, Job] = {
    purge_applicants.JOB_ID: purge_applicants.run,
    campaigns.ID: campaigns.run_due_campaigns,
    plans.ID: plans.remind_due_plans,
    events.ID: events.run,
    leaderboard.ID: leaderboard.run,
    digest.ID: digest.run,
    coordinator_digest.ID: coordinator_digest.run,
    application_reminders.ID: application_reminders.run,
    nudges.ID: nudges.run,
    prune.ID: prune.run,
    prune_deliveries.ID: prune_deliveries.run,
    roles.ID: roles.run,
    event_cards.ID: event_cards.run,
    event_natives.ID: event_natives.run,
    invitations.ID: invitations.run,
    quiz.ID: quiz.run,
    quiz.CLOSE_ID: quiz.close,
    recognition.ID: recognition.run,
    directory.ID: directory.run,
    signal_follow_ups.ID: signal_follow_ups.run,
}
#: Job id → its default schedule, when config names none (absent: every minute).
SCHEDULES: dict[str, str] = {
    roles.ID: roles.SCHEDULE,
    prune_deliveries.ID: prune_deliveries.SCHEDULE,
    invitations.ID: invitations.SCHEDULE,
    quiz.ID: quiz.SCHEDULE,
    application_reminders.ID: application_reminders.SCHEDULE,
    directory.ID: directory.SCHEDULE,
    signal_follow_ups.ID: signal_follow_ups.SCHEDULE,
}
#: One-off job kind → ``run(app, args)``.
ONE_OFF: dict[str, OneOff] = {}

#: What the composition root hands the app (the same dicts, so a test may add a job).
TABLE: JobTable[Relais] = JobTable(jobs=JOBS, schedules=SCHEDULES, one_off=ONE_OFF)
