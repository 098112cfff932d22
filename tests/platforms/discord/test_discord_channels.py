"""Relais makes the network's Discord channels under ``[discord] channel_category``,
binds them, and keeps the permissions it sets in line; refusals reach the coordinators.

On discord.py's own objects against the loopback fake of Discord (channel and permission
requests are recorded, created channels come back in the next GUILD_CREATE); every test
runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from bot.delivery import channels
from bot.models import AuditEntry
from bot.platforms.discord.adapter import DiscordPlatform
from bot.platforms.discord.channels import REASON, slug
from tests.support.discord_fake import (
    APP_ID,
    BUSINESS,
    GUILD_ID,
    ROLE_BUSINESS,
    ROLE_COORDINATOR,
    ROLE_MODERATOR,
    ROLE_REFERENT,
    ROLE_TOURISM,
    FakeDiscord,
)
from tests.support.discord_network import ALICE, CAROL, ROLES, Connected, configured, join
from tests.support.harness import Network, NetworkFactory

VIEW, SEND, MANAGE = 1 << 10, 1 << 11, 1 << 4
MEMBER = (VIEW | SEND, 0)
HIDDEN = (0, VIEW)
#: The channels of the example network, named in its language (French).
NAMES = [
    "entreprises",
    "tourisme-culture",
    "recherche-enseignement",
    "sport",
    "citoyens",
    "général",
]


@pytest.fixture
def base(network_factory: NetworkFactory) -> Network:
    return network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")


@pytest.fixture
def network(base: Network) -> Network:
    return configured(base, **ROLES, channel_category="Ambassadors")


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


async def started(connect: Connected, network: Network | None = None) -> DiscordPlatform:
    """A platform whose channel setup has run (the server became available)."""
    platform = await connect.start(network)
    async with asyncio.timeout(10):
        await platform.channel_setup.settled.wait()
    return platform


def created(fake: FakeDiscord) -> list[tuple[str, int]]:
    return [
        (call.body["name"], call.body["type"])
        for call in fake.requests("POST", rf"/guilds/{GUILD_ID}/channels$")
    ]


def named(fake: FakeDiscord, name: str, parent: str | None = None) -> int:
    return next(
        int(cid)
        for cid, channel in fake.channels.items()
        if channel["name"] == name and (parent is None or channel["parent_id"] == parent)
    )


async def bound(network: Network, scope: str) -> str | None:
    async with network.sessions() as session:
        found = await channels.addresses_for(session, network.settings, scope, ["discord"])
    return found[0].chat_id if found else None


async def audit_actions(network: Network) -> list[tuple[str, Any]]:
    async with network.sessions() as session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(row.action, row.details.get("scope")) for row in rows if row.actor_id is None]


def test_channel_names_follow_discords_rules() -> None:
    assert slug("Tourisme & culture") == "tourisme-culture"
    assert slug("  Recherche / Enseignement ") == "recherche-enseignement"
    assert slug("Général") == "général"
    assert slug("!!!") == "relais"


async def test_first_start_creates_and_binds_one_channel_per_category_and_general(
    connect: Connected, fake: FakeDiscord
) -> None:
    network = connect.network
    platform = await started(connect)
    assert created(fake) == [("Ambassadors", 4)] + [(name, 0) for name in NAMES]
    calls = fake.requests("POST", rf"/guilds/{GUILD_ID}/channels$")
    assert all(unquote(call.reason or "") == REASON for call in calls)
    category = str(named(fake, "Ambassadors"))
    assert all(str(call.body["parent_id"]) == category for call in calls[1:])
    assert platform.channel_setup.created == 6  # text channels

    business = named(fake, "entreprises")
    # Only Business members (and referents, coordinators, the bot) read Business's channel.
    assert fake.overwrite(business, GUILD_ID) == HIDDEN
    assert fake.overwrite(business, ROLE_BUSINESS) == MEMBER
    assert fake.overwrite(business, ROLE_REFERENT) == MEMBER
    assert fake.overwrite(business, ROLE_COORDINATOR) == MEMBER
    assert fake.overwrite(business, APP_ID) == (VIEW | SEND | MANAGE, 0)
    assert fake.overwrite(business, ROLE_TOURISM) is None
    tourism = named(fake, "tourisme-culture")
    assert fake.overwrite(tourism, ROLE_TOURISM) == MEMBER
    assert fake.overwrite(tourism, ROLE_BUSINESS) is None
    # A category without a role, and the general channel, keep the server's defaults.
    assert fake.channels[named(fake, "sport")]["permission_overwrites"] == []
    assert fake.channels[named(fake, "général")]["permission_overwrites"] == []

    # Bound as /bind binds: the stored binding and an audit entry each.
    assert await bound(network, "category:business") == str(business)
    assert await bound(network, channels.GENERAL) == str(named(fake, "général"))
    assert await audit_actions(network) == [
        ("channel.create", scope)
        for scope in [f"category:{c.key}" for c in network.settings.categories] + ["general"]
    ]
    # The channel serves its category: a leaderboard there is the category's.
    await join(fake, platform, ALICE)
    await fake.slash(platform, ALICE, "leaderboard", channel=business)
    assert fake.in_channel(business)[-1].content.startswith("Leaderboard — Business — this week")


async def test_a_restart_creates_nothing_and_puts_back_its_own_permissions_only(
    connect: Connected, fake: FakeDiscord
) -> None:
    network = connect.network
    await started(connect)
    business = named(fake, "entreprises")
    # By hand: Business's role loses the channel, and moderators get to see it.
    entries = fake.channels[business]["permission_overwrites"]
    entries = [e for e in entries if int(e["id"]) != ROLE_BUSINESS]
    entries.append({"id": str(ROLE_BUSINESS), "type": 0, "allow": "64", "deny": str(VIEW)})
    entries.append({"id": str(ROLE_MODERATOR), "type": 0, "allow": str(VIEW), "deny": "0"})
    fake.channels[business]["permission_overwrites"] = entries
    before = len(fake.calls)

    await started(connect, await network.restarted())
    assert len(created(fake)) == 7  # nothing more
    puts = [call for call in fake.calls[before:] if "/permissions/" in call.path]
    assert [(call.method, call.path) for call in puts] == [
        ("PUT", f"/channels/{business}/permissions/{ROLE_BUSINESS}")
    ]
    # Its own permissions are back; the one it does not set (64: add reactions) stays.
    assert fake.overwrite(business, ROLE_BUSINESS) == (VIEW | SEND | 64, 0)
    assert fake.overwrite(business, ROLE_MODERATOR) == (VIEW, 0)
    assert len(await audit_actions(network)) == 6

    # A third start finds everything in line: not one request about channels.
    before = len(fake.calls)
    await started(connect, await network.restarted())
    assert [call.path for call in fake.calls[before:] if "/channels" in call.path] == []


async def test_a_channel_deleted_in_discord_is_made_again(
    connect: Connected, fake: FakeDiscord
) -> None:
    network = connect.network
    await started(connect)
    old = named(fake, "entreprises")
    del fake.channels[old]
    await started(connect, await network.restarted())
    new = named(fake, "entreprises")
    assert new != old and created(fake)[-1] == ("entreprises", 0)
    assert await bound(network, "category:business") == str(new)
    assert fake.overwrite(new, ROLE_BUSINESS) == MEMBER


async def test_channels_found_by_name_are_reused_and_others_are_left_alone(
    connect: Connected, fake: FakeDiscord
) -> None:
    network = connect.network
    category = fake.add_channel("ambassadors", kind=4)
    existing = int(fake.add_channel("entreprises", parent=int(category["id"]))["id"])
    elsewhere = int(fake.add_channel("sport")["id"])  # same name, not under the category

    await started(connect)
    assert created(fake) == [(name, 0) for name in NAMES if name != "entreprises"]
    assert await bound(network, "category:business") == str(existing)
    assert fake.overwrite(existing, GUILD_ID) == HIDDEN
    assert fake.overwrite(existing, ROLE_BUSINESS) == MEMBER
    assert await bound(network, "category:sport") != str(elsewhere)
    assert fake.channels[elsewhere]["permission_overwrites"] == []
    assert ("channel.bind", "category:business") in await audit_actions(network)


async def test_without_channel_category_nothing_is_created_and_hand_bindings_stay(
    base: Network, fake: FakeDiscord
) -> None:
    plain = configured(base, **ROLES)
    connected = Connected(plain, fake)
    try:
        platform = await connected.start()
        assert not platform.channel_setup.enabled
        await join(fake, platform, CAROL)
        await fake.slash(platform, CAROL, "bind", channel=BUSINESS, scope="business")
        assert fake.requests("POST", r"/channels$") == []

        # Later, with a channel category: Business keeps the channel bound by hand.
        later = configured(base, **ROLES, channel_category="Ambassadors")
        await started(connected, later)
        assert ("entreprises", 0) not in created(fake)
        assert len(created(fake)) == 6
        assert await bound(later, "category:business") == str(BUSINESS)
        assert fake.requests("PUT", rf"/channels/{BUSINESS}/") == []
    finally:
        for platform in connected.platforms:
            await platform.stop()


async def test_a_refusal_is_logged_without_personal_data_and_shown_to_coordinators(
    connect: Connected, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    network = connect.network
    caplog.set_level(logging.INFO)
    fake.fail(rf"/guilds/{GUILD_ID}/channels$", 403, 50013)  # no Manage Channels
    await started(connect)
    assert "not allowed to create or set up channels" in caplog.text
    assert str(CAROL.id) not in caplog.text and "Carol" not in caplog.text
    assert await bound(network, "category:business") is None
    await network.join("carol")
    stats = await network.play("@carol /stats")
    assert (
        "⚠ The network's channels (Discord) could not be set up: the bot needs the Manage "
        "Channels and Manage Roles permissions." in stats
    )

    # Once the permission is back, the next start sets everything up and the warning goes.
    await started(connect, await network.restarted())
    assert await bound(network, "category:business") == str(named(fake, "entreprises"))
    assert "network's channels" not in await network.play("@carol /stats")


async def test_a_channel_category_given_by_an_unknown_id_is_reported(
    base: Network, fake: FakeDiscord
) -> None:
    connected = Connected(configured(base, channel_category="123456789012345678"), fake)
    try:
        await started(connected)
        assert created(fake) == []
        await connected.network.join("carol")
        stats = await connected.network.play("@carol /stats")
        assert "the channel category in the configuration does not exist" in stats
    finally:
        for platform in connected.platforms:
            await platform.stop()
