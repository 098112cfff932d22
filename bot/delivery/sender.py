"""The sender drains the delivery queue within each platform's limits.

Per platform a global rate, per chat a window (Telegram: 1 message/s in a private chat,
20/min in a group; Discord: 5 per 5 s per channel). Each chat is served in order by one
task at a time, so a slow or rate-limited chat never holds the others back — unlike a
single global limiter, where one 429 pauses everyone. A 429 delays that chat only, a 403
marks the delivery unreachable and, in the same transaction, hands the app the fact that
the chat closed (``on_unreachable``: the app writes it as it writes every platform's
report, and falls back to the member's other platform); temporary failures back off and
retry up to ``delivery.max_attempts``.

Rates are enforced in real (monotonic) time; the app's clock only stamps rows and decides
when a delayed delivery is due, so tests move the clock instead of sleeping.

A drain is a series of sweeps. In a sweep, ``delivery.concurrency`` workers each serve one
chat at a time while the pages of due rows are read ahead (keyset on the id): the next
page is read while the workers still have rows, so they never wait for a query, and a
chat's later rows join the ones being served, so its order holds. For one delivery: the
chat's window, then the claim, then the platform's pace, then the call — the pace slot
is taken once the claim is committed, so the commit's latency does not make sends late
and bunch them. A slow platform that keeps its own pace (:class:`~bot.core.port.Paced`:
e-mail) is waited for before the claim instead, so its queue waits ``pending``.

Claims (pending → sending) and successes (→ sent) are written by group commit
(:class:`Ledger`): the chats being served at the same moment share one transaction,
instead of two transactions per message, which on SQLite cost more than the send itself.
The crash rule is unchanged: a delivery is handed to the platform only once its claim is
committed, and a success not yet written when the process dies is found ``sending``, so
it becomes ``unknown`` — never sent again.

Each claim carries the sender's token, and the sender holds a lease while it runs
(:mod:`bot.delivery.lease`): recovery marks ``unknown`` only the rows of senders whose lease
lapsed, so with several processes on one database a starting (or surviving) process
leaves the others' messages in flight alone, and still recovers a dead one's. The lease
also shares each platform among the live senders on PostgreSQL (:class:`~bot.delivery.lease.Share`):
each paces at its part of the platform's rate and serves the chats of its part, so N
processes keep one platform limit between them, not N.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import cast

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.config import DeliverySettings
from bot.core.facts import ChatClosed
from bot.core.port import (
    Address,
    Outgoing,
    Paced,
    Platform,
    Rejected,
    RetryLater,
    TemporaryFailure,
    Unreachable,
)
from bot.delivery import queue
from bot.delivery.lease import Lease, Share
from bot.delivery.ledger import Ledger
from bot.delivery.limits import LIMITS, Limits, Pace, Window
from bot.models import Delivery, DeliveryStatus

__all__ = ["LIMITS", "PAGE", "Ledger", "Limits", "Pace", "Sender", "Window"]

log = logging.getLogger(__name__)

#: Rows read per query.
PAGE = 500
#: The next page is read as soon as fewer rows than this wait for a worker, so the
#: workers never stand idle between pages (at ×20, 250 rows are 0.4 s of sending; a
#: page's query takes a few milliseconds).
LOW_WATER = PAGE // 2

#: Seconds a send is under way, from its claim to the platform's answer, as sized for
#: a broadcast rate's workers (:meth:`Sender.workers`): a group commit (a few ms) and
#: a call to the platform (about 0.1 s to Telegram from Europe; the adapter keeps as
#: many connections open, see ``telegram.adapter.connections``).
IN_FLIGHT = 0.1
#: The most workers a broadcast rate asks for.
MAX_WORKERS = 256

ChatKey = tuple[str, str]


def _remote(platform: str) -> bool:
    return LIMITS.get(platform, LIMITS["telegram"]).remote


@dataclass(eq=False, slots=True)
class _Chat:
    """One chat's rows read so far in this sweep, in order; one worker serves them."""

    key: ChatKey
    rows: deque[Delivery] = field(default_factory=deque)


