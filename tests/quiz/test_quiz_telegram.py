"""The weekly question as a native Telegram quiz poll, through python-telegram-bot and the
fake Bot API: sent non-anonymous with its explanation, ``poll_answer`` updates (asked for
in ``allowed_updates``) credit a correct first answer once even when delivered twice, and
the poll is stopped when its days are over. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.port import Address
from bot.delivery import channels
from bot.models import PointsEntry, QuizAnswer, QuizPost, QuizQuestion
from jobs import quiz as quiz_job
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

GROUP_ID = -1004321


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        server.group(GROUP_ID, "Business")
        yield server


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(engine, database_url, clock, fake)
    await network.platform.initialize()
    yield network
    await network.platform.stop()


async def test_a_quiz_poll_credits_correct_first_answers_once(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    alice, bob = fake.user(101, "Alice"), fake.user(102, "Bob")
    stranger = fake.user(103, "Stranger")
    await tg.join(alice)
    await tg.join(bob)
    now = tg.clock.now()
    async with tg.sessions.begin() as session:
        session.add(
            QuizQuestion(
                text_en="Which river runs through Roanne?",
                text_fr="Quelle rivière traverse Roanne ?",
                options_en=["The Rhône", "The Loire"],
                options_fr=["Le Rhône", "La Loire"],
                correct=[1],
                explanation_en="The Loire, France's longest river.",
                explanation_fr="La Loire, le plus long fleuve de France.",
                categories=[],
                created_at=now,
            )
        )
        await channels.bind(
            session, Address("telegram", str(GROUP_ID)), "category:business", by=None, now=now
        )
    await quiz_job.run(tg.app)
    await quiz_job.run(tg.app)  # a rerun the same week posts nothing
    (sent,) = fake.calls_to("sendPoll")
    assert sent.params["type"] == "quiz"
    assert sent.params["is_anonymous"] is False
    assert sent.params["correct_option_id"] == 1
    assert sent.params["explanation"] == "La Loire, le plus long fleuve de France."
    poll_message = fake.last_message(GROUP_ID)
    assert poll_message["poll"]["options"][1]["text"] == "La Loire"
    async with tg.sessions() as session:
        post = await session.scalar(select(QuizPost))
    assert post is not None and post.poll_id == poll_message["poll"]["id"]
    # Alice right (delivered twice), Bob wrong, a stranger ignored.
    right = fake.poll_answer(alice, poll_message, 1)
    await tg.deliver(right)
    await tg.deliver(right)
    await tg.deliver(fake.poll_answer(alice, poll_message, 1))  # a new update, same answer
    await tg.deliver(fake.poll_answer(bob, poll_message, 0))
    await tg.deliver(fake.poll_answer(stranger, poll_message, 1))
    assert "poll_answer" in fake.calls_to("getUpdates")[-1].params["allowed_updates"]
    async with tg.sessions() as session:
        answers = {
            member_id: correct
            for member_id, correct in await session.execute(
                select(QuizAnswer.member_id, QuizAnswer.correct)
            )
        }
        points = list(await session.execute(select(PointsEntry.member_id, PointsEntry.points)))
    alice_id, bob_id = (await tg.member(alice)).id, (await tg.member(bob)).id
    assert answers == {alice_id: True, bob_id: False}
    assert points == [(alice_id, 2)]
    assert (await tg.member(alice)).last_action_at == tg.clock.now()
    # Days later the poll is stopped, once.
    await quiz_job.close(tg.app)
    assert fake.calls_to("stopPoll") == []
    tg.clock.advance(timedelta(days=tg.settings.quiz.open_days, minutes=1))
    await quiz_job.close(tg.app)
    await quiz_job.close(tg.app)
    (stopped,) = fake.calls_to("stopPoll")
    assert stopped.params["message_id"] == poll_message["message_id"]
    assert fake.message(GROUP_ID, poll_message["message_id"])["poll"]["is_closed"] is True
