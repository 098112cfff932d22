"""Events mirrored in a Discord server's Events tab, end to end: the events domain, the
``event_natives`` job and discord.py against the loopback fake of Discord. An event
published becomes a scheduled event per upcoming occurrence, an edit is mirrored once, a
cancellation cancels it; "Interested" counts as Maybe for a linked member and not for a
stranger; a missing Manage Events permission never stops anything else and is shown in
/stats. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.animation.events import drafts, native, native_sync
from bot.conversation.context import Context
from bot.core.bilingual import Bilingual
from bot.models import (
    Event,
    EventOccurrence,
    Identity,
    Member,
    NativeEvent,
    PlatformState,
    Rsvp,
    RsvpAnswer,
)
from bot.platforms.discord.adapter import DiscordPlatform
from jobs import event_natives
from tests.support.discord_fake import GUILD_ID, FakeDiscord, Person
from tests.support.discord_network import ALICE, Connected, join
from tests.support.harness import Network, NetworkFactory

ZED = Person(500000000000000042, "Zed")


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    return network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def platform(network: Network, fake: FakeDiscord) -> AsyncIterator[DiscordPlatform]:
    connected = Connected(network, fake)
    platform = await connected.start()
    _interest_route(network)
    yield platform
    await platform.stop()


def _interest_route(network: Network) -> None:
    """The events router's interest handler; the same few lines stand in for it where the
    handlers are not merged in."""
    if network.app.routes.on_interest is not None:
        return

    async def interested(ctx: Context) -> None:
        assert ctx.event.interest is not None
        native_id, added = ctx.event.interest
        await native.interest(
            ctx.session,
            ctx.settings,
            platform=ctx.event.platform,
            native_id=native_id,
            member=ctx.member,
            added=added,
            now=ctx.clock.now(),
        )

    network.app.routes.on_interest = interested


async def publish(network: Network, **changes: object) -> int:
    start = network.clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    draft = drafts.Draft(
        title="Petit-déjeuner business",
        text=Bilingual(fr="Café et croissants.", en="Coffee and croissants."),
        place="Salle des fêtes, Roanne",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        categories=("business",),
    )
    for key, value in changes.items():
        setattr(draft, key, value)
    async with network.sessions.begin() as session:
        event = await drafts.create(session, network.settings, draft, None, network.clock.now())
        return event.id


async def edit(network: Network, event_id: int, **changes: object) -> None:
    async with network.sessions.begin() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        await drafts.update(session, network.settings, event, changes, None, network.clock.now())


async def cancel(network: Network, event_id: int) -> None:
    async with network.sessions.begin() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        await drafts.cancel(session, network.settings, event, None, network.clock.now())


async def answer_of(network: Network, person: Person) -> RsvpAnswer | None:
    async with network.sessions() as session:
        found = await session.scalar(
            select(Rsvp.answer)
            .join(Identity, Identity.member_id == Rsvp.member_id)
            .where(Identity.platform == "discord", Identity.user_id == str(person.id))
        )
    return RsvpAnswer(found) if found is not None else None


async def mirrored(network: Network) -> list[NativeEvent]:
    async with network.sessions() as session:
        return list(await session.scalars(select(NativeEvent).order_by(NativeEvent.id)))


async def test_an_event_is_mirrored_edited_once_and_cancelled(
    network: Network, fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    event_id = await publish(network)
    await event_natives.run(network.app)
    (scheduled,) = fake.scheduled()
    assert scheduled["name"] == "Petit-déjeuner business"
    assert scheduled["entity_type"] == 3 and scheduled["privacy_level"] == 2
    assert scheduled["entity_metadata"] == {"location": "Salle des fêtes, Roanne"}
    # The network speaks French: the description is the French text, with the rule.
    assert scheduled["description"].startswith("Café et croissants.\n\n")
    rule = "«\u00a0Intéressé\u00a0» compte comme «\u00a0Peut-être\u00a0»"
    assert rule in scheduled["description"]
    async with network.sessions() as session:
        occurrence = await session.scalar(
            select(EventOccurrence).where(EventOccurrence.event_id == event_id)
        )
    assert occurrence is not None
    assert datetime.fromisoformat(scheduled["scheduled_start_time"]) == occurrence.starts_at
    (row,) = await mirrored(network)
    assert (row.occurrence_id, row.native_id, row.scope) == (
        occurrence.id,
        scheduled["id"],
        str(GUILD_ID),
    )

    # Nothing changed: nothing is asked of Discord, however often the job runs.
    calls = len(fake.calls)
    await event_natives.run(network.app)
    await event_natives.run(network.app)
    assert len(fake.calls) == calls

    await edit(network, event_id, title="Petit-déjeuner des ambassadeurs", place="#Salon")
    fake.add_channel("salon", kind=2)
    fake.guild_create(platform)  # the server announces its new voice channel
    await event_natives.run(network.app)
    await event_natives.run(network.app)
    assert len(fake.requests("PATCH", r"/scheduled-events/")) == 1
    scheduled = fake.scheduled_events[int(scheduled["id"])]
    assert scheduled["name"] == "Petit-déjeuner des ambassadeurs"
    assert scheduled["entity_type"] == 2  # the place names a voice channel

    await cancel(network, event_id)
    await event_natives.run(network.app)
    await event_natives.run(network.app)
    assert fake.scheduled_events[int(scheduled["id"])]["status"] == 4
    assert len(fake.requests("PATCH", r"/scheduled-events/")) == 2


async def test_each_upcoming_occurrence_of_a_repeating_event_is_mirrored(
    network: Network, fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    await publish(network, repeat="weeks:3")
    await event_natives.run(network.app)
    async with network.sessions() as session:
        starts = list(
            await session.scalars(
                select(EventOccurrence.starts_at).order_by(EventOccurrence.number)
            )
        )
    assert len(starts) == network.settings.events.occurrences_ahead > 1
    shown = [datetime.fromisoformat(e["scheduled_start_time"]) for e in fake.scheduled()]
    assert shown == starts
    assert len(await mirrored(network)) == len(starts)


async def test_interested_is_maybe_for_a_linked_member_and_nothing_for_a_stranger(
    network: Network, fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    await join(fake, platform, ALICE)
    await publish(network)
    await event_natives.run(network.app)
    (scheduled,) = fake.scheduled()
    native_id = int(scheduled["id"])

    await fake.interested(platform, ALICE, native_id)
    assert await answer_of(network, ALICE) is RsvpAnswer.MAYBE
    await fake.interested(platform, ZED, native_id)  # no member behind this account
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Rsvp)) == 1
    # Taking the interest back withdraws the Maybe it gave.
    await fake.interested(platform, ALICE, native_id, added=False)
    assert await answer_of(network, ALICE) is None

    # A firmer answer given with the buttons is never touched by the Events tab.
    async with network.sessions.begin() as session:
        from bot.animation.events import rsvp

        member = await session.scalar(
            select(Member)
            .join(Identity, Identity.member_id == Member.id)
            .where(Identity.user_id == str(ALICE.id))
        )
        occurrence = await session.scalar(select(EventOccurrence))
        assert member is not None and occurrence is not None
        await rsvp.answer(session, occurrence, member, RsvpAnswer.GOING, network.clock.now())
    await fake.interested(platform, ALICE, native_id)
    await fake.interested(platform, ALICE, native_id, added=False)
    assert await answer_of(network, ALICE) is RsvpAnswer.GOING


async def test_interest_in_an_event_for_another_category_counts_nothing(
    network: Network, fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    await join(fake, platform, ALICE)  # Business
    await publish(network, categories=("tourism",))
    await event_natives.run(network.app)
    (scheduled,) = fake.scheduled()
    await fake.interested(platform, ALICE, int(scheduled["id"]))
    assert await answer_of(network, ALICE) is None


async def test_without_manage_events_events_go_on_and_stats_say_why(
    network: Network,
    fake: FakeDiscord,
    platform: DiscordPlatform,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.fail(r"/scheduled-events", 403, 50013, times=1000)
    await publish(network)
    with caplog.at_level(logging.WARNING):
        await event_natives.run(network.app)
        await event_natives.run(network.app)  # left alone for a while: no second try
    assert fake.scheduled() == []
    assert len(fake.requests("POST", r"/scheduled-events")) == 1
    warnings = [r for r in caplog.records if "events are not mirrored" in r.getMessage()]
    assert len(warnings) == 1 and "Manage Events" in warnings[0].getMessage()
    async with network.sessions() as session:
        assert await native_sync.last_problem(session, "discord") == "permission"
    await network.join("carol")  # a coordinator, by the configuration
    out = await network.play("@carol /stats")
    assert "Manage Events" in out or "Gérer les événements" in out

    # The permission is granted; an hour later the event appears and the line goes.
    fake._failures.clear()
    network.clock.advance(native_sync.REFUSAL_PAUSE + timedelta(minutes=1))
    await event_natives.run(network.app)
    assert len(fake.scheduled()) == 1
    async with network.sessions() as session:
        assert await native_sync.last_problem(session, "discord") is None


async def test_what_was_sent_is_forgotten_a_day_after_the_date(
    network: Network, fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    await publish(network)
    await event_natives.run(network.app)

    async def kept() -> int:
        async with network.sessions() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(PlatformState)
                    .where(PlatformState.key.like(native.DIGEST_KEY + "%"))
                )
                or 0
            )

    assert await kept() == 1
    network.clock.advance(timedelta(days=3, hours=3))  # over, but not a day ago
    await event_natives.run(network.app)
    assert await kept() == 1
    network.clock.advance(timedelta(days=1))
    await event_natives.run(network.app)
    assert await kept() == 0
    assert len(fake.scheduled()) == 1  # Discord ends it by itself


async def test_another_refusal_is_shown_as_such(
    network: Network, fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    fake.fail(r"/scheduled-events", 400, 50035)
    await publish(network)
    await event_natives.run(network.app)
    async with network.sessions() as session:
        assert await native_sync.last_problem(session, "discord") == "refused"
    await network.join("carol")
    out = await network.play("@carol /stats")
    assert "le journal dit pourquoi" in out or "the log says why" in out
