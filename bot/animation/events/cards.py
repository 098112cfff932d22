"""Where an occurrence's card goes, and how it stays true while members answer.

The card is posted through the delivery queue to the channels of the categories the
event addresses (the general channel for an event for everyone, else every category's),
and, when the event asks for it, privately to each invited member. Every delivery has a
key naming the occurrence and the chat or the member, so publishing twice (a retried
update, a job materializing the next date again) posts nothing more.

Each channel post is remembered as an :class:`~bot.models.EventPost` from the moment it is
queued (with ``thread_id`` ``""`` when there is none, so the row's unique constraint holds
on both databases); its platform message id is read from the delivery once sent. Counts
are edited into the posts in place, at most once per :data:`EDIT_EVERY` per post (the
platforms limit edits like messages: Telegram about 20 a minute in a group): an answer
inside that window leaves the post stale, and :func:`stale` finds it for the card job,
which edits it once the window has passed — so the final state is always shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation.events import render, rsvp
from bot.core.config import Settings
from bot.core.db import insert_ignoring_conflicts
from bot.core.i18n import Translator
from bot.core.port import Address, Message, Outgoing
from bot.delivery import audience, channels, queue
from bot.models import (
    Delivery,
    Event,
    EventOccurrence,
    EventPost,
    EventStatus,
    Rsvp,
)

#: At most one edit of a card's post in this time (the last answers wait for the job).
EDIT_EVERY = timedelta(seconds=30)
#: Cards are kept live until this long after the occurrence's end.
LIVE_AFTER_END = timedelta(days=1)


def card_key(occurrence_id: int) -> str:
    """The delivery key prefix of an occurrence's channel posts."""
    return f"event:{occurrence_id}:card"


def invite_key(occurrence_id: int) -> str:
    return f"event:{occurrence_id}:invite"


def cancelled(event: Event, occurrence: EventOccurrence) -> bool:
    return event.status is EventStatus.CANCELLED or occurrence.cancelled_at is not None


async def channel_addresses(
    session: AsyncSession, settings: Settings, event: Event, platforms: Sequence[str]
) -> list[Address]:
    """The chats the event's card goes to: its categories' channels; for everyone, the
    general channel where one is bound, else every category's."""
    scopes = [channels.category_scope(key) for key in event.categories]
    if not scopes:
        general = await channels.addresses_for(session, settings, channels.GENERAL, platforms)
        if general:
            return general
        scopes = [channels.category_scope(category.key) for category in settings.categories]
    found: dict[tuple[str, str, str | None], Address] = {}
    for scope in scopes:
        for address in await channels.addresses_for(session, settings, scope, platforms):
            found.setdefault((address.platform, address.chat_id, address.thread_id), address)
    return list(found.values())


async def card(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    language: str,
    event: Event,
    occurrence: EventOccurrence,
) -> Message:
    """The card as it stands: counts now; once cancelled, marked so, without buttons."""
    counts = (await rsvp.counts(session, [occurrence.id])).get(occurrence.id, {})
    return render.card(translator, settings, language, event, occurrence, counts)


async def publish(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    event: Event,
    occurrence: EventOccurrence,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """Queue the occurrence's card to its channels (and privately to each invited member
    when the event says so); returns how many deliveries were new."""
    language = settings.network.default_language
    message = await card(session, settings, translator, language, event, occurrence)
    addresses = await channel_addresses(session, settings, event, platforms)
    key = card_key(occurrence.id)
    planned = [audience.to_channel(key, address, message) for address in addresses]
    queued = await queue.enqueue(session, now, key, planned)
    for address in addresses:
        await session.execute(
            insert_ignoring_conflicts(
                session, EventPost, on=("occurrence_id", "platform", "chat_id", "thread_id")
            ),
            {
                "occurrence_id": occurrence.id,
                "platform": address.platform,
                "chat_id": address.chat_id,
                "thread_id": address.thread_id or "",
                "pinned": False,
            },
        )
    if event.private_invites:
        invited = [member.id for member in await rsvp.invitees(session, event)]
        if event.author_id is not None:
            invited = [member_id for member_id in invited if member_id != event.author_id]
        counts = (await rsvp.counts(session, [occurrence.id])).get(occurrence.id, {})

        def invitation(language: str) -> Message:
            return render.card(translator, settings, language, event, occurrence, counts)

        queued += await audience.tell_members(
            session,
            now=now,
            platforms=platforms,
            member_ids=invited,
            key_prefix=invite_key(occurrence.id),
            batch=invite_key(occurrence.id),
            render=invitation,
        )
    return queued


def address_of(post: EventPost) -> Address:
    return Address(post.platform, post.chat_id, post.thread_id or None)


async def posts(session: AsyncSession, occurrence_id: int) -> list[EventPost]:
    """The occurrence's channel posts, each with its message id once the queue sent it."""
    rows = list(
        await session.scalars(
            select(EventPost).where(EventPost.occurrence_id == occurrence_id).order_by(EventPost.id)
        )
    )
    missing = {
        audience.to_channel(card_key(occurrence_id), address_of(post), Message("")).key: post
        for post in rows
        if post.message_id is None
    }
    if missing:
        sent = await session.execute(
            select(Delivery.key, Delivery.platform_message_id).where(
                Delivery.key.in_(list(missing)), Delivery.platform_message_id.is_not(None)
            )
        )
        for key, message_id in sent:
            missing[key].message_id = message_id
    return rows


async def refresh(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    event: Event,
    occurrence: EventOccurrence,
    now: datetime,
    force: bool = False,
) -> list[Outgoing]:
    """Edits bringing the occurrence's posted cards up to date, to send after commit:
    each post at most once per :data:`EDIT_EVERY` unless ``force`` (an edit of the event,
    a cancellation: rare, and what they say must show at once)."""
    due = [
        post
        for post in await posts(session, occurrence.id)
        if post.message_id is not None
        and (force or post.last_edit_at is None or now - post.last_edit_at >= EDIT_EVERY)
    ]
    if not due:
        return []
    language = settings.network.default_language
    message = await card(session, settings, translator, language, event, occurrence)
    edits = []
    for post in due:
        post.last_edit_at = now
        edits.append(Outgoing(address_of(post), message, edit_message_id=post.message_id))
    return edits


async def stale(session: AsyncSession, now: datetime) -> list[int]:
    """Occurrences with a post that an answer changed after its last edit, whose edit
    window has passed, still live: what the card job edits."""
    latest = (
        select(Rsvp.occurrence_id, func.max(Rsvp.answered_at).label("answered"))
        .group_by(Rsvp.occurrence_id)
        .subquery()
    )
    rows = await session.scalars(
        select(EventPost.occurrence_id)
        .join(latest, latest.c.occurrence_id == EventPost.occurrence_id)
        .join(EventOccurrence, EventOccurrence.id == EventPost.occurrence_id)
        .where(
            or_(
                EventPost.last_edit_at.is_(None),
                and_(
                    EventPost.last_edit_at <= now - EDIT_EVERY,
                    latest.c.answered >= EventPost.last_edit_at,
                ),
            ),
            EventOccurrence.ends_at >= now - LIVE_AFTER_END,
        )
        .distinct()
    )
    return sorted(set(rows))
