"""Event cards pinned while upcoming: ``Outgoing.pin`` through python-telegram-bot and the
fake Bot API. Pinning is a courtesy: where the bot is not an admin, the card is delivered
all the same and the refusal is only logged. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.port import Address, Button, Message, Outgoing
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

GROUP_ID = -1004321


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        server.group(GROUP_ID, "Business")
        yield server


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(engine, database_url, clock, fake)
    await network.platform.initialize()
    yield network
    await network.platform.stop()


CARD = Message.with_rows("Afterwork, Tuesday 18:30", [[Button("Going", "ev:1:going")]])


async def test_a_card_is_pinned_silently_then_unpinned_when_over(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    fake.allow_pins(GROUP_ID)
    group = Address("telegram", str(GROUP_ID))
    message_id = await tg.platform.send(Outgoing(group, CARD, pin=True))
    assert message_id is not None
    assert fake.pinned[GROUP_ID] == [int(message_id)]
    (pin,) = fake.calls_to("pinChatMessage")
    assert pin.params["disable_notification"] is True
    over = Message(text="Afterwork (over)")
    edited = await tg.platform.send(Outgoing(group, over, edit_message_id=message_id, pin=False))
    assert edited == message_id
    assert fake.pinned[GROUP_ID] == []
    assert fake.message(GROUP_ID, int(message_id))["text"] == "Afterwork (over)"
    # Without a pin flag, nothing is asked of the pins.
    await tg.platform.send(Outgoing(group, Message(text="Another")))
    assert len(fake.calls_to("pinChatMessage")) == 1
    assert len(fake.calls_to("unpinChatMessage")) == 1


async def test_a_refused_pin_still_delivers_the_card(
    tg: TelegramNetwork, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    group = Address("telegram", str(GROUP_ID))
    with caplog.at_level(logging.INFO, logger="bot.platforms.telegram.send"):
        message_id = await tg.platform.send(Outgoing(group, CARD, pin=True))
    assert message_id is not None
    assert fake.texts(GROUP_ID) == ["Afterwork, Tuesday 18:30"]
    assert GROUP_ID not in fake.pinned
    assert "may not pin" in caplog.text
    # Unpinning where the bot may not is no error either.
    edited = await tg.platform.send(
        Outgoing(group, Message(text="Cancelled"), edit_message_id=message_id, pin=False)
    )
    assert edited == message_id


async def test_a_pin_that_cannot_reach_telegram_does_not_resend_the_card(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    fake.allow_pins(GROUP_ID)
    fake.fail("pinChatMessage", "502", times=10)
    group = Address("telegram", str(GROUP_ID))
    message_id = await tg.platform.send(Outgoing(group, CARD, pin=True))
    assert message_id is not None
    assert fake.texts(GROUP_ID) == ["Afterwork, Tuesday 18:30"]
    assert len(fake.calls_to("sendMessage")) == 1


def test_unpinning_names_its_message() -> None:
    with pytest.raises(ValueError, match="edit_message_id"):
        Outgoing(Address("telegram", "1"), Message(text="x"), pin=False)
