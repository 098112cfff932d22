"""The members directory pages by keyset: walking the pages forward, then back, in every
order and both directions, gives exactly the rows of one sorted query — with equal names,
members who never acted (no last sign of life) and erased members in the data; and the
search and filters find whom they say."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

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


PEOPLE = [
    (101, "Hélène Dupré", "helene.dupre@example.test", None),
    (102, "HELENE MARTIN", None, "+33 6 11 22 33 44"),
    (103, "héLÈne Œuvre", "H.Oeuvre@Example.test", None),
    (104, "Zoë O’Brien", None, "06 11 22 33 44"),
    (105, "Helena", "x_y@example.test", "+32 470 11 22 33"),
    (106, "Ørsted Straße", None, None),
    (107, "Jose Garcia", "josé@exemple.test", None),  # only the e-mail is not ASCII
]


async def _search(network: Network, query: str) -> list[int]:
    filters = directory.Filters(scope=None, query=query)
    async with network.sessions() as session:
        found = await directory.page(
            session, network.settings, START, filters, directory.Order("number", False), size=100
        )
    return [member.id for member in found.rows]


async def test_search_ignores_case_and_accents_alike_on_both_databases(network: Network) -> None:
    rows = [
        {**_row(number), "display_name": name, "email": email, "phone": phone}
        for number, name, email, phone in PEOPLE
    ]
    async with network.engine.begin() as connection:
        await connection.execute(insert(Member), rows)
    for query in ("helene", "HÉLÈNE", "hélène", "Hélène"):
        assert await _search(network, query) == [101, 102, 103], query
    assert await _search(network, "dupre") == [101]
    assert await _search(network, "oeuvre") == [103]  # Œ in the name, oe in the e-mail
    assert await _search(network, "ŒUVRE") == [103]
    assert await _search(network, "o'brien") == [104]  # typed ' for the name's ’
    assert await _search(network, "zoe") == [104]
    assert await _search(network, "strasse") == [106]
    assert await _search(network, "orsted") == [106]
    assert await _search(network, "EXAMPLE.TEST") == [101, 103, 105]  # e-mail, case aside
    assert await _search(network, "x_y@") == [105]
    assert await _search(network, "jose@") == [107]
    assert await _search(network, "jose") == [107]
    assert await _search(network, "xay@") == []  # "_" is itself, not any character
    assert await _search(network, "11 22 33") == [102, 104, 105]  # phone fragments
    assert await _search(network, "22 33 44") == [102, 104]
    assert await _search(network, "+33 6") == [102]
    assert await _search(network, "#104") == [104]  # a number is the member's
    assert await _search(network, "0611223344") == []  # ten digits: a phone, as typed


def _cursor_without_count(value: object, member_id: int) -> str:
    """A Next link as the table wrote it before pages carried the count."""
    raw = json.dumps([value, member_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_the_count_stops_at_the_cap_and_only_the_first_page_counts(
    network: Network,
) -> None:
    await _seed(network)  # 40 listed members
    settings, everyone = network.settings, directory.Filters(scope=None)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.lower())

    async with network.sessions() as session:
        order = directory.Order()
        exact = await directory.page(session, settings, START, everyone, order, size=6, cap=40)
        assert (exact.total, exact.capped) == (40, False)
        capped = await directory.page(session, settings, START, everyone, order, size=6, cap=39)
        assert (capped.total, capped.capped) == (39, True)
        event.listen(network.engine.sync_engine, "before_cursor_execute", seen)
        try:
            later = await directory.page(
                session, settings, START, everyone, order, after=capped.after, size=6, cap=39
            )
            assert not [s for s in statements if "count(" in s]  # carried, not counted
            assert (later.total, later.capped) == (39, True)
            old = _cursor_without_count(36, 36)  # an old link: counted again
            again = await directory.page(
                session, settings, START, everyone, order, after=old, size=6, cap=5
            )
            assert [member.id for member in again.rows][:2] == [34, 33]  # 35 is erased
            assert (again.total, again.capped) == (5, True)
            assert [s for s in statements if "count(" in s]
        finally:
            event.remove(network.engine.sync_engine, "before_cursor_execute", seen)


@pytest.mark.parametrize("key", directory.ORDERS)
async def test_paging_through_a_search_never_repeats_or_skips(network: Network, key: str) -> None:
    await _seed(network)
    settings = network.settings
    search = directory.Filters(scope=None, query="E")  # names, and e-mails (example.test)
    for descending in (False, True):
        order = directory.Order(key, descending)
        async with network.sessions() as session:
            whole = await directory.page(session, settings, START, search, order, size=1000)
            expected = [member.id for member in whole.rows]
            assert 12 < len(expected) < 40 and whole.total == len(expected)
            pages: list[directory.Page] = []
            after: str | None = None
            while True:
                current = await directory.page(
                    session, settings, START, search, order, after=after, size=4, cap=5
                )
                assert (current.total, current.capped) == (5, True)  # on every page
                pages.append(current)
                if current.after is None:
                    break
                after = current.after
            assert [member.id for page in pages for member in page.rows] == expected
            back = [member.id for member in pages[-1].rows]
            while current.before is not None:
                current = await directory.page(
                    session, settings, START, search, order, before=current.before, size=4, cap=5
                )
                assert (current.total, current.capped) == (5, True)
                back = [member.id for member in current.rows] + back
            assert back == expected


async def test_postgresql_reads_a_search_from_the_trigram_index(network: Network) -> None:
    """The query's expression is the index's: with table scans refused, the planner
    still finds a way (it would not if they differed by a cast or a parenthesis)."""
    if network.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL index")
    filters = directory.Filters(scope=None, query="Hélène")
    where = directory.conditions(filters, network.settings, START, days=30)
    statement = select(Member.id).where(*where).order_by(Member.id.desc()).limit(51)
    sql = statement.compile(dialect=network.engine.dialect, compile_kwargs={"literal_binds": True})
    async with network.engine.begin() as connection:
        await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        await connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
        plan = "\n".join((await connection.exec_driver_sql(f"EXPLAIN {sql}")).scalars())
    assert "ix_members_search" in plan, plan
