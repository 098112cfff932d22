"""Bring posted event cards up to date after answers the edit limit held back.

An answer edits the card's posts at once unless one was edited less than
:data:`bot.animation.events.cards.EDIT_EVERY` ago; this job, every minute, edits those
left stale, so the counts a channel shows always end on the final state. Edits are sent
after the transaction that records them committed; a crash in between leaves the posts
marked edited and a later answer (or the closing of the occurrence) edits them again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.animation.events import cards
from bot.core.port import Outgoing
from bot.models import Event, EventOccurrence

if TYPE_CHECKING:
    from bot.app import Relais

ID = "event_cards"
log = logging.getLogger(__name__)


async def run(app: Relais) -> None:
    now = app.clock.now()
    edits: list[Outgoing] = []
    async with app.sessions() as session, session.begin():
        for occurrence_id in await cards.stale(session, now):
            occurrence = await session.get(EventOccurrence, occurrence_id)
            event = await session.get(Event, occurrence.event_id) if occurrence else None
            if occurrence is None or event is None:
                continue
            edits += await cards.refresh(
                session, app.settings, app.translator, event=event, occurrence=occurrence,
                now=now,
            )  # fmt: skip
    if edits:
        log.info("editing %d event card posts", len(edits))
        await app.deliver(edits)
