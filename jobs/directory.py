"""Every day at 09:00 (network time): close the introduction requests whose time ran out
(the asker hears "no answer", declined or not), pair the month's meetings of two on the
month's first run (``[directory] pairs``), and ask the pairs of a week ago whether they
met.

Each step reads the occurrence's instant, not the clock, and is idempotent (see
:mod:`bot.directory`): a re-run, a restart or a clock moved back and forth tells nobody
twice.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.directory import notices
from bot.scheduling.runner import occurrence
from jobs._queueing import QueueStep

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

ID = "directory"
SCHEDULE = "daily 09:00"
STEPS: tuple[tuple[QueueStep, str], ...] = (
    (notices.tell_no_answer, "introductions without answer"),
    (notices.tell_pairs, "meetings of two"),
    (notices.ask_followups, "meetings followed up"),
)


async def run(app: Relais) -> None:
    if not app.settings.directory.enabled:
        return
    moment = occurrence(app)
    for step, what in STEPS:
        async with app.sessions.begin() as session:
            queued = await step(
                session,
                app.settings,
                app.translator,
                platforms=sorted(app.platforms),
                now=moment,
            )
        if queued:
            log.info("%s: %d deliveries queued", what, queued)
            app.sender.wake()
