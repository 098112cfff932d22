"""When people, platforms or machines misbehave: duplicates, faults, secrets."""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.activity import reports
from bot.app import APOLOGY
from bot.core.clock import FrozenClock
from bot.core.i18n import Translator
from bot.models import Conversation, PointsEntry, ProcessedUpdate, Report
from tests.support.fake_telegram import JSON, FakeTelegram
from tests.support.harness import PG_ADMIN_DSN
from tests.support.paths import EXAMPLE_CONFIG
from tests.support.telegram_network import TelegramNetwork

APOLOGY_EN = Translator("en").gettext("en", APOLOGY)


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(engine, database_url, clock, fake)
    await network.platform.initialize()
    yield network
    await network.platform.stop()


@pytest.fixture
def alice(fake: FakeTelegram) -> JSON:
    return fake.user(1001, "Alice")


async def _count(tg: TelegramNetwork, model: type) -> int:
    return await tg.count(model)


# -- duplicates --------------------------------------------------------------------------


async def test_every_kind_of_update_delivered_twice_counts_once(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON
) -> None:
    """A command, a button press and a text step, each delivered twice in a row (a
    webhook retry, or a redelivery after a crash): one prompt, one step, one report."""
    await tg.join(alice)
    command = fake.command(alice, "/report")
    await tg.deliver(command, copy.deepcopy(command))
    prompts = [t for t in fake.texts(alice) if t == "What would you like to report?"]
    assert len(prompts) == 1
    for label in ("Mention", "Press"):
        press = fake.press(alice, fake.last_message(alice, with_buttons=True), label)
        sent_before = len(fake.calls_to("sendMessage"))
        await tg.deliver(press, copy.deepcopy(press))
        assert len(fake.calls_to("sendMessage")) == sent_before + 1  # the next prompt, once
    link = fake.text(alice, "https://news.test/twice")
    await tg.deliver(link, copy.deepcopy(link))
    fake.push(copy.deepcopy(link))  # and once more, later, after it was acknowledged
    await tg.platform.poll_once()
    assert await _count(tg, Report) == 1
    assert await _count(tg, PointsEntry) == 1
    assert sum("Your mention is recorded" in t for t in fake.texts(alice)) == 1
    assert fake.unanswered_callbacks == set()


# -- faults --------------------------------------------------------------------------------


async def test_database_connection_killed_mid_update_writes_nothing_and_says_so(
    tg: TelegramNetwork,
    fake: FakeTelegram,
    alice: JSON,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL terminates the bot's connections while a report is being written: the
    person is told to try again, nothing of the report exists, the flow waits at its
    step, and the same message sent again then works."""
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    await tg.join(alice)
    await tg.say(alice, "/report")
    await tg.tap(alice, "Mention")
    await tg.tap(alice, "Press")
    database = database_url.rsplit("/", 1)[1]
    original = reports.record
    killed = []

    async def record_then_lose_the_connection(*args: object, **kwargs: object) -> object:
        recorded = await original(*args, **kwargs)  # type: ignore[arg-type]
        if not killed:  # the report and its points are written, not yet committed
            admin = await asyncpg.connect(PG_ADMIN_DSN)
            try:
                killed.append(
                    await admin.fetchval(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = $1 AND pid <> pg_backend_pid()",
                        database,
                    )
                )
            finally:
                await admin.close()
        return recorded

    monkeypatch.setattr(reports, "record", record_then_lose_the_connection)
    await tg.say(alice, "https://news.test/kill")
    assert killed and killed[0] >= 1
    assert fake.texts(alice)[-1] == APOLOGY_EN
    assert await _count(tg, Report) == 0
    assert await _count(tg, PointsEntry) == 0
    async with tg.sessions() as session:
        step = await session.scalar(select(Conversation.step))
        handled = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert step == "details"  # the flow did not move
    assert handled is not None
    await tg.say(alice, "https://news.test/kill")  # the person tries again: it works
    assert "+5 points" in fake.texts(alice)[-1]
    assert await _count(tg, Report) == 1


async def test_bot_api_500s_and_timeouts_are_retried_with_backoff(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON
) -> None:
    fake.push(fake.text(alice, "hi"))
    fake.fail("sendMessage", "500")
    fake.fail("sendMessage", "timeout", delay=0.5)
    fake.fail("sendMessage", "502")
    bot = tg.platform.bot
    message = await tg.platform.sender.call(
        alice["id"], lambda chat: bot.send_message(chat, "patience", read_timeout=0.2)
    )
    assert message.text == "patience"
    assert tg.sleeps == [1.0, 2.0, 4.0]  # growing waits, then success
    # The answer that came too late was delivered too: why queued broadcasts never
    # retry a send whose outcome is unknown after a crash (see test_kill_resume).
    await fake.wait_for(lambda: fake.texts(alice).count("patience") >= 1)


# -- secrets -------------------------------------------------------------------------------

TOKEN = "123456:TEST-TOKEN"  # the fake server's; it must never be logged
WEBHOOK_SECRET = "whsec_0123456789abcdef"
DB_PASSWORD = "pw-s3cr3t-for-tests"


def _with_password(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        return database_url
    scheme, rest = database_url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{DB_PASSWORD}@{host}"  # trust auth ignores it


async def test_secrets_never_reach_the_logs(
    engine: AsyncEngine,
    database_url: str,
    clock: FrozenClock,
    fake: FakeTelegram,
    alice: JSON,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    network = TelegramNetwork(
        engine,
        _with_password(database_url),
        clock,
        fake,
        telegram_webhook_secret=WEBHOOK_SECRET,
    )
    await network.platform.initialize()
    try:
        fake.fail("sendMessage", "502")
        fake.fail("sendMessage", "429", retry_after=1)
        await network.join(alice)
        await network.say(alice, "/report")
        await network.tap(alice, "Mention")
        fake.fail("sendMessage", "403")
        await network.say(alice, "/me")
        await network.tap(alice, "Press")
        await network.say(alice, "https://news.test/secret")
    finally:
        await network.platform.stop()
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert "HTTP Request" in logged  # the transport did log every request, with the URL...
    for secret in (TOKEN, WEBHOOK_SECRET, DB_PASSWORD):
        assert secret not in logged  # ...masked
    assert "***" in logged


async def test_relais_run_logs_no_secret(tmp_path: Path, fake: FakeTelegram, alice: JSON) -> None:
    """``relais -v run`` with every secret set, a failure on the way: stderr is clean."""
    env = {
        **os.environ,
        "RELAIS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.sqlite3'}",
        "RELAIS_TELEGRAM_TOKEN": fake.token,
        "RELAIS_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "RELAIS_TELEGRAM__API_BASE_URL": fake.base_url,
        "RELAIS_TELEGRAM__POLL_TIMEOUT": "1",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(EXAMPLE_CONFIG),
        "-v",
        "run",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        fake.fail("sendMessage", "502")
        fake.push(fake.command(alice, "/help"))
        await fake.wait_for(lambda: bool(fake.texts(alice)), within=30)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = stderr.decode()
    assert "telegram: polling" in text  # it did log, verbosely
    for secret in (TOKEN, WEBHOOK_SECRET):
        assert secret not in text
