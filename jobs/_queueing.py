"""The shape shared by jobs that turn due work into queued deliveries (campaigns, plan
reminders): one transaction writes the rows and their marks, then the sender is woken."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.i18n import Translator

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)


class QueueStep(Protocol):
    def __call__(
        self,
        session: AsyncSession,
        settings: Settings,
        translator: Translator,
        *,
        platforms: Sequence[str],
        now: datetime,
    ) -> Awaitable[int]: ...


async def queue_due(app: Relais, step: QueueStep, what: str) -> None:
    """Run ``step`` in its own transaction; wake the sender when it queued anything."""
    async with app.sessions.begin() as session:
        queued = await step(
            session,
            app.settings,
            app.translator,
            platforms=app.served,
            now=app.clock.now(),
        )
    if queued:
        log.info("%s: %d deliveries queued", what, queued)
        app.sender.wake()
