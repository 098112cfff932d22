"""Every hour: close the introduction requests whose time ran out (the asker hears "no
answer", declined or not), pair the month's meetings of two once the month has begun
(``[directory] pairs``), and ask the pairs of a week ago whether they met.

Each step is idempotent (see :mod:`bot.directory`): a re-run, a restart or a clock moved
back and forth tells nobody twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.directory import notices
from jobs._queueing import queue_due

if TYPE_CHECKING:
    from bot.app import Relais

ID = "directory"
SCHEDULE = "hourly"


async def run(app: Relais) -> None:
    if not app.settings.directory.enabled:
        return
    await queue_due(app, notices.tell_no_answer, "introductions without answer")
    await queue_due(app, notices.tell_pairs, "meetings of two")
    await queue_due(app, notices.ask_followups, "meetings followed up")
