"""The Discord adapter end to end, on discord.py's own objects and a loopback fake of
Discord: nothing here talks to Discord. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.platforms.discord_ import DiscordPlatform
from tests.discord_fake import GUILD_ID, FakeDiscord, Person
from tests.harness import Network

ALICE = Person(500000000000000001, "Alice")
BRUNO = Person(500000000000000002, "Bruno", locale="fr")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def network(network_factory) -> Network:  # type: ignore[no-untyped-def]
    return network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")  # type: ignore[no-any-return]


class Connected:
    """Adapters started against the fake, stopped at the end of the test."""

    def __init__(self, network: Network, fake: FakeDiscord) -> None:
        self.network, self.fake = network, fake
        self.platforms: list[DiscordPlatform] = []

    async def start(self, network: Network | None = None) -> DiscordPlatform:
        platform = DiscordPlatform((network or self.network).app, "fake-token", retry_delay=0)
        self.platforms.append(platform)
        await platform.login()
        self.fake.guild_create(platform)
        return platform


@pytest.fixture
async def connect(network: Network, fake: FakeDiscord) -> AsyncIterator[Connected]:
    connected = Connected(network, fake)
    yield connected
    for platform in connected.platforms:
        await platform.stop()


async def test_commands_are_synced_once_and_localized(
    connect: Connected, fake: FakeDiscord
) -> None:
    await connect.start()
    syncs = fake.requests("PUT", rf"/guilds/{GUILD_ID}/commands")
    assert len(syncs) == 1
    commands = {command["name"]: command for command in syncs[0].body}
    assert commands["report"]["name_localizations"]["fr"] == "déclarer"
    assert commands["report"]["description_localizations"]["fr"].startswith("Déclarer")
    period = next(o for o in commands["leaderboard"]["options"] if o["name"] == "period")
    assert [c["value"] for c in period["choices"]] == ["week", "month", "all"]
    assert period["choices"][0]["name_localizations"]["fr"] == "Cette semaine"
    category = next(o for o in commands["leaderboard"]["options"] if o["name"] == "category")
    assert category["name_localizations"]["fr"] == "catégorie"
    assert {"name": "Business", "value": "business"}.items() <= category["choices"][0].items()
    assert category["choices"][0]["name_localizations"]["fr"] == "Entreprises"
    # A restart with the same table does not call Discord again.
    await connect.start(connect.network.restarted())
    assert len(fake.requests("PUT", r"/commands")) == 1
