"""The card through python-telegram-bot and the fake Bot API: a coordinator adds a partner
and a benefit in private, a member's /carte arrives as a photo whose QR code opens the
card's page, and a partner who is not a member checks it with /verify."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cards import image
from bot.core.clock import FrozenClock
from bot.models import MemberCard
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork


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


async def test_card_photo_and_verify_on_telegram(tg: TelegramNetwork, fake: FakeTelegram) -> None:
    carol = fake.user(1002, "Carol")
    alice = fake.user(1001, "Alice Martin")
    paula = fake.user(1003, "Paula")  # the museum's cashier, not a member
    await tg.join(carol)
    await tg.join(alice)
    await tg.say(carol, "/partneradd")
    await tg.say(carol, "Musée des Confluences")
    await tg.say(carol, "Museum")
    await tg.tap(carol, "Skip")
    await tg.tap(carol, "Skip")
    await tg.tap(carol, "Confirm")
    assert fake.texts(carol)[-1].startswith("Partner added: Musée des Confluences.")
    await tg.say(carol, "/benefitadd")
    await tg.tap(carol, "Musée des Confluences")
    await tg.say(carol, "Free entry")
    await tg.tap(carol, "Skip")
    await tg.tap(carol, "Ambassador")
    await tg.tap(carol, "Skip")
    await tg.tap(carol, "Confirm")
    assert fake.texts(carol)[-1].startswith("Benefit added at Musée des Confluences.")

    await tg.say(alice, "/carte")  # the French alias
    photo = fake.calls_to("sendPhoto")[-1]
    assert photo.chat_id == alice["id"]
    assert "Your member card, valid until" in photo.text
    png = Image.open(io.BytesIO(photo.params["photo"]))
    assert png.size == (image.WIDTH, image.HEIGHT)
    [scanned] = zxingcpp.read_barcodes(png)
    assert scanned.text.startswith("https://relais.test/v/")
    async with tg.sessions() as session:
        card = await session.scalar(select(MemberCard))
        assert card is not None
    assert scanned.text.removeprefix("https://relais.test/v/").startswith(f"{card.id}.")

    await tg.say(paula, f"/verify {card.code}")
    answer = fake.texts(paula)[-1]
    assert "Alice," in answer and "Martin" not in answer  # the first name only
    assert "Musée des Confluences" in answer
    await tg.say(alice, "/benefits")
    assert "Free entry ✓" in fake.texts(alice)[-1]
    assert fake.unanswered_callbacks == set()
