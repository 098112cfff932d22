"""Start the campaigns whose time has come. Safe to call at any time and any number of
times: a run is recorded with its deliveries in one transaction, and their keys name
the campaign, the occurrence and the recipient (see :mod:`bot.animation.campaigns`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.animation import campaigns
from jobs._queueing import queue_due

if TYPE_CHECKING:
    from bot.app import Relais

ID = "campaigns"


async def run_due_campaigns(app: Relais) -> None:
    await queue_due(app, campaigns.run_due, "campaigns")
