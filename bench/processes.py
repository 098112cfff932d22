"""Several processes on one PostgreSQL database: 1, 2 and 4 ``relais run`` processes in
Telegram webhook mode behind Debian's HAProxy (started on loopback, as the test does).

For each size, on a fresh PostgreSQL database:

* **Updates through the proxy**: ``UPDATES`` members each send ``/help`` once, posted by
  this process playing Telegram (``CONNECTIONS`` requests at once, its webhook's default
  ``max_connections`` is 40); a request counts when it is answered 200, which Relais does
  once the update committed and its reply reached the fake Bot API. Figure: updates/s.
* **A broadcast**: ``RECIPIENTS`` private messages enqueued at once, sent by the
  processes' senders at Telegram's limits ×``FACTOR`` (the fake enforces them and answers
  429 beyond). Figures: the rate between the first and the last message accepted ÷ the
  enforced limit, the 429s, lost and doubled messages.

The fake Bot API server runs in its own process. ``python -m bench.processes``;
``BENCH_PROCESSES`` (``1,2,4``), ``BENCH_PROCESSES_FACTOR`` (4), ``BENCH_PROCESSES_RUNS`` (runs per
size, median; 1 by default, since each run starts the processes anew).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.common import FakeProcess, Table, median, postgres_database
from bot.core.db import create_engine, session_factory
from bot.core.port import Address, Message
from bot.delivery import queue
from bot.models import DeliverySender
from tests.support.cluster import HAPROXY, Cluster
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import drop_postgres_database

SIZES = [int(n) for n in os.environ.get("BENCH_PROCESSES", "1,2,4").split(",")]
FACTOR = float(os.environ.get("BENCH_PROCESSES_FACTOR", "4"))
RUNS = int(os.environ.get("BENCH_PROCESSES_RUNS", "1"))
UPDATES = 1_200
CONNECTIONS = 40
RECIPIENTS = 3_000
#: Telegram's overall limit, scaled as the fake enforces it.
LIMIT = 30 * FACTOR
LEASE = timedelta(seconds=3)


async def _updates(cluster: Cluster, fake: FakeProcess) -> float:
    """``/help`` from ``UPDATES`` members through the proxy; updates per second."""
    builder = FakeTelegram()  # builds the updates only; the server is the other process
    ids = list(range(20_000, 20_000 + UPDATES))
    await fake.control("users", {"ids": ids})
    updates = [builder.command(builder.user(i, f"U{i}"), "/help") for i in ids]
    gate = asyncio.Semaphore(CONNECTIONS)

    async def post(update: dict[str, object]) -> None:
        async with gate:
            await cluster.post(update)

    started = time.monotonic()
    await asyncio.gather(*(post(update) for update in updates))
    return UPDATES / (time.monotonic() - started)


async def _broadcast(cluster: Cluster, fake: FakeProcess, url: str) -> tuple[float, int, int, int]:
    """Rate ÷ limit, 429s, lost, doubled."""
    ids = list(range(100_000, 100_000 + RECIPIENTS))
    await fake.control("reset", {})
    await fake.control("users", {"ids": ids})
    await fake.control("enforce", {"factor": FACTOR})
    engine = create_engine(url)
    try:
        planned = [
            queue.Planned(
                key=f"bench-processes:{i}",
                address=Address("telegram", str(i)),
                message=Message(text=f"The campaign starts today ({i})."),
                private=True,
            )
            for i in ids
        ]
        async with session_factory(engine).begin() as session:
            await queue.enqueue(session, datetime.now(UTC), "bench-processes", planned)
    finally:
        await engine.dispose()
    stats: dict[str, Any] = {}

    async def refresh() -> None:
        stats.update(await fake.control("stats"))

    deadline = time.monotonic() + RECIPIENTS / LIMIT * 4 + 60
    while True:
        await refresh()
        if int(stats["chats"]) >= RECIPIENTS or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    first, last = float(stats["first"]), float(stats["last"])
    accepted = int(stats["accepted"])
    rate = (accepted - 1) / (last - first) if last > first else 0.0
    lost = RECIPIENTS - int(stats["chats"])
    return rate / LIMIT, int(stats["floods"]), lost, int(stats["twice"])


async def _run(size: int) -> tuple[float, float, int, int, int]:
    name = f"relais_bench_{uuid.uuid4().hex[:10]}"
    url = await postgres_database(name)
    if url is None:
        raise RuntimeError("PostgreSQL is unreachable")
    try:
        async with FakeProcess() as fake:
            with tempfile.TemporaryDirectory(prefix="relais-processes-") as folder:
                cluster = Cluster(
                    size=size,
                    database_url=url,
                    api_base_url=fake.base_url,
                    token=fake.token,
                    workdir=Path(folder),
                    env={
                        "RELAIS_DELIVERY__SPEEDUP": f"{FACTOR:g}",
                        "RELAIS_DELIVERY__LEASE_SECONDS": "3",
                        # Replies to /help must not be held back by a person's own limit.
                        "RELAIS_LIMITS__UPDATES_PER_MINUTE": "10000",
                    },
                )
                async with cluster:
                    updates = await _updates(cluster, fake)
                    await _senders_met(url, size)
                    ratio, floods, lost, twice = await _broadcast(cluster, fake, url)
    finally:
        await drop_postgres_database(name)
    return updates, ratio, floods, lost, twice


async def _senders_met(url: str, size: int) -> None:
    """Until every sender renewed its lease after the last one started: each knows its
    share from then on (a lease of 3 s is renewed every second)."""
    engine = create_engine(url)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            async with engine.connect() as connection:
                rows = list(
                    await connection.execute(
                        select(DeliverySender.started_at, DeliverySender.expires_at)
                    )
                )
            newest = max((started for started, _ in rows), default=None)
            met = [1 for _, expires in rows if newest and expires - LEASE >= newest]
            if len(met) >= size:
                return
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


async def main() -> Table:
    table = Table(
        f"Several processes on PostgreSQL behind HAProxy: {UPDATES:,} /help updates "
        f"({CONNECTIONS} at once), then {RECIPIENTS:,} private messages at Telegram's "
        f"limits ×{FACTOR:g} ({LIMIT:,.0f} msg/s enforced); median of {RUNS}",
        ["processes", "updates/s", "broadcast ÷ limit", "429s", "lost", "twice"],
    )
    if HAPROXY is None:
        table.notes.append("HAProxy is not installed (apt-get install haproxy): not run.")
        table.print()
        return table
    for size in SIZES:
        runs = [await _run(size) for _ in range(RUNS)]
        table.add(
            size,
            median([r[0] for r in runs]),
            median([r[1] for r in runs]),
            int(median([r[2] for r in runs])),
            int(median([r[3] for r in runs])),
            int(median([r[4] for r in runs])),
        )
    table.print()
    return table


if __name__ == "__main__":
    asyncio.run(main())
