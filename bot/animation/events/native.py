"""Events mirrored by a platform's own event objects (Discord's scheduled events).

Each upcoming occurrence of a scheduled event is mirrored once per platform that can
(:class:`~bot.core.port.NativeEvents`) in a :class:`~bot.models.NativeEvent` row naming the
platform's id. What the mirror shows is :func:`spec_for` — the title, the text in the
network's language with a line on what "Interested" means, the place, the times — and a
fingerprint of what was last sent is kept beside the row (in ``platform_state``, under
``event_native:<platform's id>``, until a day after the occurrence's end), so a changed
event is edited once and an unchanged one is never touched. :mod:`.native_sync` does the
talking to the platforms; this module holds the rules and the rows.

Interest ("Interested" clicked on the platform) is a weaker answer than the card's buttons:

* it records **Maybe** for a member whose platform account is linked and whom the event
  invites, while answers are open — unless they already said Going (or are on the waiting
  list): interest never takes a place away;
* taking the interest back withdraws the answer **only while it is still Maybe**: a member
  who since answered Going or Can't go with the buttons keeps that answer;
* a stranger, an applicant, an uninvited member or a closed occurrence changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation.events import rsvp
from bot.core import platform_state
from bot.core.bilingual import Bilingual
from bot.core.config import Settings
from bot.core.i18n import N_, Translator
from bot.core.port import NativeEventSpec
from bot.models import (
    Event,
    EventOccurrence,
    EventStatus,
    Member,
    NativeEvent,
    PlatformState,
    Rsvp,
    RsvpAnswer,
)

log = logging.getLogger(__name__)

INTEREST_LINE = N_(
    "“Interested” counts as “Maybe”. To say you are coming, answer with the buttons "
    "under the event's card."
)
#: An occurrence starting sooner than this is not mirrored any more (Discord refuses a
#: start in the past, and nobody plans a meeting from its Events tab a minute ahead).
LEAD = timedelta(minutes=5)
#: The fingerprint of a mirror that was cancelled, or deleted by hand on the platform:
#: nothing more is asked of it.
CANCELLED = "cancelled"
GONE = "gone"
#: ``platform_state`` keys of the fingerprints, and how long they outlive the occurrence.
DIGEST_KEY = "event_native:"
DIGEST_KEPT = timedelta(days=1)


def spec_for(
    translator: Translator, settings: Settings, event: Event, occurrence: EventOccurrence
) -> NativeEventSpec:
    """What the platform's event shows for ``occurrence``: written in the network's
    language (a server's Events tab is shared by everyone)."""
    language = settings.network.default_language
    text, _written = Bilingual(fr=event.text_fr, en=event.text_en).pick(language, language)
    line = translator.gettext(language, INTEREST_LINE)
    return NativeEventSpec(
        title=event.title,
        description=f"{text}\n\n{line}" if text else line,
        place=event.place,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
    )


def fingerprint(spec: NativeEventSpec) -> str:
    """A short digest of everything the platform shows: equal digests, nothing to edit."""
    shown = [
        spec.title,
        spec.description,
        spec.place,
        spec.starts_at.isoformat(),
        spec.ends_at.isoformat(),
    ]
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Mirror:
    """One occurrence as it should be on one platform, its mirror row if any, and the
    fingerprint of what the platform was last sent."""

    event: Event
    occurrence: EventOccurrence
    row: NativeEvent | None
    digest: str | None = None

    @property
    def wanted(self) -> bool:
        """Whether the occurrence should be on the platform (else it is cancelled)."""
        return self.event.status is EventStatus.SCHEDULED and self.occurrence.cancelled_at is None


async def mirrors(
    session: AsyncSession, *, platform: str, scope: str, now: datetime
) -> list[Mirror]:
    """Every occurrence not yet started (by :data:`LEAD`) that is mirrored on the
    platform or should be: the scheduled ones, and the cancelled ones with a mirror still
    to cancel; by start time."""
    soon = now + LEAD
    rows = (
        await session.execute(
            select(Event, EventOccurrence, NativeEvent)
            .join(EventOccurrence, EventOccurrence.event_id == Event.id)
            .outerjoin(
                NativeEvent,
                (NativeEvent.occurrence_id == EventOccurrence.id)
                & (NativeEvent.platform == platform)
                & (NativeEvent.scope == scope),
            )
            .where(EventOccurrence.starts_at > soon, EventOccurrence.closed_at.is_(None))
            .order_by(EventOccurrence.starts_at, EventOccurrence.id)
        )
    ).all()
    keys = [DIGEST_KEY + row.native_id for _e, _o, row in rows if row is not None]
    digests: dict[str, str] = {}
    if keys:
        found = await session.execute(
            select(PlatformState.key, PlatformState.value).where(
                PlatformState.platform == platform, PlatformState.key.in_(keys)
            )
        )
        digests = {key.removeprefix(DIGEST_KEY): value for key, value in found.all()}
    mirrored = [
        Mirror(event, occurrence, row, digests.get(row.native_id) if row else None)
        for event, occurrence, row in rows
    ]
    return [m for m in mirrored if m.wanted or (m.row is not None and m.digest not in DONE)]


#: Fingerprints after which nothing more is asked of a mirror.
DONE = (CANCELLED, GONE)


async def published(
    session: AsyncSession,
    mirror: Mirror,
    *,
    platform: str,
    scope: str,
    native_id: str,
    digest: str,
    now: datetime,
) -> None:
    """Record the platform's new event for ``mirror``'s occurrence."""
    session.add(
        NativeEvent(
            event_id=mirror.event.id,
            occurrence_id=mirror.occurrence.id,
            platform=platform,
            scope=scope,
            native_id=native_id,
        )
    )
    await synced(session, platform, native_id, digest, now)


async def synced(
    session: AsyncSession, platform: str, native_id: str, digest: str, now: datetime
) -> None:
    """What the platform shows now (a publication or an edit went through, or a
    cancellation: :data:`CANCELLED`; or the event is gone there: :data:`GONE`)."""
    await platform_state.put(session, platform, DIGEST_KEY + native_id, digest, now)
    await session.flush()


async def prune(session: AsyncSession, platform: str, now: datetime) -> None:
    """Forget the fingerprints of mirrors whose occurrence ended over a day ago (or
    whose row is gone with its event)."""
    live = (
        select(DIGEST_KEY + cast(NativeEvent.native_id, String))
        .join(EventOccurrence, EventOccurrence.id == NativeEvent.occurrence_id)
        .where(NativeEvent.platform == platform, EventOccurrence.ends_at > now - DIGEST_KEPT)
    )
    await session.execute(
        delete(PlatformState).where(
            PlatformState.platform == platform,
            PlatformState.key.like(DIGEST_KEY + "%"),
            PlatformState.key.not_in(live),
        )
    )


async def interest(
    session: AsyncSession,
    settings: Settings,
    *,
    platform: str,
    native_id: str,
    member: Member | None,
    added: bool,
    now: datetime,
) -> str:
    """Apply someone's interest in a platform's event (see the module's rules). Returns
    ``maybe`` (recorded), ``withdrawn`` (a Maybe taken back), ``kept`` (a firmer answer
    stays) or ``ignored`` (a stranger, an uninvited member, an unknown or closed event)."""
    if member is None:
        return "ignored"
    row = (
        await session.execute(
            select(EventOccurrence, Event)
            .join(NativeEvent, NativeEvent.occurrence_id == EventOccurrence.id)
            .join(Event, Event.id == EventOccurrence.event_id)
            .where(NativeEvent.platform == platform, NativeEvent.native_id == native_id)
        )
    ).first()
    if row is None:
        return "ignored"
    found, event = row
    if rsvp.closed_reason(event, found, now) is not None:
        return "ignored"  # answers are closed: the Events tab changes nothing now
    current = await rsvp.mine(session, found.id, member.id)
    if not added:
        if current is not RsvpAnswer.MAYBE:
            return "kept" if current is not None else "ignored"
        await session.execute(
            delete(Rsvp).where(
                Rsvp.occurrence_id == found.id,
                Rsvp.member_id == member.id,
                Rsvp.answer == RsvpAnswer.MAYBE,
            )
        )
        return "withdrawn"
    if current in (RsvpAnswer.GOING, RsvpAnswer.WAITING, RsvpAnswer.MAYBE):
        return "kept"
    try:
        await rsvp.answer(session, found, member, RsvpAnswer.MAYBE, now)
    except (rsvp.NotInvited, rsvp.RsvpClosed) as refused:
        log.info(
            "%s: interest in event %s not counted (%s)",
            platform,
            native_id,
            type(refused).__name__,
        )
        return "ignored"
    return "maybe"
