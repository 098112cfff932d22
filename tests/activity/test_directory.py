"""The members directory pages by keyset: walking the pages forward, then back, in every
order and both directions, gives exactly the rows of one sorted query — with equal names,
members who never acted (no last sign of life) and erased members in the data; and the
search and filters find whom they say."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from bot.activity import directory, engagement
from bot.models import Identity, Member, MemberStatus, PointsEntry, Role, Visibility
from tests.support.harness import START, Network

NAMES = ["Zoé", "anna", "Anna", "Bruno", "Émile", "Chloé", "Denis"]


def _name(number: int) -> str:
    if number == 35:
        return ""  # erased
    return NAMES[number % len(NAMES)] if number % 5 else f"M{number}"


def _status(number: int) -> MemberStatus:
    if number == 35:
        return MemberStatus.FORGOTTEN
    return MemberStatus.PENDING if number % 9 == 0 else MemberStatus.ACTIVE


def _row(number: int) -> dict[str, object]:
    return {
        "id": number,
        "display_name": _name(number),
        "status": _status(number),
        "role": Role.REFERENT if number == 7 else Role.MEMBER,
        "category": "business" if number % 3 else "sport",
        "language": "fr" if number % 2 else "en",
        "visibility": Visibility.NAME,
        "sponsor_code": f"S{number}",
        "consent_at": START,
        "consent_version": "1",
        "joined_at": START - timedelta(days=number % 4),
        "last_action_at": None if number % 4 == 0 else START - timedelta(days=number % 40),
        "email": f"person{number}@example.test" if number % 6 == 0 else None,
        "phone": "+33 6 12 34 56 78" if number == 12 else None,
    }


async def _seed(network: Network, count: int = 41) -> list[dict[str, object]]:
    rows = [_row(number) for number in range(1, count + 1)]
    points = [
        {"member_id": n, "points": n * 10, "reason": "award", "unique_key": f"t:{n}"}
        for n in range(1, count + 1)
    ]
    async with network.engine.begin() as connection:
        await connection.execute(insert(Member), rows)
        await connection.execute(
            insert(Identity),
            [{"platform": "telegram", "user_id": str(n), "member_id": n} for n in range(1, 11)],
        )
        await connection.execute(insert(PointsEntry), [{**p, "created_at": START} for p in points])
    return rows


def _expected(rows: list[dict[str, object]], key: str, descending: bool) -> list[int]:
    column = {"number": "id", "name": "display_name", "joined": "joined_at",
              "last_action": "last_action_at"}[key]  # fmt: skip
    kept = [row for row in rows if row["status"] is not MemberStatus.FORGOTTEN]

    def sort_key(row: dict[str, object]) -> tuple[object, ...]:
        value = row[column]
        if column == "last_action_at" and value is None:
            value = row["joined_at"]  # the quiet spell started at the joining
        return (value, row["id"])

    ordered = sorted(kept, key=sort_key)
    return [int(row["id"]) for row in (ordered[::-1] if descending else ordered)]  # type: ignore[call-overload]


@pytest.mark.parametrize("key", directory.ORDERS)
async def test_pages_forward_and_back_cover_one_sorted_query(network: Network, key: str) -> None:
    rows = await _seed(network)
    settings = network.settings
    for descending in (False, True):
        if key == "name":  # the database's collation orders names; compare with itself
            async with network.sessions() as session:
                whole = await directory.page(
                    session, settings, START, directory.Filters(scope=None),
                    directory.Order(key, descending), size=1000,
                )  # fmt: skip
            expected = [member.id for member in whole.rows]
        else:
            expected = _expected(rows, key, descending)
        order = directory.Order(key, descending)
        seen: list[int] = []
        pages: list[directory.Page] = []
        after: str | None = None
        async with network.sessions() as session:
            while True:
                page = await directory.page(
                    session, settings, START, directory.Filters(scope=None), order,
                    after=after, size=6,
                )  # fmt: skip
                assert page.total == 40
                pages.append(page)
                seen += [member.id for member in page.rows]
                if page.after is None:
                    break
                after = page.after
            assert seen == expected
            assert pages[0].before is None
            # Back from the last page, through every "previous" link.
            back: list[int] = []
            current = pages[-1]
            while current.before is not None:
                current = await directory.page(
                    session, settings, START, directory.Filters(scope=None), order,
                    before=current.before, size=6,
                )  # fmt: skip
                back = [member.id for member in current.rows] + back
            assert back + [member.id for member in pages[-1].rows] == expected


async def test_search_and_filters_find_whom_they_say(network: Network) -> None:
    await _seed(network)
    settings = network.settings

    async def ids(**asked: object) -> list[int]:
        filters = directory.Filters(**{"scope": None, **asked})  # type: ignore[arg-type]
        async with network.sessions() as session:
            found = await directory.page(
                session, settings, START, filters, directory.Order("number", False), size=100
            )
        return [member.id for member in found.rows]

    assert await ids(query="#12") == [12]
    assert await ids(query="12") == [12]
    assert await ids(query="PERSON18@") == [18]  # e-mail, case aside
    assert await ids(query="12 34 56") == [12]  # phone
    assert await ids(query="ann") == [n for n in range(1, 42) if n % 5 and n % 7 in (1, 2)]
    assert await ids(query="100%") == []  # a wildcard is a character like any other
    assert await ids(categories=("sport",), status=MemberStatus.PENDING) == [9, 18, 27, 36]
    assert await ids(role=Role.REFERENT) == [7]
    assert await ids(platform="telegram", language="en") == [2, 4, 6, 8, 10]
    assert await ids(scope=("sport",), query="M15") == [15]
    assert await ids(scope=("business",), query="M15") == []
    # Level 1 of the example starts at 10 points and level 2 at 50: 10 to 49 points.
    levels = [level.points for level in settings.levels]
    in_first = [n for n in range(1, 42) if n != 35 and levels[1] <= n * 10 < levels[2]]
    assert await ids(level=1) == in_first
    # Activity: never acted for 30 days and more → dormant; the rest active.
    dormant = await ids(activity=engagement.State.DORMANT)
    active = await ids(activity=engagement.State.ACTIVE)
    assert set(dormant).isdisjoint(active)
    assert 31 in dormant and 1 in active
