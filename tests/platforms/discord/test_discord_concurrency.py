"""No channel can stall the others on Discord: discord.py runs every gateway event in a
task of its own, and each takes its place in its channel's line before anything is
awaited, so channels are handled side by side and each one in order. On discord.py's own
objects against the loopback fake of Discord; every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.conversation.commands import CommandPress
from bot.core.port import Address, Button, Event, Message, Outgoing, Platform
from tests.support.discord_fake import BUSINESS, GUILD_ID, FakeDiscord, Person
from tests.support.discord_network import ALICE, Connected, join
from tests.support.harness import Network, NetworkFactory

STRANGER = Person(500000000000000009, "Stranger")  # never joined


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    return network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


async def test_a_strangers_flood_waits_in_its_own_line(network: Network, fake: FakeDiscord) -> None:
    platform = await Connected(network, fake).start()
    try:
        await join(fake, platform, ALICE)
        log: list[tuple[str, str]] = []
        dispatch = network.app.dispatch

        async def recorded(event: Event, target: Platform) -> None:
            log.append(("start", event.user_id))
            await asyncio.sleep(0)
            await dispatch(event, target)
            log.append(("end", event.user_id))

        network.app.dispatch = recorded  # type: ignore[method-assign]
        done = platform.updates_done
        parse = platform.client._connection.parsers["MESSAGE_CREATE"]
        for _ in range(5):
            parse(fake.dm_payload(STRANGER, "/help"))
        parse(fake.dm_payload(ALICE, "/help"))
        async with asyncio.timeout(30):
            await platform.wait_for_updates(done + 6)
        starts = [user for step, user in log if step == "start"]
        # Alice's update did not wait behind the stranger's five...
        assert starts.index(str(ALICE.id)) <= 1
        # ...and the stranger's were handled one after another, in order.
        theirs = [step for step, user in log if user == str(STRANGER.id)]
        assert theirs == ["start", "end"] * 5
    finally:
        await platform.stop()


async def test_presses_on_a_channel_button_by_non_members_post_nothing_there(
    network: Network, fake: FakeDiscord
) -> None:
    platform = await Connected(network, fake).start()
    try:
        button = Button("Report", CommandPress("report").pack())
        await platform.send(
            Outgoing(Address("discord", str(BUSINESS)), Message.with_rows("A plan", [[button]]))
        )
        post = fake.in_channel(BUSINESS)[-1]
        strangers = [Person(500000000000000100 + n, f"Stranger{n}") for n in range(10)]
        for n in range(30):
            await fake.press(platform, strangers[n % 10], post, "Report")
        assert fake.in_channel(BUSINESS) == [post]
        refused = "You are not a member yet. Send /start to join."
        assert all(refused in fake.text_for(person) for person in strangers)
    finally:
        await platform.stop()
