"""An occurrence as an iCalendar file (RFC 5545), for "Add to calendar".

Written with the ``icalendar`` library: one VEVENT whose UID is stable per occurrence
(so importing it again, or an updated file after an edit, replaces the entry instead of
adding one), times in UTC, the text in the reader's language, a cancelled occurrence
marked CANCELLED, and a VALARM with the member's own reminder.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar
from icalendar import Event as VEvent

from bot.core.bilingual import Bilingual
from bot.core.config import Settings
from bot.models import Event, EventOccurrence, EventStatus

_LINK = re.compile(r"^https?://\S+$")
_SLUG = re.compile(r"[^a-z0-9]+")


def uid(settings: Settings, occurrence: EventOccurrence) -> str:
    """The occurrence's UID: the same in every file made for it."""
    network = _SLUG.sub("-", settings.network.name.lower()).strip("-") or "relais"
    return f"event-{occurrence.event_id}-{occurrence.number}@{network}.relais"


def file_name(event: Event, occurrence: EventOccurrence) -> str:
    """A file name for the attachment (ASCII, no spaces)."""
    title = _SLUG.sub("-", event.title.lower()).strip("-")[:40] or "event"
    return f"{title}-{occurrence.starts_at:%Y%m%d}.ics"


def ics(
    event: Event,
    occurrence: EventOccurrence,
    settings: Settings,
    language: str,
    *,
    url: str | None = None,
    alarm_minutes: int | None = None,
    now: datetime | None = None,
) -> bytes:
    """The ``.ics`` file for ``occurrence``, described in ``language`` (the event's
    text by :class:`~bot.core.bilingual.Bilingual`'s rule). ``alarm_minutes`` defaults to
    ``[events] calendar_alarm_minutes``; ``now`` is the file's DTSTAMP (the event's
    creation when not given, so the same occurrence gives the same bytes)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Relais//events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = VEvent()
    entry.add("uid", uid(settings, occurrence))
    entry.add("dtstamp", now or event.created_at)
    entry.add("dtstart", occurrence.starts_at)
    entry.add("dtend", occurrence.ends_at)
    entry.add("summary", event.title)
    text, _written = Bilingual(fr=event.text_fr, en=event.text_en).pick(
        language, settings.network.default_language
    )
    description = "\n\n".join(part for part in (text, url or "") if part)
    if description:
        entry.add("description", description)
    if event.place:
        entry.add("location", event.place)
    link = url or (event.place if _LINK.match(event.place) else None)
    if link:
        entry.add("url", link)
    cancelled = event.status is EventStatus.CANCELLED or occurrence.cancelled_at is not None
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    entry.add("sequence", 1 if cancelled else 0)
    minutes = settings.events.calendar_alarm_minutes if alarm_minutes is None else alarm_minutes
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", event.title)
    alarm.add("trigger", timedelta(minutes=-minutes))
    entry.add_component(alarm)
    calendar.add_component(entry)
    return bytes(calendar.to_ical())