class _Sweep:
    """One pass over the queue: the producer reads pages ahead and hands each chat to
    one worker at a time; rows of a chat that paused are left for a later pass."""

    def __init__(self) -> None:
        self.ready: asyncio.Queue[_Chat | None] = asyncio.Queue()
        #: Chats read and not finished: later rows join them, so order holds.
        self.active: dict[ChatKey, _Chat] = {}
        #: Chats that must wait (rate limited, backing off): skipped until the next pass.
        self.paused: set[ChatKey] = set()
        #: Rows read that no worker took yet; the producer reads on below LOW_WATER.
        self.waiting = 0
        self.room = asyncio.Event()
        self.attempted = 0
        #: A worker's failure: the producer stops reading and the pass raises it.
        self.error: BaseException | None = None

    def add(self, row: Delivery) -> None:
        key = (row.platform, row.chat_id)
        if key in self.paused:
            return
        chat = self.active.get(key)
        if chat is None:
            chat = self.active[key] = _Chat(key)
            self.ready.put_nowait(chat)
        chat.rows.append(row)
        self.waiting += 1

    def take(self, chat: _Chat) -> Delivery:
        self.waiting -= 1
        self.attempted += 1
        if self.waiting <= LOW_WATER:
            self.room.set()
        return chat.rows.popleft()

    def finish(self, chat: _Chat, *, paused: bool) -> None:
        if paused:
            self.paused.add(chat.key)
            self.waiting -= len(chat.rows)
            chat.rows.clear()
        if self.active.get(chat.key) is chat:
            del self.active[chat.key]


