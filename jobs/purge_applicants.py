"""Delete applicants never approved once ``privacy.applicant_retention_days`` passed.

Idempotent: it deletes whatever is older than the cut-off at the time it runs, so
running it twice, or after a missed day, is harmless.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core import db
from bot.members.privacy import purge_applicants

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)
JOB_ID = "purge_applicants"


async def run(app: Relais) -> None:
    async with app.sessions() as session, session.begin():
        count = await purge_applicants(session, app.settings, app.clock)
    if db.scrub_requested(session):
        await db.scrub(app.sessions)
    if count:
        log.info("deleted %d applicants never approved", count)
