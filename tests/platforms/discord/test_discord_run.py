"""``relais run`` with Discord, as a real process: it logs in over REST, connects to the
gateway over a websocket, answers, and stops cleanly on SIGTERM; with Telegram too, both
are served in one event loop. The fakes of both services run in the test's loop."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.discord_fake import GUILD_ID, FakeDiscord, Person
from tests.support.fake_telegram import FakeTelegram
from tests.support.paths import EXAMPLE_CONFIG

ALICE = Person(500000000000000001, "Alice")


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


async def relais_run(tmp_path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in ("RELAIS_TELEGRAM_TOKEN", "RELAIS_DISCORD_TOKEN")
    }
    base["RELAIS_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'run.sqlite3'}"
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(EXAMPLE_CONFIG),
        "run",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**base, **env},
    )


def discord_env(fake: FakeDiscord, token: str | None = None) -> dict[str, str]:
    return {
        "RELAIS_DISCORD_TOKEN": token or fake.token,
        "RELAIS_DISCORD__GUILD_ID": str(GUILD_ID),
        "RELAIS_DISCORD__API_BASE_URL": fake.base_url,
        "RELAIS_DISCORD__GATEWAY_URL": fake.gateway_url,
    }


async def stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    return stderr.decode()


async def test_relais_run_serves_discord_until_sigterm(
    tmp_path: Path, discord_fake: FakeDiscord
) -> None:
    process = await relais_run(tmp_path, discord_env(discord_fake))
    try:
        await asyncio.wait_for(discord_fake.connected.wait(), 30)
        await discord_fake.push("INTERACTION_CREATE", discord_fake.slash_payload(ALICE, "help"))
        await discord_fake.wait_for(
            lambda: any("What you can do:" in p.content for p in discord_fake.seen_by(ALICE))
        )
        stderr = await stop(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr
    assert len(discord_fake.requests("PUT", rf"/guilds/{GUILD_ID}/commands")) == 1


async def test_relais_run_serves_telegram_and_discord_in_one_loop(
    tmp_path: Path, discord_fake: FakeDiscord
) -> None:
    async with FakeTelegram() as telegram:
        bob = telegram.user(1002, "Bob")
        env = {
            **discord_env(discord_fake),
            "RELAIS_TELEGRAM_TOKEN": telegram.token,
            "RELAIS_TELEGRAM__API_BASE_URL": telegram.base_url,
            "RELAIS_TELEGRAM__POLL_TIMEOUT": "1",
        }
        process = await relais_run(tmp_path, env)
        try:
            await asyncio.wait_for(discord_fake.connected.wait(), 30)
            telegram.push(telegram.command(bob, "/help"))
            await discord_fake.push("INTERACTION_CREATE", discord_fake.slash_payload(ALICE, "help"))
            await telegram.wait_for(lambda: bool(telegram.sent_to(bob)), within=30)
            await discord_fake.wait_for(
                lambda: any("What you can do:" in p.content for p in discord_fake.seen_by(ALICE))
            )
            stderr = await stop(process)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, stderr
    assert telegram.texts(bob)[0].startswith("What you can do:")


async def test_relais_run_with_a_refused_discord_token_says_so(
    tmp_path: Path, discord_fake: FakeDiscord
) -> None:
    process = await relais_run(tmp_path, discord_env(discord_fake, token="wrong"))
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 3
    assert "discord: the token was refused" in stderr.decode()
    assert "Traceback" not in stderr.decode()
