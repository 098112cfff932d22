"""A job failing for one member does not stop it for the others (issue #8's fault
suite): the nudge job when building one member's nudge raises, a campaign's private
message and a weekly leaderboard post when the platform refuses one chat with an
unexpected error, and a member whose language the deployment does not ship. Each time
the others are served, and re-running the job sends nothing twice."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select, update

from bot.core.port import Outgoing
from bot.models import Delivery, DeliveryStatus, Member, Nudge
from bot.scheduling import runner
from jobs import leaderboard as leaderboard_job
from jobs import nudges as nudge_job
from tests.support.harness import Network, NetworkFactory
from tests.support.people import count

CAMPAIGN = """
@carol /campaign
@carol [Business]
@carol [Continue]
@carol Lyon is in the top 10 of European destinations!
@carol Share the article with your network
@carol [Now]
@carol [Once]
@carol [Yes, privately too]
@carol [Confirm]
"""


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    return network_factory(
        network__default_language="en", jobs__leaderboard="off", jobs__digest="off"
    )


def refuse(network: Network, chat: str) -> list[str]:
    """Make the console platform raise an unexpected error for ``chat`` (what a platform
    bug or a malformed answer looks like to the sender); returns the refused attempts."""
    refused: list[str] = []
    send = network.console.send

    async def failing(outgoing: Outgoing) -> str:
        if outgoing.address.chat_id == chat and refused is not None:
            refused.append(chat)
            raise RuntimeError(f"the platform broke on {chat}")
        return await send(outgoing)

    network.console.send = failing  # type: ignore[method-assign]
    return refused


def recover(network: Network) -> None:
    del network.console.send  # back to the class's own method


def received(network: Network) -> Counter[str]:
    """How many messages each chat received, from the console's own history."""
    return Counter(outgoing.address.chat_id for outgoing in network.console.history)


async def nudged(network: Network) -> dict[str, int]:
    async with network.sessions() as session:
        rows = await session.execute(
            select(Member.display_name, Nudge.id).join(Nudge, Nudge.member_id == Member.id)
        )
        return dict(Counter(name for name, _id in rows))


