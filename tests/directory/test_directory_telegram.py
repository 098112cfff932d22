"""The directory through python-telegram-bot and the fake Bot API: a profile written in
the private flow and published; ``/annuaire`` finds it (accents aside), never a member who
did not publish; an introduction relayed, accepted once however often Accept is pressed,
and both contacts given: the @username of who has one, a ``tg://user`` link otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import Introduction
from tests.support.fake_telegram import JSON, FakeTelegram
from tests.support.telegram_network import TelegramNetwork


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(engine, database_url, clock, fake, coordinators=["telegram:1002"])
    await network.platform.initialize()
    yield network
    await network.platform.stop()


async def write_profile(tg: TelegramNetwork, user: JSON, *, publish: bool) -> None:
    await tg.say(user, "/profile")
    await tg.tap(user, "Create my profile")
    for answer in ("Brasserie Élan", "Chef", "Genève"):
        await tg.say(user, answer)
    for _ in range(3):  # languages, presentation, offers
        await tg.tap(user, "Skip")
    await tg.say(user, "Partners abroad")
    await tg.tap(user, "#export")
    await tg.tap(user, "Done")
    await tg.tap(user, "Yes")  # introductions accepted
    if publish:
        await tg.tap(user, "Publish in the directory")


async def test_search_and_introduction_on_telegram(tg: TelegramNetwork, fake: FakeTelegram) -> None:
    alice = fake.user(1001, "Alice", username="alice_lyon")
    bob = fake.user(1003, "Bob")
    dora = fake.user(1004, "Dora")
    for user in (alice, bob, dora):
        await tg.join(user)
    await write_profile(tg, alice, publish=True)
    await write_profile(tg, dora, publish=False)
    assert "Your profile is in the directory" in fake.texts(alice)[-1]

    await tg.say(bob, "/annuaire GENEVE")
    found = fake.texts(bob)[-1]
    assert found.startswith("1 member found.") and "Alice" in found and "Dora" not in found
    assert "#export" in found and "t.me" not in found and "1001" not in found
    await tg.tap(bob, "Ask for an introduction: Alice")
    await tg.say(bob, "Hello from Bob, I export to Japan")
    await tg.app.sender.drain()
    assert fake.texts(bob)[-1].startswith("Sent to Alice.")
    request = fake.last_message(alice, with_buttons=True)
    assert "Bob would like to be introduced to you:" in request["text"]
    assert "“Hello from Bob, I export to Japan”" in request["text"]

    first, second = fake.press(alice, request, "Accept"), fake.press(alice, request, "Accept")
    await tg.deliver(first)
    await tg.deliver(first)  # the same update again: handled once
    await tg.deliver(second)  # a double click
    await tg.app.sender.drain()
    to_bob = [t for t in fake.texts(bob) if "accepted your introduction" in t]
    assert to_bob == [
        "Alice accepted your introduction request. How to reach them:\n"
        "Telegram: https://t.me/alice_lyon"
    ]
    assert "Here is how to reach Bob:\nTelegram: tg://user?id=1003" in fake.texts(alice)
    assert "You already answered this request." in fake.texts(alice)[-1]
    assert await tg.count(Introduction) == 1
