"""A public command's refusal is shown to the caller only; its success to the channel.

``/bind``, ``/unbind`` and ``/leaderboard`` answer the whole channel. Before acknowledging
one, the adapter asks the app whether the caller passes the command's gate: if not (not a
member, not active, not a coordinator), the acknowledgement is ephemeral (flags 64) and so
is the refusal. Otherwise the "thinking…" placeholder is public; should the app refuse
anyway (bad arguments), the placeholder is deleted and the refusal follows as an
ephemeral message. Either way the channel sees nothing. On discord.py's own objects
against the loopback fake of Discord; every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.delivery import channels
from bot.platforms.discord.adapter import DiscordPlatform
from tests.support.discord_fake import BUSINESS, GUILD_ID, Call, FakeDiscord, Person
from tests.support.discord_network import ALICE, CAROL, Connected, join, with_coordinator
from tests.support.harness import Network, NetworkFactory

EPHEMERAL = 64
DANIEL = Person(500000000000000004, "Daniel")  # never joined


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    base = network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")
    return with_coordinator(base, CAROL)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def platform(network: Network, fake: FakeDiscord) -> AsyncIterator[DiscordPlatform]:
    connected = Connected(network, fake)
    platform = await connected.start()
    await join(fake, platform, ALICE)
    await join(fake, platform, CAROL)
    yield platform
    await platform.stop()


def last_turn(fake: FakeDiscord) -> list[Call]:
    """The REST calls made for the newest interaction, in order."""
    token = fake.tokens()[-1]
    return [call for call in fake.calls if token in call.path]


def shape(calls: list[Call]) -> list[tuple[str, str, int]]:
    """(method, what, flags) of each call: the deferral, edits, deletions, followups."""
    kinds = []
    for call in calls:
        if call.path.endswith("/callback"):
            what = f"callback:{call.body['type']}"
        elif call.path.endswith("/messages/@original"):
            what = "original"
        else:
            what = "followup"
        kinds.append((call.method, what, call.flags))
    return kinds


async def bound_to(network: Network, scope: str) -> list[str]:
    async with network.sessions() as session:
        found = await channels.addresses_for(session, network.settings, scope, ["discord"])
    return [address.chat_id for address in found]


async def test_a_members_bind_is_refused_to_them_alone(
    network: Network, fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    await fake.slash(platform, ALICE, "bind", channel=BUSINESS, scope="business")
    # The gate says no: acknowledged ephemerally, and the refusal replaces the placeholder.
    assert shape(last_turn(fake)) == [("POST", "callback:5", EPHEMERAL), ("PATCH", "original", 0)]
    assert last_turn(fake)[-1].content == "This command is for coordinators or referents."
    assert fake.in_channel(BUSINESS) == []
    answer = fake.seen_by(ALICE)[-1]
    assert answer.ephemeral and answer.content == "This command is for coordinators or referents."
    assert await bound_to(network, "category:business") == []


async def test_a_strangers_bind_is_refused_to_them_alone(
    fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    await fake.slash(platform, DANIEL, "bind", channel=BUSINESS, scope="business")
    assert shape(last_turn(fake))[0] == ("POST", "callback:5", EPHEMERAL)
    assert fake.in_channel(BUSINESS) == []
    assert fake.seen_by(DANIEL)[-1].content == "You are not a member yet. Send /start to join."


async def test_a_coordinators_bind_is_confirmed_to_the_channel(
    network: Network, fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    await fake.slash(platform, CAROL, "bind", channel=BUSINESS, scope="business")
    # The public placeholder becomes the confirmation.
    assert shape(last_turn(fake)) == [("POST", "callback:5", 0), ("PATCH", "original", 0)]
    [posted] = fake.in_channel(BUSINESS)
    assert posted.content == "This chat is now the channel for: Business."
    assert not posted.ephemeral
    assert await bound_to(network, "category:business") == [str(BUSINESS)]


async def test_a_coordinators_bad_arguments_are_shown_to_them_alone(
    network: Network, fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    await fake.slash(platform, CAROL, "bind", channel=BUSINESS, scope="nowhere")
    # She passes the gate, so the placeholder was public: it is deleted, and the usage
    # line follows ephemerally.
    assert shape(last_turn(fake)) == [
        ("POST", "callback:5", 0),
        ("DELETE", "original", 0),
        ("POST", "followup", EPHEMERAL),
    ]
    assert fake.seen_by(CAROL)[-1].content.startswith("Usage: /bind")
    await fake.slash(platform, CAROL, "unbind", channel=BUSINESS)
    assert fake.seen_by(CAROL)[-1].content == "This chat is not bound to anything."
    assert fake.seen_by(CAROL)[-1].ephemeral
    assert fake.in_channel(BUSINESS) == []
    assert await bound_to(network, "category:business") == []


async def test_a_leaderboard_with_a_bad_period_is_explained_privately(
    fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    await fake.slash(platform, ALICE, "leaderboard", channel=BUSINESS, period="decade")
    assert shape(last_turn(fake))[0] == ("POST", "callback:5", 0)
    assert shape(last_turn(fake))[-1] == ("POST", "followup", EPHEMERAL)
    assert fake.seen_by(ALICE)[-1].content.startswith("Usage: /leaderboard")
    assert fake.in_channel(BUSINESS) == []
    # A good one is still for everyone.
    await fake.slash(platform, ALICE, "leaderboard", channel=BUSINESS, period="all")
    [board] = fake.in_channel(BUSINESS)
    assert board.content.startswith("Leaderboard — All categories — all time")
    assert not board.ephemeral


async def test_a_pending_applicant_is_told_privately_to_wait(
    network: Network, fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    from sqlalchemy import update

    from bot.models import Member, MemberStatus

    async with network.sessions.begin() as session:
        await session.execute(
            update(Member)
            .where(Member.display_name == ALICE.name)
            .values(status=MemberStatus.PENDING)
        )
    await fake.slash(platform, ALICE, "leaderboard", channel=BUSINESS)
    assert shape(last_turn(fake))[0] == ("POST", "callback:5", EPHEMERAL)
    answer = fake.seen_by(ALICE)[-1]
    assert answer.content == "Your application is waiting for a coordinator's approval."
    assert answer.ephemeral
    assert fake.in_channel(BUSINESS) == []


async def test_without_an_answer_from_the_gate_the_refusal_still_stays_private(
    fake: FakeDiscord, platform: DiscordPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(platform_name: str, user_id: str, name: str) -> bool:
        raise ConnectionError("the database is away")

    monkeypatch.setattr(platform.app, "may_use", broken)
    await fake.slash(platform, ALICE, "bind", channel=BUSINESS, scope="business")
    # Assumed allowed: a public placeholder, deleted, then the app's refusal, ephemeral.
    assert shape(last_turn(fake)) == [
        ("POST", "callback:5", 0),
        ("DELETE", "original", 0),
        ("POST", "followup", EPHEMERAL),
    ]
    assert fake.seen_by(ALICE)[-1].content == "This command is for coordinators or referents."
    assert fake.in_channel(BUSINESS) == []
