"""Discord server roles follow Relais, and newcomers to the server are greeted once.

On discord.py's own objects against the loopback fake of Discord (role requests are
recorded by the fake); every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.members import role_sync
from bot.models import Member, RoleSync
from bot.platforms.discord.adapter import DiscordPlatform
from jobs import JOBS
from jobs import roles as roles_job
from tests.support.actions import CODE
from tests.support.discord_fake import (
    GENERAL,
    GUILD_ID,
    ROLE_BUSINESS,
    ROLE_COORDINATOR,
    ROLE_MODERATOR,
    ROLE_REFERENT,
    ROLE_TOURISM,
    FakeDiscord,
    Person,
)
from tests.support.discord_network import ALICE, CAROL, ROLES, Connected, configured, join
from tests.support.harness import Network, NetworkFactory

ZOE = Person(500000000000000009, "Zoe")


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    base = network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")
    return configured(base, **ROLES)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    fake.members.update({ALICE.id: set(), CAROL.id: set()})
    yield fake
    await fake.stop()


@pytest.fixture
async def connect(network: Network, fake: FakeDiscord) -> AsyncIterator[Connected]:
    connected = Connected(network, fake)
    yield connected
    for platform in connected.platforms:
        await platform.stop()


async def member_number(network: Network, name: str) -> int:
    async with network.sessions() as session:
        number = await session.scalar(
            select(Member.id).where(func.lower(Member.display_name) == name.lower())
        )
    assert number is not None
    return number


async def waiting(network: Network) -> int:
    async with network.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(RoleSync)) or 0)


async def test_roles_follow_joining_appointments_moves_and_erasure(
    connect: Connected, fake: FakeDiscord
) -> None:
    network = connect.network
    platform = await connect.start()
    await join(fake, platform, ALICE)
    assert fake.role_changes() == [("add", ALICE.id, ROLE_BUSINESS)]
    assert fake.members[ALICE.id] == {ROLE_BUSINESS}
    put = fake.requests("PUT", rf"/members/{ALICE.id}/roles/")[0]
    assert put.reason is not None and put.reason.startswith("Relais")

    await network.join("carol")  # the console's coordinator appoints and moves people
    alice = await member_number(network, "Alice")
    fake.members[ALICE.id].add(ROLE_MODERATOR)  # a role Relais does not manage
    await network.play(f"@carol /referent #{alice} business")
    assert fake.members[ALICE.id] == {ROLE_BUSINESS, ROLE_REFERENT, ROLE_MODERATOR}
    await network.play(f"@carol /move #{alice} tourism")
    assert fake.members[ALICE.id] == {ROLE_TOURISM, ROLE_REFERENT, ROLE_MODERATOR}
    await network.play(f"@carol /referent remove #{alice} business")
    assert fake.members[ALICE.id] == {ROLE_TOURISM, ROLE_MODERATOR}
    await network.play(f"@carol /coordinator #{alice}")
    assert fake.members[ALICE.id] == {ROLE_TOURISM, ROLE_COORDINATOR, ROLE_MODERATOR}

    await fake.slash(platform, ALICE, "forget")
    await fake.press(platform, ALICE, fake.newest_with_buttons(ALICE), "Yes, erase my data")
    assert fake.members[ALICE.id] == {ROLE_MODERATOR}  # only Relais' roles went
    assert fake.role_changes()[-2:] == [
        ("remove", ALICE.id, ROLE_TOURISM),
        ("remove", ALICE.id, ROLE_COORDINATOR),
    ]
    assert not any(
        kind == "remove" and role == ROLE_MODERATOR for kind, _, role in fake.role_changes()
    )
    assert await waiting(network) == 0


async def test_applicants_get_roles_when_approved_only(
    network_factory: NetworkFactory,
    fake: FakeDiscord,
) -> None:
    base = network_factory(
        discord__guild_id=str(GUILD_ID),
        discord_token="fake-token",
        network__registration="approval",
    )
    connected = Connected(configured(base, **ROLES), fake)
    network = connected.network
    platform = await connected.start()
    try:
        await join(fake, platform, CAROL)  # a coordinator from config: active at once
        assert fake.members[CAROL.id] == {ROLE_BUSINESS, ROLE_COORDINATOR}
        await join(fake, platform, ALICE)
        assert fake.members[ALICE.id] == set()  # pending: nothing yet
        fake.members[ALICE.id].add(ROLE_REFERENT)  # given by hand by mistake
        await fake.slash(platform, CAROL, "pending")
        alice = await member_number(network, "Alice")
        listing = fake.in_channel(GENERAL)[-1]
        await fake.press(platform, CAROL, listing, f"Approve #{alice}")
        assert fake.members[ALICE.id] == {ROLE_BUSINESS}
        assert await waiting(network) == 0
    finally:
        await platform.stop()


async def test_someone_not_in_the_server_and_refusals_never_break_an_update(
    connect: Connected, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    network = connect.network
    platform = await connect.start()
    del fake.members[ALICE.id]  # uses the bot in DMs, not a member of the server
    await fake.dm(platform, ALICE, "/start")
    for label in ("English", "I agree", "Business", "Skip"):
        await fake.press(platform, ALICE, fake.newest_with_buttons(ALICE), label)
    assert "Welcome to the Business ambassadors!" in fake.text_for(ALICE)
    assert fake.role_changes() == [] and await waiting(network) == 0

    await network.join("carol")
    assert "Server roles" not in await network.play("@carol /stats")
    fake.members[ALICE.id] = set()
    fake.fail(r"/roles/", 403, 50013)  # the bot lost Manage Roles
    caplog.set_level(logging.INFO)
    alice = await member_number(network, "Alice")
    out = await network.play(f"@carol /move #{alice} tourism")
    assert "Alice is now in Tourism & culture." in out
    assert fake.members[ALICE.id] == set() and await waiting(network) == 0
    assert "could not be changed" in caplog.text
    assert str(ALICE.id) not in caplog.text and "Alice" not in caplog.text
    stats = await network.play("@carol /stats")
    assert "⚠ Server roles (Discord) could not be changed: the bot needs the Manage Roles" in stats

    # The daily check puts it right once the permission is back, and clears the warning.
    await roles_job.run(network.app)
    await network.app.role_syncer.drain()
    assert fake.members[ALICE.id] == {ROLE_TOURISM}
    assert "Server roles" not in await network.play("@carol /stats")


async def test_passing_failures_are_retried_later(connect: Connected, fake: FakeDiscord) -> None:
    network = connect.network
    platform = await connect.start()
    fake.fail(rf"/members/{ALICE.id}", 503, times=10)
    await join(fake, platform, ALICE)
    assert "Welcome to the Business ambassadors!" in fake.text_for(ALICE)
    assert fake.members[ALICE.id] == set() and await waiting(network) == 1
    await network.app.role_syncer.drain()  # not due yet: backing off
    assert fake.members[ALICE.id] == set()
    fake._failures.clear()
    network.clock.advance(timedelta(minutes=5))
    assert await network.app.role_syncer.drain() == 1
    assert fake.members[ALICE.id] == {ROLE_BUSINESS} and await waiting(network) == 0


async def test_the_daily_check_fixes_drift_and_touches_nothing_else(
    connect: Connected, fake: FakeDiscord
) -> None:
    network = connect.network
    platform = await connect.start()
    await join(fake, platform, ALICE)
    await join(fake, platform, CAROL)
    # By hand: Alice loses her category role and gains the referents' and a moderator's.
    fake.members[ALICE.id] = {ROLE_REFERENT, ROLE_MODERATOR}
    fake.members[CAROL.id].discard(ROLE_COORDINATOR)
    before = len(fake.role_changes())
    await roles_job.run(network.app)
    await roles_job.run(network.app)  # a second run queues nothing more
    assert await waiting(network) == 2
    assert await network.app.role_syncer.drain() == 2
    assert sorted(fake.role_changes()[before:]) == [
        ("add", ALICE.id, ROLE_BUSINESS),
        ("add", CAROL.id, ROLE_COORDINATOR),
        ("remove", ALICE.id, ROLE_REFERENT),
    ]
    assert fake.members[ALICE.id] == {ROLE_BUSINESS, ROLE_MODERATOR}
    await roles_job.run(network.app)
    await network.app.role_syncer.drain()
    assert len(fake.role_changes()) == before + 3  # in line: nothing to change
    assert JOBS[roles_job.ID] is roles_job.run


async def test_linking_and_unlinking_carry_the_roles(connect: Connected, fake: FakeDiscord) -> None:
    network = connect.network
    platform = await connect.start()
    await network.join("carol")
    await network.join("alice")
    alice = await member_number(network, "alice")
    await network.play(f"@carol /referent #{alice} business")
    out = await network.play("@alice /link")
    code = CODE.search(out)
    assert code is not None
    await fake.slash(platform, ALICE, "link", code=code.group(1))
    # The referent's role waits for a coordinator's confirmation on the new account.
    assert fake.members[ALICE.id] == {ROLE_BUSINESS}
    await network.app.sender.drain()
    await network.play("@carol [Confirm the role]")
    assert fake.members[ALICE.id] == {ROLE_BUSINESS, ROLE_REFERENT}
    await fake.slash(platform, ALICE, "unlink")
    # No membership at all until it joins again: none of the roles of the other account.
    assert fake.members[ALICE.id] == set()


async def test_requests_outlive_a_crash_between_commit_and_sync(
    connect: Connected, fake: FakeDiscord
) -> None:
    network = connect.network
    await network.join("carol")
    await network.join("alice")
    alice = await member_number(network, "alice")
    async with network.sessions.begin() as session:  # as if it had just been approved
        await session.execute(
            role_sync._insert(session)(RoleSync).values(
                platform="discord", user_id=str(ALICE.id), priority=0, version=1, attempts=0
            )
        )
        from bot.models import Identity

        session.add(Identity(platform="discord", user_id=str(ALICE.id), member_id=alice))
    await connect.start()  # a new process: the queue is drained once Discord is there
    assert await network.app.role_syncer.drain() == 1
    assert fake.members[ALICE.id] == {ROLE_BUSINESS}


# -- greeting people who join the server ------------------------------------------------


@pytest.fixture
def greeting(network: Network) -> Network:
    with_general = network.settings.model_copy(
        update={"channels": {"general": [f"discord:{GENERAL}"]}}
    )
    return configured(
        Network(network.engine, with_general, network.clock), greet_newcomers=True, **ROLES
    )


async def test_newcomers_to_the_server_are_greeted_once_in_the_general_channel(
    connect: Connected, fake: FakeDiscord, greeting: Network
) -> None:
    platform = await connect.start(greeting)
    assert platform.client.intents.members
    await fake.member_joins(platform, ZOE)
    fake.member_leaves(platform, ZOE)
    await fake.member_joins(platform, ZOE)  # came back: greeted once is enough
    greetings = fake.in_channel(GENERAL)
    assert [posted.content for posted in greetings] == [
        "Bienvenue, Zoe\u00a0! Pour rejoindre Lyon Ambassadors, envoyez /rejoindre "
        "ou ouvrez une discussion privée avec moi."
    ]
    assert greetings[0].payload["components"][0]["components"][0]["label"] == "Rejoindre"
    assert fake.role_changes() == []

    # A member who comes back is not greeted, and gets their roles back.
    await join(fake, platform, ALICE)
    assert fake.members[ALICE.id] == {ROLE_BUSINESS}
    fake.member_leaves(platform, ALICE)  # Discord drops the roles of who leaves
    await fake.member_joins(platform, ALICE)
    assert fake.members[ALICE.id] == {ROLE_BUSINESS}
    assert len(fake.in_channel(GENERAL)) == 1

    # A stranger given a managed role by hand loses it at the daily check (the member
    # cache says who holds it); the moderators' role stays.
    fake.members[ZOE.id] = {ROLE_REFERENT, ROLE_MODERATOR}
    fake.member_updated(platform, ZOE)
    await roles_job.run(greeting.app)
    await greeting.app.role_syncer.drain()
    assert fake.members[ZOE.id] == {ROLE_MODERATOR}


async def test_without_the_flag_the_members_intent_is_not_requested(
    connect: Connected,
) -> None:
    platform: DiscordPlatform = await connect.start()
    assert not platform.client.intents.members
    assert platform.client.intents.guilds and platform.client.intents.dm_messages


async def test_without_roles_configured_nothing_is_asked_of_discord(
    network_factory: NetworkFactory,
    fake: FakeDiscord,
) -> None:
    network = network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")
    connected = Connected(network, fake)
    platform = await connected.start()
    try:
        await join(fake, platform, ALICE)
        await roles_job.run(network.app)
        assert await waiting(network) == 0
        assert fake.requests("GET", r"/members/") == [] and fake.role_changes() == []
    finally:
        await platform.stop()
