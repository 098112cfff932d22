"""Every minute: announce the levels reached and badges earned since the last run, and,
once a month has ended, its ambassadors (per category and overall); and the collective
goals reached.

Each step is idempotent by a database constraint (see :mod:`bot.recognition`), so a
re-run, a restart or a second process announces nothing twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.recognition.badges import award_badges
from bot.recognition.goals import announce_reached
from bot.recognition.levels import announce_level_ups
from bot.recognition.monthly import decide_last_month
from jobs._queueing import queue_due

if TYPE_CHECKING:
    from bot.app import Relais

ID = "recognition"


async def run(app: Relais) -> None:
    await queue_due(app, announce_level_ups, "level-ups")
    if app.settings.discord.level_roles:
        app.role_syncer.wake()  # Discord roles per level
    await queue_due(app, award_badges, "badges")
    await queue_due(app, decide_last_month, "ambassadors of the month")
    await queue_due(app, announce_reached, "collective goals reached")
