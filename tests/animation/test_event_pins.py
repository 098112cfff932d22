"""An event's card pinned in its Telegram group while upcoming, and taken down once over
or cancelled: the events domain queues the card, the delivery queue's sender hands it to
python-telegram-bot with ``pin``, the fake Bot API records the pins, and the
``event_natives`` job unpins (once). A group where the bot is no admin gets the card all
the same. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.animation.events import drafts, pins, posting
from bot.core.bilingual import Bilingual
from bot.core.clock import FrozenClock
from bot.core.port import Address
from bot.delivery import channels
from bot.models import Event, EventNotice, EventOccurrence
from jobs import event_natives
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

GROUP_ID = -1005678


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
    async with network.sessions.begin() as session:
        address = Address("telegram", str(GROUP_ID))
        await channels.bind(
            session, address, channels.category_scope("business"), by=None, now=clock.now()
        )
    yield network
    await network.platform.stop()


async def publish(tg: TelegramNetwork) -> tuple[int, int]:
    """An event for the business category, its card queued and sent: (event, occurrence)."""
    start = tg.clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    draft = drafts.Draft(
        title="Atelier pitch",
        text=Bilingual(fr="En petit comité.", en="In a small group."),
        place="Club M, Marseille",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        categories=("business",),
    )
    async with tg.sessions.begin() as session:
        event = await drafts.create(session, tg.settings, draft, None, tg.clock.now())
        occurrence = await session.scalar(
            select(EventOccurrence).where(EventOccurrence.event_id == event.id)
        )
        assert occurrence is not None
        await posting.post(
            session,
            tg.settings,
            tg.app.translator,
            event,
            occurrence,
            platforms=["telegram"],
            now=tg.clock.now(),
        )
        ids = event.id, occurrence.id
    await tg.app.sender.drain()
    return ids


async def test_the_card_is_pinned_while_upcoming_and_unpinned_once_over(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    fake.allow_pins(GROUP_ID)
    await publish(tg)
    card = fake.last_message(GROUP_ID, with_buttons=True)
    assert "Atelier pitch" in card["text"]
    assert fake.pinned[GROUP_ID] == [card["message_id"]]
    assert fake.calls_to("pinChatMessage")[0].params["disable_notification"] is True

    await event_natives.run(tg.app)  # still upcoming: nothing is taken down
    assert fake.pinned[GROUP_ID] == [card["message_id"]]

    tg.clock.advance(timedelta(days=2, hours=3))
    await event_natives.run(tg.app)
    await event_natives.run(tg.app)
    assert fake.pinned[GROUP_ID] == []
    assert len(fake.calls_to("unpinChatMessage")) == 1


async def test_a_cancelled_event_shows_it_and_is_unpinned(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    fake.allow_pins(GROUP_ID)
    event_id, occurrence_id = await publish(tg)
    card = fake.last_message(GROUP_ID, with_buttons=True)
    async with tg.sessions.begin() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        await drafts.cancel(session, tg.settings, event, None, tg.clock.now())
    await event_natives.run(tg.app)
    assert fake.pinned[GROUP_ID] == []
    edited = fake.message(GROUP_ID, card["message_id"])
    assert "ANNULÉ" in edited["text"] or "CANCELLED" in edited["text"]
    assert "reply_markup" not in edited  # no answer buttons on a cancelled card
    async with tg.sessions() as session:
        notices = list(
            await session.scalars(
                select(EventNotice.kind).where(EventNotice.occurrence_id == occurrence_id)
            )
        )
    assert pins.UNPINNED in notices


async def test_where_the_bot_may_not_pin_the_card_is_posted_all_the_same(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    await publish(tg)
    card = fake.last_message(GROUP_ID, with_buttons=True)
    assert "Atelier pitch" in card["text"]
    assert GROUP_ID not in fake.pinned
    assert len(fake.calls_to("sendMessage")) == 1  # the refused pin sent nothing twice
    tg.clock.advance(timedelta(days=3))
    await event_natives.run(tg.app)
    await event_natives.run(tg.app)
    assert len(fake.calls_to("unpinChatMessage")) == 1  # asked once, refused, not again


async def test_with_pins_off_nothing_is_pinned(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> None:
    network = TelegramNetwork(engine, database_url, clock, fake, events__pin_cards="false")
    await network.platform.initialize()
    try:
        async with network.sessions.begin() as session:
            address = Address("telegram", str(GROUP_ID))
            scope = channels.category_scope("business")
            await channels.bind(session, address, scope, by=None, now=clock.now())
        fake.allow_pins(GROUP_ID)
        await publish(network)
        assert fake.last_message(GROUP_ID, with_buttons=True)
        assert fake.calls_to("pinChatMessage") == []
        clock.advance(timedelta(days=3))
        await event_natives.run(network.app)
        assert fake.calls_to("unpinChatMessage") == []
    finally:
        await network.platform.stop()
