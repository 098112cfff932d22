"""Three Relais processes serve one network on PostgreSQL, behind a real HAProxy.

Telegram is the loopback fake; its webhook requests go through HAProxy, which hands
them to the three ``relais run`` processes in turn, so each step of a member's flow lands
on another process than the one before. Proved here: a member's flow holds across
processes and two of their updates landing at once on two processes take turns; an
update answered 200 has its effect committed, even when a process is killed mid-burst
(SIGKILL); nothing is counted or sent twice; one process runs the scheduler and another
takes over when it dies; the senders split the broadcast (each chat served by one
process) and the dead one's part is taken over after its lease. Real processes work on
the wall clock: the test polls conditions with deadlines, never sleeps for logic.

Skipped without PostgreSQL or HAProxy (``.ci/run`` installs HAProxy; CI runs with
``RELAIS_REQUIRE_POSTGRES=1``, so PostgreSQL is there).
"""

from __future__ import annotations

import asyncio
import copy
import math
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.db import create_engine, session_factory
from bot.core.port import Address, Message
from bot.delivery import queue
from bot.delivery.sender import IN_FLIGHT
from bot.models import (
    Base,
    Delivery,
    DeliverySender,
    DeliveryStatus,
    ProcessedUpdate,
    Report,
)
from tests.support.cluster import HAPROXY, Cluster, Worker, wait_until
from tests.support.fake_telegram import JSON, FakeTelegram

pytestmark = pytest.mark.skipif(HAPROXY is None, reason="HAProxy is not installed")

MEMBERS = 9
BROADCAST = 240
RECORDED = "Your mention is recorded"
#: ``[delivery] lease_seconds`` in the cluster (tests.support.cluster).
LEASE = timedelta(seconds=3)


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(postgres_url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


class Members:
    """Members driven through the proxy as Telegram would: each posts its next update
    once the previous one was answered 200, built from what the bot last sent."""

    def __init__(self, fake: FakeTelegram, cluster: Cluster) -> None:
        self.fake, self.cluster = fake, cluster
        #: Update ids answered 200.
        self.acknowledged: list[str] = []
        #: Members whose step was acknowledged but whose answer never came (their
        #: process died between the commit and the answer: never sent twice instead).
        self.cut_short: set[int] = set()

    def _heard(self, user: JSON) -> int:
        return sum(1 for call in self.fake.calls if call.chat_id == user["id"])

    async def step(self, user: JSON, update: JSON) -> bool:
        """Post one update; False when its answer never came (see ``cut_short``)."""
        before = self._heard(user)
        await self.cluster.post(update)
        self.acknowledged.append(str(update["update_id"]))
        if self._heard(user) > before:
            return True
        self.cut_short.add(user["id"])
        return False

    async def say(self, user: JSON, words: str) -> bool:
        return await self.step(user, self.fake.text(user, words))

    async def tap(self, user: JSON, label: str) -> bool:
        try:
            message = self.fake.last_message(user, with_buttons=True)
            update = self.fake.press(user, message, label)
        except LookupError:  # the previous answer came only in part (an edit, no prompt)
            self.cut_short.add(user["id"])
            return False
        return await self.step(user, update)

    async def join_and_report(self, user: JSON, link: str) -> None:
        """Nine updates: join (/start, language, consent, category, no code), then a
        mention with its medium and link; each lands on the next process."""
        steps = [
            lambda: self.say(user, "/start"),
            lambda: self.tap(user, "English"),
            lambda: self.tap(user, "I agree"),
            lambda: self.tap(user, "Business"),
            lambda: self.tap(user, "Skip"),
            lambda: self.say(user, "/report"),
            lambda: self.tap(user, "Mention"),
            lambda: self.tap(user, "Press"),
            lambda: self.say(user, link),
        ]
        for step in steps:
            if not await step():
                return


async def _count(engine: AsyncEngine, statement: object) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(statement) or 0)  # type: ignore[call-overload]


async def test_three_processes_behind_haproxy_serve_one_network(
    pg: AsyncEngine, postgres_url: str, tmp_path: Path
) -> None:
    async with FakeTelegram() as fake:
        users = [fake.user(5_000 + i, f"Member{i}") for i in range(MEMBERS)]
        for user in users:
            fake.open_private_chat(user["id"])
        fake.enforce_limits(4)
        cluster = Cluster(
            size=3,
            database_url=postgres_url,
            api_base_url=fake.base_url,
            token=fake.token,
            workdir=tmp_path,
            env={"RELAIS_DELIVERY__SPEEDUP": "4"},
        )
        async with cluster:
            await _one_leads(cluster)
            members = Members(fake, cluster)
            await _flows_survive_a_kill(pg, fake, cluster, members, users)
            await _two_updates_at_once_take_turns(pg, fake, cluster, members, users)
            await _the_broadcast_is_shared_and_taken_over(pg, fake, cluster)


async def _one_leads(cluster: Cluster) -> None:
    assert len(cluster.leaders()) == 1
    assert sum(w.lines("another process runs the scheduler") for w in cluster.workers) == 2


