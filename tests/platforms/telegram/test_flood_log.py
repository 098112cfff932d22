"""429s are summarized: the first of a busy minute is logged at once, the others counted
and written as one line a minute (the injected clock moves; nothing sleeps)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.port import Address, Message, Outgoing
from bot.platforms.telegram.floods import FloodLog
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

LOGGER = "bot.platforms.telegram.send"


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "flood control" in r.getMessage()]


def test_a_minute_of_429s_is_one_line_with_counts(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    floods = FloodLog(logging.getLogger(LOGGER), clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        floods.record(7, 0.5)
        assert _lines(caplog) == [
            "telegram: flood control in chat 7; retry in 0.5 s "
            "(more 429s are summarized once a minute)"
        ]
        for i in range(1, 300):
            now[0] = i * 0.19  # 299 more within 57 s
            floods.record(100 + i % 12, 0.25 if i != 42 else 3.0)
        assert len(_lines(caplog)) == 1
        now[0] = 61.0
        floods.record(5, 1.0)  # the minute is over: its line, then this one counted
        assert _lines(caplog)[1:] == [
            "telegram: flood control: 299 more 429s in 12 chats within 60 s (longest retry 3 s)"
        ]
        now[0] = 70.0
        floods.flush()  # at shutdown: what the new minute counted so far
        assert _lines(caplog)[2:] == [
            "telegram: flood control: 1 more 429s in 1 chats within 9 s (longest retry 1 s)"
        ]
        now[0] = 200.0
        floods.record(9, 0.5)  # after a quiet minute: logged at once again
        assert _lines(caplog)[3].startswith("telegram: flood control in chat 9;")
        assert len(_lines(caplog)) == 4


def test_a_quiet_minute_writes_nothing(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    floods = FloodLog(logging.getLogger(LOGGER), clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        floods.record(7, 0.5)
        now[0] = 120.0
        floods.flush()
        floods.flush()
        assert len(_lines(caplog)) == 1


async def test_the_adapters_429s_are_summarized(
    engine: AsyncEngine,
    database_url: str,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Through python-telegram-bot and the fake server: four 429s on one message are one
    line at once and one at shutdown, where each used to be its own line."""
    async with FakeTelegram() as fake:
        network = TelegramNetwork(engine, database_url, clock, fake)
        await network.platform.initialize()
        alice = fake.user(1001, "Alice")
        fake.open_private_chat(1001)
        fake.fail("sendMessage", "429", times=4, chat_id=1001, retry_after=2)
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            await network.platform.send(
                Outgoing(Address("telegram", "1001"), Message(text="Hello"))
            )
            assert len(_lines(caplog)) == 1
            await network.platform.stop()
        assert fake.delivered()[alice["id"]] == ["Hello"]  # sent once, after the four
        assert len(network.sleeps) == 4  # each 429's retry_after waited out
        summary = _lines(caplog)[1:]
        assert len(summary) == 1
        assert summary[0].startswith("telegram: flood control: 3 more 429s in 1 chats within")
        assert summary[0].endswith("(longest retry 2 s)")
