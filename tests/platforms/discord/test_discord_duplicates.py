"""Every kind of Discord update delivered twice counts once.

The gateway replays events after a resumed connection, so the same interaction or DM
can reach Relais twice: a slash command, a button press, a form submitted, a message
written in the DM. Each is handled once (one prompt, one report, one set of points), and
Discord's refusal of a second answer to one interaction (code 40060, which the fake
gives as Discord does) reaches nobody. On discord.py's own objects against the loopback
fake; every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.app import APOLOGY
from bot.core.i18n import Translator
from bot.models import PointsEntry, Report
from tests.support.discord_fake import GUILD_ID, FakeDiscord
from tests.support.discord_network import ALICE, Connected, join
from tests.support.harness import Network, NetworkFactory

RECORDED = "Your mention is recorded."
APOLOGY_EN = Translator("en").gettext("en", APOLOGY)


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    return network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


async def _counts(network: Network) -> tuple[int, int]:
    async with network.sessions() as session:
        reports = await session.scalar(select(func.count()).select_from(Report))
        points = await session.scalar(select(func.count()).select_from(PointsEntry))
    return int(reports or 0), int(points or 0)


async def test_every_kind_of_discord_update_delivered_twice_counts_once(
    network: Network, fake: FakeDiscord
) -> None:
    connected = Connected(network, fake)
    platform = await connected.start()
    try:
        await join(fake, platform, ALICE)

        # In the server: a slash command, two presses and a form, each delivered twice.
        command = fake.slash_payload(ALICE, "report")
        for _ in range(2):
            await fake.feed(platform, "INTERACTION_CREATE", command)
        prompts = [p for p in fake.seen_by(ALICE) if p.content == "What would you like to report?"]
        assert len(prompts) == 1
        for label in ("Mention", "Press"):
            before = len(fake.seen_by(ALICE))
            press = fake.press_payload(ALICE, fake.newest_with_buttons(ALICE), label)
            for _ in range(2):
                await fake.feed(platform, "INTERACTION_CREATE", press)
            assert len(fake.seen_by(ALICE)) == before + 1  # the next prompt, once
        form = fake.submit_payload(
            ALICE, fake.newest_with_buttons(ALICE), "https://news.test/twice-in-server"
        )
        for _ in range(2):
            await fake.feed(platform, "INTERACTION_CREATE", form)
        assert await _counts(network) == (1, 1)

        # In the DM: the command typed out and the link written, each delivered twice;
        # each delivery answered with one message, not two.
        typed = fake.dm_payload(ALICE, "/report")
        before = len(fake.seen_by(ALICE))
        for _ in range(2):
            await fake.feed(platform, "MESSAGE_CREATE", typed)
        assert len(fake.seen_by(ALICE)) == before + 1
        for label in ("Mention", "Press"):
            press = fake.press_payload(ALICE, fake.newest_with_buttons(ALICE), label)
            for _ in range(2):
                await fake.feed(platform, "INTERACTION_CREATE", press)
        link = fake.dm_payload(ALICE, "https://news.test/twice-in-dm")
        before = len(fake.seen_by(ALICE))
        for _ in range(2):
            await fake.feed(platform, "MESSAGE_CREATE", link)
        assert len(fake.seen_by(ALICE)) == before + 1

        assert await _counts(network) == (2, 2)
        texts = [posted.content for posted in fake.seen_by(ALICE)]
        assert sum(RECORDED in text for text in texts) == 2
        assert not any(APOLOGY_EN in text for text in texts)
    finally:
        await platform.stop()
