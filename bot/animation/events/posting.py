"""Where an occurrence's card goes: the addressed categories' channels on every platform
where one is bound (the general channel for an event for everyone, or each category's
where no general one is bound), and privately to each invitee when the event says so.

Everything goes through the delivery queue under keys that name the occurrence
(``ev:<occurrence id>:card`` for channel posts, ``ev:<occurrence id>:invite:m<member>``
privately), so posting twice — a retried confirmation, the job posting the next date of a
repeating event — posts nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation.events import render
from bot.animation.events.rsvp import counts, invitees
from bot.core.config import Settings
from bot.core.i18n import Translator
from bot.core.port import Address, Message
from bot.delivery import audience, channels, queue
from bot.models import Event, EventOccurrence


def card_key(occurrence_id: int) -> str:
    return f"ev:{occurrence_id}:card"


def invite_key(occurrence_id: int) -> str:
    return f"ev:{occurrence_id}:invite"


def batch(occurrence_id: int) -> str:
    return f"ev:{occurrence_id}"


async def channel_addresses(
    session: AsyncSession, settings: Settings, categories: Sequence[str], platforms: Sequence[str]
) -> list[Address]:
    """The chats an event for ``categories`` (everyone when empty) is posted to."""
    if categories:
        found: list[Address] = []
        for key in categories:
            scope = channels.category_scope(key)
            found += await channels.addresses_for(session, settings, scope, platforms)
        return found
    general = await channels.addresses_for(session, settings, channels.GENERAL, platforms)
    found = list(general)
    elsewhere = [p for p in platforms if p not in {a.platform for a in general}]
    for category in settings.categories:
        scope = channels.category_scope(category.key)
        found += await channels.addresses_for(session, settings, scope, elsewhere)
    return found


async def post(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    event: Event,
    occurrence: EventOccurrence,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Queue the occurrence's card in its channels (in the network's language) and, for
    an event with private invitations, to each invitee in theirs. Returns how many
    deliveries were new (0 the second time)."""
    tally = (await counts(session, [occurrence.id]))[occurrence.id]
    language = settings.network.default_language
    message = render.card(translator, settings, language, event, occurrence, tally)
    addresses = await channel_addresses(session, settings, event.categories, platforms)
    queued = await queue.enqueue(
        session,
        now,
        batch(occurrence.id),
        [
            audience.to_channel(
                card_key(occurrence.id), address, message, pin=settings.events.pin_cards
            )
            for address in addresses
        ],
    )
    if event.private_invites:
        rendered: dict[str, Message] = {}

        def private(reader: str) -> Message:
            if reader not in rendered:
                rendered[reader] = render.card(
                    translator, settings, reader, event, occurrence, tally
                )
            return rendered[reader]

        queued += await audience.tell_members(
            session,
            now=now,
            platforms=platforms,
            member_ids=[member.id for member in await invitees(session, event)],
            key_prefix=invite_key(occurrence.id),
            batch=batch(occurrence.id),
            render=private,
        )
    return queued
