"""Daily: remind each signal's assignee, privately, on the follow-up date set at the desk.

The rule and the key that keeps a re-run from reminding twice are in
:mod:`bot.activity.signal_desk`; a date missed while the bot was stopped is still
reminded for a few days.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.activity import signal_desk

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

ID = "signal_follow_ups"
SCHEDULE = "daily 08:30"


async def run(app: Relais) -> None:
    now = app.clock.now()
    today = now.astimezone(ZoneInfo(app.settings.network.timezone)).date()
    async with app.sessions.begin() as session:
        queued = await signal_desk.remind_assignees(
            session, app.settings, app.translator, now=now, today=today,
            platforms=sorted(app.platforms),
        )  # fmt: skip
    if queued:
        log.info("queued %d signal follow-up reminders", queued)
        app.sender.wake()
