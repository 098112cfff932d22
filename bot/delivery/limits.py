"""The rates the sender keeps: each platform's published limits, and the two pure
mechanisms that hold them (a sliding :class:`Window` per chat, an even :class:`Pace` per
platform). Time is given, never read, so tests pass made-up instants. The adapters'
own gates (:mod:`bot.platforms.telegram.limits`, :mod:`bot.platforms.pacing`) count with
the same :class:`Window`."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    per_second: float
    private_window: tuple[int, float]
    group_window: tuple[int, float]
    #: Whether a send is a call across the network, whose round trip the sender covers
    #: with more sends in flight at a high rate (``Sender.workers``); the console prints,
    #: and e-mail paces itself at a few messages a second.
    remote: bool = True


#: Published or observed limits (Telegram's Bot FAQ; Discord's documentation).
LIMITS: dict[str, Limits] = {
    "telegram": Limits(per_second=30, private_window=(1, 1.0), group_window=(20, 60.0)),
    "discord": Limits(per_second=50, private_window=(5, 5.0), group_window=(5, 5.0)),
    # E-mail paces itself (``[email] messages_per_minute``, :mod:`bot.platforms.email`).
    "email": Limits(
        per_second=1_000, private_window=(10, 1.0), group_window=(10, 1.0), remote=False
    ),
    "console": Limits(
        per_second=10_000,
        private_window=(10_000, 1.0),
        group_window=(10_000, 1.0),
        remote=False,
    ),
}


#: Seconds: instants this close count as equal (floating-point rounding of sleeps).
RESOLUTION = 1e-9


class Window:
    """At most ``count`` events in any ``period`` seconds, counted at the instants they
    were taken: the rule the platforms' flood controls apply (one sliding window, shared
    by the sender's per-chat limits, the Telegram flood gate and the Discord pacer)."""

    def __init__(self, count: int, period: float) -> None:
        self.count, self.period = count, period
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0: now). A sleep ends at its deadline give
        or take the clock's rounding: without the tolerance, a wake-up one rounding
        early would sleep again."""
        while self.times and now - self.times[0] >= self.period - RESOLUTION:
            self.times.popleft()
        if len(self.times) < self.count:
            return 0.0
        return self.times[0] + self.period - now

    def take(self, now: float) -> None:
        self.times.append(now)

    def idle(self, now: float) -> bool:
        """Nothing in the window any more: it can be forgotten."""
        return not self.times or now - self.times[-1] >= self.period


class Pace:
    """Even spacing: one event every ``1 / per_second`` seconds, reserved in turn."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self.next_free = 0.0

    def reserve(self, now: float) -> float:
        start = max(now, self.next_free)
        self.next_free = start + self.interval
        return start - now
