"""Per-chat pacing for the bot's own messages: at most N messages per window per chat.

Platforms throttle bots per channel (Discord: 5 messages per 5 s per channel) and answer
with 429s when the bot goes faster. Waiting before the limit keeps a broadcast orderly
instead of bouncing off it. Time and sleeping are injected so tests need not wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.delivery.limits import Window
from bot.platforms.lines import waiting

#: Chats remembered before idle ones are forgotten (a broadcast by DM touches thousands).
MAX_KEYS = 1024


class Pacer:
    """A sliding window per key: ``acquire(key)`` returns when one more message fits."""

    def __init__(
        self,
        limit: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a pacer needs a positive limit and period")
        self.limit = limit
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._windows: dict[str, Window] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        #: Total seconds spent waiting, for benchmarks and logs.
        self.waited = 0.0

    async def acquire(self, key: str) -> None:
        """Wait until ``key`` may send one more message, and count it as sent."""
        if key not in self._locks and len(self._locks) >= MAX_KEYS:
            self.forget_idle()
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # messages to one chat leave in the order they were queued
            window = self._windows.setdefault(key, Window(self.limit, self.period))
            while True:
                now = self._clock()
                delay = window.wait(now)
                if delay <= 0:
                    window.take(now)
                    return
                self.waited += delay
                async with waiting():  # the update's slot serves other chats meanwhile
                    await self._sleep(delay)

    def forget_idle(self) -> None:
        """Drop chats with nothing in their window, so memory follows activity."""
        now = self._clock()
        for key in [k for k, window in self._windows.items() if window.idle(now)]:
            if not self._locks[key].locked():
                del self._windows[key], self._locks[key]
