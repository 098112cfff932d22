"""Start the campaigns whose time has come. Safe to call at any time and any number of
times: a run is recorded with its deliveries in one transaction, and their keys name
the campaign, the occurrence and the recipient (see :mod:`bot.campaigns`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import campaigns

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

ID = "campaigns"


async def run_due_campaigns(app: Relais) -> None:
    async with app.sessions.begin() as session:
        queued = await campaigns.run_due(
            session,
            app.settings,
            app.translator,
            platforms=sorted(app.platforms),
            now=app.clock.now(),
        )
    if queued:
        log.info("campaigns: %d deliveries queued", queued)
        app.sender.wake()
