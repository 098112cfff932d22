"""Relais adapters connected to the loopback fake of Discord, the people who use it, and
the network settings the Discord tests share."""

from __future__ import annotations

from typing import Any

from bot.platforms.discord.adapter import DiscordPlatform
from tests.support.discord_fake import (
    ROLE_BUSINESS,
    ROLE_COORDINATOR,
    ROLE_REFERENT,
    ROLE_TOURISM,
    FakeDiscord,
    Person,
)
from tests.support.harness import Network

ALICE = Person(500000000000000001, "Alice")
CAROL = Person(500000000000000003, "Carol")


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


async def join(fake: FakeDiscord, platform: DiscordPlatform, person: Person) -> None:
    """Join through /start; a coordinator declared in the config is asked neither a
    category nor a sponsor code, a referent no sponsor code."""
    roles = platform.app.settings.roles
    identity = f"discord:{person.id}"
    if identity in roles.coordinators:
        labels: tuple[str, ...] = ("English", "I agree")
    elif any(identity in people for people in roles.referents.values()):
        labels = ("English", "I agree", "Business")
    else:
        labels = ("English", "I agree", "Business", "Skip")
    await fake.slash(platform, person, "start")
    for label in labels:
        await fake.press(platform, person, fake.newest_with_buttons(person), label)


def with_coordinator(network: Network, person: Person) -> Network:
    """The same network, where config makes ``person`` a coordinator."""
    roles = network.settings.roles.model_copy(
        update={"coordinators": [*network.settings.roles.coordinators, f"discord:{person.id}"]}
    )
    return Network(
        network.engine, network.settings.model_copy(update={"roles": roles}), network.clock
    )


ROLES: dict[str, Any] = {
    "category_roles": {"business": ROLE_BUSINESS, "tourism": ROLE_TOURISM},
    "referent_role": ROLE_REFERENT,
    "coordinator_role": ROLE_COORDINATOR,
}


def configured(network: Network, **discord: Any) -> Network:
    """The same network with these ``[discord]`` settings (and Carol a coordinator on
    Discord as well as on the console)."""
    settings = network.settings
    roles = settings.roles.model_copy(
        update={"coordinators": [*settings.roles.coordinators, f"discord:{CAROL.id}"]}
    )
    update = {"discord": settings.discord.model_copy(update=discord), "roles": roles}
    return Network(network.engine, settings.model_copy(update=update), network.clock)
