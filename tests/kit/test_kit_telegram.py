"""The kit through python-telegram-bot and the fake Bot API: a coordinator adds an item
in private, a member finds it with /kit, opens it and shares it; the same button press
delivered twice by Telegram counts one share and one mention."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import KitShare, PointsEntry, Report
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(
        engine, database_url, clock, fake, coordinators=["telegram:1002"],
        web__public_url="https://relais.test",
    )  # fmt: skip
    await network.platform.initialize()
    yield network
    await network.platform.stop()


async def test_add_open_and_share_once_on_telegram(tg: TelegramNetwork, fake: FakeTelegram) -> None:
    carol = fake.user(1002, "Carol")
    alice = fake.user(1001, "Alice")
    await tg.join(carol)
    await tg.join(alice)
    await tg.say(carol, "/kitadd")
    await tg.tap(carol, "Key figure")
    await tg.say(carol, "Lyon: 1.4 million inhabitants")
    await tg.say(carol, "The metropolis counts 1.4 million inhabitants.")
    await tg.say(carol, "https://data.test/lyon")
    await tg.say(carol, "figures")
    await tg.tap(carol, "Everyone")
    assert "Preview" in fake.texts(carol)[-3]
    await tg.tap(carol, "Confirm")
    assert fake.texts(carol)[-1].startswith("Added to the kit")

    await tg.say(alice, "/kit")
    assert fake.texts(alice)[-1].startswith("The kit: 1 items.")
    await tg.tap(alice, "Lyon: 1.4 million inhabitants")
    item = fake.last_message(alice, with_buttons=True)
    assert "The metropolis counts 1.4 million inhabitants." in item["text"]
    [copy] = [b for row in item["reply_markup"]["inline_keyboard"] for b in row if "copy_text" in b]
    assert copy == {
        "text": "Copy the text",
        "copy_text": {"text": "The metropolis counts 1.4 million inhabitants."},
    }  # Telegram copies it on the phone, without a message
    share = fake.press(alice, item, "Share")
    await tg.deliver(share)
    await tg.deliver(share)  # Telegram delivers the same update again
    async with tg.sessions() as session:
        shares = list(await session.scalars(select(KitShare)))
        reports = list(await session.scalars(select(Report)))
        points = list(await session.scalars(select(PointsEntry.points)))
    assert len(shares) == 1 and len(reports) == 1 and points == [2]
    texts = fake.texts(alice)
    assert f"https://relais.test/r/{shares[0].code}" in "\n".join(texts)
    assert sum("+2 points" in text for text in texts) == 1
    await tg.tap(alice, "Share")  # pressed again later: the same link, nothing counted
    assert await tg.count(KitShare) == 1 and await tg.count(Report) == 1
    assert fake.unanswered_callbacks == set()
