"""Remind members who answered "I'm on it" to a plan whose due time has come, once.
Safe to call at any time: a reminded plan is marked in the same transaction as the
reminders are queued, and each reminder's delivery key names the plan and the member."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.animation import plans
from jobs._queueing import queue_due

if TYPE_CHECKING:
    from bot.app import Relais

ID = "plan_reminders"


async def remind_due_plans(app: Relais) -> None:
    await queue_due(app, plans.remind_due, "plan reminders")
