"""Pacing of Bot API calls to Telegram's flood limits (about 30 messages a second
overall, 20 a minute in one group).

python-telegram-bot's ``AIORateLimiter`` paces the same way, but when it is told not to
retry it logs every 429 as an error with a traceback. Relais retries 429s itself (in
the adapter, with network errors and group migrations), so this gate only paces and
lets a 429 through to the code that knows what to do with it.

``speedup`` is ``[delivery] speedup``: the delivery queue paces broadcasts at the
platform's rates times that factor, and this gate follows the same factor, so it never
caps the queue below its own pace (a self-hosted or test Bot API server may allow more).
The overall limit is a sliding window on the instants calls are let through: at most 30
in any 1/speedup s, the rule Telegram's flood control applies to their arrivals. A leaky
bucket (aiolimiter's, still used per group) lets a burst of 30 through after a pause
and then one more every 1/30 s, which that rule counts as 31 or more in one window:
when the event loop is a few milliseconds late (a garbage collection, a busy core), the
sends it held back leave together, and at ×20 each such bunch drew a 429, whose retry
made the next bunch.

While a campaign goes out, members answer it: the burst benchmark (``bench/burst.py``)
showed replies waiting behind the queue's messages at this window (0.45 s at the
median), and every "Done" drawing a 429 for its second message (the invitation to
report, sent within the second of the first; the fake server allows no burst in a
private chat): the refused calls held a fifth of the overall window. Replies now go
first, and a refused call gives its place back. Private chats are not paced here:
Telegram tolerates short bursts in them, and a reply of two messages should not wait a
second where it is allowed through.

Paid broadcasts (``[telegram] paid_broadcast``): calls carrying ``allow_paid_broadcast``
skip the free window and take a window of ``paid_rate`` per 1/speedup s, which every other
call takes too, so the bot never sends more than the paid rate in all.

Several processes (PostgreSQL, webhook behind a reverse proxy) send for one bot, and
Telegram's limits are the bot's: each process's gate keeps its part. ``shared_by`` says
how many processes share the platform now — the delivery queue's lease count
(:class:`bot.delivery.lease.Share`), read at each call — and with N of them each window
here lets a N-th through: the overall and paid windows in whole calls (30 ÷ 7: 4 a
second, so that seven processes never pass 30 in any second), and each group's 20 a
minute, since a group's updates, one at a time, land on any process and each answers
its own. So replies and the queue's messages of all the processes together keep the
limits, the replies still first within each process. A private chat needs no share:
Telegram sends its updates one at a time, the next once the previous one's replies were
sent, and the queue serves it from one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.delivery.limits import Window
from bot.platforms.lines import answering, waiting

#: Group limiters kept in memory before idle ones are forgotten.
_MAX_GROUP_LIMITERS = 512

JSONDict = dict[str, Any]


class _Turn:
    """Whose turn it is to watch the window: a lock handed to a waiting reply before a
    waiting broadcast message, first come first served within each."""

    def __init__(self) -> None:
        self._held = False
        #: Replies (an update's), then everything else.
        self._queues: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())

    def locked(self) -> bool:
        return self._held

    async def acquire(self, urgent: bool) -> None:
        if not self._held:
            self._held = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._queues[0 if urgent else 1]
        queue.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.cancelled():
                with contextlib.suppress(ValueError):
                    queue.remove(future)
            else:  # the turn came as it was cancelled: pass it on
                self.release()
            raise

    def release(self) -> None:
        for queue in self._queues:
            while queue:
                future = queue.popleft()
                if not future.done():
                    future.set_result(None)  # the turn passes to it, still held
                    return
        self._held = False


class SlidingWindow:
    """``async with window:`` lets at most ``count`` entries through in any ``period``
    seconds, counted at the instants they entered; :meth:`enter` with ``urgent`` goes
    before the entries that are not."""

    def __init__(
        self,
        count: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.count, self.period = count, period
        self._clock = clock
        self._sleep = sleep
        self._window = Window(count, period)
        self._turn = _Turn()

    def resize(self, count: int, period: float) -> None:
        """From now on, ``count`` entries in any ``period``; the entries already in the
        window still count, and a waiter looks again when it wakes."""
        self.count, self.period = count, period
        self._window.count, self._window.period = count, period

    def full(self) -> bool:
        """Whether an entry now would have to wait."""
        return self._turn.locked() or self._window.wait(self._clock()) > 0

    async def enter(self, *, urgent: bool = False) -> float:
        """Wait for a place; the instant it was taken."""
        # One waiter at a time watches the window, the others queue behind it in
        # order: waking them all for each free slot cost more than the sends.
        await self._turn.acquire(urgent)
        try:
            while True:
                now = self._clock()
                delay = self._window.wait(now)
                if delay <= 0:
                    self._window.take(now)
                    return now
                await self._sleep(delay)
        finally:
            self._turn.release()

    def give_back(self, instant: float) -> None:
        """The entry taken at ``instant`` did not count after all (Telegram refused it)."""
        with contextlib.suppress(ValueError):
            self._window.times.remove(instant)

    async def __aenter__(self) -> None:
        await self.enter()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


class FloodGate(BaseRateLimiter[None]):
    """Waits before a call that would exceed a limit; never retries. Replies (calls
    made while an update is handled) pass the overall window before the delivery
    queue's messages: a member waiting for an answer goes first, and a broadcast takes
    what the replies leave. A call Telegram refused with a 429 gives its place in the
    window back: it was not a message, and its retry waits the ``retry_after`` (a
    private chat's second reply within its second, refused, held a thirtieth of a second
    of everyone's sending). ``shared_by``: how many processes share the bot's limits now
    (see the module docstring); this gate keeps that part of each."""

    def __init__(
        self,
        *,
        overall_per_second: float = 30,
        group_per_minute: float = 20,
        speedup: float = 1.0,
        paid_per_second: float | None = None,
        shared_by: Callable[[], int] = lambda: 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._second = 1 / speedup
        self._overall_rate = overall_per_second
        self._overall = SlidingWindow(
            *_part(overall_per_second, self._second, 1), clock=clock, sleep=sleep
        )
        #: Paid broadcasts (``allow_paid_broadcast``): their own window, at most
        #: ``paid_per_second`` calls of any kind a second; the free window above counts
        #: only the calls without the flag.
        self._paid_rate = paid_per_second
        self._paid = (
            SlidingWindow(*_part(paid_per_second, self._second, 1), clock=clock, sleep=sleep)
            if paid_per_second
            else None
        )
        self._group_per_minute = group_per_minute
        self._group_rate = group_per_minute
        self._group_period = 60 / speedup
        self._groups: dict[int, AsyncLimiter] = {}
        self._shared_by = shared_by
        #: How many processes the windows are sized for.
        self.parts = 1

    def _follow_share(self) -> None:
        """Resize the windows when the number of processes sharing the bot changed."""
        parts = max(1, self._shared_by())
        if parts == self.parts:
            return
        self.parts = parts
        self._overall.resize(*_part(self._overall_rate, self._second, parts))
        if self._paid is not None and self._paid_rate:
            self._paid.resize(*_part(self._paid_rate, self._second, parts))
        # Groups' limiters are made anew at the new rate as they are next used.
        self._group_rate = self._group_per_minute / parts
        self._groups.clear()

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        if chat_id is None:  # getUpdates, answerCallbackQuery, setMyCommands...
            return await callback(*args, **kwargs)
        self._follow_share()
        chat = _chat_number(chat_id)
        group = self._group(chat) if chat is not None and chat < 0 else None
        paid = self._paid is not None and bool(data.get("allow_paid_broadcast"))
        windows = [w for w in (None if paid else self._overall, self._paid) if w is not None]
        # A reply that must wait for a window lends its update's slot to other chats.
        full = (group is not None and not group.has_capacity()) or any(w.full() for w in windows)
        urgent = answering()
        async with waiting() if full else contextlib.nullcontext():
            # The group's own limit first, so a throttled group does not hold overall
            # capacity.
            if group is not None:
                await group.acquire()
            taken = [(window, await window.enter(urgent=urgent)) for window in windows]
        try:
            return await callback(*args, **kwargs)
        except RetryAfter:
            for window, instant in taken:
                window.give_back(instant)
            raise

    def _group(self, chat: int) -> AsyncLimiter:
        if len(self._groups) > _MAX_GROUP_LIMITERS:
            idle = [
                key
                for key, limiter in self._groups.items()
                if limiter.has_capacity(self._group_rate)
            ]
            for key in idle:
                del self._groups[key]
        limiter = self._groups.get(chat)
        if limiter is None:
            limiter = self._groups[chat] = AsyncLimiter(self._group_rate, self._group_period)
        return limiter


def _part(rate: float, period: float, parts: int) -> tuple[int, float]:
    """A window for one of ``parts`` processes sharing ``rate`` entries per ``period``:
    the whole entries of ``rate`` ÷ ``parts`` in the same period (30 ÷ 7: 4 a second,
    so that 7 such windows never let more than 30 through in any second), or one entry
    in a longer period when there are more processes than entries."""
    share = rate / parts
    if share < 1:
        return 1, period / share
    return math.floor(share + 1e-9), period


def _chat_number(chat_id: object) -> int | None:
    """The chat a call writes to; None for an @channelusername (Relais addresses chats by
    id)."""
    try:
        return int(str(chat_id))
    except ValueError:
        return None
