"""Remind members who answered "I'm on it" to a plan whose due time has come, once.
Safe to call at any time: a reminded plan is marked in the same transaction as the
reminders are queued, and each reminder's delivery key names the plan and the member."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import plans

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

ID = "plan_reminders"


async def remind_due_plans(app: Relais) -> None:
    async with app.sessions.begin() as session:
        queued = await plans.remind_due(
            session,
            app.settings,
            app.translator,
            platforms=sorted(app.platforms),
            now=app.clock.now(),
        )
    if queued:
        log.info("plans: %d reminders queued", queued)
        app.sender.wake()
