"""Monthly meetings of two through the console, moving the clock over a year: never two
members of one organisation, never the same pair twice within a year, the odd one out told
and first in line next month; "did you meet?" a week later, a yes counted once per pair
(points for both, an action for both), nothing sent twice when the job runs again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.activity import engagement
from bot.directory import pairs
from bot.models import MeetingPair, Member, PointsEntry, Profile
from tests.support.directory import count, write_profile
from tests.support.harness import Network, NetworkFactory
from tests.support.people import said_to

PEOPLE = {"alice": "Org A", "bob": "Org A", "chloe": "Org C", "dan": "Org D", "eva": "Org E"}


async def paired_network(network_factory: NetworkFactory) -> Network:
    network = network_factory(directory__pairs="true")
    for name in PEOPLE:
        await network.join(name)
    for name, organisation in PEOPLE.items():
        await write_profile(network, name, organisation=organisation, town="Lyon", pairs=True)
    return network


async def pairs_by_month(network: Network) -> dict[str, list[tuple[int, int | None]]]:
    async with network.sessions() as session:
        rows = await session.execute(
            select(MeetingPair.month, MeetingPair.first_id, MeetingPair.second_id).order_by(
                MeetingPair.id
            )
        )
    found: dict[str, list[tuple[int, int | None]]] = {}
    for month, first, second in rows.all():
        found.setdefault(month, []).append((first, second))
    return found


async def test_pairs_never_repeat_within_a_year(network_factory: NetworkFactory) -> None:
    network = await paired_network(network_factory)
    out = await network.play("~ +1d")  # Thursday 09:00: March's first run pairs
    made = await pairs_by_month(network)
    assert list(made) == ["2026-03"]
    assert sum(1 for _a, b in made["2026-03"] if b is not None) == 2
    assert len([a for a, b in made["2026-03"] if b is None]) == 1
    told = "\n".join(text for name in PEOPLE for text in said_to(out, f"@{name}"))
    assert "Your meeting of the month:" in told and "No meeting partner for you this month" in told
    assert "How to reach them:\nconsole:" in told
    again = await network.play("~ +1d\n~ +1d")
    assert "Your meeting of the month" not in again  # March is paired once
    # Fourteen more months, on the clock the job reads (its occurrence on the 1st).
    for month in range(4, 18):
        year, number = 2026 + (month - 1) // 12, (month - 1) % 12 + 1
        when = datetime(year, number, 1, 8, tzinfo=UTC)
        async with network.sessions.begin() as session:
            await pairs.pair_month(session, network.settings, when)
            again_made = await pairs.pair_month(session, network.settings, when)
            assert again_made == []  # a re-run pairs nobody twice
    made = await pairs_by_month(network)
    assert len(made) == 15
    organisation = {}
    async with network.sessions() as session:
        for member in await session.scalars(select(Member)):
            organisation[member.id] = PEOPLE.get(member.display_name.lower())
    last_met: dict[frozenset[int], int] = {}
    for index, month in enumerate(sorted(made)):
        pairs_made = [(a, b) for a, b in made[month] if b is not None]
        assert all(organisation[a] != organisation[b] for a, b in pairs_made)  # Org A apart
        seen = [x for pair in made[month] for x in pair if x is not None]
        assert len(seen) == len(set(seen))  # one meeting a month each
        for a, b in pairs_made:
            key = frozenset((a, b))
            assert key not in last_met or index - last_met[key] >= 12, (month, a, b)
            last_met[key] = index
    # Nine possible pairs (ten, less Alice with Bob): all used in the first months, then
    # months with fewer pairs until a year has passed, then the first ones come back.
    assert len(last_met) == 9
    assert sum(1 for a, b in made["2026-07"] if b is not None) < 2
    assert sum(1 for a, b in made["2027-04"] if b is not None) == 2


def test_whoever_was_alone_goes_first() -> None:
    def candidate(number: int, organisation: str, town: str) -> pairs.Candidate:
        member = Member(id=number, display_name=str(number), category="business")
        profile = Profile(member_id=number, organisation=organisation, town=town, tags=[])
        return pairs.Candidate(member, profile)

    people = [candidate(1, "A", "Lyon"), candidate(2, "B", "Lyon"), candidate(3, "C", "Vienne")]
    for first in (1, 2, 3):
        matched, alone = pairs.match(people, set(), {first}, "2026-04")
        assert first in {c.id for pair in matched for c in pair} and len(alone) == 1
    # Same town first: 3 (alone last month, in Vienne) meets the one of 1, 2 in Vienne.
    people.append(candidate(4, "D", "Vienne"))
    matched, _alone = pairs.match(people, set(), {3}, "2026-04")
    assert {frozenset(c.id for c in pair) for pair in matched} == {
        frozenset((3, 4)),
        frozenset((1, 2)),
    }
    # The same organisation never; a recent pair never.
    matched, alone = pairs.match(people, {frozenset((3, 4))}, {3}, "2026-04")
    assert frozenset((3, 4)) not in {frozenset(c.id for c in pair) for pair in matched}


async def test_did_you_meet_counts_once_for_the_pair(network_factory: NetworkFactory) -> None:
    network = await paired_network(network_factory)
    await network.play("~ +1d")
    made = (await pairs_by_month(network))["2026-03"]
    first, second = next((a, b) for a, b in made if b is not None)
    async with network.sessions() as session:
        names = {m.id: m.display_name.lower() for m in await session.scalars(select(Member))}
    one, other = names[first], names[second]
    out = await network.play("~ +6d")
    assert "Did you meet" not in out
    out = await network.play("~ +1d")
    assert said_to(out, f"@{one}") == [
        f"Did you meet {other.title()}, your meeting of the month?\n"
        "[1] Yes, we met  [2] Not this time"
    ]
    again = await network.play("~ +1d\n~ +1d")
    assert "Did you meet" not in again
    out = await network.play(f"@{one} [Yes, we met]")
    assert "Great, your meeting counts for both of you! +10 points" in out
    assert said_to(out, f"@{other}") == [
        f"{one.title()} confirmed your meeting of the month. +10 points"
    ]
    out = await network.play(f"@{other} [Yes, we met]")
    assert "Your meeting is already counted. Thank you!" in out
    async with network.sessions() as session:
        points = await session.scalar(
            select(func.count()).select_from(PointsEntry).where(PointsEntry.reason == "meeting")
        )
        start, end = network.clock.now().replace(day=1), network.clock.now() + timedelta(seconds=1)
        acted = set(
            await session.scalars(
                select(Member.display_name).where(engagement.acted_between(start, end))
            )
        )
    assert points == 2
    assert {one.title(), other.title()} <= acted
    assert await count(network, MeetingPair) == len(made)
