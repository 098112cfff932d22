"""The Discord adapter as a NativeEvents port: scheduled events created, edited and
cancelled through discord.py against the loopback fake (which checks Discord's rules:
an external event needs a location and an end; a voice one a voice channel), and
"Interested" clicks reported as neutral events even for people discord.py never cached.
Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.conversation.context import Context
from bot.core.port import Event, NativeEvents, NativeEventSpec, PermissionMissing, Rejected
from tests.support.discord_fake import GUILD_ID, FakeDiscord, Person
from tests.support.discord_network import ALICE, Connected
from tests.support.harness import Network, NetworkFactory

START = datetime(2031, 3, 4, 17, 30, tzinfo=UTC)
SPEC = NativeEventSpec(
    title="Afterwork des ambassadeurs",
    description="Venez nombreux.",
    place="12 rue de la République, Lyon",
    starts_at=START,
    ends_at=START + timedelta(hours=2),
)
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
async def connect(network: Network, fake: FakeDiscord) -> AsyncIterator[Connected]:
    connected = Connected(network, fake)
    yield connected
    for platform in connected.platforms:
        await platform.stop()


async def test_an_external_event_is_created_moved_to_a_voice_channel_and_cancelled(
    connect: Connected, fake: FakeDiscord
) -> None:
    lounge = fake.add_channel("Salon vocal", kind=2)
    platform = await connect.start()
    assert isinstance(platform, NativeEvents)
    assert platform.native_scope == str(GUILD_ID)
    assert platform.client.intents.guild_scheduled_events
    native_id = await platform.publish_event(SPEC)
    assert native_id is not None
    (event,) = fake.scheduled()
    assert event["id"] == native_id
    assert event["entity_type"] == 3 and event["privacy_level"] == 2
    assert event["entity_metadata"] == {"location": SPEC.place}
    assert datetime.fromisoformat(event["scheduled_start_time"]) == START
    assert datetime.fromisoformat(event["scheduled_end_time"]) == START + timedelta(hours=2)
    assert event["name"] == SPEC.title and event["description"] == SPEC.description
    (create,) = fake.requests("POST", r"/scheduled-events$")
    assert create.reason is not None and "Relais" in create.reason

    later = NativeEventSpec(
        title="Afterwork (en ligne)",
        description="Dans le salon vocal.",
        place="#salon VOCAL",
        starts_at=START + timedelta(days=1),
        ends_at=START + timedelta(days=1, hours=1),
    )
    assert await platform.update_event(native_id, later) is True
    event = fake.scheduled_events[int(native_id)]
    assert event["entity_type"] == 2 and event["channel_id"] == lounge["id"]
    assert event["entity_metadata"] is None
    assert event["name"] == "Afterwork (en ligne)"
    assert datetime.fromisoformat(event["scheduled_start_time"]) == START + timedelta(days=1)

    back = NativeEventSpec(
        later.title, later.description, "https://meet.example/x", START, START + timedelta(hours=1)
    )
    assert await platform.update_event(native_id, back) is True
    event = fake.scheduled_events[int(native_id)]
    assert event["entity_type"] == 3 and event["channel_id"] is None
    assert event["entity_metadata"] == {"location": "https://meet.example/x"}

    await platform.cancel_event(native_id)
    assert fake.scheduled_events[int(native_id)]["status"] == 4
    # Cancelling again, or editing a cancelled event, asks nothing more of Discord.
    patches = len(fake.requests("PATCH", r"/scheduled-events/"))
    await platform.cancel_event(native_id)
    assert await platform.update_event(native_id, SPEC) is False
    assert len(fake.requests("PATCH", r"/scheduled-events/")) == patches


async def test_an_event_deleted_by_hand_is_gone(connect: Connected, fake: FakeDiscord) -> None:
    platform = await connect.start()
    native_id = await platform.publish_event(SPEC)
    assert native_id is not None
    fake.scheduled_events.clear()  # a moderator deleted it
    assert await platform.update_event(native_id, SPEC) is False
    await platform.cancel_event(native_id)  # nothing to cancel: no error


async def test_without_manage_events_the_refusal_is_in_the_ports_terms(
    connect: Connected, fake: FakeDiscord
) -> None:
    platform = await connect.start()
    fake.fail(r"/scheduled-events", 403, 50013, times=5)
    with pytest.raises(PermissionMissing, match="Manage Events"):
        await platform.publish_event(SPEC)
    assert fake.scheduled() == []
    fake._failures.clear()
    fake.fail(r"/scheduled-events", 400, 50035)  # anything else Discord refuses
    with pytest.raises(Rejected) as refused:
        await platform.publish_event(SPEC)
    assert not isinstance(refused.value, PermissionMissing)


async def test_long_names_and_places_are_cut_to_discords_limits(
    connect: Connected, fake: FakeDiscord
) -> None:
    platform = await connect.start()
    spec = NativeEventSpec("T" * 120, "D" * 1500, "P" * 300, START, START + timedelta(hours=1))
    assert await platform.publish_event(spec) is not None
    (event,) = fake.scheduled()
    assert len(event["name"]) == 100 and len(event["description"]) == 1000
    assert len(event["entity_metadata"]["location"]) == 100


async def test_interest_arrives_as_a_neutral_event_for_uncached_people(
    connect: Connected, fake: FakeDiscord
) -> None:
    platform = await connect.start()
    seen: list[Event] = []

    async def record(ctx: Context) -> None:
        seen.append(ctx.event)

    connect.network.app.routes.on_interest = record
    native_id = await platform.publish_event(SPEC)
    assert native_id is not None
    await fake.interested(platform, ZED, int(native_id))
    await fake.interested(platform, ALICE, int(native_id))
    await fake.interested(platform, ZED, int(native_id), added=False)
    assert [(e.user_id, e.interest) for e in seen] == [
        (str(ZED.id), (native_id, True)),
        (str(ALICE.id), (native_id, True)),
        (str(ZED.id), (native_id, False)),
    ]
    assert all(e.is_private and not e.in_private_chat and e.platform == "discord" for e in seen)


async def test_without_a_server_or_with_the_toggle_off_nothing_is_asked(
    network_factory: NetworkFactory, fake: FakeDiscord
) -> None:
    network = network_factory(
        discord__guild_id=str(GUILD_ID),
        discord__scheduled_events="false",
        discord_token="fake-token",
    )
    connected = Connected(network, fake)
    platform = await connected.start()
    try:
        assert platform.native_scope is None
        assert not platform.client.intents.guild_scheduled_events
        assert await platform.publish_event(SPEC) is None
        assert fake.scheduled() == []
    finally:
        await platform.stop()