async def _flows_survive_a_kill(
    pg: AsyncEngine, fake: FakeTelegram, cluster: Cluster, members: Members, users: list[JSON]
) -> None:
    """Nine members join and report at once; a process that does not lead is killed
    once a third of the updates were answered, then started again."""
    flows = [
        asyncio.create_task(members.join_and_report(user, f"https://news.test/{user['id']}"))
        for user in users
    ]
    victim = next(w for w in cluster.workers if w not in cluster.leaders())
    await wait_until(lambda: len(members.acknowledged) >= MEMBERS * 3, 60, "a third of the flows")
    await victim.kill()
    await asyncio.gather(*flows)
    # Everything answered 200 was committed, whichever process answered it.
    async with pg.connect() as connection:
        handled = set(await connection.scalars(select(ProcessedUpdate.update_id)))
    assert set(members.acknowledged) <= handled
    # Each member who got every answer reported once; nobody twice; no answer twice.
    async with pg.connect() as connection:
        reports = Counter(await connection.scalars(select(Report.url)))
    assert all(n == 1 for n in reports.values())
    for user in users:
        said = fake.delivered().get(user["id"], [])
        assert sum(RECORDED in line for line in said) <= 1
        if user["id"] not in members.cut_short:
            assert f"https://news.test/{user['id']}" in reports
            assert sum(RECORDED in line for line in said) == 1
    # At most the updates the killed process had in hand lost their answer.
    assert len(members.cut_short) <= 3
    await victim.start()
    await cluster.ready([victim])


async def _two_updates_at_once_take_turns(
    pg: AsyncEngine, fake: FakeTelegram, cluster: Cluster, members: Members, users: list[JSON]
) -> None:
    """Two links sent at once by one member, straight to two processes: the first
    records the mention, the second finds the flow over (without the per-member lock
    both would read the flow at its last step and record two mentions)."""
    ready = [u for u in users if u["id"] not in members.cut_short][:4]
    for user in ready:
        assert await members.say(user, "/report")
        assert await members.tap(user, "Mention")
        assert await members.tap(user, "Press")
    before = await _count(pg, select(func.count()).select_from(Report))
    first, second = cluster.workers[0].port, cluster.workers[1].port
    posts = []
    for user in ready:
        one = fake.text(user, f"https://twice.test/{user['id']}/a")
        two = copy.deepcopy(fake.text(user, f"https://twice.test/{user['id']}/b"))
        posts += [cluster.post(one, port=first), cluster.post(two, port=second)]
    await asyncio.gather(*posts)
    after = await _count(pg, select(func.count()).select_from(Report))
    assert after - before == len(ready)
    for user in ready:
        said = fake.delivered()[user["id"]]
        assert sum(RECORDED in line for line in said) == 2  # one for each /report


async def _the_broadcast_is_shared_and_taken_over(
    pg: AsyncEngine, fake: FakeTelegram, cluster: Cluster
) -> None:
    """A broadcast to 240 private chats: the three senders split it by chat; one of them
    is killed mid-way and its chats are taken over once its lease lapsed. Every chat
    gets the message once, or (the few in flight in the dead process) is ``unknown``."""
    chats = [9_000 + i for i in range(BROADCAST)]
    for chat in chats:
        fake.user(chat, f"Reader{chat}")
        fake.open_private_chat(chat)
    await _all_leases_know_each_other(pg, cluster.workers)
    now = datetime.now(UTC)
    planned = [
        queue.Planned(
            key=f"cluster-test:{chat}",
            address=Address("telegram", str(chat)),
            message=Message(text="The campaign starts today."),
            private=True,
        )
        for chat in chats
    ]
    async with session_factory(pg).begin() as session:
        await queue.enqueue(session, now, "cluster-test", planned)
    delivered = fake.delivered

    def sent() -> int:
        return sum(1 for chat in chats if delivered().get(chat))

    await wait_until(lambda: sent() >= BROADCAST // 4, 60, "a quarter of the broadcast")
    victim = next(w for w in cluster.workers if w not in cluster.leaders())
    await victim.kill()

    async def settled() -> bool:
        pending = await _count(
            pg,
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])),
        )
        return pending == 0

    deadline = asyncio.get_running_loop().time() + 90
    while not await settled():
        assert asyncio.get_running_loop().time() < deadline, "the broadcast never settled"
        await asyncio.sleep(0.1)
    async with pg.connect() as connection:
        rows = list(
            await connection.execute(
                select(Delivery.chat_id, Delivery.status, Delivery.claimed_by).where(
                    Delivery.batch == "cluster-test"
                )
            )
        )
    statuses = Counter(status for _, status, _ in rows)
    owners = {owner for _, _, owner in rows if owner}
    assert len(owners) == 3  # all three processes took part
    assert statuses[DeliveryStatus.SENT] + statuses[DeliveryStatus.UNKNOWN] == BROADCAST
    # At most the dead sender's in flight: Telegram's 30/s × 4 × a round trip, at least 8.
    assert statuses[DeliveryStatus.UNKNOWN] <= max(8, math.ceil(30 * 4 * IN_FLIGHT))
    for chat in chats:
        assert len(delivered().get(chat, [])) <= 1  # never twice
    for chat, status, _ in rows:
        if status is DeliveryStatus.SENT:
            assert len(delivered()[int(chat)]) == 1
    # The leader was never the one killed; now kill it: another process takes over.
    [leader] = cluster.leaders()
    await leader.kill()
    await wait_until(lambda: len(cluster.leaders()) == 1, 30, "another process to lead")


async def _all_leases_know_each_other(pg: AsyncEngine, workers: list[Worker]) -> None:
    """Until every live sender renewed its lease after the newest one started: from then
    on each knows its share (a renewal reads the live senders)."""

    async def known() -> bool:
        async with pg.connect() as connection:
            rows = list(
                await connection.execute(
                    select(DeliverySender.started_at, DeliverySender.expires_at)
                )
            )
        now = datetime.now(UTC)
        live = [(started, expires) for started, expires in rows if expires > now]
        if len(live) != len(workers):
            return False
        newest = max(started for started, _ in live)
        return all(expires - LEASE >= newest for _, expires in live)

    deadline = asyncio.get_running_loop().time() + 30
    while not await known():
        assert asyncio.get_running_loop().time() < deadline, "the senders never met"
        await asyncio.sleep(0.1)
