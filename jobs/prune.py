"""Daily: forget old processed update ids, old job run records, old counts of wrong
/link codes and the counts of updates whose minute is over; delete the kit's stored
files no item names any more.

``processed_updates`` only needs to outlive a platform's redelivery window (hours), and
``job_runs`` only the catch-up grace; both grow with every update or tick otherwise. A
count of wrong codes names a platform account, and is of no use once its window and its
lock-out are over, and a count of updates once its minute is (PostgreSQL,
:mod:`bot.conversation.throttle`). A kit file whose add flow was cancelled after it
arrived is nobody's (:func:`bot.animation.kit.files.sweep`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select

from bot.animation.kit import files
from bot.conversation.throttle import MINUTE
from bot.models import KitItem, LinkAttempts, ProcessedUpdate, UpdateCount
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
        await session.execute(
            delete(LinkAttempts).where(
                LinkAttempts.first_at < before,
                or_(LinkAttempts.locked_until.is_(None), LinkAttempts.locked_until < before),
            )
        )
        await session.execute(
            delete(UpdateCount).where(UpdateCount.window_start < occurrence(app) - MINUTE)
        )
        named = await session.scalars(
            select(KitItem.file_name).where(KitItem.file_name.is_not(None))
        )
        kept = {name for name in named if name}
    swept = await asyncio.to_thread(files.sweep, app.settings, kept)
    log.info(
        "pruned %s processed updates and %s job runs before %s",
        getattr(result, "rowcount", 0),
        runs,
        before.isoformat(),
    )
    if swept:
        log.info("deleted %s kit files no item names", swept)
