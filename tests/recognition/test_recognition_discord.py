"""Discord: a member who reaches a level gets that level's server role (``[discord]
level_roles``) alongside their category role, through discord.py against the loopback
fake; the level-up is told once. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.models import Delivery, Member
from tests.support.discord_fake import GUILD_ID, ROLE_BUSINESS, ROLE_MODERATOR, FakeDiscord
from tests.support.discord_network import ALICE, CAROL, ROLES, Connected, configured, join
from tests.support.harness import Network, NetworkFactory

ROLE_COMMITTED = ROLE_MODERATOR  # stands for "Committed ambassador" here


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    base = network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")
    return configured(base, **ROLES, level_roles={50: ROLE_COMMITTED})


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


async def test_level_role_follows_the_level_reached(connect: Connected, fake: FakeDiscord) -> None:
    network = connect.network
    platform = await connect.start()
    await join(fake, platform, ALICE)
    assert fake.members[ALICE.id] == {ROLE_BUSINESS}
    await network.join("carol")
    async with network.sessions() as session:
        alice = await session.scalar(select(Member.id).where(Member.display_name == "Alice"))
    out = await network.play(f"@carol /award #{alice} 60 delegation welcomed")
    assert "60 points awarded to Alice." in out
    for _ in range(3):
        await network.play("~ +1m")
        await network.app.role_syncer.drain()
    assert fake.members[ALICE.id] == {ROLE_BUSINESS, ROLE_COMMITTED}
    async with network.sessions() as session:
        told = await session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.key.like("level:%"))
        )
    assert told == 1