async def test_a_nudge_failing_for_one_member_does_not_stop_the_others(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("alice", "bob", "dora"):
        await network.join(name)
    joined = received(network)
    message = nudge_job._message

    async def broken_for_bob(app, session, due, *rest):  # type: ignore[no-untyped-def]
        if due.member.display_name == "Bob":
            raise ValueError("a bad row")
        return await message(app, session, due, *rest)

    monkeypatch.setattr(nudge_job, "_message", broken_for_bob)
    out = await network.play("~ +30d")  # the gentle nudges are due
    assert "→ @alice: " in out and "→ @dora: " in out
    assert "→ @bob: " not in out
    assert await nudged(network) == {"Alice": 1, "Dora": 1}  # nothing half-written for bob
    await nudge_job.run(network.app)  # the same hour again: nothing twice
    await runner.run_due((await network.restarted()).app)
    assert await nudged(network) == {"Alice": 1, "Dora": 1}
    monkeypatch.setattr(nudge_job, "_message", message)
    out = await network.play("~ +1h")  # the next run catches up with bob, and only him
    assert "→ @bob: " in out and "→ @alice: " not in out and "→ @dora: " not in out
    assert await nudged(network) == {"Alice": 1, "Bob": 1, "Dora": 1}
    after = received(network) - joined
    assert after["alice"] == after["bob"] == after["dora"] == 1


async def test_a_campaign_message_failing_for_one_recipient_reaches_the_others(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(
        network__default_language="en",
        jobs__leaderboard="off",
        jobs__digest="off",
        jobs__nudges="off",
    )
    for name in ("carol", "alice", "bob", "dora"):
        await network.join(name)
    joined = received(network)
    refused = refuse(network, "bob")
    out = await network.play(CAMPAIGN)
    for chat in ("#business", "@alice", "@carol", "@dora"):
        assert f"→ {chat}: Lyon is in the top 10" in out or f"→ {chat}: " in out
    assert refused == ["bob"]
    async with network.sessions() as session:
        bob = await session.scalar(select(Delivery).where(Delivery.chat_id == "bob"))
    assert bob is not None and bob.status is DeliveryStatus.PENDING  # retried, with backoff
    await runner.run_due(network.app)  # the campaign job again: nothing new
    deliveries = await count(network, Delivery)
    recover(network)
    await network.play("~ +1m")  # past the backoff: bob's message goes out
    assert await count(network, Delivery) == deliveries
    assert await count(network, Delivery, Delivery.status != DeliveryStatus.SENT) == 0
    once = {"alice": 1, "bob": 1, "dora": 1, "#business": 1}
    assert {chat: (received(network) - joined)[chat] for chat in once} == once
    await runner.run_due((await network.restarted()).app)
    await network.play("~ +1h")
    assert {chat: (received(network) - joined)[chat] for chat in once} == once


async def test_a_recipient_that_keeps_failing_is_given_up_and_the_others_are_served(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(
        network__default_language="en",
        jobs__leaderboard="off",
        jobs__digest="off",
        jobs__nudges="off",
    )
    for name in ("carol", "alice", "bob"):
        await network.join(name)
    joined = received(network)
    refused = refuse(network, "bob")
    await network.play(CAMPAIGN)
    for _ in range(8):
        await network.play("~ +1h")
    attempts = network.settings.delivery.max_attempts
    assert len(refused) == attempts
    async with network.sessions() as session:
        rows = await session.execute(select(Delivery.chat_id, Delivery.status))
        statuses = {chat: status for chat, status in rows}
    assert statuses["bob"] is DeliveryStatus.FAILED
    assert statuses["alice"] is statuses["carol"] is DeliveryStatus.SENT
    assert (received(network) - joined)["alice"] == 1


async def test_a_leaderboard_post_failing_for_one_channel_reaches_the_others(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(
        network__default_language="en", jobs__digest="off", jobs__nudges="off"
    )
    await network.join("carol")
    await network.join("alice")
    await network.join("sam", category="Sport")
    for name in ("alice", "sam"):
        await network.play(
            f"""
            @{name} /report
            @{name} [Mention]
            @{name} [Conversation]
            @{name} [Skip]
            """
        )
    refused = refuse(network, "#business")
    out = await network.play("~ +5d")  # past Monday 09:00
    assert "→ #sport: Leaderboard of the week — Sport" in out
    assert "Leaderboard of the week — Business" not in out
    assert refused
    recover(network)
    out = await network.play("~ +1h")
    assert "→ #business: Leaderboard of the week — Business" in out
    await runner.run_due((await network.restarted()).app)
    out = await network.play("~ +1d")
    assert "Leaderboard of the week" not in out
    reached = received(network)
    assert reached["#business"] == reached["#sport"]


async def test_a_leaderboard_failing_for_one_category_posts_the_others(
    network_factory: NetworkFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    network = network_factory(
        network__default_language="en", jobs__digest="off", jobs__nudges="off"
    )
    await network.join("carol")
    await network.join("alice")
    await network.join("sam", category="Sport")
    post = leaderboard_job._category_post

    async def broken_for_business(session, words, key, *rest):  # type: ignore[no-untyped-def]
        if key == "business":
            raise ValueError("a bad row")
        return await post(session, words, key, *rest)

    monkeypatch.setattr(leaderboard_job, "_category_post", broken_for_business)
    out = await network.play("~ +5d")  # past Monday 09:00
    assert "→ #sport: Leaderboard of the week — Sport" in out
    assert "Leaderboard of the week — all categories" in out
    assert "Leaderboard of the week — Business" not in out


async def test_a_member_whose_language_is_not_shipped_is_spoken_to_in_the_networks(
    network_factory: NetworkFactory,
) -> None:
    """A language left in the database that the deployment does not ship (an import, a
    catalog removed): the member still gets nudges and campaigns, in the network's
    language, and nobody else is held up."""
    network = network_factory(network__default_language="en", jobs__leaderboard="off")
    for name in ("carol", "alice", "bob"):
        await network.join(name)
    async with network.sessions.begin() as session:
        await session.execute(
            update(Member).where(Member.display_name == "Bob").values(language="de")
        )
    out = await network.play(CAMPAIGN)
    assert "→ @bob: A campaign from the network's coordinators:" in out
    assert "→ @alice: A campaign from the network's coordinators:" in out
    out = await network.play("~ +30d")
    assert "→ @bob: " in out and "→ @alice: " in out
    assert await nudged(network) == {"Alice": 1, "Bob": 1}
