"""How an occurrence's posted cards stay true while members answer.

:mod:`bot.animation.events.posting` queues the card to the channels; each channel post
that went out becomes an :class:`~bot.models.EventPost` (its message id read from the
delivery, ``thread_id`` ``""`` when there is none so the unique constraint holds on both
databases) the first time :func:`posts` looks. Counts are edited into the posts in place,
at most once per :data:`EDIT_EVERY` per post (platforms limit edits like messages:
Telegram about 20 a minute in a group): an answer inside that window leaves the post
stale, and :func:`stale` finds it for the card job (:mod:`jobs.event_cards`), which edits
it once the window has passed — so the last state is always shown.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation.events import posting, render, rsvp
from bot.core.config import Settings
from bot.core.db import insert_ignoring_conflicts
from bot.core.i18n import Translator
from bot.core.port import Address, Message, Outgoing
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


def cancelled(event: Event, occurrence: EventOccurrence) -> bool:
    return event.status is EventStatus.CANCELLED or occurrence.cancelled_at is not None


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


def address_of(post: EventPost) -> Address:
    return Address(post.platform, post.chat_id, post.thread_id or None)


async def posts(session: AsyncSession, occurrence_id: int) -> list[EventPost]:
    """The occurrence's channel posts that went out, whoever queued them (the flow, the
    job posting a repeating event's next date): each sent delivery under
    :func:`posting.card_key` becomes an :class:`EventPost` the first time it is looked at."""
    prefix = f"{posting.card_key(occurrence_id)}:ch:"
    sent = await session.execute(
        select(
            Delivery.platform, Delivery.chat_id, Delivery.thread_id, Delivery.platform_message_id
        )
        .where(Delivery.key.startswith(prefix), Delivery.platform_message_id.is_not(None))
        .order_by(Delivery.id)
    )
    for platform, chat_id, thread_id, message_id in sent:
        await session.execute(
            insert_ignoring_conflicts(
                session, EventPost, on=("occurrence_id", "platform", "chat_id", "thread_id")
            ),
            {
                "occurrence_id": occurrence_id, "platform": platform, "chat_id": chat_id,
                "thread_id": thread_id or "", "message_id": message_id, "pinned": False,
            },
        )  # fmt: skip
    return list(
        await session.scalars(
            select(EventPost)
            .where(EventPost.occurrence_id == occurrence_id, EventPost.message_id.is_not(None))
            .order_by(EventPost.id)
        )
    )


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
        if force or post.last_edit_at is None or now - post.last_edit_at >= EDIT_EVERY
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
    """Live occurrences with answers that a post may not show yet: a post edited before
    the last answer, once its edit window has passed, or answers and no post known (the
    card was still in the queue at the time): what the card job looks at."""
    latest = (
        select(Rsvp.occurrence_id, func.max(Rsvp.answered_at).label("answered"))
        .group_by(Rsvp.occurrence_id)
        .subquery()
    )
    rows = await session.scalars(
        select(latest.c.occurrence_id)
        .join(EventOccurrence, EventOccurrence.id == latest.c.occurrence_id)
        .outerjoin(EventPost, EventPost.occurrence_id == latest.c.occurrence_id)
        .where(
            EventOccurrence.ends_at >= now - LIVE_AFTER_END,
            or_(
                EventPost.id.is_(None),
                EventPost.last_edit_at.is_(None),
                and_(
                    EventPost.last_edit_at <= now - EDIT_EVERY,
                    latest.c.answered >= EventPost.last_edit_at,
                ),
            ),
        )
        .distinct()
    )
    return sorted(set(rows))
