"""The desk's imports and exports (console network, both databases): every route × role;
forms refused without their token; a spreadsheet with problems lists them by line and
imports nothing; a good one shows its dry run (ignored columns included), imports on
confirmation, once however many clicks; the members export gives the invitation codes;
a person who asked to be erased is skipped by the next import's dry run."""

from __future__ import annotations

import csv
import io

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.models import AuditEntry, Member
from tests.support.desk import Browser, browser, desk_network, populate, served, signed_in
from tests.support.harness import NetworkFactory

ROLES = ("carol", "tess", "mia", None)
SHEET = """nom,email,categorie,langue,couleur
Amélie Durand,amelie@example.test,business,fr,bleu
Bob Stone,bob@example.test,business,en,vert
"""
BAD = """name,email,category
Zoé,zoe@example.test,nowhere
Yann,not-an-address,business
"""
ROUTES: list[tuple[str, str, tuple[int, int, int, int]]] = [
    ("GET", "/desk/data", (200, 403, 403, 401)),
    ("GET", "/desk/data/export/members.csv", (200, 403, 403, 401)),
    ("GET", "/desk/data/export/signals.csv", (200, 403, 403, 401)),
    ("GET", "/desk/data/export/nothing.csv", (404, 403, 403, 401)),
    ("POST", "/desk/data/import", (200, 403, 403, 401)),
    ("POST", "/desk/data/import/confirm", (409, 403, 403, 401)),
]


def upload(csrf: str, sheet: str, **extra: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    for key, value in extra.items():
        form.add_field(key, value)
    form.add_field("file", sheet.encode(), filename="members.csv", content_type="text/csv")
    return form


async def send(page: Browser, path: str, form: aiohttp.FormData) -> tuple[int, str]:
    async with page.client.post(page.base + path, data=form, allow_redirects=False) as answer:
        return answer.status, await answer.text()


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "signed-out")
async def test_every_data_route_answers_each_role_as_declared(
    network_factory: NetworkFactory, role: str | None
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    column = ROLES.index(role)
    async with served(network) as server:
        if role is None:
            async with browser(server) as page:
                found = await _statuses(page, "")
        else:
            page = await signed_in(network, server, role)
            try:
                found = await _statuses(page, await page.csrf())
            finally:
                await page.client.close()
    assert found == [(method, path, statuses[column]) for method, path, statuses in ROUTES]


async def _statuses(page: Browser, csrf: str) -> list[tuple[str, str, int]]:
    found = []
    for method, path, _statuses in ROUTES:
        if method == "GET":
            status, _text = await page.get(path)
        elif path.endswith("confirm"):
            status, _text = await page.post(path, {"csrf": csrf, "token": "x" * 32})
        else:
            status, _text = await send(page, path, upload(csrf, BAD))
        found.append((method, path, status))
    return found


async def test_check_import_once_export_and_skip_the_erased(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            status, page = await send(carol, "/desk/data/import", upload("", SHEET))
            assert status == 403  # no token
            csrf = await carol.csrf("/desk/data")
            status, page = await send(carol, "/desk/data/import", upload(csrf, BAD))
            assert status == 200 and "2 problems" in page
            assert '<td class="num">2</td>' in page and '<td class="num">3</td>' in page
            assert 'name="token"' not in page  # nothing to confirm
            status, page = await send(carol, "/desk/data/import", upload(csrf, SHEET))
            assert "2 rows read." in page and "couleur" in page
            assert "2 new members would be created." in page
            token = page.split('name="token" value="')[1].split('"')[0]
            confirm = {"csrf": csrf, "token": token}
            status, page = await carol.post("/desk/data/import/confirm", confirm)
            assert status == 200 and "2 new members imported." in page
            status, page = await carol.post("/desk/data/import/confirm", confirm)
            assert status == 409 and "already done" in page
            status, text = await carol.get("/desk/data/export/members.csv")
            rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
            code = next(r["invitation_code"] for r in rows if r["name"] == "Amélie Durand")
        finally:
            await carol.client.close()
        await network.play(
            f"""
            @amelie /start {code}
            @amelie [Français]
            @amelie [J'accepte]
            @amelie /forget
            @amelie [Oui, effacer mes données]
            """
        )
        carol = await signed_in(network, server, "carol")
        try:
            csrf = await carol.csrf("/desk/data")
            status, page = await send(carol, "/desk/data/import", upload(csrf, SHEET))
            assert "1 row skipped: this person asked to be erased (lines 2)." in page
            assert "1 member already there, unchanged." in page
        finally:
            await carol.client.close()
    async with network.sessions() as session:
        named = select(func.count()).select_from(Member).where(Member.display_name == "Bob Stone")
        assert await session.scalar(named) == 1
        actions = list(await session.scalars(select(AuditEntry.action)))
        assert actions.count("desk.import") == 1 and "export.members" in actions
