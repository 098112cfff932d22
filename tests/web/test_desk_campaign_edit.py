"""Editing a campaign at the desk (console network, both databases): a scheduled campaign
that has not started sending opens in the composer with its values, previews without
changing anything, and saves once however many clicks (audited ``campaign.edit``, as the
chat's Edit); one already sending, finished or cancelled cannot be edited and the page
says why; the e-mail preview is the mail the mailer builds."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from markupsafe import escape
from sqlalchemy import select

from bot.animation import campaigns
from bot.animation.calls import Subject
from bot.core.bilingual import Bilingual
from bot.mailing.addresses import Recipient
from bot.models import AuditEntry, Campaign, CampaignStatus, KitItem, KitKind, Repeat
from bot.platforms.email.compose import Frame, build
from bot.web.desk import campaign_mail
from tests.support.desk import Browser, desk_network, populate, served, signed_in
from tests.support.harness import Network, NetworkFactory

TEXTS = {"text_fr": "Partagez l'offre du salon", "text_en": "Share the fair's offer"}
DRAFT = re.compile(r'name="draft" value="([^"]+)"')
EMAIL = {"email__host": "smtp.relais.test", "email__from_address": "ambassadors@relais.test"}


def local(network: Network, days: int, hour: str = "09:00") -> str:
    zone = ZoneInfo(network.settings.network.timezone)
    moment = (network.clock.now() + timedelta(days=days)).astimezone(zone)
    return moment.strftime(f"%Y-%m-%dT{hour}")


def soon(network: Network, hours: int) -> str:
    zone = ZoneInfo(network.settings.network.timezone)
    moment = (network.clock.now() + timedelta(hours=hours)).astimezone(zone)
    return moment.strftime("%Y-%m-%dT%H:%M")


def draft_token(page: str) -> str:
    found = DRAFT.search(page)
    assert found is not None, page
    return found.group(1)


async def compose(carol: Browser, **fields: str) -> int:
    """A campaign scheduled through the desk; its number."""
    form = {**TEXTS, "csrf": await carol.csrf(), "action": "schedule", **fields}
    status, _page = await carol.post("/desk/campaigns/new", form)
    assert status == 303, _page
    status, page = await carol.get("/desk/campaigns")
    return int(re.findall(r'id="campaign-(\d+)"', page)[0])


async def stored(network: Network, number: int) -> Campaign:
    async with network.sessions() as session:
        found = await session.get(Campaign, number)
    assert found is not None
    return found


async def actions(network: Network) -> list[str]:
    """The campaigns' audit entries, in order."""
    async with network.sessions() as session:
        found = await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
    return [action for action in found if action.startswith("campaign.")]


