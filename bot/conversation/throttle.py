"""How much one person may ask of the bot: ``[limits] updates_per_minute``.

A person who sends more updates than that in any minute gets one "slow down" answer,
and what they send after it is dropped (acknowledged, never handled) until the minute
has passed: one person cannot keep the bot, its database and its rate limits busy for
everyone else. Only handled updates count, so the window reopens a minute after the
oldest of them. Time is the injected clock's, so tests move it instead of waiting.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from enum import Enum

#: The window the limit is counted over.
MINUTE = timedelta(minutes=1)
#: People remembered before those idle for a minute are forgotten.
MAX_PEOPLE = 4096


class Verdict(Enum):
    HANDLE = "handle"
    #: Over the limit for the first time in this window: answer "slow down" once.
    SLOW_DOWN = "slow_down"
    DROP = "drop"


class Throttle:
    """A sliding minute per person (``platform:user_id``)."""

    def __init__(self, per_minute: int) -> None:
        if per_minute < 1:
            raise ValueError("a person must be allowed at least one update a minute")
        self.per_minute = per_minute
        self._handled: dict[str, deque[datetime]] = {}
        self._warned: set[str] = set()

    def check(self, person: str, now: datetime) -> Verdict:
        """Whether this person's update is handled now; counts it when it is."""
        times = self._handled.get(person)
        if times is None:
            if len(self._handled) >= MAX_PEOPLE:
                self._forget_idle(now)
            times = self._handled[person] = deque()
        while times and now - times[0] >= MINUTE:
            times.popleft()
        if len(times) < self.per_minute:
            times.append(now)
            self._warned.discard(person)
            return Verdict.HANDLE
        if person in self._warned:
            return Verdict.DROP
        self._warned.add(person)
        return Verdict.SLOW_DOWN

    def _forget_idle(self, now: datetime) -> None:
        handled = self._handled
        for person in [p for p, times in handled.items() if not times or now - times[-1] >= MINUTE]:
            del self._handled[person]
            self._warned.discard(person)
