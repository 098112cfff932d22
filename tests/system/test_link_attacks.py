"""Attacks on /link through the real Telegram adapter (python-telegram-bot against the
fake Bot API), the other platform speaking the neutral port: a leaked code, guessed codes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import Identity, LinkAttempts, Member, Role
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import OtherPlatform
from tests.support.telegram_network import TelegramNetwork

CODE = re.compile(r"code: ([A-Z0-9]{6})")


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock
) -> AsyncIterator[TelegramNetwork]:
    async with FakeTelegram() as fake:
        network = TelegramNetwork(engine, database_url, clock, fake, coordinators=["telegram:1001"])
        await network.platform.initialize()
        yield network
        await network.platform.stop()


async def test_a_leaked_coordinator_code_gives_the_thief_nothing_and_is_revoked(
    tg: TelegramNetwork,
) -> None:
    carol = tg.fake.user(1001, "Carol")
    thief = OtherPlatform(tg.app, "console")
    await tg.join(carol)
    await tg.say(carol, "/link")
    found = CODE.search(tg.fake.texts(carol)[-1])
    assert found is not None
    assert "acts as a member" in await thief.say("mallory", f"/link {found.group(1)}")
    notice = tg.fake.texts(carol)[-1]
    assert "Not you?" in notice and "/unlink console" in notice
    for command in ("/pending", "/erase carol", "/referent carol business"):
        assert "for coordinators" in await thief.say("mallory", command)
    assert "no account linked from this one" in await thief.say("mallory", "/unlink telegram")
    await tg.tap(carol, "Remove that account")
    assert "Done: the Console account left your membership" in tg.fake.texts(carol)[-1]
    assert "You are not a member yet" in await thief.say("mallory", "/me")
    async with tg.sessions() as session:
        assert list(await session.scalars(select(Identity.platform))) == ["telegram"]
        member = await session.scalar(select(Member))
        assert member is not None and member.role is Role.COORDINATOR


async def test_guessed_codes_through_telegram_are_throttled(tg: TelegramNetwork) -> None:
    carol = tg.fake.user(1001, "Carol")
    guesser = tg.fake.user(2002, "Guesser")
    await tg.join(carol)
    for n in range(20):
        await tg.say(guesser, f"/link QQQQ{n:02d}")
    answers = tg.fake.texts(guesser)
    assert sum("is unknown" in text for text in answers) == 4
    assert sum("Too many wrong link codes" in text for text in answers) == 16
    async with tg.sessions() as session:
        attempts = await session.scalar(select(LinkAttempts))
        assert attempts is not None and attempts.failures == 5
        assert await session.scalar(select(func.count()).select_from(Member)) == 1
