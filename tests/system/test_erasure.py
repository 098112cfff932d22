"""/forget erases for real: after it, neither the SQLite files (database and write-ahead
log, as bytes) nor any column of any table on PostgreSQL holds the person's name, phone,
e-mail or words, though application cards, signal cards, leaderboard posts, digests and
replies quoting them had been queued; the lead a coordinator took up keeps its
description."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text, update

from bot.core.facts import ChatClosed
from bot.mailing import addresses
from bot.members import facts
from bot.models import Base, EmailAddress, Member, QuizAnswer, QuizQuestion
from tests.support.actions import press
from tests.support.harness import Network, NetworkFactory
from tests.support.people import member_id

NAME = "Alice"
SECRETS = {
    "name": NAME,
    "phone": "+33 6 12 34 56 78",
    "email": "alice.vandermeer@example.test",
    "mention link": "https://press.test/vandermeer-interview",
    "signal nobody took up": "Quietfund raises a seed round",
    "contact": "Zoe Marchetti 06 55 44 33 22",
    "note": "Marchetti called back",
    "rejection reason": "Duplicate of the Vandermeer post",
}
KEPT = "Harbour logistics is expanding"


async def database_text(network: Network) -> str:
    """Everything the database holds: on SQLite the files' bytes (freed pages
    included), on PostgreSQL every row of every table as text."""
    url = network.settings.database.url
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")]
        return b"".join(f.read_bytes() for f in files if f.exists()).decode("latin-1")
    async with network.sessions() as session:
        rows = []
        for table in Base.metadata.sorted_tables:
            found = await session.scalars(text(f'SELECT CAST(t AS text) FROM "{table.name}" AS t'))
            rows += [f"{table.name}: {row}" for row in found]
    return "\n".join(rows)


def found(haystack: str, needles: dict[str, str]) -> list[str]:
    """Which needles the text holds (SQLite's bytes are read as latin-1: the needles'
    UTF-8 bytes are looked for the same way)."""
    return [
        what
        for what, secret in needles.items()
        if secret in haystack or secret.encode("utf-8").decode("latin-1") in haystack
    ]


async def test_forget_leaves_nothing_in_the_database(network_factory: NetworkFactory) -> None:
    network = network_factory(network__registration="approval")
    await network.join("carol")
    await network.join("rita")
    await network.join("alice")
    alice = await member_id(network, NAME)
    await press(network, "carol", f"apv:y:{alice}")  # the application card names her
    async with network.sessions.begin() as session:
        await session.execute(
            update(Member)
            .where(Member.id == alice)
            .values(phone=SECRETS["phone"], email=SECRETS["email"])
        )
        # She was invited by e-mail: her address has a state and an unsubscribe token.
        await addresses.ensure(session, [alice], network.clock.now())
        await facts.write(session, ChatClosed("email", str(alice), "smtp 550"), network.clock.now())
        token = await session.scalar(
            select(EmailAddress.token).where(EmailAddress.member_id == alice)
        )
        assert token is not None
    await network.play(
        f"""
        @alice /report
        @alice [Mention]
        @alice [Press]
        @alice {SECRETS["mention link"]}
        @alice /report
        @alice [Opportunity signal]
        @alice [Investor]
        @alice {KEPT}
        @alice {SECRETS["contact"]}
        @alice /report
        @alice [Opportunity signal]
        @alice [Investor]
        @alice {SECRETS["signal nobody took up"]}
        @alice {SECRETS["contact"]}
        """
    )
    await press(network, "carol", "sig:q:2")
    await press(network, "carol", "sig:n:2")
    await network.play(f"@carol {SECRETS['note']}")
    await press(network, "carol", "rev:r:1")
    await network.play(f"@carol {SECRETS['rejection reason']}")
    async with network.sessions.begin() as session:  # she answered a quiz question
        question = QuizQuestion(
            text_en="Which river?", options_en=["Loire", "Rhône"], correct=[0],
            categories=[], created_at=network.clock.now(),
        )  # fmt: skip
        session.add(question)
        await session.flush()
        session.add(
            QuizAnswer(
                member_id=alice, question_id=question.id, chosen=[0], correct=True,
                answered_at=network.clock.now(),
            )
        )  # fmt: skip
    out = await network.play("~ +8d")  # the weekly leaderboards and the referent's digest
    assert f"1. {NAME} — 20" in out and f"New members: Carol, Rita, {NAME}." in out
    before = await database_text(network)
    assert found(before, SECRETS) == list(SECRETS)  # all there, so the test can fail
    assert token in before

    out = await network.play("@alice /forget\n@alice [Yes, erase my data]")
    assert "Your data was erased." in out
    after = await database_text(network)
    assert found(after, SECRETS) == []
    assert token not in after  # the e-mail address's state went with the address
    assert KEPT in after  # the lead a coordinator took up keeps its description
    async with network.sessions() as session:
        assert await session.scalar(select(QuizAnswer).where(QuizAnswer.member_id == alice)) is None


async def test_forget_erases_kit_shares_and_their_clicks(network_factory: NetworkFactory) -> None:
    from bot.models import KitClick, KitShare
    from tests.kit.test_kit_chat import ADD

    network = network_factory(web__public_url="https://relais.test")
    await network.join("carol")
    await network.join("alice")
    await network.play(ADD)
    await network.play("@alice /kit\n@alice [Festival of Lights 2026]\n@alice [Share]")
    async with network.sessions.begin() as session:
        share = await session.scalar(select(KitShare))
        assert share is not None
        session.add(KitClick(share_id=share.id, day="2026-01-05", visitor="f" * 64,
                             created_at=network.clock.now()))  # fmt: skip
    code = share.code
    assert code in await database_text(network)
    out = await network.play("@alice /forget\n@alice [Yes, erase my data]")
    assert "Your data was erased." in out
    async with network.sessions() as session:
        assert await session.scalar(select(KitShare)) is None
        assert await session.scalar(select(KitClick)) is None
    assert code not in await database_text(network)  # SQLite's freed pages included


async def test_forget_erases_the_directory(network_factory: NetworkFactory) -> None:
    """Her profile (and its folded search words), the introduction messages to and from
    her, the contacts queued for the member she accepted, and her monthly meetings."""
    from bot.models import Introduction, MeetingPair, Profile
    from tests.support.directory import write_profile

    network = network_factory(directory__pairs="true")
    await network.join("alice")
    await network.join("bob")
    await write_profile(network, "alice", organisation="Vandermeer Cranes", town="Lyon", pairs=True)
    await write_profile(network, "bob", organisation="Bob & co", town="Lyon", pairs=True)
    debug = await network.play(
        """
        @bob /directory vandermeer
        @bob [Ask for an introduction: Alice]
        @bob Hello, about the Quayside tender
        @alice [Accept]
        """
    )
    secrets = {
        "organisation": "Vandermeer Cranes",
        "folded words": "vandermeer",
        "message to her": "Quayside tender",
        "her account": "console: alice",
    }
    await network.play("~ +1d")  # paired for March
    before = await database_text(network)
    assert found(before, secrets) == list(secrets), debug
    out = await network.play("@alice /forget\n@alice [Yes, erase my data]")
    assert "Your data was erased." in out
    assert found(await database_text(network), secrets) == []
    async with network.sessions() as session:
        for model in (Introduction, MeetingPair):
            assert await session.scalar(select(model)) is None
        assert [p.member_id for p in await session.scalars(select(Profile))] == [2]
