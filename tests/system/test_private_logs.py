"""Nothing personal in the logs, at every level, whoever logs it: Relais, python-telegram-bot,
its HTTP transport, discord.py. Each test runs the real adapter against its loopback fake
with every logger at DEBUG, has a member send a name, a phone number, an e-mail address and
free text, and looks for them in every record (message and traceback)."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from tests.support.discord_fake import GUILD_ID, FakeDiscord, Person
from tests.support.discord_network import Connected, join
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import Network, NetworkFactory
from tests.support.paths import EXAMPLE_CONFIG
from tests.support.telegram_network import TelegramNetwork

NAME, SURNAME = "Zéphyrine", "Quintavalle"
PHONE = "06 71 82 93 04"
EMAIL = "zephyrine.q@mail.test"
FREE_TEXT = "A fund looking at biotech in Gerland"
SECRETS = (NAME, SURNAME, PHONE, EMAIL, FREE_TEXT, "biotech", "Gerland", "zephyrine")


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        record.getMessage() + (record.exc_text or "") + (record.stack_info or "")
        for record in caplog.records
    )


def leaks(logged: str) -> list[str]:
    return [secret for secret in SECRETS if secret.lower() in logged.lower()]


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def test_telegram_at_debug_logs_nothing_personal(
    engine: AsyncEngine,
    database_url: str,
    clock: FrozenClock,
    fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = fake_telegram
    tg = TelegramNetwork(engine, database_url, clock, fake)
    await tg.platform.initialize()
    try:
        member = fake.user(4242, NAME, last_name=SURNAME)
        await tg.join(member)
        await tg.say(member, "/report")
        await tg.tap(member, "Opportunity signal")
        await tg.tap(member, "Investor")
        await tg.say(member, FREE_TEXT)
        await tg.say(member, f"{PHONE} {EMAIL}")
        await tg.say(member, "/leaderboard")  # the reply names her
        # An update python-telegram-bot cannot parse is logged by the library at CRITICAL
        # with the raw data it received.
        broken = fake.text(member, f"{NAME} {PHONE} {EMAIL}")
        broken["message"]["date"] = "not a date"
        fake.push(broken)
        for _ in range(3):
            with contextlib.suppress(Exception):  # what matters here is what was logged
                await tg.platform.poll_once()
    finally:
        await tg.platform.stop()
    logged = everything_logged(caplog)
    assert "sendMessage" in logged or "getUpdates" in logged  # the libraries did log
    assert any(r.name.startswith("telegram") for r in caplog.records)
    assert any(r.levelname == "CRITICAL" for r in caplog.records)  # the raw update's line
    assert not leaks(logged), (leaks(logged), sorted({r.name for r in caplog.records}))


ZEPHYRINE = Person(500000000000000077, f"{NAME} {SURNAME}")


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


async def test_discord_at_debug_logs_nothing_personal(
    network_factory: NetworkFactory, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = fake_discord
    network: Network = network_factory(
        discord__guild_id=str(GUILD_ID),
        discord_token="fake-token",
        discord__gateway_url=fake.gateway_url,
    )
    connected = Connected(network, fake)
    try:
        platform = await connected.start()
        await platform.start()  # the gateway too, over a websocket: its events are logged
        await join(fake, platform, ZEPHYRINE)
        await fake.slash(platform, ZEPHYRINE, "report")
        for label in ("Opportunity signal", "Investor"):
            await fake.press(platform, ZEPHYRINE, fake.newest_with_buttons(ZEPHYRINE), label)
        await fake.submit(platform, ZEPHYRINE, fake.newest_with_buttons(ZEPHYRINE), FREE_TEXT)
        await fake.submit(
            platform, ZEPHYRINE, fake.newest_with_buttons(ZEPHYRINE), f"{PHONE} {EMAIL}"
        )
        await fake.slash(platform, ZEPHYRINE, "leaderboard")  # the reply names her
        assert NAME in fake.calls[-1].content
        done = platform.updates_done
        await fake.push("MESSAGE_CREATE", fake.dm_payload(ZEPHYRINE, f"{NAME} {PHONE} {EMAIL}"))
        await platform.wait_for_updates(done + 1)
    finally:
        for started in connected.platforms:
            await started.stop()
    logged = everything_logged(caplog)
    assert any(r.name == "discord.gateway" for r in caplog.records)
    assert not leaks(logged), (leaks(logged), sorted({r.name for r in caplog.records}))


def test_relais_at_debug_prints_nothing_personal(tmp_path: Path) -> None:
    """``relais -vv console``: the command's own logging set-up, at DEBUG."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    environ["RELAIS_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite3'}"
    environ["RELAIS_DATABASE__ECHO"] = "true"
    transcript = "\n".join(
        [
            "@zephyrine /start",
            "@zephyrine [English]",
            "@zephyrine [I agree]",
            "@zephyrine [Business]",
            "@zephyrine [Skip]",
            "@zephyrine /report",
            "@zephyrine [Opportunity signal]",
            "@zephyrine [Investor]",
            f"@zephyrine {FREE_TEXT}",
            f"@zephyrine {PHONE} {EMAIL}",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(EXAMPLE_CONFIG), "-vv", "console"],
        input=transcript,
        capture_output=True,
        text=True,
        env=environ,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "The coordinators will look at your signal." in result.stdout
    assert " DEBUG " in result.stderr and "INSERT INTO reports" in result.stderr
    assert not leaks(result.stderr), leaks(result.stderr)
