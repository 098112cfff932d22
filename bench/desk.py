"""The desk's members table on a 100,000-member network (issue #18: first page and a
search in ≤ 300 ms, SQLite and PostgreSQL).

The network is ``bench/scale.py``'s (members skewed in activity, 60 % with a Telegram
account, each report with its ledger entry; 200,000 reports here), plus an e-mail address
for one member in ten and a phone number for one in twenty, so that the search reads the
three columns it searches, and an accented name for one in fifty ("Hélène Dupré 51"), so
that it folds accents too. Timed, median of :data:`REPEAT`, after one warm-up:

* through the running web server, as a coordinator's browser asks (a real HTTP request to
  ``/desk/members``: the session and the gate, the queries, the template);
* the directory's queries alone (:func:`bot.activity.directory.page`).
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from sqlalchemy import text

from bench.common import SqliteFiles, Table, median, postgres_database
from bench.scale import NOW, generate_postgres, generate_sqlite
from bot.activity import directory, engagement
from bot.core.clock import FrozenClock
from bot.core.db import create_engine, session_factory
from bot.core.i18n import Translator
from bot.members import desk_access
from bot.models import Member, MemberStatus, Role
from bot.web.context import WebContext
from bot.web.desk.access import COOKIE
from bot.web.server import WebServer
from tests.support.harness import drop_postgres_database, settings_for

MEMBERS, REPORTS = 100_000, 200_000
REPEAT = 5
TARGET = 0.300
NEXT = re.compile(r'<a href="([^"]+)">(?:Next|Suivant)')
CONTACTS = [
    "UPDATE members SET email = 'member' || id || '@example.test' WHERE id % 10 = 0",
    "UPDATE members SET phone = '+33 6 ' || (10000000 + id) WHERE id % 20 = 0",
    "UPDATE members SET display_name = 'Hélène Dupré ' || id WHERE id % 50 = 1",
]


async def _contacts(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        for statement in CONTACTS:
            await connection.execute(text(statement))
    if url.startswith("postgresql"):
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE members"))
    await engine.dispose()


async def measure(url: str) -> dict[str, float]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    settings = settings_for(url, web__public_url="http://relais.test")
    clock = FrozenClock(NOW)
    async with sessions.begin() as session:
        coordinator = await session.get(Member, 1)
        assert coordinator is not None
        coordinator.role, coordinator.status = Role.COORDINATOR, MemberStatus.ACTIVE
        coordinator.consent_version = settings.privacy.consent_version
        opened = await desk_access.open_session(
            session, coordinator, None, NOW, hours=12, via="link"
        )
    context = WebContext(
        settings=settings, sessions=sessions, clock=clock, translator=Translator("fr")
    )
    server = WebServer(context, "127.0.0.1", 0)
    await server.start()
    base = f"http://127.0.0.1:{server.port_bound}"
    cookies = {COOKIE: opened.token}
    days = settings.nudges.dormant_days
    everyone = directory.Filters(scope=None)

    async def query(filters: directory.Filters, order: directory.Order) -> None:
        async with sessions() as session:
            await directory.page(session, settings, NOW, filters, order, days=days)

    async def deep_page() -> None:
        async with sessions() as session:
            page = await directory.page(
                session, settings, NOW, everyone, directory.Order("name", False), days=days
            )
            for _ in range(20):  # the 21st page by name: each read from where the last ended
                assert page.after is not None
                page = await directory.page(
                    session, settings, NOW, everyone, directory.Order("name", False),
                    after=page.after, days=days,
                )  # fmt: skip

    figures: dict[str, float] = {}
    async with aiohttp.ClientSession(cookies=cookies) as client:

        async def http(path: str) -> Callable[[], Awaitable[None]]:
            async def get() -> None:
                async with client.get(base + path) as answer:
                    assert answer.status == 200, answer.status
                    await answer.read()

            return get

        async def next_link(path: str) -> str:
            async with client.get(base + path) as answer:
                found = NEXT.search(await answer.text())
            assert found is not None, path
            return found.group(1).replace("&amp;", "&")

        operations: dict[str, Callable[[], Awaitable[None]]] = {
            "HTTP /desk/members (first page, newest first)": await http("/desk/members"),
            "HTTP /desk/members?q=Member 4242 (name search)": await http(
                "/desk/members?q=Member%204242"
            ),
            "HTTP /desk/members?q=member77770@ (e-mail search)": await http(
                "/desk/members?q=member77770%40"
            ),
            "HTTP /desk/members?q=#77777 (number)": await http("/desk/members?q=%2377777"),
            "HTTP /desk/members?q=+33 6 1007777 (phone search)": await http(
                "/desk/members?q=%2B33%206%201007777"
            ),
            "HTTP /desk/members?q=helene (2,000 accented names)": await http(
                "/desk/members?q=helene"
            ),
            "HTTP /desk/members?q=member (everyone matches)": await http("/desk/members?q=member"),
            "HTTP /desk/members?q=member, the next page (its link)": await http(
                await next_link("/desk/members?q=member")
            ),
            "HTTP /desk/members, sport, dormant, by name": await http(
                "/desk/members?category=sport&activity=dormant&sort=name&dir=asc"
            ),
            "query: first page by name": lambda: query(everyone, directory.Order("name", False)),
            "query: first page by last sign of life": lambda: query(
                everyone, directory.Order("last_action", True)
            ),
            "query: name search": lambda: query(
                directory.Filters(scope=None, query="Member 4242"), directory.Order()
            ),
            "query: dormant members, first page": lambda: query(
                directory.Filters(scope=None, activity=engagement.State.DORMANT),
                directory.Order(),
            ),
            "query: 21 pages by name, one after another (keyset)": deep_page,
        }
        try:
            for name, operation in operations.items():
                await operation()  # warm-up
                times = []
                for _ in range(REPEAT):
                    start = time.perf_counter()
                    await operation()
                    times.append(time.perf_counter() - start)
                figures[name] = median(times)
        finally:
            await server.stop()
            await engine.dispose()
    return figures


async def main() -> Table:
    files = SqliteFiles()
    results: dict[str, dict[str, float]] = {}
    try:
        url = await files.fresh()
        await asyncio.to_thread(generate_sqlite, url.split("///", 1)[1], MEMBERS, REPORTS)
        await _contacts(url)
        results["SQLite"] = await measure(url)
        name = "relais_bench_desk"
        pg = await postgres_database(name)
        if pg is None:
            print("PostgreSQL unreachable: its half of the desk benchmark is skipped")
        else:
            try:
                await generate_postgres(pg, MEMBERS, REPORTS)
                await _contacts(pg)
                results["PostgreSQL"] = await measure(pg)
            finally:
                await drop_postgres_database(name)
    finally:
        files.cleanup()
    databases = list(results)
    table = Table(
        f"Desk: the members table on {MEMBERS:,} members, seconds, median of {REPEAT}",
        ["operation", *databases, "target"],
    )
    for operation in next(iter(results.values())):
        row: list[Any] = [operation, *(results[db][operation] for db in databases)]
        worst = max(results[db][operation] for db in databases)
        table.add(*row, f"≤ {TARGET:.1f} s: {'met' if worst <= TARGET else 'NOT met'}")
    table.notes.append(
        "HTTP: a real request to the running server with a coordinator's session cookie "
        "(the gate, the count of matches, one page of 50, the template)."
    )
    table.print()
    return table


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit("usage: python -m bench.desk")
    asyncio.run(main())
