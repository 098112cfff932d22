"""Daily: delete the delivery queue's copies of messages once ``privacy.delivery_retention_days``
passed.

A queued message keeps its text (names, reports' words) until it is deleted; once sent,
failed, unreachable or unknown, the copy serves only to tell a retry from a first send
and to show a broadcast's progress, both of which are over long before the retention
period. Pending rows stay whatever their age. Idempotent: it deletes whatever is older
than the cut-off when it runs.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.delivery import queue
from bot.scheduling.runner import occurrence

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

ID = "prune_deliveries"
SCHEDULE = "daily 04:30"


async def run(app: Relais) -> None:
    before = occurrence(app) - timedelta(days=app.settings.privacy.delivery_retention_days)
    async with app.sessions.begin() as session:
        count = await queue.prune(session, before)
    log.info("pruned %s delivered messages queued before %s", count, before.isoformat())
