"""Points only for what was asked: answer buttons pressed, or forged, by members a plan or
a campaign run never addressed, or for runs that never happened, earn nothing and store
nothing — through the console and through the Telegram adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.animation.calls import AnswerPress, Choice, Subject
from bot.core.clock import FrozenClock
from bot.core.port import Event
from bot.models import ActionPlan, Answer, Member, PointsEntry
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import Network
from tests.support.people import member_id, said_to, with_roles
from tests.support.telegram_network import TelegramNetwork

NOT_FOR_YOU = "This call is for other members: only the members it was addressed to can answer it."
NO_LONGER = "This button is no longer active."
ROUNDS = 20

PLAN = """
@rita /plan business
@rita Share the festival video
@rita The festival made a video of the city.
@rita Share it this week
@rita [Skip]
@rita [Confirm]
"""
CAMPAIGN = """
@carol /campaign
@carol [{target}]
@carol [Continue]
@carol Derby on Sunday
@carol Wear the city's colours
@carol {when}
@carol [Once]
@carol [Channels only]
@carol [Confirm]
"""


async def _ledger(sessions: object, *member_ids: int) -> tuple[int, int]:
    """(points entries, answers) of these members."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    assert isinstance(sessions, async_sessionmaker)
    async with sessions() as session:
        points = await session.scalar(
            select(func.count()).where(PointsEntry.member_id.in_(member_ids))
        )
        answers = await session.scalar(select(func.count()).where(Answer.member_id.in_(member_ids)))
    return int(points or 0), int(answers or 0)


def _press(user: str, subject: Subject, choice: Choice, *, private: bool) -> Event:
    return Event(
        platform="console",
        user_id=user,
        user_name=user.capitalize(),
        chat_id=user if private else "#business",
        is_private=private,
        message_id="1",
        payload=AnswerPress(subject, choice).pack(),
    )


async def test_forged_and_shared_presses_earn_nothing_on_the_console(network: Network) -> None:
    network = with_roles(network, referents={"business": ["console:rita"]})
    await network.join("carol")  # a coordinator, in Business
    await network.join("rita", category="Sport")  # the plan's author
    await network.join("alice")  # Business
    await network.join("tom", category="Sport")
    await network.play(PLAN)  # plan 1, for Business
    await network.play(CAMPAIGN.format(target="Sport", when="[Now]"))  # campaign 1: run 1
    await network.play(CAMPAIGN.format(target="Business", when="20/03/2026 09:00"))  # not sent
    alice, tom = await member_id(network, "Alice"), await member_id(network, "Tom")
    carol, rita = await member_id(network, "Carol"), await member_id(network, "Rita")
    attacks = [
        ("alice", Subject(campaign_id=1, occurrence=1), NOT_FOR_YOU),  # Sport's campaign
        ("alice", Subject(campaign_id=1, occurrence=0), NO_LONGER),  # run 0
        ("alice", Subject(campaign_id=1, occurrence=2), NO_LONGER),  # a run to come
        ("alice", Subject(campaign_id=2, occurrence=1), NO_LONGER),  # scheduled, not sent
        ("alice", Subject(plan_id=999), NO_LONGER),  # no such plan
        ("tom", Subject(plan_id=1), NOT_FOR_YOU),  # Business's plan, seen in #business
        ("rita", Subject(plan_id=1), NOT_FOR_YOU),  # its own author
        ("carol", Subject(plan_id=1), NOT_FOR_YOU),  # a coordinator
    ]
    presses = 0
    for round_ in range(ROUNDS):
        for user, subject, refusal in attacks:
            for choice in Choice:
                start = network.out.tell()
                await network.app.dispatch(
                    _press(user, subject, choice, private=round_ % 2 == 0), network.console
                )
                presses += 1
                replies = said_to(network.out.getvalue()[start:], f"@{user}")
                assert replies == [refusal], (user, subject, replies)
    assert presses == ROUNDS * len(attacks) * len(Choice) == 480
    assert await _ledger(network.sessions, alice, tom, carol, rita) == (0, 0)
    # What was asked still counts: Alice answers Business's plan, Tom Sport's campaign.
    out = await network.play("@alice #business [Fait]")
    assert "+5 points" in said_to(out, "@alice")[0]
    await network.app.dispatch(
        _press("tom", Subject(campaign_id=1, occurrence=1), Choice.DONE, private=True),
        network.console,
    )
    assert await _ledger(network.sessions, alice, tom) == (2, 2)


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock
) -> AsyncIterator[tuple[TelegramNetwork, FakeTelegram]]:
    async with FakeTelegram() as fake:
        network = TelegramNetwork(engine, database_url, clock, fake)
        await network.platform.initialize()
        yield network, fake
        await network.platform.stop()


async def test_forged_presses_through_telegram_earn_nothing(
    tg: tuple[TelegramNetwork, FakeTelegram],
) -> None:
    network, fake = tg
    alice = fake.user(1001, "Alice")
    await network.join(alice)  # Business
    async with network.sessions.begin() as session:
        author = await session.scalar(select(Member.id))
        plan = ActionPlan(
            author_id=author,
            category="sport",
            title_en="Derby",
            text_en="Derby on Sunday",
            call_en="Wear the colours",
            posted_at=network.clock.now(),
            window_ends_at=network.clock.now(),
        )
        session.add(plan)
        await session.flush()
        plan_id = plan.id
    message = fake.last_message(alice)
    forged = [
        AnswerPress(subject, choice).pack()
        for subject in (
            Subject(plan_id=plan_id),  # another category's plan
            Subject(plan_id=plan_id + 1),  # no such plan
            Subject(campaign_id=1, occurrence=0),  # no campaign, run 0
        )
        for choice in Choice
    ] * 12
    await network.deliver(*(fake.forged_press(alice, message, data) for data in forged))
    member = await network.member(alice)
    assert await _ledger(network.sessions, member.id) == (0, 0)
    texts = fake.texts(alice)
    assert texts.count(NOT_FOR_YOU) == 36 and texts.count(NO_LONGER) == 72
    assert fake.unanswered_callbacks == set()
