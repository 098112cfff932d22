"""How much one person may ask of the bot: ``[limits] updates_per_minute``.

A person who sends more updates than that in any minute gets one "slow down" answer,
and what they send after it is dropped (acknowledged, never handled) until the minute
has passed: one person cannot keep the bot, its database and its rate limits busy for
everyone else. Time is the injected clock's, so tests move it instead of waiting.

On SQLite (one process) :class:`Throttle` counts in memory, before any transaction: only
handled updates count, so the window reopens a minute after the oldest of them. On
PostgreSQL several processes may share the network, each receiving some of a person's
updates (a reverse proxy spreads them): :func:`count` counts them in the database
(``update_counts``), one count per person for all the processes, in the statement that
already takes the update's advisory lock on that person (:meth:`bot.app.Relais._handle`),
so it costs no round trip of its own. That count is a minute from the person's first
update after their previous minute ended: at most ``per_minute`` are handled in it, the
next one gets "slow down", the others are dropped until it ends. It is written in the
update's transaction, so an update that failed (and rolled back) is not counted. A
process that learned a person is over the limit remembers until when
(:meth:`Throttle.over`), and drops what they send meanwhile without asking the database:
a flood costs each process one statement past the limit, not one per update.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

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
        #: PostgreSQL: people whose shared minute is over the limit, until it ends.
        self._over: dict[str, datetime] = {}

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

    def over(self, person: str, until: datetime, now: datetime) -> None:
        """PostgreSQL: the database said this person is over the limit until ``until``."""
        if len(self._over) >= MAX_PEOPLE:
            self._over = {p: end for p, end in self._over.items() if end > now}
        self._over[person] = until

    def known_over(self, person: str, now: datetime) -> bool:
        """PostgreSQL: whether this process already knows the person's update is to be
        dropped (see :meth:`over`)."""
        until = self._over.get(person)
        if until is None:
            return False
        if now < until:
            return True
        del self._over[person]
        return False

    def _forget_idle(self, now: datetime) -> None:
        handled = self._handled
        for person in [p for p, times in handled.items() if not times or now - times[-1] >= MINUTE]:
            del self._handled[person]
            self._warned.discard(person)


#: Takes the update's advisory lock (as :func:`bot.core.db.lock_for_transaction` does),
#: then counts the update in the person's minute, or starts a new minute once theirs
#: has passed; returns the count and when the minute began. The lock's CTE calls a
#: volatile function, so PostgreSQL runs it (and waits for the lock) before the insert
#: reads its row.
_COUNT = text(
    """
    WITH locked AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtextextended(:lock, 0)))
    INSERT INTO update_counts AS counted (platform, user_id, window_start, count)
    SELECT :platform, :user_id, CAST(:now AS timestamptz), 1 FROM locked
    ON CONFLICT (platform, user_id) DO UPDATE SET
        window_start = CASE WHEN counted.window_start > :since
            THEN counted.window_start ELSE excluded.window_start END,
        count = CASE WHEN counted.window_start > :since THEN counted.count + 1 ELSE 1 END
    RETURNING count, window_start
    """
)


async def count(
    session: AsyncSession,
    *,
    platform: str,
    user_id: str,
    now: datetime,
    per_minute: int,
    lock: str,
) -> tuple[Verdict, datetime]:
    """PostgreSQL: take the advisory lock ``lock`` for the transaction and count this
    update in the person's minute shared by every process, in one statement; whether it
    is handled, and when that minute ends (see the module docstring)."""
    result = await session.execute(
        _COUNT,
        {
            "lock": lock,
            "platform": platform,
            "user_id": user_id,
            "now": now,
            "since": now - MINUTE,
        },
    )
    counted, start = result.one()
    return verdict(int(counted), per_minute), start + MINUTE


_UNCOUNT = text(
    """
    UPDATE update_counts SET count = count - 1
    WHERE platform = :platform AND user_id = :user_id AND count > 0
    """
)


async def uncount(session: AsyncSession, *, platform: str, user_id: str) -> None:
    """PostgreSQL: take back the count :func:`count` made in this transaction, for an
    update found to be a redelivery (a retried webhook): it was counted once already."""
    await session.execute(_UNCOUNT, {"platform": platform, "user_id": user_id})


def verdict(counted: int, per_minute: int) -> Verdict:
    """What the ``counted``-th update of a minute gets."""
    if counted <= per_minute:
        return Verdict.HANDLE
    return Verdict.SLOW_DOWN if counted == per_minute + 1 else Verdict.DROP
