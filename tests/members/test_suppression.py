"""The suppression list: erasing someone records keyed hashes of their identifiers in the
same transaction, nothing in clear, under one stable key."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.members import suppression
from bot.members.privacy import purge_applicants
from bot.models import Member, Suppression
from tests.support.harness import NetworkFactory


async def test_purged_applicants_are_suppressed_by_keyed_hash(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(network__registration="approval")
    await network.join("paul")
    async with network.sessions() as session:
        paul = await session.scalar(select(Member))
        assert paul is not None
        wanted = suppression.identifiers(
            email=paul.email, phone=paul.phone, name=paul.display_name, category=paul.category
        )
    network.clock.advance(timedelta(days=200))
    async with network.sessions() as session, session.begin():
        assert await purge_applicants(session, network.settings, network.clock) == 1
    async with network.sessions() as session:
        key = await suppression.stored_key(session)
        assert key is not None and len(key) == 32
        digests = set(await session.scalars(select(Suppression.digest)))
        assert await session.scalar(select(Member)) is None
    assert digests == {suppression.digest(key, identifier) for identifier in wanted}
    assert not any("paul" in value.lower() for value in digests)
    # Another key would give other digests: the list says nothing without it.
    assert not digests & {suppression.digest(b"x" * 32, identifier) for identifier in wanted}


async def test_the_key_is_made_once_and_kept(network_factory: NetworkFactory) -> None:
    network = network_factory()
    async with network.sessions() as session, session.begin():
        assert await suppression.stored_key(session) is None
        first = await suppression.key(session, network.clock.now())
    async with network.sessions() as session, session.begin():
        assert await suppression.key(session, network.clock.now()) == first
        assert await suppression.stored_key(session) == first


def test_identifiers_are_normalized() -> None:
    found = suppression.identifiers(
        email=" Eloise@Example.ORG ", phone="+33 6 11-22.33.44", name="ÉLOÏSE  Müller",
        category="tourism",
    )  # fmt: skip
    assert found == ["email:eloise@example.org", "phone:+33611223344", "name:tourism:eloise muller"]
