"""The desk's campaigns (console network, both databases): every route × role; forms
refused without their token; compose with a preview in each language, schedule once
however many clicks, see it listed, cancel only after the confirmation; a campaign sent
now reaches the members privately with the chat's words."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.models import AuditEntry, Campaign, CampaignStatus
from tests.support.desk import Browser, browser, desk_network, populate, served, signed_in
from tests.support.harness import Network, NetworkFactory

ROLES = ("carol", "tess", "mia", None)
TEXTS = {"text_fr": "Partagez l'offre du salon", "text_en": "Share the fair's offer"}
ROUTES: list[tuple[str, str, dict[str, str], tuple[int, int, int, int]]] = [
    ("GET", "/desk/campaigns", {}, (200, 200, 403, 401)),
    ("GET", "/desk/campaigns/new", {}, (200, 403, 403, 401)),
    ("POST", "/desk/campaigns/new", {**TEXTS, "action": "preview"}, (200, 403, 403, 401)),
    ("POST", "/desk/campaigns/new", {"action": "preview"}, (400, 403, 403, 401)),
    ("GET", "/desk/campaigns/1/edit", {}, (200, 403, 403, 401)),
    ("POST", "/desk/campaigns/1/edit", {**TEXTS, "action": "preview"}, (200, 403, 403, 401)),
    ("POST", "/desk/campaigns/1/cancel", {}, (200, 403, 403, 401)),
    ("POST", "/desk/campaigns/999/cancel", {}, (404, 403, 403, 401)),
    ("POST", "/desk/campaigns/1/cancel/confirm", {}, (303, 403, 403, 401)),
]


def later(network: Network, days: int = 3) -> str:
    zone = ZoneInfo(network.settings.network.timezone)
    moment = (network.clock.now() + timedelta(days=days)).astimezone(zone)
    return moment.strftime("%Y-%m-%dT09:00")


async def scheduled(network: Network) -> None:
    """Campaign #1, scheduled in three days by the chat's own rule (through the desk)."""
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            form = {**TEXTS, "csrf": await carol.csrf(), "action": "schedule"}
            assert (await carol.post("/desk/campaigns/new", {**form, "when": later(network)}))[
                0
            ] == 303
        finally:
            await carol.client.close()


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "signed-out")
async def test_every_campaign_route_answers_each_role_as_declared(
    network_factory: NetworkFactory, role: str | None
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    await scheduled(network)
    column = ROLES.index(role)
    async with served(network) as server:
        if role is None:
            async with browser(server) as page:
                found = await _statuses(page, csrf="")
        else:
            page = await signed_in(network, server, role)
            try:
                found = await _statuses(page, csrf=await page.csrf())
            finally:
                await page.client.close()
    assert found == [(m, path, statuses[column]) for m, path, _f, statuses in ROUTES]


async def _statuses(page: Browser, *, csrf: str) -> list[tuple[str, str, int]]:
    found = []
    for method, path, form, _statuses in ROUTES:
        if method == "GET":
            status, _text = await page.get(path)
        else:
            status, _text = await page.post(path, {**form, "csrf": csrf})
        found.append((method, path, status))
    return found


async def test_compose_preview_schedule_once_and_cancel_after_confirming(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            for path, form in [(p, f) for m, p, f, _ in ROUTES if m == "POST"]:
                status, page = await carol.post(path, form)  # no token
                assert status == 403 and "This form has expired" in page
            status, page = await carol.get("/desk/campaigns/new")
            token = page.split('name="draft" value="')[1].split('"')[0]
            csrf = await carol.csrf("/desk/campaigns/new")
            form = {
                **TEXTS, "csrf": csrf, "draft": token, "category": "business",
                "call_en": "Post it today", "when": later(network), "repeat": "weekly",
                "ends": (network.clock.now() + timedelta(days=30)).date().isoformat(),
            }  # fmt: skip
            status, page = await carol.post("/desk/campaigns/new", {**form, "action": "preview"})
            assert status == 200 and "Channel post (Français)" in page
            assert "Private message (English)" in page and "Share the fair&#39;s offer" in page
            assert "Post it today" in page and "I&#39;m on it" in page
            past = {**form, "when": "2001-01-01T09:00", "action": "schedule"}
            status, page = await carol.post("/desk/campaigns/new", past)
            assert status == 400 and "are past" in page
            for _click in range(2):
                status, _page = await carol.post(
                    "/desk/campaigns/new", {**form, "action": "schedule"}
                )
                assert status == 303
            status, page = await carol.get("/desk/campaigns")
            assert "Share the fair&#39;s offer" in page and "scheduled for" in page
            assert "every week" in page
            status, page = await carol.post("/desk/campaigns/1/cancel", {"csrf": csrf})
            assert status == 200 and "Yes, cancel the campaign" in page
            async with network.sessions() as session:
                [campaign] = list(await session.scalars(select(Campaign)))
                assert campaign.status is CampaignStatus.SCHEDULED  # only asked
                assert campaign.categories == ["business"] and campaign.ends_at is not None
            status, _page = await carol.post("/desk/campaigns/1/cancel/confirm", {"csrf": csrf})
            assert status == 303
            status, page = await carol.get("/desk/campaigns")
            assert "cancelled" in page and "Cancel #1" not in page
        finally:
            await carol.client.close()
    async with network.sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions.count("campaign.create") == 1 and actions[-1] == "campaign.cancel"


async def test_a_campaign_sent_now_reaches_members_privately(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            form = {
                **TEXTS, "csrf": await carol.csrf(), "direct": "1", "category": "business",
                "action": "schedule",
            }  # fmt: skip
            assert (await carol.post("/desk/campaigns/new", form))[0] == 303
            _status, page = await carol.get("/desk/campaigns")
            assert "Targeted: 2 members; acted: 0" in page  # Mia and Rita, its referent
        finally:
            await carol.client.close()
    start = network.out.tell()
    await network.app.sender.drain()
    told = network.out.getvalue()[start:]
    assert "→ @mia" in told and "Share the fair's offer" in told, told
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Campaign)) == 1