async def test_a_scheduled_campaign_opens_with_its_values_and_is_edited_once(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            number = await compose(
                carol, category="business", when=local(network, 3), repeat="weekly",
                max_runs="4", direct="1", activity="dormant", language="fr",
            )  # fmt: skip
            async with network.sessions.begin() as session:  # as the chat's kit step does
                item = KitItem(
                    kind=KitKind.LINK, title="Fair flyer", link="https://x.test",
                    created_at=network.clock.now(),
                )  # fmt: skip
                session.add(item)
                await session.flush()
                campaign = await session.get(Campaign, number)
                assert campaign is not None
                campaign.kit_item_id = item.id
            _status, listing = await carol.get("/desk/campaigns")
            assert f'href="/desk/campaigns/{number}/edit"' in listing
            status, page = await carol.get(f"/desk/campaigns/{number}/edit")
            assert status == 200 and f"Edit campaign #{number}" in page
            assert "Partagez l&#39;offre du salon" in page and "Save the changes" in page
            assert f'value="{local(network, 3)}"' in page and 'value="4"' in page
            for checked in ('"business" checked', '"dormant" checked', '"fr" checked'):
                assert checked in page, checked
            assert 'name="direct" value="1" checked' in page
            assert f'action="/desk/campaigns/{number}/edit"' in page
            csrf = await carol.csrf(f"/desk/campaigns/{number}/edit")
            form = {
                "csrf": csrf, "draft": draft_token(page), "text_en": "Share the new offer",
                "category": "tourism", "when": local(network, 5, "18:30"), "repeat": "none",
            }  # fmt: skip
            status, page = await carol.post(f"/desk/campaigns/{number}/edit", form)
            assert status == 200 and "Share the new offer" in page  # a preview
            assert "To share, in the kit: Fair flyer" in page  # the form keeps its kit item
            assert (await stored(network, number)).text_en == "Share the fair's offer"
            for _click in range(2):  # a double click: edited once
                status, _page = await carol.post(
                    f"/desk/campaigns/{number}/edit", {**form, "action": "schedule"}
                )
                assert status == 303
        finally:
            await carol.client.close()
    campaign = await stored(network, number)
    assert campaign.text_en == "Share the new offer" and campaign.text_fr == ""
    assert campaign.categories == ["tourism"] and campaign.repeat is Repeat.NONE
    assert campaign.max_runs is None and not campaign.direct and campaign.segments == {}
    assert campaign.status is CampaignStatus.SCHEDULED and campaign.runs == 0
    assert campaign.kit_item_id is not None
    assert local(network, 5, "18:30") == campaign.next_run_at.astimezone(
        ZoneInfo(network.settings.network.timezone)
    ).strftime("%Y-%m-%dT%H:%M")
    assert await actions(network) == ["campaign.create", "campaign.edit"]
    async with network.sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.edit"))
    assert entry is not None and entry.details["campaign_id"] == number
    assert entry.details["via"] == "desk" and entry.details["categories"] == ["tourism"]


async def test_a_campaign_sending_finished_or_cancelled_cannot_be_edited(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        tess = await signed_in(network, server, "tess")
        try:
            now = await compose(carol, direct="1", category="business")  # sent at once
            due = await compose(carol, when=soon(network, 2))
            cancelled = await compose(carol, when=local(network, 2))
            csrf = await carol.csrf()
            await carol.post(f"/desk/campaigns/{cancelled}/cancel/confirm", {"csrf": csrf})
            network.clock.advance(timedelta(hours=3))  # "due" is due, the job not run yet
            _status, listing = await carol.get("/desk/campaigns")
            assert "/edit" not in listing
            expected = {
                now: "has started sending", due: "has started sending",
                cancelled: "was cancelled",
            }  # fmt: skip
            for number, why in expected.items():
                status, page = await carol.get(f"/desk/campaigns/{number}/edit")
                assert status == 409 and why in page, (number, page)
                form = {**TEXTS, "csrf": csrf, "action": "schedule", "text_en": "Changed"}
                status, page = await carol.post(f"/desk/campaigns/{number}/edit", form)
                assert status == 409 and why in page
            assert (await carol.get("/desk/campaigns/999/edit"))[0] == 404
            assert (await tess.get(f"/desk/campaigns/{due}/edit"))[0] == 403  # a referent
            async with network.sessions.begin() as session:  # the job runs the due one
                await campaigns.run_due(
                    session, network.settings, network.app.translator, platforms=["console"],
                    now=network.clock.now(),
                )  # fmt: skip
            status, page = await carol.get(f"/desk/campaigns/{due}/edit")
            assert status == 409 and "has started sending" in page  # its results' window
        finally:
            await carol.client.close()
            await tess.client.close()
        window = network.settings.animation.results_window_days
        network.clock.advance(timedelta(days=window + 1))
        carol = await signed_in(network, server, "carol")
        try:
            for number in (now, due):
                status, page = await carol.get(f"/desk/campaigns/{number}/edit")
                assert status == 409 and "is finished" in page
        finally:
            await carol.client.close()
    assert "campaign.edit" not in await actions(network)
    assert (await stored(network, due)).text_en == "Share the fair's offer"


async def test_the_preview_shows_the_email_the_mailer_builds(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory, **EMAIL)
    await populate(network)
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            form = {**TEXTS, "csrf": await carol.csrf(), "email": "1", "action": "preview",
                    "call_en": "Post it today"}  # fmt: skip
            status, page = await carol.post("/desk/campaigns/new", form)
            assert status == 200
            status, without = await carol.post("/desk/campaigns/new", {**form, "email": ""})
        finally:
            await carol.client.close()
    settings, translator = network.settings, network.app.translator
    frame = Frame(
        settings=settings.email, network=settings.network.name, translator=translator,
        public_url=settings.web.public_url,
    )  # fmt: skip
    draft = campaigns.Draft(
        categories=(), text=Bilingual(fr=TEXTS["text_fr"], en=TEXTS["text_en"]),
        call_to_action=Bilingual(en="Post it today"), starts_at=None, repeat=Repeat.NONE,
        direct=False, email=True,
    )  # fmt: skip
    for language, name in (("fr", "Français"), ("en", "English")):
        message = campaigns.render_email(
            translator, settings, language, draft, Subject(campaign_id=0)
        )
        recipient = Recipient(1, campaign_mail.ADDRESS, "", language, campaign_mail.TOKEN)
        mail = build(message, recipient, frame)
        text = mail.get_body(preferencelist=("plain",))
        assert text is not None
        assert f"E-mail ({name})" in page
        assert str(escape(str(text.get_content()))) in page
        assert str(escape(str(mail["Subject"]))) in page
    assert "Lyon Ambassadors: Share the fair&#39;s offer" in page  # the English subject
    assert "http://relais.test/u/…" in page and "/answer c0-0" in page
    assert "E-mail (English)" not in without


async def test_without_email_set_up_the_preview_says_none_will_go_out(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            form = {**TEXTS, "csrf": await carol.csrf(), "email": "1", "action": "preview"}
            status, page = await carol.post("/desk/campaigns/new", form)
        finally:
            await carol.client.close()
    assert status == 200 and "E-mail is not set up on this network" in page
    assert "E-mail (English)" not in page
