"""No table can be forgotten by /forget: every table of the models is erased or
anonymised by a kind of data of :mod:`bot.members.privacy`, kept by one with the reason,
or listed as holding nothing personal with the reason; and an erasure writes to no table
it does not declare, and to every table it says it erases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection

from bot.members import privacy
from bot.models import Base, Member, MemberCard
from tests.support.harness import Network
from tests.support.people import member_id

#: The table an INSERT, UPDATE or DELETE statement writes to.
WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)


def declarations() -> Iterator[tuple[str, str, str, str]]:
    """(table, verdict, by whom, why) for every declaration of the package."""
    for kind in privacy.KINDS:
        name = getattr(kind, "__name__", repr(kind))
        for table, why in kind.ERASES.items():
            yield table, "erased", name, why
        for table, why in kind.KEEPS.items():
            yield table, "kept", name, why
    for table, why in privacy.NOT_PERSONAL.items():
        yield table, "not personal", "NOT_PERSONAL", why


def erased() -> set[str]:
    return {table for table, verdict, _by, _why in declarations() if verdict == "erased"}


def test_every_table_is_erased_kept_or_not_personal() -> None:
    verdicts: dict[str, set[str]] = {}
    for table, verdict, by, why in declarations():
        assert why.strip(), f"{by} gives no reason for {table}"
        verdicts.setdefault(table, set()).add(verdict)
    tables = set(Base.metadata.tables)
    assert sorted(tables - set(verdicts)) == [], "tables nobody erases, keeps or excuses"
    assert sorted(set(verdicts) - tables) == [], "declared tables the models do not have"
    # Two kinds may each erase their own rows of a table (link_attempts), but a table
    # is not erased by one and kept by another, nor both personal and not.
    assert {table: v for table, v in verdicts.items() if len(v) > 1} == {}


def test_a_table_whose_rows_belong_to_a_member_is_not_excused() -> None:
    """A row deleted with its member (``ON DELETE CASCADE`` to ``members``) is theirs."""
    owned = {
        table.name
        for table in Base.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table.name == "members" and key.ondelete == "CASCADE"
    }
    assert sorted(owned & set(privacy.NOT_PERSONAL)) == []


def deleted_with(tables: set[str]) -> set[str]:
    """The tables whose rows the database deletes or empties with rows of ``tables``."""
    found = set(tables)
    while True:
        more = {
            table.name
            for table in Base.metadata.sorted_tables
            for key in table.foreign_keys
            if key.column.table.name in found and key.ondelete in ("CASCADE", "SET NULL")
        } - found
        if not more:
            return found
        found |= more


async def test_forget_writes_where_it_says_and_nowhere_else(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    await network.play(
        """
        @alice /report
        @alice [Opportunity signal]
        @alice [Investor]
        @alice A fund looking at biotech
        @alice Hélène, 06 11 22 33 44
        """
    )
    alice = await member_id(network, "Alice")
    now = network.clock.now()
    async with network.sessions.begin() as session:  # a card, so that its rows go too
        session.add(
            MemberCard(member_id=alice, code="K7Q2M9XA", issued_at=now,
                       valid_until=now + timedelta(days=365))
        )  # fmt: skip
    async with network.sessions() as session:
        member = await session.get(Member, alice)
        assert member is not None
        shown = [set(await kind.export(session, member)) for kind in privacy.KINDS]
        everything = await privacy.my_data(session, member)
    assert sum(map(len, shown)) == len(everything), "two kinds show the same key"

    written: set[str] = set()
    deleted: set[str] = set()
    ours: list[Connection] = []

    def record(conn: Connection, _cursor: Any, statement: str, *_rest: Any) -> None:
        match = WRITE.match(statement)
        if match and conn in ours:
            written.add(match[1].lower())
            if statement.lstrip().upper().startswith("DELETE"):
                deleted.add(match[1].lower())

    event.listen(network.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with network.sessions.begin() as session:
            ours.append((await session.connection()).sync_connection)
            member = await session.get(Member, alice)
            assert member is not None
            await privacy.forget(session, member, network.clock, actor_id=alice)
    finally:
        event.remove(network.engine.sync_engine, "before_cursor_execute", record)

    declared = {table for table, verdict, _by, _why in declarations() if verdict != "not personal"}
    assert sorted(written - declared) == [], "written by /forget, declared by no kind"
    assert sorted(erased() - written - deleted_with(deleted)) == [], "said erased, not written"
