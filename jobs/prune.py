"""Daily: forget old processed update ids and old job run records.

``processed_updates`` only needs to outlive a platform's redelivery window (hours), and
``job_runs`` only the catch-up grace; both grow with every update or tick otherwise.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete

from bot.models import ProcessedUpdate
from bot.scheduling.runner import occurrence, prune_runs

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

ID = "prune"


async def run(app: Relais) -> None:
    before = occurrence(app) - timedelta(days=app.settings.jobs.prune_after_days)
    async with app.sessions.begin() as session:
        result = await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
        )
        runs = await prune_runs(session, before)
    log.info(
        "pruned %s processed updates and %s job runs before %s",
        getattr(result, "rowcount", 0),
        runs,
        before.isoformat(),
    )
