"""Every desk route × every role → the expected status, on both databases: a coordinator,
a referent of another category than the member concerned (tess, tourism; mia is in
business), a plain member, and a signed-out browser. POSTs carry a valid form token, so
what is checked is the role; the token itself is checked in test_desk_signin."""

from __future__ import annotations

import pytest

from bot.models import Member, MemberStatus
from tests.support.desk import Browser, browser, desk_network, populate, served, signed_in
from tests.support.harness import NetworkFactory
from tests.support.people import member_id

ROLES = ("carol", "tess", "mia", None)
#: (method, path — {mia} is her number —, form, statuses for carol, tess, mia, signed out)
ROUTES: list[tuple[str, str, dict[str, str], tuple[int, int, int, int]]] = [
    ("GET", "/desk", {}, (200, 200, 403, 401)),
    ("GET", "/desk?category=tourism", {}, (200, 200, 403, 401)),
    ("GET", "/desk?category=business", {}, (200, 404, 403, 401)),
    ("GET", "/desk/members", {}, (200, 200, 403, 401)),
    ("GET", "/desk/members?q=mia&status=active&sort=name&dir=asc", {}, (200, 200, 403, 401)),
    ("GET", "/desk/members/{mia}", {}, (200, 404, 403, 401)),
    ("GET", "/desk/applications", {}, (200, 403, 403, 401)),
    ("GET", "/desk/audit", {}, (200, 403, 403, 401)),
    ("GET", "/desk/audit.csv", {}, (200, 403, 403, 401)),
    ("GET", "/desk/me", {}, (200, 200, 200, 401)),
    ("POST", "/desk/members/bulk", {"action": "export", "id": "{mia}"}, (200, 403, 403, 401)),
    (
        "POST",
        "/desk/members/bulk/confirm",
        {"action": "export", "ids": "{mia}"},
        (200, 403, 403, 401),
    ),
    ("POST", "/desk/members/{mia}/notes", {"text": "Met at the fair"}, (303, 403, 403, 401)),
]


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "signed-out")
async def test_every_route_answers_each_role_as_declared(
    network_factory: NetworkFactory, role: str | None
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    mia = str(await member_id(network, "Mia"))
    column = ROLES.index(role)
    async with served(network) as server:
        if role is None:
            async with browser(server) as page:
                found = await _statuses(page, mia, csrf="")
        else:
            page = await signed_in(network, server, role)
            try:
                found = await _statuses(page, mia, csrf=await page.csrf())
            finally:
                await page.client.close()
    expected = [(method, path, statuses[column]) for method, path, _form, statuses in ROUTES]
    assert found == expected


async def _statuses(page: Browser, mia: str, *, csrf: str) -> list[tuple[str, str, int]]:
    found = []
    for method, path, form, _statuses in ROUTES:
        url = path.replace("{mia}", mia)
        if method == "GET":
            status, _text = await page.get(url)
        else:
            data = {key: value.replace("{mia}", mia) for key, value in form.items()}
            status, _text = await page.post(url, {**data, "csrf": csrf})
        found.append((method, path, status))
    return found


async def test_every_post_without_the_form_token_is_refused(
    network_factory: NetworkFactory,
) -> None:
    """A form posted from another site carries the cookie but not the token: 403, and
    nothing happens (no note, no decision, no sign-out)."""
    network = desk_network(network_factory)
    await populate(network)
    mia = str(await member_id(network, "Mia"))
    ann = str(await member_id(network, "Ann"))
    posts = [(path, form) for method, path, form, _ in ROUTES if method == "POST"]
    posts += [
        ("/desk/members/bulk/confirm", {"action": "approve", "ids": ann}),
        ("/desk/signout", {}),
    ]
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            for path, form in posts:
                data = {key: value.replace("{mia}", mia) for key, value in form.items()}
                url = path.replace("{mia}", mia)
                for token in (None, "forged"):
                    sent = data if token is None else {**data, "csrf": token}
                    status, page = await carol.post(url, sent)
                    assert (url, status) == (url, 403)
                    assert "This form has expired" in page
            assert (await carol.get("/desk"))[0] == 200  # still signed in
            status, page = await carol.get(f"/desk/members/{mia}")
            assert "Met at the fair" not in page
        finally:
            await carol.client.close()
    async with network.sessions() as session:
        applicant = await session.get(Member, int(ann))
        assert applicant is not None and applicant.status is MemberStatus.PENDING
