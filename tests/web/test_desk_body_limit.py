"""Request bodies (console network, both databases): the web server's forms take 64 kB at
most — a megabyte to a desk form or to the public sign-up form is refused with 413, while
the longest campaign the composer allows goes through — and only the desk's spreadsheet
upload takes more: a file of a few megabytes is checked as usual, one over 8 MB is
refused."""

from __future__ import annotations

import aiohttp

from bot.web.context import FORM_BODY
from bot.web.desk.transfers import UPLOAD_BODY
from tests.support.desk import ENGLISH, Browser, desk_network, populate, served, signed_in
from tests.support.harness import NetworkFactory

MEGABYTE = 1024 * 1024
HEADER = "nom,email,categorie,langue,couleur\n"


def sheet(rows: int, padding: int) -> str:
    """A spreadsheet whose last column (ignored by the import) makes it big."""
    return HEADER + "".join(
        f"Membre {n},membre{n}@example.test,business,fr,{'x' * padding}\n" for n in range(rows)
    )


async def upload(page: Browser, csrf: str, text: str) -> tuple[int, str]:
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", text.encode(), filename="members.csv", content_type="text/csv")
    async with page.client.post(page.base + "/desk/data/import", data=form) as answer:
        return answer.status, await answer.text()


async def test_forms_take_small_bodies_and_the_upload_a_few_megabytes(
    network_factory: NetworkFactory,
) -> None:
    assert FORM_BODY == 64 * 1024 and UPLOAD_BODY == 8 * MEGABYTE
    network = desk_network(network_factory, web__signup="true")
    await populate(network)
    big = "x" * MEGABYTE
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            csrf = await carol.csrf()
            status, page = await carol.post(
                "/desk/campaigns/new", {"csrf": csrf, "text_en": big, "action": "preview"}
            )
            assert status == 413, page
            longest = {
                "csrf": csrf, "text_fr": "é" * 1500, "text_en": "ê" * 1500,
                "call_fr": "à" * 300, "call_en": "ç" * 300, "action": "preview",
            }  # fmt: skip
            status, page = await carol.post("/desk/campaigns/new", longest)
            assert status == 200 and "Private message (English)" in page
            assert (await carol.post("/desk/members/bulk", {"csrf": csrf, "id": big}))[0] == 413

            few = sheet(300, 10_000)
            assert 2.5 * MEGABYTE < len(few) < 4 * MEGABYTE
            status, page = await upload(carol, csrf, few)
            assert status == 200 and "300 new members would be created." in page, page[:2000]
            too_big = sheet(300, 30_000)
            assert len(too_big) > UPLOAD_BODY
            assert (await upload(carol, csrf, too_big))[0] == 413
        finally:
            await carol.client.close()
        async with aiohttp.ClientSession(headers=ENGLISH) as client:
            base = f"http://127.0.0.1:{server.port_bound}"
            async with client.post(f"{base}/join", data={"name": big}) as answer:
                assert answer.status == 413
