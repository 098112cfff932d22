"""The weekly question on Discord: one button per option in the channel, each member's
first press counted, the verdict and explanation shown to the presser alone (ephemeral),
the buttons gone when the question closes. discord.py's own objects against the loopback
fake of Discord, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.core.port import Address
from bot.delivery import channels
from bot.models import PointsEntry, QuizAnswer, QuizQuestion
from bot.platforms.discord.adapter import DiscordPlatform
from jobs import quiz as quiz_job
from tests.support.discord_fake import BUSINESS, GUILD_ID, FakeDiscord
from tests.support.discord_network import ALICE, CAROL, Connected, join, with_coordinator
from tests.support.harness import Network, NetworkFactory


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    base = network_factory(
        discord__guild_id=str(GUILD_ID), discord_token="fake-token", network__default_language="en"
    )
    return with_coordinator(base, CAROL)


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
    await join(fake, platform, ALICE)
    yield platform
    await platform.stop()


async def test_buttons_count_one_answer_each_and_explain_privately(
    network: Network, fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    now = network.clock.now()
    async with network.sessions.begin() as session:
        session.add(
            QuizQuestion(
                text_en="Which river runs through Roanne?",
                options_en=["The Rhône", "The Loire"],
                correct=[1],
                explanation_en="The Loire, France's longest river.",
                categories=["business"],
                created_at=now,
            )
        )
        await channels.bind(
            session, Address("discord", str(BUSINESS)), "category:business", by=None, now=now
        )
    await quiz_job.run(network.app)
    [post] = fake.in_channel(BUSINESS)
    assert "❓ Which river runs through Roanne?" in post.content
    assert [label for label, _id in post.buttons()] == ["1. The Rhône", "2. The Loire"]
    await fake.press(platform, ALICE, post, "2. The Loire")
    answer = fake.seen_by(ALICE)[-1]
    assert answer.ephemeral
    assert answer.content == "Right!\n+2 points\nThe Loire, France's longest river."
    await fake.press(platform, ALICE, post, "1. The Rhône")
    again = fake.seen_by(ALICE)[-1]
    assert again.ephemeral and again.content.startswith("You had already answered")
    assert fake.in_channel(BUSINESS) == [post]  # nothing said in the channel
    async with network.sessions() as session:
        assert list(await session.scalars(select(QuizAnswer.correct))) == [True]
        assert list(await session.scalars(select(PointsEntry.points))) == [2]
    network.clock.advance(timedelta(days=network.settings.quiz.open_days, minutes=1))
    await quiz_job.close(network.app)
    [closed] = fake.in_channel(BUSINESS)
    assert closed.buttons() == []
    assert "Closed. The answer: The Loire." in closed.content
