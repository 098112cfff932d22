"""Recognition through python-telegram-bot and the fake Bot API: a coordinator awards
points by hand (``/attribuer`` works too), the member hears it; the points lift the
member to the next level, told once however often the job runs; a member's attempt is
refused by the gate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import PointsAward
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(engine, database_url, clock, fake, coordinators=["telegram:1002"])
    await network.platform.initialize()
    yield network
    await network.platform.stop()


async def test_award_by_hand_then_level_up_once(tg: TelegramNetwork, fake: FakeTelegram) -> None:
    carol = fake.user(1002, "Carol")
    alice = fake.user(1001, "Alice")
    await tg.join(carol)
    await tg.join(alice)
    alice_number = (await tg.member(alice)).id

    await tg.say(alice, f"/award #{alice_number} 50 me")
    assert await tg.count(PointsAward) == 0

    await tg.say(carol, f"/attribuer #{alice_number} 60 delegation welcomed")
    await tg.app.sender.drain()
    assert "60 points awarded to Alice." in fake.texts(carol)[-1]
    assert "Points received: 60. Reason: delegation welcomed" in fake.texts(alice)
    assert await tg.count(PointsAward) == 1

    for _ in range(3):
        tg.clock.advance(timedelta(minutes=1))
        await tg.app.on_clock_moved()
        await tg.app.sender.drain()
    level_ups = [t for t in fake.texts(alice) if t.startswith("Congratulations, you are now")]
    assert level_ups == [
        "Congratulations, you are now Committed ambassador!\n"
        "You are now invited to the partners' meetings."
    ]
