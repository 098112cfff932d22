"""Events through python-telegram-bot and the fake Bot API: written in private, posted in
the category's group, answered there (the group's card edited in place, within the edit
limit), checked in by the deep link ``start=ci-<code>`` — the same update delivered twice
counts once and earns once — and a forged answer for another category refused."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.port import Address
from bot.delivery import channels
from bot.models import Attendance, EventOccurrence, PointsEntry, Rsvp
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

GROUP_ID = -4001


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(engine, database_url, clock, fake, coordinators=["telegram:1002"])
    await network.platform.initialize()
    yield network
    await network.platform.stop()


async def test_an_event_in_a_telegram_group_from_card_to_check_in(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    carol = fake.user(1002, "Carol")
    alice = fake.user(1001, "Alice")
    cleo = fake.user(1003, "Cleo")
    dave = fake.user(1004, "Dave")
    group = fake.group(GROUP_ID, "Lyon business")
    async with tg.sessions.begin() as session:
        await channels.bind(
            session, Address("telegram", str(GROUP_ID)), "category:business", by=None,
            now=tg.clock.now(),
        )  # fmt: skip
    for person in (carol, alice, cleo):
        await tg.join(person)
    await tg.join(dave, category="Sport")

    await tg.say(carol, "/event")
    await tg.tap(carol, "Business")
    for text in ("Afterwork", "Un verre.", "A drink.", "Café du Port", "10/03/2026 18:30"):
        await tg.say(carol, text)
    await tg.say(carol, "20:30")
    await tg.say(carol, "1")
    for label in ("Skip", "Once only", "Skip", "Channels only", "Confirm"):
        await tg.tap(carol, label)
    await tg.app.sender.drain()
    card = fake.last_message(group, with_buttons=True)
    assert card["text"].startswith("📅 Afterwork\n\nUn verre.")
    assert [b["text"] for b in card["reply_markup"]["inline_keyboard"][0]] == [
        "J'y serai", "Peut-être", "Je ne peux pas",
    ]  # fmt: skip

    # Answers in the group: acknowledged privately; the card edited once, then held.
    await tg.tap(alice, "J'y serai", chat=group)
    assert fake.texts(alice)[-1].startswith("You are going to “Afterwork”")
    edits = [c for c in fake.calls_to("editMessageText") if c.chat_id == GROUP_ID]
    assert len(edits) == 1 and "Présents\u00a0: 1" in edits[0].text
    await tg.tap(cleo, "J'y serai", chat=group)
    assert "waiting list" in fake.texts(cleo)[-1]
    assert len([c for c in fake.calls_to("editMessageText") if c.chat_id == GROUP_ID]) == 1
    # A forged answer from another category's member records nothing.
    async with tg.sessions() as session:
        occurrence = await session.scalar(select(EventOccurrence))
    assert occurrence is not None
    await tg.deliver(fake.forged_press(dave, card, f"ev:{occurrence.id}:going"))
    assert fake.texts(dave)[-1] == (
        "This event is for other categories: your answer was not recorded."
    )
    assert await tg.count(Rsvp) == 2
    assert fake.unanswered_callbacks == set()

    # The organizer's check-in screen gives the deep link; Alice opens it at the meeting.
    await tg.say(carol, "/events")
    await tg.tap(carol, f"Check-in #{occurrence.id}")
    link = f"https://t.me/relais_test_bot?start=ci-{occurrence.checkin_code}"
    screen = fake.calls_to("sendPhoto")[-1]
    assert screen.chat_id == carol["id"] and link in screen.text
    scanned = zxingcpp.read_barcodes(Image.open(io.BytesIO(screen.params["photo"])))
    assert [result.text for result in scanned] == [link]  # as a phone's camera reads it
    tg.clock.advance(timedelta(days=6, hours=8, minutes=15))  # Tuesday 18:15
    opened = fake.text(alice, f"/start ci-{occurrence.checkin_code}")
    await tg.deliver(opened)
    await tg.deliver(opened)  # Telegram delivers the same update again
    await tg.say(alice, f"/checkin {occurrence.checkin_code}")
    assert fake.texts(alice)[-2:] == [
        "You are checked in at “Afterwork”. Welcome!\n+10 points",
        "You were already checked in at “Afterwork”.",
    ]
    assert await tg.count(Attendance) == 1
    async with tg.sessions() as session:
        points = list(
            await session.scalars(select(PointsEntry.points).where(PointsEntry.reason == "event"))
        )
        how = await session.scalar(select(Attendance.how))
    assert points == [10] and how == "link"
    # Dave's code is right, his category is not.
    await tg.say(dave, f"/checkin {occurrence.checkin_code}")
    assert fake.texts(dave)[-1] == "This event is for other categories: you cannot check in."


async def test_without_a_channel_the_event_waits_for_one(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    carol = fake.user(1002, "Carol")
    group = fake.group(GROUP_ID, "Lyon business")
    await tg.join(carol)
    await tg.say(carol, "/event")
    await tg.tap(carol, "Business")
    for text in ("Afterwork", "Un verre.", "A drink.", "Café du Port", "10/03/2026 18:30"):
        await tg.say(carol, text)
    await tg.say(carol, "20:30")
    for label in ("Skip", "Skip", "Once only", "Skip", "Channels only", "Confirm"):
        await tg.tap(carol, label)
    assert fake.texts(carol)[-2].startswith("No channel is bound for Business yet")
    assert await tg.count(EventOccurrence) == 0
    async with tg.sessions.begin() as session:
        await channels.bind(
            session, Address("telegram", str(GROUP_ID)), "category:business", by=None,
            now=tg.clock.now(),
        )  # fmt: skip
    await tg.tap(carol, "Confirm")
    await tg.app.sender.drain()
    assert fake.last_message(group, with_buttons=True)["text"].startswith("📅 Afterwork")
    assert await tg.count(EventOccurrence) == 1
