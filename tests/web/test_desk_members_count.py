"""The desk's members table says how many members match: exactly up to 1,000, "more than
1,000" beyond (a broad search never counts a whole large network), and the pages after
the first keep the count their link carries."""

from __future__ import annotations

import re

from sqlalchemy import insert

from bot.models import Member, MemberStatus, Role, Visibility
from tests.support.desk import desk_network, populate, served, signed_in
from tests.support.harness import START, NetworkFactory

NEXT = re.compile(r'<a href="([^"]+)">Next')


def _imported(number: int) -> dict[str, object]:
    return {
        "id": 1000 + number, "display_name": f"Imported {number}", "status": MemberStatus.ACTIVE,
        "role": Role.MEMBER, "category": "business", "language": "en",
        "visibility": Visibility.NAME, "sponsor_code": f"I{number}", "joined_at": START,
    }  # fmt: skip


async def test_the_members_table_counts_up_to_a_thousand(network_factory: NetworkFactory) -> None:
    network = desk_network(network_factory)
    await populate(network)  # seven people
    async with network.engine.begin() as connection:
        await connection.execute(insert(Member), [_imported(n) for n in range(1, 1201)])
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            status, page = await carol.get("/desk/members?q=imported+11")
            assert status == 200
            assert "111 members match." in page  # 11, 110–119, 1100–1199
            assert "all 111 that match" in page
            status, page = await carol.get("/desk/members?q=mia")
            assert "1 member matches." in page
            status, page = await carol.get("/desk/members")
            assert "More than 1,000 members match." in page
            assert "all that match (more than 1,000)" in page
            link = NEXT.search(page)
            assert link is not None
            status, page = await carol.get(link.group(1).replace("&amp;", "&"))
            assert status == 200 and "More than 1,000 members match." in page
        finally:
            await carol.client.close()
