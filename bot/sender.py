"""The sender drains the delivery queue within each platform's limits.

Per platform a global rate, per chat a window (Telegram: 1 message/s in a private chat,
20/min in a group; Discord: 5 per 5 s per channel). Each chat is served in order by one
task at a time, so a slow or rate-limited chat never holds the others back — unlike a
single global limiter, where one 429 pauses everyone. A 429 delays that chat only, a 403
marks the delivery (and the person's identity) unreachable, temporary failures back off
and retry up to ``delivery.max_attempts``.

Rates are enforced in real (monotonic) time; the app's clock only stamps rows and decides
when a delayed delivery is due, so tests move the clock instead of sleeping.

Claims (pending → sending) and successes (→ sent) are written by group commit
(:class:`Ledger`): the chats being served at the same moment share one transaction,
instead of two transactions per message, which on SQLite cost more than the send itself.
The crash rule is unchanged: a delivery is handed to the platform only once its claim is
committed, and a success not yet written when the process dies is found ``sending``, so
it becomes ``unknown`` — never sent again.

Each claim carries the sender's token, and the sender holds a lease while it runs
(:mod:`bot.sender_lease`): recovery marks ``unknown`` only the rows of senders whose lease
lapsed, so with several processes on one database a starting (or surviving) process
leaves the others' messages in flight alone, and still recovers a dead one's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import delivery
from bot.clock import Clock
from bot.config import DeliverySettings
from bot.models import Delivery, DeliveryStatus
from bot.platforms.port import (
    Address,
    Outgoing,
    Platform,
    Rejected,
    RetryLater,
    TemporaryFailure,
    Unreachable,
)
from bot.sender_lease import Lease

log = logging.getLogger(__name__)

PAGE = 500


@dataclass(frozen=True, slots=True)
class Limits:
    per_second: float
    private_window: tuple[int, float]
    group_window: tuple[int, float]


#: Published or observed limits (Telegram's Bot FAQ; Discord's documentation).
LIMITS: dict[str, Limits] = {
    "telegram": Limits(per_second=30, private_window=(1, 1.0), group_window=(20, 60.0)),
    "discord": Limits(per_second=50, private_window=(5, 5.0), group_window=(5, 5.0)),
    "console": Limits(per_second=10_000, private_window=(10_000, 1.0), group_window=(10_000, 1.0)),
}


class Window:
    """At most ``count`` events in any ``period`` seconds."""

    def __init__(self, count: int, period: float) -> None:
        self.count, self.period = count, period
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.times and now - self.times[0] >= self.period:
            self.times.popleft()
        if len(self.times) < self.count:
            return 0.0
        return self.times[0] + self.period - now

    def take(self, now: float) -> None:
        self.times.append(now)


class Pace:
    """Even spacing: one event every ``1 / per_second`` seconds, reserved in turn."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self.next_free = 0.0

    def reserve(self, now: float) -> float:
        start = max(now, self.next_free)
        self.next_free = start + self.interval
        return start - now


