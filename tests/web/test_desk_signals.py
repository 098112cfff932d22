"""The desk's signal pipeline (console network, both databases): every route × role
(coordinators only, as ``/signals`` in the chat), forms refused without their token, a
move tells the reporter once however many clicks, assigning to another coordinator, and
the follow-up reminder reaching the assignee once on its day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import AuditEntry, Report, ReportEvent
from jobs import signal_follow_ups
from tests.support.desk import Browser, browser, desk_network, populate, served, signed_in
from tests.support.harness import Network, NetworkFactory
from tests.support.people import member_id, with_roles

SIGNAL = """
    @mia /report
    @mia [Opportunity signal]
    @mia [Investor]
    @mia {text}
    @mia [Skip]
"""

ROLES = ("carol", "tess", "mia", None)
#: (method, path — {s} is the signal's number —, form, statuses for carol, tess, mia, out)
ROUTES: list[tuple[str, str, dict[str, str], tuple[int, int, int, int]]] = [
    ("GET", "/desk/signals", {}, (200, 403, 403, 401)),
    ("GET", "/desk/signals?category=business&kind=investor&mine=1", {}, (200, 403, 403, 401)),
    ("GET", "/desk/signals/{s}", {}, (200, 403, 403, 401)),
    ("GET", "/desk/signals/999", {}, (404, 403, 403, 401)),
    ("POST", "/desk/signals/{s}/note", {"text": "Called them"}, (303, 403, 403, 401)),
    ("POST", "/desk/signals/{s}/follow-up", {"date": "2030-01-02"}, (303, 403, 403, 401)),
    ("POST", "/desk/signals/{s}/move", {"move": "q"}, (303, 403, 403, 401)),
    ("POST", "/desk/signals/{s}/assign", {"assignee": "{carol}"}, (303, 403, 403, 401)),
]


async def signal_network(network_factory: NetworkFactory) -> tuple[Network, str]:
    network = desk_network(network_factory)
    await populate(network)
    await network.play(SIGNAL.format(text="A fund looks at the biotech park"))
    async with network.sessions() as session:
        report_id = await session.scalar(select(Report.id))
    return network, str(report_id)


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "signed-out")
async def test_every_signal_route_answers_each_role_as_declared(
    network_factory: NetworkFactory, role: str | None
) -> None:
    network, signal = await signal_network(network_factory)
    values = {"s": signal, "carol": str(await member_id(network, "Carol"))}
    column = ROLES.index(role)
    async with served(network) as server:
        if role is None:
            async with browser(server) as page:
                found = await _statuses(page, values, csrf="")
        else:
            page = await signed_in(network, server, role)
            try:
                found = await _statuses(page, values, csrf=await page.csrf())
            finally:
                await page.client.close()
    assert found == [(method, path, statuses[column]) for method, path, _f, statuses in ROUTES]


async def _statuses(
    page: Browser, values: dict[str, str], *, csrf: str
) -> list[tuple[str, str, int]]:
    found = []
    for method, path, form, _statuses in ROUTES:
        url = _fill(path, values)
        if method == "GET":
            status, _text = await page.get(url)
        else:
            data = {key: _fill(value, values) for key, value in form.items()}
            status, _text = await page.post(url, {**data, "csrf": csrf})
        found.append((method, path, status))
    return found


async def test_signal_forms_without_their_token_change_nothing(
    network_factory: NetworkFactory,
) -> None:
    network, signal = await signal_network(network_factory)
    carol_id = str(await member_id(network, "Carol"))
    posts = [
        (_fill(path, {"s": signal, "carol": carol_id}), form)
        for m, path, form, _ in ROUTES
        if m == "POST"
    ]
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            for url, form in posts:
                data = {key: _fill(value, {"carol": carol_id}) for key, value in form.items()}
                for sent in (data, {**data, "csrf": "forged"}):
                    status, page = await carol.post(url, sent)
                    assert (url, status) == (url, 403) and "This form has expired" in page
        finally:
            await carol.client.close()
    async with network.sessions() as session:
        report = await session.get(Report, int(signal))
        assert report is not None and report.stage == "new" and report.assignee_id is None
        assert list(await session.scalars(select(ReportEvent))) == []


async def test_a_desk_move_tells_the_reporter_once_and_the_board_shows_it(
    network_factory: NetworkFactory,
) -> None:
    network, signal = await signal_network(network_factory)
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            csrf = await carol.csrf("/desk/signals")
            status, page = await carol.get("/desk/signals")
            assert status == 200 and "A fund looks at the biotech park" in page
            status, page = await carol.get(f"/desk/signals/{signal}")
            assert 'name="move" value="q"' in page
            form = {"csrf": csrf, "move": "q", "note": "Strong lead, met them in May"}
            status, _page = await carol.post(f"/desk/signals/{signal}/move", form)
            assert status == 303
            status, _page = await carol.post(f"/desk/signals/{signal}/move", form)
            assert status == 303  # a double click: refused, "already"
            status, page = await carol.get(f"/desk/signals/{signal}?refused=already")
            assert "had already made that move" in page
            assert "Strong lead, met them in May" in page and "qualified" in page
        finally:
            await carol.client.close()
    start = network.out.tell()
    await network.app.sender.drain()
    told = network.out.getvalue()[start:]
    assert told.count("qualified your opportunity signal") == 1, told
    assert "→ @mia" in told
    # The chat's /signals reads the same history, follow-up dates included.
    out = await network.play(f"@carol /signals {signal}")
    assert "Strong lead, met them in May" in out and "Stage: qualified" in out


async def test_assigning_to_another_coordinator_and_the_follow_up_reminder(
    network_factory: NetworkFactory,
) -> None:
    network, signal = await signal_network(network_factory)
    network = with_roles(
        network,
        coordinators=["console:carol", "console:cleo"],
        referents={"business": ["console:rita"], "tourism": ["console:tess"]},
    )
    await network.join("cleo")
    cleo = str(await member_id(network, "Cleo"))
    today = network.clock.now().date()
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            csrf = await carol.csrf("/desk/signals")
            post = {"csrf": csrf, "assignee": cleo}
            assert (await carol.post(f"/desk/signals/{signal}/assign", post))[0] == 303
            tomorrow = (today + timedelta(days=1)).isoformat()
            dated = {"csrf": csrf, "date": tomorrow}
            assert (await carol.post(f"/desk/signals/{signal}/follow-up", dated))[0] == 303
            bad = {"csrf": csrf, "date": "next tuesday"}
            status, _page = await carol.post(f"/desk/signals/{signal}/follow-up", bad)
            assert status == 303
            status, page = await carol.get(f"/desk/signals/{signal}")
            assert f"Follow-up</dt><dd>{tomorrow}" in page and "Cleo" in page
            status, page = await carol.get("/desk/signals?mine=1")
            assert "A fund looks at the biotech park" not in page  # Cleo's, not Carol's
        finally:
            await carol.client.close()
    await network.app.sender.drain()
    await signal_follow_ups.run(network.app)  # not due yet
    network.clock.advance(timedelta(days=1))
    start = network.out.tell()
    await signal_follow_ups.run(network.app)
    await signal_follow_ups.run(network.app)  # a re-run reminds nobody twice
    await network.app.sender.drain()
    told = network.out.getvalue()[start:]
    assert told.count(f"Follow-up due for opportunity signal #{signal}") == 1, told
    assert "→ @cleo" in told and "/desk/signals/" in told
    async with network.sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["signal.in_progress", "signal.follow_up"]
