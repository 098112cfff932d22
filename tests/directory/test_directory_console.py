"""The directory through the console: opt-in profiles found by words, tags, categories and
towns (accents and case aside); a member who did not publish is never found; introductions
accepted, declined, ignored ("no answer" alike), limited per week; erasure. SQLite and
PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.models import Introduction, MeetingPair, Profile
from tests.support.actions import press
from tests.support.directory import count, write_profile
from tests.support.harness import Network
from tests.support.people import said_to


async def test_profile_flow_and_search_by_every_criterion(network: Network) -> None:
    for name in ("alice", "bob", "dora"):
        await network.join(name)
    await network.join("sam", category="Sport")
    out = await write_profile(
        network, "alice", organisation="Brasserie Élan", town="Genève", job="Chef", tags=("export",)
    )
    assert "Your profile is in the directory" in out, out
    await write_profile(network, "sam", organisation="Club", town="Lyon", tags=("sport",))
    # Dora writes everything but never publishes: she is never found.
    await write_profile(
        network,
        "dora",
        organisation="Brasserie Élan",
        town="Genève",
        tags=("export",),
        publish=False,
    )
    for search in (
        "",
        "geneve",
        "GENÈVE",
        "brasserie",
        "#export",
        "business",
        "Entreprises",
        "chef",
        "invest",
        "dora",
    ):
        out = await network.play(f"@bob /directory {search}".strip())
        assert "Dora" not in out, (search, out)
    out = await network.play("@bob /directory geneve")
    assert "1 member found." in out and "Alice" in out and "Sam" not in out
    out = await network.play("@bob /annuaire #sport")
    assert "Sam" in out and "Alice" not in out
    out = await network.play("@bob /directory sport")  # a category
    assert "Sam" in out and "Alice" not in out
    out = await network.play("@bob /directory nobody-like-this")
    assert "Nobody in the directory matches this search." in out
    # Hiding takes effect at once.
    await network.play("@alice /profile\n@alice [Hide my profile]")
    out = await network.play("@bob /directory geneve")
    assert "Alice" not in out


ASK = """
@{asker} /directory {search}
@{asker} [Ask for an introduction: {name}]
@{asker} {message}
"""


async def test_introduction_accepted_gives_both_contacts_once(network: Network) -> None:
    for name in ("alice", "bob"):
        await network.join(name)
    await write_profile(network, "alice", organisation="Élan", town="Lyon")
    out = await network.play(ASK.format(asker="bob", search="lyon", name="Alice", message="Hi!"))
    assert "Sent to Alice." in out
    told = "\n".join(said_to(out, "@alice"))
    assert "Bob would like to be introduced to you:" in told and "“Hi!”" in told
    assert "console: alice" not in out and "console: bob" not in out  # nothing before a yes
    out = await network.play("@bob /directory lyon\n@bob [Ask for an introduction: Alice]")
    assert "You already asked to meet this member: wait for the answer." in out
    out = await network.play("@alice [Accept]")
    assert said_to(out, "@bob") == [
        "Alice accepted your introduction request. How to reach them:\nconsole: alice"
    ]
    assert "Here is how to reach Bob:\nconsole: bob" in "\n".join(said_to(out, "@alice"))
    async with network.sessions() as session:
        intro_id = await session.scalar(select(Introduction.id))
    again = await press(network, "alice", f"dir:a:y:{intro_id}")  # a double click
    assert "You already answered this request." in again and "@bob" not in again
    # Someone else cannot answer it.
    await network.join("eve")
    out = await press(network, "eve", f"dir:a:y:{intro_id}")
    assert "This button is no longer active." in out


async def test_declined_and_ignored_are_both_no_answer_and_requests_are_limited(
    network_factory,  # type: ignore[no-untyped-def]
) -> None:
    network = network_factory(directory__introductions_per_week="2")
    for name in ("alice", "sam", "zoe", "bob"):
        await network.join(name)
    for name in ("alice", "sam", "zoe"):
        await write_profile(network, name, organisation=f"Org {name}", town="Lyon")
    await write_profile(network, "bob", organisation="Bob & co", town="Lyon", contact=False)
    out = await network.play("@alice /directory bob")
    assert "Bob" in out and "Ask for an introduction: Bob" not in out  # he refused contact
    out = await press(network, "alice", "dir:i:4")  # forged: Bob (member 4) accepts none
    assert "This member does not accept introductions at the moment." in out
    await network.play(ASK.format(asker="bob", search="alice", name="Alice", message="Coffee?"))
    await network.play(ASK.format(asker="bob", search="sam", name="Sam", message="Coffee?"))
    out = await network.play("@alice [Decline]")
    assert "Declined. They will not be told." in out and "@bob" not in out
    out = await network.play("@bob /directory zoe\n@bob [Ask for an introduction: Zoe]")
    assert "You may ask for 2 introductions a week; try again in a few days." in out
    out = await network.play("@bob /directory alice\n@bob [Ask for an introduction: Alice]")
    assert "You already asked to meet this member" in out  # declined looks like waiting
    out = await network.play("~ +14d")  # Wednesday 18 March, 10:00: 14 days less an hour
    assert "No answer" not in out
    out = await network.play("~ +1d")
    told = said_to(out, "@bob")
    assert sorted(told) == [
        "No answer from Alice to your introduction request. Requests close after 14 days; "
        "you may ask someone else in /directory.",
        "No answer from Sam to your introduction request. Requests close after 14 days; "
        "you may ask someone else in /directory.",
    ]
    again = await network.play("~ +1d\n~ +1d")
    assert "No answer" not in again
    out = await network.play(ASK.format(asker="bob", search="zoe", name="Zoe", message="Hello"))
    assert "Sent to Zoe." in out  # a week later, the limit is free again


async def test_forget_removes_profile_requests_and_pairs(network: Network) -> None:
    for name in ("alice", "bob"):
        await network.join(name)
    await write_profile(network, "alice", organisation="Élan", town="Lyon")
    await write_profile(network, "bob", organisation="Bob & co", town="Lyon", publish=False)
    await network.play(ASK.format(asker="bob", search="lyon", name="Alice", message="Hi!"))
    async with network.sessions.begin() as session:
        session.add(
            MeetingPair(month="2026-03", first_id=1, second_id=2, created_at=network.clock.now())
        )
    await network.play("@alice /mydata")
    _name, content = network.console.history[-1].message.document  # type: ignore[misc]
    data = json.loads(content)["directory"]
    assert data["profile"]["organisation"] == "Élan" and data["profile"]["listed"] is True
    assert [i["message"] for i in data["introductions"]] == ["Hi!"]
    assert [m["month"] for m in data["meetings"]] == ["2026-03"]
    assert await count(network, Profile) == 2
    await network.play("@alice /forget\n@alice [Yes, erase my data]")
    assert await count(network, Introduction) == 0
    assert await count(network, MeetingPair) == 0
    assert await count(network, Profile) == 1  # Bob's, never published, stays his
    out = await network.play("@bob /directory")
    assert "Alice" not in out
