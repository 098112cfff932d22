"""Paid broadcasts (``[telegram] paid_broadcast``): a campaign's private messages reach
Telegram with ``allow_paid_broadcast`` and are paced at ``paid_rate``; replies, channel
posts and everything else never carry the flag; the fake server counts flagged messages
against the paid rate and the others against the free 30 a second."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.animation import campaigns
from bot.core.bilingual import Bilingual
from bot.core.clock import FrozenClock
from bot.core.config import DeliverySettings, TelegramSettings
from bot.core.db import session_factory
from bot.core.port import Address, Message
from bot.delivery import queue
from bot.delivery.sender import Sender
from bot.models import Repeat
from bot.platforms.telegram.limits import FloodGate
from tests.support.delivery_queue import enqueue
from tests.support.fake_telegram import FakeTelegram
from tests.support.fakes import FakeTime, RecordingPlatform
from tests.support.harness import settings_for
from tests.support.telegram_network import TelegramNetwork

TEXT = "Lyon is in the top 10 of European destinations!"


@pytest.fixture(params=[True, False], ids=["paid", "free"])
async def tg(
    request: pytest.FixtureRequest, engine: AsyncEngine, database_url: str, clock: FrozenClock
) -> AsyncIterator[tuple[TelegramNetwork, FakeTelegram, bool]]:
    paid = bool(request.param)
    async with FakeTelegram() as fake:
        network = TelegramNetwork(
            engine,
            database_url,
            clock,
            fake,
            telegram__paid_broadcast="true" if paid else "false",
            telegram__paid_rate="500",
        )
        await network.platform.initialize()
        yield network, fake, paid
        await network.platform.stop()


async def _campaign(network: TelegramNetwork) -> None:
    draft = campaigns.Draft(
        categories=(),
        text=Bilingual(fr=TEXT, en=TEXT),
        call_to_action=Bilingual(fr="Partagez", en="Share it"),
        starts_at=None,
        repeat=Repeat.NONE,
        direct=True,
    )
    async with network.sessions.begin() as session:
        campaign = campaigns.save(None, draft, author_id=1, now=network.clock.now())
        session.add(campaign)
        await session.flush()
        await campaigns.run(
            session,
            network.settings,
            network.app.translator,
            campaign,
            platforms=("telegram",),
            now=network.clock.now(),
        )
    await network.app.sender.drain()


async def test_only_campaign_messages_carry_the_paid_flag(
    tg: tuple[TelegramNetwork, FakeTelegram, bool],
) -> None:
    network, fake, paid = tg
    alice, bruno = fake.user(1001, "Alice"), fake.user(1002, "Bruno")
    await network.join(alice)
    await network.join(bruno)
    before = len(fake.calls)
    await _campaign(network)
    campaign_calls = [c for c in fake.calls[before:] if c.method == "sendMessage"]
    assert sorted(c.chat_id or 0 for c in campaign_calls) == [1001, 1002]
    assert all(TEXT in c.text for c in campaign_calls)
    flags = {c.params.get("allow_paid_broadcast") for c in campaign_calls}
    assert flags == ({True} if paid else {None})
    # A reply to the campaign's button, and everything the joins sent, carry no flag.
    await network.tap(alice, "Done")
    others = [c for c in fake.calls if c not in campaign_calls and c.chat_id is not None]
    assert len(others) > 10
    assert all("allow_paid_broadcast" not in c.params for c in others)
    assert network.app.sender.workers() == (50 if paid else 8)


async def test_broadcast_rows_are_paced_at_the_paid_rate(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    """Broadcast rows take the paid pace, the others Telegram's free one; each chat keeps
    its own window either way."""
    planned = [
        queue.Planned(
            key=f"k{i}",
            address=Address("telegram", str(2000 + i)),
            message=Message(text=f"hello {i}"),
            private=True,
            broadcast=i % 2 == 0,
        )
        for i in range(10)
    ]
    await enqueue(engine, clock, planned)
    platform = RecordingPlatform()
    sender = Sender(
        sessions=session_factory(engine),
        platforms={platform.name: platform},
        clock=clock,
        settings=DeliverySettings(speedup=10_000, concurrency=4),
        broadcast_rates={"telegram": 800.0},
    )
    await sender.drain()
    assert sorted(o.broadcast for o in platform.sent) == [False] * 5 + [True] * 5
    assert sender._paces["telegram", True][1].interval == pytest.approx(1 / 8_000_000)
    assert sender._paces["telegram", False][1].interval == pytest.approx(1 / 300_000)
    assert sender.workers() == 256  # 8 million a second would need more: capped


def test_the_paid_rate_is_between_the_free_rate_and_a_thousand() -> None:
    assert TelegramSettings(paid_rate=30).paid_rate == 30
    for wrong in (29, 1001):
        with pytest.raises(ValidationError, match="paid_rate"):
            TelegramSettings(paid_rate=wrong)
    settings = settings_for("sqlite+aiosqlite:///unused.sqlite3")
    assert settings.broadcast_rates() == {}
    paid = settings_for(
        "sqlite+aiosqlite:///unused.sqlite3",
        telegram__paid_broadcast="true",
        telegram__paid_rate="700",
    )
    assert paid.broadcast_rates() == {"telegram": 700.0}


async def test_flagged_calls_do_not_wait_for_the_free_window() -> None:
    """The gate lets paid calls through up to the paid rate while the free window is
    full; a call without the flag still waits for it."""
    time = FakeTime()
    gate = FloodGate(paid_per_second=100, clock=time.clock, sleep=time.sleep)
    sent: list[float] = []

    async def call() -> bool:
        sent.append(time.now)
        return True

    async def send(chat: int, *, paid: bool) -> None:
        data: dict[str, Any] = {"chat_id": chat, "text": "hi"}
        if paid:
            data["allow_paid_broadcast"] = True
        await gate.process_request(call, (), {}, "sendMessage", data, None)

    for chat in range(30):
        await send(chat, paid=False)
    for chat in range(30, 100):
        await send(chat, paid=True)
    assert time.now == 0.0 and len(sent) == 100  # 30 free + 70 paid in the same instant
    await send(100, paid=True)  # the paid window (100 a second) is full now
    assert time.now == pytest.approx(1.0)
    await send(101, paid=False)  # the free window emptied meanwhile
    assert time.now == pytest.approx(1.0)


async def _post(session: aiohttp.ClientSession, fake: FakeTelegram, chat: int, paid: bool) -> int:
    data = {"chat_id": str(chat), "text": "hi"}
    if paid:
        data["allow_paid_broadcast"] = "true"
    async with session.post(f"{fake.base_url}{fake.token}/sendMessage", data=data) as answer:
        return answer.status


async def test_the_fake_enforces_the_free_and_the_paid_rates() -> None:
    """A hundred-second window (factor 0.01), so no wait of the machine's can empty it
    during the test: 30 messages without the flag, then 429; with it, up to the paid
    rate (50) counted over every message."""
    async with FakeTelegram() as fake, aiohttp.ClientSession() as session:
        for user in range(1, 200):
            fake.user(user, f"U{user}")
            fake.open_private_chat(user)
        fake.enforce_limits(0.01, paid=50)
        free = [await _post(session, fake, user, False) for user in range(1, 32)]
        assert free == [200] * 30 + [429]
        paid = [await _post(session, fake, user, True) for user in range(40, 61)]
        assert paid == [200] * 20 + [429]  # 30 free ones + 20 paid ones fill the 50
        assert fake.paid_accepted == 20
        assert await _post(session, fake, 40, True) == 429  # one per chat in its window
