"""What organizers type in the events' flows: an end time, a number."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.animation.events import drafts
from bot.conversation.context import Context

_TIME = re.compile(r"^(\d{1,2})[:hH.](\d{2})?$")


def ends_from(ctx: Context, text: str, starts: datetime) -> datetime | None:
    """The end: a time on the start's day (``20:00``) or a full date and time."""
    zone = ZoneInfo(ctx.settings.network.timezone)
    match = _TIME.match(text.strip())
    ends: datetime | None
    if match:
        hour, minute = int(match[1]), int(match[2] or 0)
        if hour > 23 or minute > 59:
            return None
        day = starts.astimezone(zone).date()
        ends = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(starts.tzinfo)
    else:
        ends = drafts.parse_when(text, ctx.settings, ctx.clock.now())
    return ends if ends is not None and ends > starts else None


def number_in(text: str, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high``, digits only (no sign, no spaces inside)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    value = int(text)
    return value if low <= value <= high else None
