"""What adapters report ends written once, by :mod:`bot.members.facts`, by one rule.

Through the real adapters — python-telegram-bot against the loopback fake Bot API,
discord.py against the loopback fake of Discord — and on SQLite and PostgreSQL: a chat
that closed (a blocked bot, closed DMs) whether a reply or a queued message met the
refusal, a group upgraded to a supergroup (said by Telegram, or found by a send), and a
member coming back to the Discord server. Each writer is watched, so a test sees that
every report went through it and that a repeated report changed nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.port import Address, Message, Outgoing
from bot.delivery import channels, queue
from bot.members import facts
from bot.models import ChannelBinding, DeliveryStatus, Identity, RoleSync
from bot.platforms.discord.adapter import DiscordPlatform
from tests.support.discord_fake import (
    GENERAL,
    GUILD_ID,
    ROLE_BUSINESS,
    ROLE_COORDINATOR,
    ROLE_REFERENT,
    ROLE_TOURISM,
    FakeDiscord,
    Person,
)
from tests.support.fake_telegram import JSON, FakeTelegram
from tests.support.harness import Network, NetworkFactory
from tests.support.telegram_network import TelegramNetwork

GROUP_ID = -4001
SUPERGROUP_ID = -1004001
BRUNO = Person(500000000000000002, "Bruno", locale="fr")

Written = list[tuple[str, bool]]


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> Written:
    """(writer, changed something) for every fact written, in order."""
    calls: Written = []

    def watch(name: str) -> None:
        original: Callable[..., Awaitable[bool]] = getattr(facts, name)

        async def spy(*args: Any) -> bool:
            changed = await original(*args)
            calls.append((name, changed))
            return changed

        monkeypatch.setattr(facts, name, spy)

    for name in ("chat_closed", "chat_migrated", "member_joined"):
        watch(name)
    return calls


# -- Telegram ---------------------------------------------------------------------------


class Telegram(TelegramNetwork):
    """The Telegram test network, with what these tests read and write around it."""

    async def unreachable_since(self, user: JSON) -> datetime | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(Identity.unreachable_at).where(
                    Identity.platform == "telegram", Identity.user_id == str(user["id"])
                )
            )

    async def queue_private(self, key: str, user: JSON, text: str) -> None:
        planned = queue.Planned(
            key=key,
            address=Address("telegram", str(user["id"])),
            message=Message(text=text),
            private=True,
        )
        async with self.sessions.begin() as session:
            assert await queue.enqueue(session, self.clock.now(), "facts", [planned]) == 1
        await self.app.sender.drain()

    async def bindings(self) -> list[tuple[str, str, str]]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(ChannelBinding.chat_id, ChannelBinding.thread_id, ChannelBinding.scope)
                .where(ChannelBinding.platform == "telegram")
                .order_by(ChannelBinding.chat_id)
            )
        return [tuple(row) for row in rows]  # type: ignore[misc]

    async def bind(self, chat: int, scope: str) -> None:
        async with self.sessions.begin() as session:
            await channels.bind(
                session, Address("telegram", str(chat)), scope, by=None, now=self.clock.now()
            )


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake_telegram: FakeTelegram
) -> AsyncIterator[Telegram]:
    network = Telegram(engine, database_url, clock, fake_telegram)
    await network.platform.initialize()
    yield network
    await network.platform.stop()


@pytest.fixture
def alice(fake_telegram: FakeTelegram) -> JSON:
    return fake_telegram.user(1001, "Alice")


async def test_a_blocked_bot_is_written_once_from_the_first_refusal(
    tg: Telegram, fake_telegram: FakeTelegram, alice: JSON, clock: FrozenClock, written: Written
) -> None:
    fake = fake_telegram
    group = fake.group(GROUP_ID, "Lyon business")
    await tg.join(alice)
    fake.block(alice["id"])
    first = clock.now()
    # A reply meets the refusal: the report flow moves to her private chat.
    await tg.deliver(fake.text(alice, "/report@relais_test_bot", chat=group))
    assert await tg.unreachable_since(alice) == first
    # Later a queued message meets it, then another reply: nothing more is written.
    clock.advance(timedelta(hours=1))
    await tg.queue_private("facts:1", alice, "Share the festival")
    clock.advance(timedelta(hours=1))
    await tg.app.deliver([Outgoing(Address("telegram", str(alice["id"])), Message("Hello"))])
    assert await tg.unreachable_since(alice) == first
    assert written == [("chat_closed", True), ("chat_closed", False), ("chat_closed", False)]
    async with tg.sessions() as session:
        counts = await queue.progress(session, "facts")
    assert counts[DeliveryStatus.UNREACHABLE] == 1

    # She writes in private again: reachable; a new block counts from its own refusal.
    fake.unblock(alice["id"])
    await tg.deliver(fake.text(alice, "/help"))
    assert await tg.unreachable_since(alice) is None
    fake.block(alice["id"])
    clock.advance(timedelta(hours=1))
    await tg.queue_private("facts:2", alice, "Next call")
    assert await tg.unreachable_since(alice) == clock.now()


async def test_a_group_that_refuses_the_bot_marks_nobody(
    tg: Telegram, fake_telegram: FakeTelegram, alice: JSON, written: Written
) -> None:
    fake_telegram.group(GROUP_ID, "Lyon business")
    await tg.join(alice)
    fake_telegram.fail("sendMessage", "403", chat_id=GROUP_ID)
    await tg.app.deliver([Outgoing(Address("telegram", str(GROUP_ID)), Message("Plan"))])
    assert written == [("chat_closed", False)]
    assert await tg.unreachable_since(alice) is None


def service_message(fake: FakeTelegram, chat: JSON, sender: JSON, **fields: int) -> JSON:
    """A Telegram service message in ``chat`` (no text), such as a migration notice."""
    update = fake.text(sender, "-", chat=chat)
    del update["message"]["text"]
    update["message"].update(fields)
    return update


async def test_a_supergroup_upgrade_moves_the_channel_when_telegram_says_it(
    tg: Telegram, fake_telegram: FakeTelegram, alice: JSON, written: Written
) -> None:
    fake = fake_telegram
    old = fake.group(GROUP_ID, "Lyon business")
    await tg.bind(GROUP_ID, "category:business")
    new = fake.migrate(GROUP_ID, SUPERGROUP_ID)
    # Telegram says it twice: in the old group, then in the new supergroup.
    await tg.deliver(service_message(fake, old, alice, migrate_to_chat_id=SUPERGROUP_ID))
    await tg.deliver(service_message(fake, new, alice, migrate_from_chat_id=GROUP_ID))
    assert await tg.bindings() == [(str(SUPERGROUP_ID), "", "category:business")]
    assert written == [("chat_migrated", True), ("chat_migrated", False)]
    # Before anything was sent there, the supergroup already serves the category.
    async with tg.sessions() as session:
        scope = await channels.scope_of(
            session, tg.settings, Address("telegram", str(SUPERGROUP_ID))
        )
    assert scope == "category:business"
    # A send to the old id (a queued post from before) goes through; nothing else moves.
    outgoing = Outgoing(Address("telegram", str(GROUP_ID)), Message("Weekly leaderboard"))
    assert await tg.platform.send(outgoing) is not None
    assert fake.texts(new) == ["Weekly leaderboard"]
    assert written == [("chat_migrated", True)] + [("chat_migrated", False)] * 2


async def test_a_migration_onto_a_chat_bound_meanwhile_keeps_the_later_binding(
    tg: Telegram, fake_telegram: FakeTelegram, written: Written
) -> None:
    fake_telegram.group(GROUP_ID, "Lyon business")
    await tg.bind(GROUP_ID, "category:business")
    new = fake_telegram.migrate(GROUP_ID, SUPERGROUP_ID)
    await tg.bind(SUPERGROUP_ID, "general")  # /bind in the supergroup, before any send
    outgoing = Outgoing(Address("telegram", str(GROUP_ID)), Message("Weekly leaderboard"))
    assert await tg.platform.send(outgoing) is not None
    assert fake_telegram.texts(new) == ["Weekly leaderboard"]
    assert await tg.bindings() == [(str(SUPERGROUP_ID), "", "general")]
    assert written == [("chat_migrated", False)]


async def test_a_fact_that_cannot_be_written_never_breaks_the_send(
    tg: Telegram,
    fake_telegram: FakeTelegram,
    alice: JSON,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = fake_telegram
    old = fake.group(GROUP_ID, "Lyon business")
    await tg.bind(GROUP_ID, "category:business")
    fake.migrate(GROUP_ID, SUPERGROUP_ID)

    async def broken(*_args: Any) -> bool:
        raise RuntimeError("database gone")

    monkeypatch.setattr(facts, "chat_migrated", broken)
    outgoing = Outgoing(Address("telegram", str(GROUP_ID)), Message("Weekly leaderboard"))
    with caplog.at_level(logging.ERROR, logger="bot.app"):
        assert await tg.platform.send(outgoing) is not None
    assert "could not record a ChatMigrated report" in caplog.text
    assert await tg.bindings() == [(str(GROUP_ID), "", "category:business")]
    # The next report of it catches up.
    monkeypatch.undo()
    await tg.deliver(service_message(fake, old, alice, migrate_to_chat_id=SUPERGROUP_ID))
    assert await tg.bindings() == [(str(SUPERGROUP_ID), "", "category:business")]


# -- Discord ----------------------------------------------------------------------------


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    fake.members.update({BRUNO.id: set()})
    yield fake
    await fake.stop()


@pytest.fixture
def discord_network(network_factory: NetworkFactory) -> Network:
    """Server roles mirrored, newcomers greeted in the general channel."""
    network = network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")
    settings = network.settings
    discord = settings.discord.model_copy(
        update={
            "category_roles": {"business": ROLE_BUSINESS, "tourism": ROLE_TOURISM},
            "referent_role": ROLE_REFERENT,
            "coordinator_role": ROLE_COORDINATOR,
            "greet_newcomers": True,
        }
    )
    update = {"discord": discord, "channels": {"general": [f"discord:{GENERAL}"]}}
    return Network(network.engine, settings.model_copy(update=update), network.clock)


@pytest.fixture
async def discord(
    discord_network: Network, fake_discord: FakeDiscord
) -> AsyncIterator[DiscordPlatform]:
    platform = DiscordPlatform(discord_network.app, "fake-token", retry_delay=0)
    await platform.login()
    fake_discord.guild_create(platform)
    yield platform
    await platform.stop()


async def discord_join(fake: FakeDiscord, platform: DiscordPlatform, person: Person) -> None:
    await fake.slash(platform, person, "start")
    for label in ("English", "I agree", "Business", "Skip"):
        await fake.press(platform, person, fake.newest_with_buttons(person), label)


async def discord_unreachable_since(network: Network, person: Person) -> datetime | None:
    async with network.sessions() as session:
        return await session.scalar(
            select(Identity.unreachable_at).where(
                Identity.platform == "discord", Identity.user_id == str(person.id)
            )
        )


async def test_closed_dms_are_written_once_from_the_first_refusal(
    discord_network: Network,
    discord: DiscordPlatform,
    fake_discord: FakeDiscord,
    written: Written,
) -> None:
    network, fake, clock = discord_network, fake_discord, discord_network.clock
    await discord_join(fake, discord, BRUNO)
    fake.closed_dms.add(BRUNO.id)
    dm = Address("discord", str(BRUNO.id))
    first = clock.now()
    planned = queue.Planned(key="facts:1", address=dm, message=Message("Nudge"), private=True)
    async with network.sessions.begin() as session:
        await queue.enqueue(session, clock.now(), "facts", [planned])
    await network.app.sender.drain()
    assert await discord_unreachable_since(network, BRUNO) == first
    clock.advance(timedelta(hours=1))
    await network.app.deliver([Outgoing(dm, Message("Your link code"))])
    assert await discord_unreachable_since(network, BRUNO) == first
    assert written == [("chat_closed", True), ("chat_closed", False)]

    # An edit of a message that is gone says nothing about his DMs.
    fake.closed_dms.discard(BRUNO.id)
    await fake.dm(discord, BRUNO, "bonjour")
    assert await discord_unreachable_since(network, BRUNO) is None
    await network.app.deliver([Outgoing(dm, Message("Saved."), edit_message_id="4242")])
    assert await discord_unreachable_since(network, BRUNO) is None
    assert written == [("chat_closed", True), ("chat_closed", False)]


async def test_a_member_back_on_the_server_gets_their_roles_back_once(
    discord_network: Network,
    discord: DiscordPlatform,
    fake_discord: FakeDiscord,
    written: Written,
) -> None:
    fake = fake_discord
    await discord_join(fake, discord, BRUNO)
    assert fake.members[BRUNO.id] == {ROLE_BUSINESS}
    fake.member_leaves(discord, BRUNO)  # Discord drops the roles of who leaves
    await fake.member_joins(discord, BRUNO)
    assert fake.members[BRUNO.id] == {ROLE_BUSINESS}
    fake.member_updated(discord, BRUNO)  # Discord tells the gateway about the roles given
    changes = len(fake.role_changes())
    # Reported again (discord.py drops a repeated GUILD_MEMBER_ADD itself; another
    # process's gateway may not): nothing more to do.
    guild = discord.client.get_guild(GUILD_ID)
    member = guild.get_member(BRUNO.id) if guild is not None else None
    assert member is not None
    await discord.on_member_join(member)
    assert len(fake.role_changes()) == changes
    assert written == [("member_joined", True), ("member_joined", True)]
    async with discord_network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RoleSync)) == 0
    assert fake.in_channel(GENERAL) == []  # a member is not greeted as a newcomer