class Sender:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        platforms: dict[str, Platform],
        clock: Clock,
        settings: DeliverySettings,
        on_unreachable: Callable[[AsyncSession, Delivery, ChatClosed], Awaitable[None]]
        | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        broadcast_rates: Mapping[str, float] | None = None,
    ) -> None:
        self.sessions = sessions
        self.platforms = platforms
        self.clock = clock
        self.settings = settings
        self.on_unreachable = on_unreachable
        self.monotonic = monotonic
        #: Platform → messages a second for broadcast rows (``Outgoing.broadcast``) where
        #: the platform sells a faster rate for them (Telegram's paid broadcasts); other
        #: rows keep the platform's published rate.
        self.broadcast_rates = dict(broadcast_rates or {})
        #: (platform, broadcast rate or not) → its pace, and the share of the platform it
        #: was made for.
        self._paces: dict[tuple[str, bool], tuple[Share, Pace]] = {}
        self._self_paced: dict[type, bool] = {}
        self._windows: dict[tuple[str, str], Window] = {}
        self._wake = asyncio.Event()
        self.lease = Lease(
            sessions, clock, settings.lease_seconds, serves=lambda: sorted(self.platforms)
        )
        self._ledger = Ledger(sessions, clock, self.lease.owner)
        #: The task renewing the lease, while :meth:`run` or :meth:`drain` is going.
        self._keeper: asyncio.Task[None] | None = None

    # -- limits -------------------------------------------------------------------

    def _limits(self, platform: str) -> Limits:
        base = LIMITS.get(platform, LIMITS["telegram"])
        factor = self.settings.speedup
        return Limits(
            per_second=base.per_second * factor,
            private_window=(base.private_window[0], base.private_window[1] / factor),
            group_window=(base.group_window[0], base.group_window[1] / factor),
        )

    async def _await_window(self, row: Delivery) -> Window:
        """The chat's own limit; one worker serves a chat at a time, so nobody else
        takes this window meanwhile."""
        key = (row.platform, row.chat_id)
        window = self._windows.get(key)
        if window is None:
            limits = self._limits(row.platform)
            count, period = limits.private_window if row.private else limits.group_window
            window = self._windows[key] = Window(count, period)
        delay = window.wait(self.monotonic())
        if delay > 0:
            await asyncio.sleep(delay)
        return window

    def workers(self) -> int:
        """Sends in flight at once: ``concurrency``, or more when a rate needs them: at
        rate R with each send taking its claim's group commit plus a round trip
        (:data:`IN_FLIGHT` seconds in all), R × that many must be under way. The rates
        are the remote platforms' (``speedup`` included: Telegram's 30/s gives 3, under
        the default 8; at ×20 it gives 60, which also makes group commits large enough
        to keep the CPU per message down) and the broadcast rates."""
        speedup = self.settings.speedup
        rates = [self._limits(name).per_second for name in self.platforms if _remote(name)]
        rates += [rate * speedup for rate in self.broadcast_rates.values()]
        fastest = max(rates, default=0.0)
        return max(self.settings.concurrency, min(MAX_WORKERS, math.ceil(fastest * IN_FLIGHT)))

    def _paced(self, platform: Platform) -> bool:
        """Whether the platform keeps its own pace, looked up once per adapter class: a
        check against a runtime protocol costs more than the rest of a delivery's own
        work."""
        kind = type(platform)
        found = self._self_paced.get(kind)
        if found is None:
            found = self._self_paced[kind] = isinstance(platform, Paced)
        return found

    def paid(self, platform: str, data: dict[str, object]) -> bool:
        """Whether a stored message goes at the platform's broadcast rate: one copy of a
        broadcast (``queue.broadcast``) on a platform that has one."""
        return platform in self.broadcast_rates and queue.broadcast(data)

    async def _await_pace(self, platform: str, *, paid: bool = False) -> None:
        """The platform's overall rate (its broadcast rate for ``paid`` rows), reserved
        once the claim is committed, right before the call: a slot reserved earlier would
        be late by the commit's latency, and the sends would bunch at the platform."""
        share = self.lease.share(platform)
        known = self._paces.get((platform, paid))
        if known is None or known[0] != share:
            # Several processes on PostgreSQL: each keeps its share of the platform's rate.
            rate = (
                self.broadcast_rates[platform] * self.settings.speedup
                if paid
                else self._limits(platform).per_second
            )
            pace = Pace(rate / share.count)
            if known is not None:
                pace.next_free = known[1].next_free
            self._paces[platform, paid] = (share, pace)
        else:
            pace = known[1]
        delay = pace.reserve(self.monotonic())
        if delay > 0:
            await asyncio.sleep(delay)

    # -- the loop -----------------------------------------------------------------

    def wake(self) -> None:
        """New deliveries were committed: look at the queue now."""
        self._wake.set()

    async def recover(self) -> None:
        """Rows left ``sending`` by dead senders become ``unknown``; this sender's lease
        is renewed first, so it is never taken for one of them. When a dead sender's
        lease was forgotten, the lease is renewed again: the shares change at once, and
        the chats the dead one served are taken over from the next pass on."""
        if self.lease.due():
            await self.lease.renew()
        async with self.sessions.begin() as session:
            lost, forgotten = await queue.recover_in_flight(session, self.clock.now())
        if forgotten:
            await self.lease.renew()
        if lost:
            log.warning("%d deliveries were in flight when their process died; unknown", lost)

    async def run(self, idle: float = 1.0) -> None:
        """Drain forever: at start, on :meth:`wake`, and every ``idle`` seconds; keep the
        lease, and recover dead senders' rows once a lease period."""
        await self.recover()
        self._keeper = asyncio.create_task(self._keep(recover=True), name="delivery-lease")
        try:
            while True:
                try:
                    await self.drain()
                except Exception:
                    log.exception("delivery round failed; retrying")
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=idle)
        finally:
            self._keeper.cancel()
            self._keeper = None
            with contextlib.suppress(Exception):
                await asyncio.shield(self.lease.release())

    async def _keep(self, *, recover: bool) -> None:
        """Renew the lease every period; with ``recover``, also look for dead senders."""
        while True:
            await asyncio.sleep(self.lease.period)
            try:
                await self.lease.renew()
                if recover:
                    await self.recover()
            except Exception:
                log.exception("renewing the delivery lease failed")

    async def drain(self) -> int:
        """Send everything that is due now; returns how many were attempted. The lease
        is renewed before the first claim and kept while this runs."""
        if self.lease.due():
            await self.lease.renew()
        if self._keeper is not None and not self._keeper.done():
            return await self._drain()
        self._keeper = keeper = asyncio.create_task(self._keep(recover=False))
        try:
            return await self._drain()
        finally:
            keeper.cancel()
            if self._keeper is keeper:
                self._keeper = None

    async def _drain(self) -> int:
        attempted = 0
        while True:
            done = await self._sweep()
            if not done:
                return attempted
            attempted += done

    async def _sweep(self) -> int:
        """Read the due rows in pages, ahead of ``concurrency`` workers that serve one
        chat each; returns how many rows were attempted. Everything written is
        committed before it returns."""
        sweep = _Sweep()
        workers = [
            asyncio.create_task(self._work(sweep), name="delivery-worker")
            for _ in range(self.workers())
        ]
        try:
            await self._produce(sweep)
        finally:
            for _ in workers:
                sweep.ready.put_nowait(None)
            try:
                await asyncio.gather(*workers)
            finally:
                await self._ledger.settled()
        if sweep.error is not None:
            raise sweep.error
        return sweep.attempted

    async def _produce(self, sweep: _Sweep) -> None:
        after = 0
        platforms = sorted(self.platforms)
        while sweep.error is None:
            async with self.sessions() as session:
                rows = await queue.due(
                    session,
                    self.clock.now(),
                    platforms,
                    PAGE,
                    after=after,
                    shares=self.lease.shares,
                )
            for row in rows:
                sweep.add(row)
            if len(rows) < PAGE:
                return
            after = rows[-1].id
            while sweep.waiting > LOW_WATER and sweep.error is None:
                sweep.room.clear()
                await sweep.room.wait()

    async def _work(self, sweep: _Sweep) -> None:
        """Serve chats one at a time, each in order, until the pass ends; a chat stops
        at its first delivery that must wait."""
        while (chat := await sweep.ready.get()) is not None:
            if sweep.error is not None:
                continue  # the pass is failing: leave the rest for the next one
            paused = False
            try:
                while chat.rows and not paused:
                    paused = not await self._deliver(sweep.take(chat))
            except Exception as error:
                paused = True  # its later rows must not overtake the one that failed
                sweep.error = sweep.error or error
                sweep.room.set()
                return
            finally:
                sweep.finish(chat, paused=paused)

    async def _deliver(self, row: Delivery) -> bool:
        """Send one delivery; False when its chat must pause (rate limited)."""
        window = await self._await_window(row)
        platform = self.platforms[row.platform]
        if self._paced(platform):  # slow: its turn comes before the claim
            await cast(Paced, platform).pace()
        if not await self._claim(row):
            return True
        paid = self.paid(row.platform, row.message)
        await self._await_pace(row.platform, paid=paid)
        window.take(self.monotonic())
        outgoing = Outgoing(
            Address(row.platform, row.chat_id, row.thread_id),
            queue.decode(row.message, row.image_png),
            pin=queue.pinned(row.message),
            broadcast=queue.broadcast(row.message),
        )
        try:
            message_id = await platform.send(outgoing)
        except RetryLater as error:
            await self._pause_chat(row, error.seconds, str(error))
            return False
        except Unreachable as error:
            closed = ChatClosed(row.platform, row.chat_id, str(error))
            await self._finish(
                row, DeliveryStatus.UNREACHABLE, error=str(error)[:256], closed=closed
            )
            return True
        except Rejected as error:
            log.warning("delivery %s rejected by %s: %s", row.id, row.platform, error)
            await self._finish(row, DeliveryStatus.FAILED, error=str(error)[:256])
            return True
        except (TemporaryFailure, OSError, TimeoutError) as error:
            await self._retry_or_fail(row, str(error)[:256] or type(error).__name__)
            return False
        except Exception as error:
            log.exception("delivery %s failed", row.id)
            await self._retry_or_fail(row, f"{type(error).__name__}")
            return False
        self._ledger.sent(row.id, message_id, self.clock.now())
        return True

    async def _claim(self, row: Delivery) -> bool:
        """pending → sending, committed before the platform is called (see the crash rule)."""
        claimed = await self._ledger.claim(row.id)
        if claimed:
            row.attempts += 1
        return claimed

    async def _finish(
        self,
        row: Delivery,
        status: DeliveryStatus,
        *,
        error: str,
        closed: ChatClosed | None = None,
    ) -> None:
        """A delivery that will not be sent (unreachable, failed); successes go through
        the ledger's group commit. For a chat that ``closed``, the app's ``on_unreachable``
        writes that fact in this same transaction."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id == row.id)
                .values(status=status, platform_message_id=None, last_error=error, sent_at=None)
            )
            if closed is not None and self.on_unreachable is not None:
                await self.on_unreachable(session, row, closed)

    async def _pause_chat(self, row: Delivery, seconds: float, error: str) -> None:
        """Back to pending, and the whole chat waits, so its messages stay in order."""
        not_before = self.clock.now() + timedelta(seconds=seconds)
        async with self.sessions.begin() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id == row.id)
                .values(status=DeliveryStatus.PENDING, last_error=error[:256], claimed_by=None)
            )
            await session.execute(
                update(Delivery)
                .where(
                    Delivery.platform == row.platform,
                    Delivery.chat_id == row.chat_id,
                    Delivery.status == DeliveryStatus.PENDING,
                    Delivery.not_before < not_before,
                )
                .values(not_before=not_before)
            )

    async def _retry_or_fail(self, row: Delivery, error: str) -> None:
        if row.attempts >= self.settings.max_attempts:
            log.warning("delivery %s failed after %d attempts: %s", row.id, row.attempts, error)
            await self._finish(row, DeliveryStatus.FAILED, error=error)
            return
        await self._pause_chat(row, float(2**row.attempts), error)
