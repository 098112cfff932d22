"""One person on two platforms is reached where they can be: their preferred platform,
and the other one once when the preferred one refuses (closed DMs, blocked bot).

python-telegram-bot talks to the fake Bot API and discord.py to the fake Discord, both
served by one Relais; every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.port import Address, Message
from bot.delivery import audience, queue, reach, recipients
from bot.models import Delivery, DeliveryStatus, Identity, Member
from bot.platforms.discord.adapter import DiscordPlatform
from jobs import nudges as nudge_job
from tests.support.actions import CODE
from tests.support.discord_fake import GUILD_ID, FakeDiscord, Person
from tests.support.fake_telegram import JSON, FakeTelegram
from tests.support.harness import Network, NetworkFactory, OtherPlatform
from tests.support.telegram_network import TelegramNetwork

BOB = Person(500000000000000007, "Bob")


class Both:
    """One Relais serving the fake Telegram and the fake Discord."""

    def __init__(self, tg: TelegramNetwork, discord_fake: FakeDiscord) -> None:
        self.tg, self.discord_fake = tg, discord_fake
        self.app = tg.app
        self.discord = DiscordPlatform(tg.app, "fake-token", retry_delay=0)

    async def start(self) -> None:
        await self.tg.platform.initialize()
        await self.discord.login()
        self.discord_fake.guild_create(self.discord)

    async def stop(self) -> None:
        await self.discord.stop()
        await self.tg.platform.stop()

    async def member_id(self) -> int:
        async with self.tg.sessions() as session:
            found = await session.scalar(
                select(Identity.member_id).where(Identity.platform == "discord")
            )
        assert found is not None
        return int(found)

    def dms(self) -> list[str]:
        """What Bob received in his Discord DMs."""
        return [
            posted.content
            for posted in self.discord_fake.seen_by(BOB)
            if posted.where == f"dm:{BOB.id}"
        ]


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def telegram_fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def both(
    engine: AsyncEngine,
    database_url: str,
    clock: FrozenClock,
    telegram_fake: FakeTelegram,
    discord_fake: FakeDiscord,
) -> AsyncIterator[Both]:
    tg = TelegramNetwork(
        engine,
        database_url,
        clock,
        telegram_fake,
        discord_token="fake-token",
        discord__guild_id=str(GUILD_ID),
        network__default_language="en",
    )
    running = Both(tg, discord_fake)
    await running.start()
    yield running
    await running.stop()


async def linked_bob(both: Both, telegram_fake: FakeTelegram) -> JSON:
    """Bob joins on Telegram and links his Discord account with a code."""
    bob = telegram_fake.user(1007, "Bob")
    await both.tg.join(bob)
    await both.tg.say(bob, "/link")
    code = CODE.search(telegram_fake.texts(bob)[-1])
    assert code is not None
    await both.discord_fake.slash(both.discord, BOB, "link", code=code.group(1))
    assert "Linked!" in both.discord_fake.seen_by(BOB)[-1].content
    return bob


async def prefer(both: Both, bob: JSON, platform: str) -> None:
    await both.tg.say(bob, "/platform")
    assert (
        "Where should nudges, campaign messages and notifications reach you?"
        in (both.tg.fake.texts(bob)[-1])
    )
    await both.tg.tap(bob, platform)


async def campaign_dm(both: Both, key: str, text: str) -> int:
    """What a campaign job does for one member: queue a private message, then send."""
    member_id = await both.member_id()
    async with both.tg.sessions.begin() as session:
        queued = await audience.tell_members(
            session,
            now=both.app.clock.now(),
            platforms=sorted(both.app.platforms),
            member_ids=[member_id],
            key_prefix=key,
            batch=key,
            render=lambda language: Message(text=text),
        )
    await both.app.sender.drain()
    return queued


async def test_the_preferred_platform_gets_private_messages(
    both: Both, telegram_fake: FakeTelegram
) -> None:
    bob = await linked_bob(both, telegram_fake)
    # He last wrote in private on Telegram: automatic sends there.
    await campaign_dm(both, "campaign:1", "First call")
    assert "First call" in telegram_fake.texts(bob)
    assert "First call" not in both.dms()

    await prefer(both, bob, "Discord")
    assert "Saved." in telegram_fake.texts(bob)[-1]
    await campaign_dm(both, "campaign:2", "Second call")
    assert "Second call" in both.dms()
    assert "Second call" not in telegram_fake.texts(bob)

    await prefer(both, bob, "Automatic")
    await campaign_dm(both, "campaign:3", "Third call")
    assert "Third call" in telegram_fake.texts(bob)
    assert "Third call" not in both.dms()


async def test_closed_dms_send_the_nudge_on_telegram_exactly_once(
    both: Both, telegram_fake: FakeTelegram, clock: FrozenClock
) -> None:
    bob = await linked_bob(both, telegram_fake)
    await prefer(both, bob, "Discord")
    both.discord_fake.closed_dms.add(BOB.id)
    before = len(telegram_fake.texts(bob))

    clock.advance(timedelta(days=30, hours=1))  # dormant, at 12:00 in Paris
    await nudge_job.run(both.app)
    await both.app.sender.drain()
    received = telegram_fake.texts(bob)[before:]
    assert len(received) == 1
    assert "Bob" in received[0]
    assert telegram_fake.last_message(bob, with_buttons=True)["text"] == received[0]
    # Discord was tried once, refused; the identity is marked unreachable.
    assert len(both.discord_fake.requests("POST", r"/channels/\d+/messages")) >= 1
    async with both.tg.sessions() as session:
        unreachable = await session.scalar(
            select(Identity.unreachable_at).where(Identity.platform == "discord")
        )
        statuses = sorted(
            (key, str(status))
            for key, status in await session.execute(select(Delivery.key, Delivery.status))
            if key.startswith("nudge:")
        )
    assert unreachable == clock.now()
    [(first, first_status), (copy, copy_status)] = statuses
    assert (first_status, copy, copy_status) == ("unreachable", f"{first}~telegram", "sent")

    # The job runs again, and the refusal is handled again: nothing more is sent.
    await nudge_job.run(both.app)
    async with both.tg.sessions.begin() as session:
        row = await session.scalar(select(Delivery).where(Delivery.key == first))
        assert row is not None
        assert not await reach.fall_back(session, row, sorted(both.app.platforms), clock.now())
    await both.app.sender.drain()
    assert telegram_fake.texts(bob)[before:] == received


async def test_a_campaign_dm_refused_on_discord_reaches_telegram_once(
    both: Both, telegram_fake: FakeTelegram
) -> None:
    bob = await linked_bob(both, telegram_fake)
    await prefer(both, bob, "Discord")
    both.discord_fake.closed_dms.add(BOB.id)
    assert await campaign_dm(both, "campaign:7", "Share the festival") == 1
    # The job runs again: its key is taken, and Discord is now known to be closed.
    assert await campaign_dm(both, "campaign:7", "Share the festival") == 0
    assert telegram_fake.texts(bob).count("Share the festival") == 1
    assert "Share the festival" not in both.dms()
    async with both.tg.sessions() as session:
        counts = await queue.progress(session, "campaign:7")
    assert (counts[DeliveryStatus.UNREACHABLE], counts[DeliveryStatus.SENT]) == (1, 1)
    # Back on Discord: a private message there reopens it; the preference applies again.
    both.discord_fake.closed_dms.discard(BOB.id)
    await both.discord_fake.dm(both.discord, BOB, "hello")
    await campaign_dm(both, "campaign:8", "Next call")
    assert "Next call" in both.dms()


async def test_a_blocked_bot_on_telegram_sends_on_discord_instead(
    both: Both, telegram_fake: FakeTelegram
) -> None:
    bob = await linked_bob(both, telegram_fake)
    telegram_fake.block(bob["id"])  # automatic would pick Telegram, his last private chat
    assert await campaign_dm(both, "campaign:9", "Meet us on Friday") == 1
    assert await campaign_dm(both, "campaign:9", "Meet us on Friday") == 0
    assert both.dms().count("Meet us on Friday") == 1
    async with both.tg.sessions() as session:
        keys = sorted(
            await session.scalars(select(Delivery.key).where(Delivery.batch == "campaign:9"))
        )
        blocked = await session.scalar(
            select(Identity.unreachable_at).where(Identity.platform == "telegram")
        )
    assert keys == [
        f"campaign:9:m{await both.member_id()}",
        f"campaign:9:m{await both.member_id()}~discord",
    ]
    assert blocked is not None


async def test_channel_posts_and_lone_identities_do_not_fall_back(
    both: Both, telegram_fake: FakeTelegram
) -> None:
    bob = await linked_bob(both, telegram_fake)
    member_id = await both.member_id()
    async with both.tg.sessions.begin() as session:
        channel = Delivery(
            key="plan:1:business",
            batch="plan:1",
            platform="discord",
            chat_id="123",
            private=False,
            member_id=None,
            message=queue.encode(Message(text="Plan")),
            status=DeliveryStatus.UNREACHABLE,
            attempts=1,
            not_before=both.app.clock.now(),
            created_at=both.app.clock.now(),
        )
        assert not await reach.fall_back(
            session, channel, ["telegram", "discord"], channel.created_at
        )
        # Bob blocked the bot on Telegram too: nowhere left to reach him.
        await session.execute(
            Identity.__table__.update()
            .where(Identity.member_id == member_id)
            .values(unreachable_at=both.app.clock.now())
        )
        assert (
            await recipients.private_recipients(session, [member_id], ["telegram", "discord"]) == []
        )
    assert bob["id"] == 1007


async def test_platform_choice_on_the_console(network_factory: NetworkFactory) -> None:
    network: Network = network_factory()
    other = OtherPlatform(network.app, "telegram")
    await network.join("alice")
    out = await network.play("@alice /platform")
    assert "no other platform linked" in out
    await network.play("@alice /link")
    code = CODE.search(network.out.getvalue())
    assert code is not None
    assert "Linked!" in await other.say("77", f"/link {code.group(1)}")
    network.clock.advance(timedelta(hours=2))
    await other.say("77", "/me")
    async with network.sessions() as session:
        member_id = await session.scalar(select(Member.id).where(Member.display_name == "Alice"))
        assert member_id is not None
        found = await recipients.private_recipients(session, [member_id], ["console", "telegram"])
    assert found[0].address.platform == "telegram"  # where she last wrote in private

    out = await network.play("@alice /platform\n@alice [Console]")
    assert "Now: automatic (where you last wrote to me in private)." in out
    assert "Private messages: Console" in out
    async with network.sessions() as session:
        found = await recipients.private_recipients(session, [member_id], ["console", "telegram"])
        assert found[0].address.platform == "console"
        # Not running here: the other platform takes over.
        found = await recipients.private_recipients(session, [member_id], ["telegram"])
        assert found[0].address == Address("telegram", "77")
        preferred = await session.scalar(select(Member.preferred_platform))
    assert preferred == "console"
    # Unlinking the preferred platform's account forgets the preference.
    await network.play("@alice /unlink")
    async with network.sessions() as session:
        assert (
            await session.scalar(select(func.count()).where(Member.preferred_platform.is_not(None)))
            == 0
        )