class Ledger:
    """Group commit of claims and successes: whatever accumulated while one transaction
    was being written goes into the next one."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, owner: str
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        #: The sender's token, written on every claim (see :mod:`bot.sender_lease`).
        self.owner = owner
        self._claims: list[tuple[int, asyncio.Future[bool]]] = []
        self._sent: list[dict[str, object]] = []
        self._writer: asyncio.Task[None] | None = None

    async def claim(self, row_id: int) -> bool:
        """pending → sending, committed; False when the row was no longer pending."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._claims.append((row_id, future))
        self._kick()
        return await future

    def sent(self, row_id: int, message_id: str | None, at: datetime) -> None:
        """Record a success; written with the next group (see :meth:`settled`)."""
        self._sent.append(
            {
                "id": row_id,
                "status": DeliveryStatus.SENT,
                "platform_message_id": message_id,
                "last_error": None,
                "sent_at": at,
            }
        )
        self._kick()

    async def settled(self) -> None:
        """Wait until everything recorded so far is committed."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    def _kick(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="delivery-ledger")

    async def _write(self) -> None:
        while self._claims or self._sent:
            claims, self._claims = self._claims, []
            sent, self._sent = self._sent, []
            try:
                claimed = await self._commit(claims, sent)
            except Exception as error:
                log.exception("writing %d claims and %d sends failed", len(claims), len(sent))
                for _, future in claims:
                    if not future.done():
                        future.set_exception(error)
                continue  # the sends stay `sending`: unknown after a restart, never resent
            for row_id, future in claims:
                if not future.done():
                    future.set_result(row_id in claimed)

    async def _commit(
        self, claims: list[tuple[int, asyncio.Future[bool]]], sent: list[dict[str, object]]
    ) -> set[int]:
        claimed: set[int] = set()
        async with self.sessions.begin() as session:
            if sent:
                await session.execute(update(Delivery), sent)
            if claims:
                result = await session.execute(
                    update(Delivery)
                    .where(
                        Delivery.id.in_([row_id for row_id, _ in claims]),
                        Delivery.status == DeliveryStatus.PENDING,
                    )
                    .values(
                        status=DeliveryStatus.SENDING,
                        attempts=Delivery.attempts + 1,
                        claimed_by=self.owner,
                        claimed_at=self.clock.now(),
                    )
                    .returning(Delivery.id)
                    .execution_options(synchronize_session=False)
                )
                claimed = set(result.scalars())
        return claimed


class Sender:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        platforms: dict[str, Platform],
        clock: Clock,
        settings: DeliverySettings,
        on_unreachable: Callable[[AsyncSession, Delivery], object] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.platforms = platforms
        self.clock = clock
        self.settings = settings
        self.on_unreachable = on_unreachable
        self.monotonic = monotonic
        self._paces: dict[str, Pace] = {}
        self._windows: dict[tuple[str, str], Window] = {}
        self._wake = asyncio.Event()
        self.lease = Lease(sessions, clock, settings.lease_seconds)
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

    async def _await_turn(self, row: Delivery) -> None:
        limits = self._limits(row.platform)
        key = (row.platform, row.chat_id)
        window = self._windows.get(key)
        if window is None:
            count, period = limits.private_window if row.private else limits.group_window
            window = self._windows[key] = Window(count, period)
        # One task serves a chat at a time, so nobody else takes this window meanwhile.
        delay = window.wait(self.monotonic())
        if delay > 0:
            await asyncio.sleep(delay)
        pace = self._paces.setdefault(row.platform, Pace(limits.per_second))
        delay = pace.reserve(self.monotonic())
        if delay > 0:
            await asyncio.sleep(delay)
        window.take(self.monotonic())

    # -- the loop -----------------------------------------------------------------

    def wake(self) -> None:
        """New deliveries were committed: look at the queue now."""
        self._wake.set()

    async def recover(self) -> None:
        """Rows left ``sending`` by dead senders become ``unknown``; this sender's lease
        is renewed first, so it is never taken for one of them."""
        if self.lease.due():
            await self.lease.renew()
        async with self.sessions.begin() as session:
            lost = await delivery.recover_in_flight(session, self.clock.now())
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
            async with self.sessions() as session:
                rows = await delivery.due(session, self.clock.now(), sorted(self.platforms), PAGE)
            if not rows:
                return attempted
            by_chat: dict[tuple[str, str], list[Delivery]] = defaultdict(list)
            for row in rows:
                by_chat[(row.platform, row.chat_id)].append(row)
            slots = asyncio.Semaphore(self.settings.concurrency)
            try:
                results = await asyncio.gather(
                    *(self._serve_chat(chat, slots) for chat in by_chat.values())
                )
            finally:
                await self._ledger.settled()
            attempted += sum(results)

    async def _serve_chat(self, rows: list[Delivery], slots: asyncio.Semaphore) -> int:
        """One chat's deliveries, in order; stops at the first that must wait."""
        async with slots:
            done = 0
            for row in rows:
                done += 1
                if not await self._deliver(row):
                    break
            return done

    async def _deliver(self, row: Delivery) -> bool:
        """Send one delivery; False when its chat must pause (rate limited)."""
        await self._await_turn(row)
        if not await self._claim(row):
            return True
        platform = self.platforms[row.platform]
        outgoing = Outgoing(
            Address(row.platform, row.chat_id, row.thread_id),
            delivery.decode(row.message, row.image_png),
        )
        try:
            message_id = await platform.send(outgoing)
        except RetryLater as error:
            await self._pause_chat(row, error.seconds, str(error))
            return False
        except Unreachable as error:
            await self._finish(row, DeliveryStatus.UNREACHABLE, error=str(error)[:256])
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
        message_id: str | None = None,
        error: str | None = None,
    ) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id == row.id)
                .values(
                    status=status,
                    platform_message_id=message_id,
                    last_error=error,
                    sent_at=self.clock.now() if status is DeliveryStatus.SENT else None,
                )
            )
            if status is DeliveryStatus.UNREACHABLE and self.on_unreachable is not None:
                result = self.on_unreachable(session, row)
                if asyncio.iscoroutine(result):
                    await result

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
