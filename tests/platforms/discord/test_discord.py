"""The Discord adapter end to end, on discord.py's own objects and a loopback fake of
Discord: nothing here talks to Discord. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.platforms.discord.adapter import DiscordPlatform
from tests.support.actions import CODE
from tests.support.discord_fake import BUSINESS, GENERAL, GUILD_ID, FakeDiscord, Person
from tests.support.discord_network import ALICE, CAROL, Connected, join, with_coordinator
from tests.support.harness import Network, NetworkFactory

BRUNO = Person(500000000000000002, "Bruno", locale="fr")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    return network_factory(discord__guild_id=str(GUILD_ID), discord_token="fake-token")


@pytest.fixture
async def connect(network: Network, fake: FakeDiscord) -> AsyncIterator[Connected]:
    connected = Connected(network, fake)
    yield connected
    for platform in connected.platforms:
        await platform.stop()


async def test_commands_are_synced_once_and_localized(
    connect: Connected, fake: FakeDiscord
) -> None:
    await connect.start()
    syncs = fake.requests("PUT", rf"/guilds/{GUILD_ID}/commands")
    assert len(syncs) == 1
    commands = {command["name"]: command for command in syncs[0].body}
    assert commands["report"]["name_localizations"]["fr"] == "déclarer"
    assert commands["report"]["description_localizations"]["fr"].startswith("Déclarer")
    period = next(o for o in commands["leaderboard"]["options"] if o["name"] == "period")
    assert [c["value"] for c in period["choices"]] == ["week", "month", "all"]
    assert period["choices"][0]["name_localizations"]["fr"] == "Cette semaine"
    category = next(o for o in commands["leaderboard"]["options"] if o["name"] == "category")
    assert category["name_localizations"]["fr"] == "catégorie"
    assert {"name": "Business", "value": "business"}.items() <= category["choices"][0].items()
    assert category["choices"][0]["name_localizations"]["fr"] == "Entreprises"
    # A restart with the same table does not call Discord again.
    await connect.start(await connect.network.restarted())
    assert len(fake.requests("PUT", r"/commands")) == 1
    # One that differs from what Discord last received (here: a forged hash) syncs again.
    from sqlalchemy import update

    from bot.models import PlatformState

    async with connect.network.sessions.begin() as session:
        await session.execute(update(PlatformState).values(value="an older table"))
    await connect.start(await connect.network.restarted())
    assert len(fake.requests("PUT", r"/commands")) == 2


async def test_member_joins_reports_with_buttons_and_forms_and_sees_me_privately(
    connect: Connected, fake: FakeDiscord
) -> None:
    platform = await connect.start()
    await join(fake, platform, ALICE)
    assert "Welcome to the Business ambassadors!" in fake.text_for(ALICE)
    # Everything so far was shown to Alice only.
    assert all(posted.ephemeral for posted in fake.seen_by(ALICE))
    assert fake.in_channel(GENERAL) == []

    await fake.slash(platform, ALICE, "report")
    for label in ("Mention", "Press"):
        await fake.press(platform, ALICE, fake.newest_with_buttons(ALICE), label)
    prompt = fake.newest_with_buttons(ALICE)
    assert prompt.content.startswith("Send the link, or a few words")
    assert prompt.buttons()[0][0] == "Write an answer"
    await fake.press(platform, ALICE, prompt, "Write an answer")
    opened = fake.requests("POST", r"/callback")[-1].body
    assert opened["type"] == 9  # a modal
    assert opened["data"]["title"] == "Write an answer"
    await fake.submit(platform, ALICE, prompt, "https://news.test/lyon")
    assert "Your mention is recorded." in fake.text_for(ALICE)
    assert "+5 points" in fake.text_for(ALICE)

    await fake.slash(platform, ALICE, "report")
    for label in ("Opportunity signal", "Investor"):
        await fake.press(platform, ALICE, fake.newest_with_buttons(ALICE), label)
    await fake.submit(
        platform, ALICE, fake.newest_with_buttons(ALICE), "A fund looking at biotech in Gerland"
    )
    await fake.press(platform, ALICE, fake.newest_with_buttons(ALICE), "Skip")
    assert "The coordinators will look at your signal." in fake.text_for(ALICE)

    await fake.slash(platform, ALICE, "me")
    me = fake.seen_by(ALICE)[-1]
    assert "Points: 15 this week, 15 this month, 15 in all" in me.content
    assert me.ephemeral
    defer = fake.requests("POST", r"/callback")[-1].body
    assert defer == {"type": 5, "data": {"flags": 64}}  # acknowledged first, privately
    for token in fake.tokens():  # every interaction was acknowledged before anything else
        first = next(call for call in fake.calls if token in call.path)
        assert first.path.endswith("/callback"), first.path
    async with connect.network.sessions() as session:
        from sqlalchemy import select

        from bot.models import Identity, Report

        identity = await session.scalar(select(Identity))
        assert identity is not None
        assert (identity.platform, identity.user_id) == ("discord", str(ALICE.id))
        kinds = sorted(str(kind) for kind in await session.scalars(select(Report.kind)))
        assert kinds == ["mention", "signal"]


async def test_a_prompt_posted_before_a_restart_still_works(
    connect: Connected, fake: FakeDiscord
) -> None:
    platform = await connect.start()
    await join(fake, platform, ALICE)
    await fake.slash(platform, ALICE, "report")
    prompt = fake.newest_with_buttons(ALICE)
    await platform.stop()

    restarted = await connect.start(await connect.network.restarted())
    await fake.press(restarted, ALICE, prompt, "Settlement")
    await fake.submit(
        restarted, ALICE, fake.newest_with_buttons(ALICE), "The Smith family moved to Villeurbanne"
    )
    assert "Your settlement is recorded." in fake.text_for(ALICE)


async def test_a_stale_prompt_is_refused_politely(connect: Connected, fake: FakeDiscord) -> None:
    platform = await connect.start()
    await join(fake, platform, ALICE)
    await fake.slash(platform, ALICE, "report")
    for label in ("Mention", "Video"):
        await fake.press(platform, ALICE, fake.newest_with_buttons(ALICE), label)
    prompt = fake.newest_with_buttons(ALICE)
    await fake.submit(platform, ALICE, prompt, "On TV with friends")
    # The form answered the step; the prompt's other buttons are stale now.
    await fake.press(platform, ALICE, prompt, "Skip")
    assert fake.seen_by(ALICE)[-1].content == "This button is no longer active."
    from tests.support.actions import reports_and_points

    assert await reports_and_points(connect.network) == (1, 3)


async def test_accounts_on_console_and_discord_share_one_points_total(
    connect: Connected, fake: FakeDiscord
) -> None:
    network = connect.network
    platform = await connect.start()
    await network.join("alice")
    await network.play(
        """
        @alice /report
        @alice [Mention]
        @alice [Press]
        @alice https://press.test/lyon
        @alice /link
        """
    )
    code = CODE.search(network.out.getvalue())
    assert code is not None
    await fake.slash(platform, ALICE, "link", code=code.group(1))
    answer = fake.seen_by(ALICE)[-1]
    assert answer.ephemeral
    assert "Linked! This Discord account now shares your membership." in answer.content
    assert "5 points in all." in answer.content
    assert "Your Discord account is now linked" in network.out.getvalue()

    await fake.slash(platform, ALICE, "report")
    await fake.press(platform, ALICE, fake.newest_with_buttons(ALICE), "Settlement")
    await fake.submit(platform, ALICE, fake.newest_with_buttons(ALICE), "A start-up moved in")
    await fake.slash(platform, ALICE, "me")
    assert "30 in all" in fake.seen_by(ALICE)[-1].content  # 5 + 25 (the daily cap is 30)
    assert "Points: 30 this week, 30 this month, 30 in all" in await network.play("@alice /me")


async def test_closed_dms_mark_the_identity_unreachable_until_they_write(
    connect: Connected, fake: FakeDiscord
) -> None:
    network = connect.network
    platform = await connect.start()
    await join(fake, platform, BRUNO)
    await fake.slash(platform, BRUNO, "link")
    code = CODE.search(fake.seen_by(BRUNO)[-1].content)
    assert code is not None
    fake.closed_dms.add(BRUNO.id)
    # Bruno links his console account: Relais tells his Discord account, by DM.
    out = await network.play(f"@bruno /link {code.group(1)}")
    assert "Linked!" in out
    assert fake.requests("POST", r"/users/@me/channels")
    assert await unreachable_since(network, BRUNO) is not None

    # An ephemeral exchange in the server proves nothing about his DMs.
    await fake.slash(platform, BRUNO, "me")
    assert await unreachable_since(network, BRUNO) is not None

    fake.closed_dms.discard(BRUNO.id)
    await fake.dm(platform, BRUNO, "bonjour")
    assert await unreachable_since(network, BRUNO) is None
    assert "I did not understand" in fake.seen_by(BRUNO)[-1].content  # answered in his DM


async def unreachable_since(network: Network, person: Person) -> object:
    from sqlalchemy import select

    from bot.models import Identity

    async with network.sessions() as session:
        return await session.scalar(
            select(Identity.unreachable_at).where(
                Identity.platform == "discord", Identity.user_id == str(person.id)
            )
        )


async def test_direct_messages_carry_commands_text_and_buttons(
    connect: Connected, fake: FakeDiscord
) -> None:
    platform = await connect.start()
    await join(fake, platform, ALICE)
    await fake.dm(platform, ALICE, "/report")
    prompt = fake.newest_with_buttons(ALICE)
    assert prompt.where == f"dm:{ALICE.id}" and prompt.content == "What would you like to report?"
    await fake.press(platform, ALICE, prompt, "Mention")
    assert "→ Mention" in fake.posted[prompt.id].content  # the pressed prompt was edited
    await fake.press(platform, ALICE, fake.newest_with_buttons(ALICE), "Blog")
    await fake.dm(platform, ALICE, "https://blog.test/lyon")
    assert "Your mention is recorded." in fake.seen_by(ALICE)[-1].content
    await fake.dm(platform, ALICE, "/moi")  # a command's French name typed out
    assert "Points: 3 this week" in fake.seen_by(ALICE)[-1].content


async def test_leaderboard_in_a_channel_is_public(connect: Connected, fake: FakeDiscord) -> None:
    platform = await connect.start()
    await join(fake, platform, ALICE)
    await fake.slash(platform, ALICE, "leaderboard", channel=BUSINESS, period="all")
    board = fake.in_channel(BUSINESS)
    assert len(board) == 1 and not board[0].ephemeral
    assert board[0].content.startswith("Leaderboard — All categories — all time")


async def test_an_interaction_that_expired_changes_nothing(
    connect: Connected, fake: FakeDiscord
) -> None:
    platform = await connect.start()
    fake.fail(r"/callback$", 404, 10062)  # Unknown interaction: too late to answer
    await fake.slash(platform, ALICE, "start")
    assert fake.seen_by(ALICE) == []
    from sqlalchemy import func, select

    from bot.models import ProcessedUpdate

    async with connect.network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 0


async def test_broadcasts_are_paced_per_channel_and_retried(
    connect: Connected, fake: FakeDiscord
) -> None:
    from bot.core.port import Address, DeliveryError, Message, Outgoing
    from bot.platforms.pacing import Pacer

    platform = await connect.start()
    clock = FakeTime()
    platform.sender.pacer = Pacer(5, 5.0, clock=clock.now, sleep=clock.sleep)
    business, general = Address("discord", str(BUSINESS)), Address("discord", str(GENERAL))
    for n in range(7):
        await platform.send(Outgoing(business, Message(text=f"plan {n}")))
    await platform.send(Outgoing(general, Message(text="hello")))
    assert [p.content for p in fake.in_channel(BUSINESS)] == [f"plan {n}" for n in range(7)]
    assert clock.slept == [5.0]  # the 6th message waited for the window to slide
    assert len(fake.in_channel(GENERAL)) == 1

    fake.fail(rf"/channels/{GENERAL}/messages", 503, times=2)
    await platform.send(Outgoing(general, Message(text="after an outage")))
    assert fake.in_channel(GENERAL)[-1].content == "after an outage"
    fake.fail(rf"/channels/{GENERAL}/messages", 503, times=10)
    with pytest.raises(DeliveryError, match="gave up after 4 tries"):
        await platform.send(Outgoing(general, Message(text="lost?")))


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.t += delay


# -- relais run: the gateway over a websocket, in the same loop as Telegram --------------


async def test_serve_answers_interactions_arriving_over_the_gateway(
    network_factory: NetworkFactory,
    fake: FakeDiscord,
) -> None:
    import asyncio

    from bot.runtime import build_platforms, serve

    network = network_factory(
        discord__guild_id=str(GUILD_ID),
        discord_token=fake.token,
        discord__gateway_url=fake.gateway_url,
    )
    (platform,) = build_platforms(network.app, ["discord"])
    assert isinstance(platform, DiscordPlatform)
    stop = asyncio.Event()
    serving = asyncio.create_task(serve([platform], stop))
    async with asyncio.timeout(10):
        await fake.connected.wait()
        await platform.client.wait_until_ready()
    await fake.push("INTERACTION_CREATE", fake.slash_payload(ALICE, "help"))
    await asyncio.wait_for(platform.wait_for_updates(1), 10)
    stop.set()
    await asyncio.wait_for(serving, 10)
    assert fake.seen_by(ALICE)[-1].content.startswith("What you can do:")
    assert platform.client.is_closed()


# -- coordinators, channels and the delivery queue ------------------------------------


async def test_a_coordinator_binds_a_channel_and_its_leaderboard_follows(
    connect: Connected, fake: FakeDiscord
) -> None:
    network = with_coordinator(connect.network, CAROL)
    platform = await connect.start(network)
    sync = fake.requests("PUT", r"/commands")[0].body
    bind = next(command for command in sync if command["name"] == "bind")
    assert int(bind["default_member_permissions"]) == 32  # manage server: hidden from members
    assert bind["name_localizations"]["fr"] == "associer"

    await join(fake, platform, ALICE)
    await fake.slash(platform, ALICE, "bind", channel=BUSINESS, scope="business")
    # Hidden from members by default; should one run it anyway, the app still refuses,
    # to them alone (see test_discord_refusals).
    assert fake.in_channel(BUSINESS) == []
    assert fake.seen_by(ALICE)[-1].content == "This command is for coordinators or referents."

    await join(fake, platform, CAROL)
    await fake.slash(platform, CAROL, "bind", channel=BUSINESS, scope="business")
    assert fake.in_channel(BUSINESS)[-1].content == "This chat is now the channel for: Business."
    await fake.slash(platform, ALICE, "leaderboard", channel=BUSINESS)
    assert fake.in_channel(BUSINESS)[-1].content.startswith("Leaderboard — Business — this week")


async def test_queued_broadcasts_reach_channels_and_record_closed_dms(
    connect: Connected, fake: FakeDiscord
) -> None:
    from bot.core.port import Address, Button, Message
    from bot.delivery import queue
    from bot.models import DeliveryStatus

    network = connect.network
    platform = await connect.start()
    await join(fake, platform, ALICE)
    await join(fake, platform, BRUNO)
    fake.closed_dms.add(BRUNO.id)
    plan = Message.with_rows("Action plan: share the festival", [[Button("Done", "plan:1:done")]])
    planned = [
        queue.Planned("plan:1:business", Address("discord", str(BUSINESS)), plan),
        *(
            queue.Planned(
                f"nudge:{person.id}",
                Address("discord", str(person.id)),
                Message(text="How about one action this week?"),
                private=True,
            )
            for person in (ALICE, BRUNO)
        ),
    ]
    async with network.sessions.begin() as session:
        assert await queue.enqueue(session, network.clock.now(), "test", planned) == 3
    await network.app.sender.drain()
    async with network.sessions() as session:
        counts = await queue.progress(session, "test")
    assert (counts[DeliveryStatus.SENT], counts[DeliveryStatus.UNREACHABLE]) == (2, 1)
    posted = fake.in_channel(BUSINESS)[-1]
    assert posted.content == "Action plan: share the festival"
    assert posted.buttons() == [("Done", "plan:1:done")]
    assert fake.seen_by(ALICE)[-1].where == f"dm:{ALICE.id}"
    assert await unreachable_since(network, BRUNO) == network.clock.now()
    assert await unreachable_since(network, ALICE) is None


async def test_my_data_arrives_as_a_private_file(connect: Connected, fake: FakeDiscord) -> None:
    platform = await connect.start()
    await join(fake, platform, ALICE)
    await fake.slash(platform, ALICE, "mydata")
    answer = fake.calls[-1]
    assert answer.method == "PATCH" and answer.path.endswith("/messages/@original")
    assert [a["filename"] for a in answer.body["attachments"]] == ["relais-mydata.json"]
    assert fake.seen_by(ALICE)[-1].ephemeral
