"""No chat can stall the others on Telegram: updates are handled concurrently across
chats and in order within each, a person's burst is cut short, a stranger's refusals
never land in a group, and the polling offset never passes an unhandled update.

Assertions are on the order of what the fake Bot API server saw and on the injected
clock, never on wall time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.conversation.commands import CommandPress
from bot.core.clock import FrozenClock
from bot.core.port import Address, Button, Event, Message, Outgoing, Platform
from tests.support.fake_telegram import JSON, FakeTelegram
from tests.support.telegram_network import TelegramNetwork

GROUP_ID = -1004321
SLOW_DOWN = "You are sending too much at once. Please wait a minute, then try again."
HELP = "What you can do"


async def _network(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram, **env: str
) -> TelegramNetwork:
    network = TelegramNetwork(engine, database_url, clock, fake, **env)
    await network.platform.initialize()
    return network


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = await _network(engine, database_url, clock, fake)
    yield network
    await network.platform.stop()


def _record(network: TelegramNetwork, log: list[tuple[str, str, str]]) -> None:
    """Note when each update's handling starts and ends (chat, update id)."""
    dispatch = network.app.dispatch

    async def recorded(event: Event, platform: Platform) -> None:
        log.append(("start", event.chat_id, event.update_id or ""))
        await asyncio.sleep(0)
        await dispatch(event, platform)
        log.append(("end", event.chat_id, event.update_id or ""))

    network.app.dispatch = recorded  # type: ignore[method-assign]


def _help_answers(fake: FakeTelegram) -> list[int | None]:
    return [c.chat_id for c in fake.calls_to("sendMessage") if HELP in c.text]


async def test_a_strangers_sixty_help_do_not_delay_a_members_help(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    alice = fake.user(1001, "Alice")
    stranger = fake.user(6666, "Stranger")
    await tg.join(alice)
    flood = [fake.text(stranger, "/help") for _ in range(60)]
    await tg.deliver(*flood, fake.text(alice, "/help"))
    answers = _help_answers(fake)
    assert answers.count(stranger["id"]) == 60
    # Handled one after another, Alice's answer came after the stranger's sixty; now it
    # is among the first ones, the stranger's chat waiting in its own line. How many of
    # the stranger's go first depends on who wins SQLite's write lock on a busy machine
    # (3 was seen in CI), so the bound is loose but still far from the 61st place.
    assert answers.index(alice["id"]) <= 10


async def test_each_chats_order_is_kept_while_chats_interleave(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    users = [fake.user(2000 + n, f"User{n}") for n in range(3)]
    log: list[tuple[str, str, str]] = []
    _record(tg, log)
    updates = [fake.text(user, "/help") for _ in range(8) for user in users]
    await tg.deliver(*updates)
    for user in users:
        chat = str(user["id"])
        mine = [(step, update) for step, chat_id, update in log if chat_id == chat]
        sent = [str(u["update_id"]) for u in updates if u["message"]["chat"]["id"] == user["id"]]
        # Each update ends before the chat's next one starts, in the order they came.
        assert mine == [(step, update) for update in sent for step in ("start", "end")]
    # ...while chats run side by side: a second chat starts before the first one is done.
    first_end = next(i for i, (step, chat, _) in enumerate(log) if step == "end")
    assert len({chat for step, chat, _ in log[:first_end] if step == "start"}) == 3


async def _group_post(tg: TelegramNetwork, fake: FakeTelegram) -> JSON:
    group = fake.group(GROUP_ID, "Business")
    button = Button("Report", CommandPress("report").pack())
    await tg.platform.send(
        Outgoing(Address("telegram", str(GROUP_ID)), Message.with_rows("A plan", [[button]]))
    )
    return fake.last_message(group, with_buttons=True)


async def test_300_group_presses_by_non_members_post_nothing_in_the_group(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    post = await _group_post(tg, fake)
    strangers = [fake.user(3000 + n, f"Stranger{n}") for n in range(10)]
    presses = [fake.press(strangers[n % 10], post, "Report") for n in range(300)]
    before = len(fake.sent_to(GROUP_ID))
    await tg.deliver(*presses)
    assert len(fake.sent_to(GROUP_ID)) - before == 0
    assert fake.unanswered_callbacks == set()
    told = [c.params.get("text") for c in fake.calls_to("answerCallbackQuery")]
    # Each presser was told why, in the press's answer that only they see.
    assert told.count("You are not a member yet. Send /start to join.") == 300


async def test_a_command_typed_in_a_group_by_a_stranger_is_refused_elsewhere(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    group = fake.group(GROUP_ID, "Business")
    stranger = fake.user(3100, "Stranger")
    await tg.deliver(fake.text(stranger, "/members@relais_test_bot", chat=group))
    assert fake.sent_to(GROUP_ID) == []


async def test_a_burst_gets_exactly_one_slow_down(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> None:
    tg = await _network(engine, database_url, clock, fake, limits__updates_per_minute="30")
    try:
        stranger = fake.user(4000, "Stranger")
        await tg.deliver(*[fake.text(stranger, "/help") for _ in range(60)])
        texts = fake.texts(stranger)
        assert texts.count(SLOW_DOWN) == 1
        assert sum(HELP in text for text in texts) == 30
        assert fake.pending_updates == []  # the dropped ones are acknowledged too
        clock.advance(timedelta(seconds=59))
        await tg.say(stranger, "/help")
        assert len(fake.texts(stranger)) == 31  # still within the minute: dropped
        clock.advance(timedelta(seconds=1))
        await tg.say(stranger, "/help")
        assert HELP in fake.texts(stranger)[-1]

        # In a group, the burst's "slow down" is the presser's alone, too.
        post = await _group_post(tg, fake)
        other = fake.user(4001, "Other")
        before = len(fake.sent_to(GROUP_ID))
        await tg.deliver(*[fake.press(other, post, "Report") for _ in range(40)])
        told = [c.params.get("text") for c in fake.calls_to("answerCallbackQuery")]
        assert told.count(SLOW_DOWN) == 1
        assert len(fake.sent_to(GROUP_ID)) == before
    finally:
        await tg.platform.stop()


async def test_the_offset_never_passes_an_unhandled_update(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    alice, bob = fake.user(5001, "Alice"), fake.user(5002, "Bob")
    stuck = asyncio.Event()
    dispatch = tg.app.dispatch

    async def stalls_for_alice(event: Event, platform: Platform) -> None:
        if event.chat_id == str(alice["id"]):
            await stuck.wait()  # never set: Alice's update is in hand when the process stops
        await dispatch(event, platform)

    tg.app.dispatch = stalls_for_alice  # type: ignore[method-assign]
    first, second = fake.text(alice, "/help"), fake.text(bob, "/help")
    fake.push(first, second)
    await tg.platform.start()
    await fake.wait_for(lambda: bool(fake.texts(bob)))
    answered = len(fake.calls)
    # Polling goes on after Bob's update was handled, from Alice's: it stays pending.
    await fake.wait_for(lambda: any(c.method == "getUpdates" for c in fake.calls[answered:]))
    assert first in fake.pending_updates
    tg.platform.shutdown_grace = 0.05
    await tg.platform.stop()
    assert [u["update_id"] for u in fake.pending_updates] == [
        first["update_id"],
        second["update_id"],
    ]
    again = await tg.restarted()
    await again.platform.initialize()
    try:
        while await again.platform.poll_once():
            pass
    finally:
        await again.platform.stop()
    assert sum(HELP in text for text in fake.texts(alice)) == 1
    assert sum(HELP in text for text in fake.texts(bob)) == 1  # a redelivery changes nothing
    assert fake.pending_updates == []
