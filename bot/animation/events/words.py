"""An occurrence's date and time in words, in the reader's language, via Babel.

"mardi 3 mars 2027, 18 h 30 – 20 h 00" / "Tuesday 3 March 2027, 6:30 PM – 8:00 PM", on
the network's wall clock: the card, the reminders and the calendar message all say it
the same way. An occurrence ending on another day names both days.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from bot.core.config import Settings
from bot.models import EventOccurrence

_DAY = "EEEE d MMMM y"


def _clock(moment: datetime, language: str) -> str:
    if language == "fr":
        return f"{moment.hour} h {moment.minute:02d}"
    return format_time(moment, "h:mm a", locale="en")


def day(settings: Settings, language: str, moment: datetime) -> str:
    """The local day of ``moment`` in words ("mardi 3 mars 2027")."""
    local = moment.astimezone(ZoneInfo(settings.network.timezone))
    return format_date(local.date(), _DAY, locale=language)


def span(settings: Settings, language: str, start: datetime, end: datetime) -> str:
    """A start and an end in words, on the network's wall clock."""
    zone = ZoneInfo(settings.network.timezone)
    first, last = start.astimezone(zone), end.astimezone(zone)
    opening = f"{day(settings, language, first)}, {_clock(first, language)}"
    if first.date() == last.date():
        return f"{opening} – {_clock(last, language)}"
    return f"{opening} – {day(settings, language, last)}, {_clock(last, language)}"


def when(settings: Settings, language: str, occurrence: EventOccurrence) -> str:
    """The occurrence's date and time in words, in ``language``."""
    return span(settings, language, occurrence.starts_at, occurrence.ends_at)
