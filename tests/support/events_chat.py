"""Importable helpers for the events' chat tests: a network with organizers and members,
the /event transcript, and what the tables hold about an occurrence."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import EventOccurrence
from tests.support.harness import Network
from tests.support.people import with_roles

#: /event by carol for Business: Tuesday 10 March 2026 18:30–20:30 in Lyon (the test
#: clock starts on Wednesday 4 March 10:00), {capacity} places, invitations {invites}.
CREATE = """
@carol /event
@carol [Business]
@carol Afterwork for newcomers
@carol Un verre pour faire connaissance.
@carol A drink to meet each other.
@carol Café du Port, Lyon
@carol 10/03/2026 18:30
@carol 20:30
@carol {capacity}
@carol [Skip]
@carol [Once only]
@carol [Skip]
@carol [{invites}]
@carol [Confirm]
"""


def create(capacity: str = "2", invites: str = "Channels only") -> str:
    return CREATE.format(capacity=capacity, invites=invites)


async def events_network(network: Network) -> Network:
    """carol coordinates; rita refers Business, sam Sport; alice, bob, cleo and mia
    (French) are Business members, dave a Sport one."""
    network = with_roles(
        network, referents={"business": ["console:rita"], "sport": ["console:sam"]}
    )
    await network.join("carol")
    await network.join("rita")
    await network.join("sam", category="Sport")
    for name in ("alice", "bob", "cleo"):
        await network.join(name)
    await network.join("mia", category="Entreprises", language="Français")
    await network.join("dave", category="Sport")
    return network


async def occurrence(network: Network, number: int = 1) -> EventOccurrence:
    async with network.sessions() as session:
        found = await session.scalar(select(EventOccurrence).where(EventOccurrence.id == number))
    assert found is not None
    return found
