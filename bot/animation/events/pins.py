"""Event cards pinned while upcoming, unpinned once over or cancelled.

A card is queued with ``pin`` when ``[events] pin_cards`` is on (the card's channel
posts: ``audience.to_channel(..., pin=...)``); the platform pins it once sent where the bot may
(a Telegram group where it is an admin allowed to pin; elsewhere the request is ignored
or refused, never an error). The delivery ledger keeps where each card went and its
message id, so nothing else needs recording.

When an occurrence is over (its end passed) or cancelled, :func:`unpin_due` edits each of
its pinned cards one last time — the final counts, or "CANCELLED" without buttons — and
unpins it. An :class:`~bot.models.EventNotice` ``unpinned`` per occurrence makes it once:
a refusal is logged by the adapter and not tried again (a pin is a courtesy).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.animation.events import render
from bot.animation.events.rsvp import counts
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Translator
from bot.core.port import Address, DeliveryError, Outgoing, Platform
from bot.delivery import queue
from bot.models import (
    Delivery,
    DeliveryStatus,
    Event,
    EventNotice,
    EventOccurrence,
    EventStatus,
)

log = logging.getLogger(__name__)

#: The notice kind that marks an occurrence's cards unpinned (or found unpinned).
UNPINNED = "unpinned"
#: Occurrences handled per pass.
PAGE = 50
#: The delivery batches and keys a card's channel posts are queued under: the events
#: job's (:mod:`.posting`: batch ``ev:<id>``) and the publishing flow's (batch
#: ``event:<id>:card``); both keys end in ``:card:ch:<platform>:<chat>:<thread>``.
BATCHES = (("ev:", ""), ("event:", ":card"))
CARD_KEYS = ("ev:%:card:ch:%", "event:%:card:ch:%")


@dataclass(frozen=True, slots=True)
class Card:
    """A pinned card to take down: where, which message, in which language."""

    address: Address
    message_id: str
    language: str | None


async def due(
    session: AsyncSession, now: datetime
) -> list[tuple[Event, EventOccurrence, list[Card]]]:
    """Occurrences over or cancelled whose cards were posted and not yet unpinned, each
    with the cards that were pinned (possibly none: the occurrence is then only marked)."""
    number = cast(EventOccurrence.id, String)
    rows = (
        await session.execute(
            select(Event, EventOccurrence, Delivery)
            .join(EventOccurrence, EventOccurrence.event_id == Event.id)
            .join(Delivery, or_(*(Delivery.batch == a + number + b for a, b in BATCHES)))
            .where(
                or_(*(Delivery.key.like(pattern) for pattern in CARD_KEYS)),
                Delivery.status == DeliveryStatus.SENT,
                Delivery.platform_message_id.is_not(None),
                or_(
                    EventOccurrence.ends_at <= now,
                    EventOccurrence.cancelled_at.is_not(None),
                    Event.status == EventStatus.CANCELLED,
                ),
                ~exists().where(
                    EventNotice.occurrence_id == EventOccurrence.id,
                    EventNotice.kind == UNPINNED,
                ),
            )
            .order_by(EventOccurrence.id, Delivery.id)
        )
    ).all()
    found: dict[int, tuple[Event, EventOccurrence, list[Card]]] = {}
    for event, occurrence, delivery in rows:
        if occurrence.id not in found and len(found) >= PAGE:
            break
        cards = found.setdefault(occurrence.id, (event, occurrence, []))[2]
        if queue.pinned(delivery.message) and delivery.platform_message_id is not None:
            address = Address(delivery.platform, delivery.chat_id, delivery.thread_id)
            language = delivery.message.get("language")
            cards.append(Card(address, delivery.platform_message_id, language))
    return list(found.values())


async def unpin_due(
    *,
    sessions: async_sessionmaker[AsyncSession],
    platforms: Mapping[str, Platform],
    settings: Settings,
    translator: Translator,
    clock: Clock,
) -> int:
    """Take down the pinned cards of occurrences over or cancelled; returns how many
    were asked of the platforms. Never raises for a platform's refusal."""
    async with sessions() as session:
        found = await due(session, clock.now())
        tallies = await counts(session, [occurrence.id for _event, occurrence, _cards in found])
    asked = 0
    for event, occurrence, cards in found:
        for card in cards:
            platform = platforms.get(card.address.platform)
            if platform is None:
                continue
            language = card.language or settings.network.default_language
            message = render.card(
                translator, settings, language, event, occurrence, tallies[occurrence.id]
            )
            outgoing = Outgoing(card.address, message, edit_message_id=card.message_id, pin=False)
            try:
                await platform.send(outgoing)
            except DeliveryError as error:
                log.info("could not take down the card of occurrence %s: %s", occurrence.id, error)
            asked += 1
        try:
            async with sessions.begin() as session:
                session.add(EventNotice(occurrence_id=occurrence.id, kind=UNPINNED, at=clock.now()))
        except IntegrityError:  # another process did it meanwhile
            continue
    return asked
