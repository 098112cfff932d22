"""Signals and campaigns in a real browser (Debian's Chromium, Playwright, headless) on
the fake Telegram: a coordinator moves a French-speaking member's signal to "qualified"
with a note — the reporter is told on Telegram, in French — then composes a campaign,
previews it and schedules it, uploads a spreadsheet and confirms its dry run; at a
desktop's width and at a phone's.

With ``RELAIS_DESK_SCREENSHOTS=docs/desk`` the pages' screenshots land in the guide.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import async_playwright, expect
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import Campaign, CampaignStatus, Member, Report
from tests.support.desk import served
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork
from tests.web.test_desk_browser import CHROMIUM, DESKTOP, PHONE, _fits, _save

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Chromium is not installed (.ci/run installs it)"
)
SHEET = """nom,email,categorie,langue,couleur
Amélie Durand,amelie@example.test,business,fr,bleu
Bob Stone,bob@example.test,business,en,vert
"""
QUALIFIED_FR = "Bonne nouvelle\u00a0: les coordinateurs ont qualifié votre signal"


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(
        engine, database_url, clock, fake, coordinators=["telegram:1002"],
        web__public_url="http://relais.test",
    )  # fmt: skip
    await network.platform.initialize()
    yield network
    await network.platform.stop()


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_qualify_a_signal_and_schedule_a_campaign_in_a_browser(
    tg: TelegramNetwork, fake: FakeTelegram, tmp_path: Path, size: str
) -> None:
    carol = fake.user(1002, "Carol")
    bruno = fake.user(1005, "Bruno", language_code="fr")
    await tg.join(carol)
    await tg.say(bruno, "/start")
    for label in ("Français", "J'accepte", "Entreprises", "Passer"):
        await tg.tap(bruno, label)
    await tg.say(bruno, "/report")
    await tg.tap(bruno, "Signal d'opportunité")
    await tg.tap(bruno, "Investisseur")
    await tg.say(bruno, "Un fonds regarde le parc biotech")
    await tg.tap(bruno, "Passer")
    await tg.say(carol, "/desk")
    link = fake.last_message(carol, with_buttons=True)["reply_markup"]["inline_keyboard"][0][0]
    folders = [tmp_path]
    if os.environ.get("RELAIS_DESK_SCREENSHOTS"):
        folders.append(Path(os.environ["RELAIS_DESK_SCREENSHOTS"]))
    zone = ZoneInfo(tg.settings.network.timezone)
    when = (tg.clock.now() + timedelta(days=3)).astimezone(zone).strftime("%Y-%m-%dT09:00")

    async with served(tg) as server, async_playwright() as playwright:
        base = f"http://127.0.0.1:{server.port_bound}"
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            viewport = DESKTOP if size == "desktop" else PHONE
            context = await browser.new_context(viewport=viewport, locale="en-GB")  # type: ignore[arg-type]
            page = await context.new_page()
            await page.goto(link["url"].replace("http://relais.test", base))
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(f"{base}/desk")

            await page.get_by_role("link", name="Signals", exact=True).click()
            await expect(page.locator("h1")).to_have_text("Opportunity signals")
            await _fits(page)
            _save(await page.screenshot(full_page=True), f"signals-{size}", folders)
            await page.get_by_role("link", name="Un fonds regarde le parc biotech").click()
            await page.get_by_label("A note with the move (optional)").fill("Rendez-vous le 12")
            await page.get_by_role("button", name="Qualify").click()
            await expect(page.locator("#stage")).to_have_text("qualified")
            await expect(page.get_by_text("Rendez-vous le 12")).to_be_visible()
            await _fits(page)
            _save(await page.screenshot(full_page=True), f"signal-{size}", folders)

            await page.get_by_role("link", name="Campaigns", exact=True).click()
            await page.get_by_role("button", name="Compose a campaign").click()
            await page.get_by_label("Text (Français)").fill("Partagez l'offre du salon")
            await page.get_by_label("Text (English)").fill("Share the fair's offer")
            await page.get_by_label("Call to action (English)").fill("Post it today")
            await page.get_by_label("When (empty: now)").fill(when)
            await page.get_by_role("button", name="Preview").click()
            await expect(page.get_by_text("Private message (English)")).to_be_visible()
            await expect(page.get_by_text("Post it today").last).to_be_visible()
            await _fits(page)
            _save(await page.screenshot(full_page=True), f"campaign-preview-{size}", folders)
            await page.get_by_role("button", name="Schedule").click()
            await page.wait_for_url(f"{base}/desk/campaigns#campaign-1")
            await expect(page.get_by_text("scheduled for")).to_be_visible()
            await _fits(page)
            _save(await page.screenshot(full_page=True), f"campaigns-{size}", folders)

            sheet = tmp_path / "members.csv"
            sheet.write_text(SHEET, encoding="utf-8")
            await page.get_by_role("link", name="Data", exact=True).click()
            await page.get_by_label("Spreadsheet (CSV)").set_input_files(sheet)
            await page.get_by_role("button", name="Check the file").click()
            await expect(page.get_by_text("2 new members would be created.")).to_be_visible()
            await expect(
                page.get_by_text("Columns not understood (ignored): couleur")
            ).to_be_visible()
            await _fits(page)
            _save(await page.screenshot(full_page=True), f"import-{size}", folders)
            await page.get_by_role("button", name="Import", exact=True).click()
            await expect(page.get_by_text("2 new members imported.")).to_be_visible()
        finally:
            await browser.close()

    await tg.app.sender.drain()
    told = [text for text in fake.texts(bruno) if QUALIFIED_FR in text]
    assert len(told) == 1
    async with tg.sessions() as session:
        report = await session.scalar(select(Report))
        campaign = await session.scalar(select(Campaign))
    assert report is not None and report.stage == "qualified"
    assert campaign is not None and campaign.status is CampaignStatus.SCHEDULED
    async with tg.sessions() as session:
        imported = select(func.count()).select_from(Member).where(Member.import_key.is_not(None))
        assert await session.scalar(imported) == 2
