"""The 429s of a busy minute, summarized: one log line a minute instead of one a 429.

A broadcast paced at the published limit still draws some 429s (Telegram counts
arrivals, and arrivals jitter), and a whole network's replies can draw more: logged one
by one they were thousands of identical lines a run, burying everything else. The first
429 after a quiet minute is logged at once, as before, so the operator sees flood control
begin; the ones that follow within the minute are counted, and one line gives their
count, how many chats they touched and the longest wait Telegram asked for. The line is
written when the minute is over: by the first 429 after it, or by a timer when none
comes, or by :meth:`FloodLog.flush` (at shutdown).

Time is read from ``clock`` (monotonic seconds), so tests move an injected clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

#: Seconds a summary covers.
PERIOD = 60.0


class FloodLog:
    """Counts 429s and logs them at most once a ``period`` (plus the first at once)."""

    def __init__(
        self,
        log: logging.Logger,
        *,
        period: float = PERIOD,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = log
        self.period = period
        self.clock = clock
        #: When the current minute began (None: quiet, the next 429 is logged at once).
        self._since: float | None = None
        self._count = 0
        self._chats: set[int] = set()
        self._longest = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def record(self, chat: int, wait: float) -> None:
        """One 429 in ``chat`` asking to wait ``wait`` seconds."""
        now = self.clock()
        if self._since is not None and now - self._since >= self.period:
            self.flush()
        if self._since is None:
            self._since = now
            self.log.warning(
                "telegram: flood control in chat %s; retry in %.3g s "
                "(more 429s are summarized once a minute)",
                chat,
                wait,
            )
            return
        self._count += 1
        self._chats.add(chat)
        self._longest = max(self._longest, wait)
        if self._timer is None:
            self._arm()

    def flush(self) -> None:
        """Log what was counted since the last line; a minute without 429s since then
        makes the next one logged at once again."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._count:
            self._since = None
            return
        elapsed = self.clock() - (self._since or 0.0)
        self.log.warning(
            "telegram: flood control: %d more 429s in %d chats within %.0f s "
            "(longest retry %.3g s)",
            self._count,
            len(self._chats),
            min(elapsed, self.period),
            self._longest,
        )
        self._since = self.clock()
        self._count, self._longest = 0, 0.0
        self._chats.clear()

    def _arm(self) -> None:
        """Write the minute's line even if no 429 follows it."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # outside a loop (a synchronous test): the next 429 writes it
            return
        assert self._since is not None
        delay = max(0.0, self._since + self.period - self.clock())
        self._timer = loop.call_later(delay, self._tick)

    def _tick(self) -> None:
        self._timer = None
        self.flush()
