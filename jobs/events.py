"""The events job: every minute, remind those going, tell promotions from the waiting
list, close occurrences (and ask attendees how it was), keep repeating events' next
dates. Each step runs in its own transaction and is idempotent (see
:mod:`bot.animation.events.notices`), so a re-run or a clock jump sends nothing twice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.animation.events import notices
from jobs._queueing import queue_due

if TYPE_CHECKING:
    from bot.app import Relais

ID = "events"


async def run(app: Relais) -> None:
    await queue_due(app, notices.materialize, "event dates")
    await queue_due(app, notices.remind, "event reminders")
    await queue_due(app, notices.tell_promoted, "event promotions")
    await queue_due(app, notices.close, "events closed")
