"""The public sign-up form (``/join``) in a real browser: Debian's Chromium driven by
Playwright, headless, on a phone's width and a desktop's, against the web server and the
bot on the fake Telegram. A visitor fills the form and sends it; the page thanks them
with the Telegram button, its QR code and their code; the application is in the database,
pending, and the coordinator got its card on Telegram. Nothing scrolls sideways.

With ``RELAIS_DESK_SCREENSHOTS=docs/desk`` the filled form's screenshots (join-phone,
join-desktop) land in the guide.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import Member, MemberStatus
from tests.support.chromium import CHROMIUM, DESKTOP, PHONE, fits, folders, needs_chromium, save
from tests.support.desk import served
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

pytestmark = needs_chromium


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(
        engine, database_url, clock, fake, coordinators=["telegram:1002"],
        web__public_url="https://relais.test", network__registration="approval",
        web__signup="true",
    )  # fmt: skip
    await network.platform.initialize()
    yield network
    await network.platform.stop()


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_a_visitor_applies_with_the_form_and_the_coordinator_is_told(
    tg: TelegramNetwork, fake: FakeTelegram, tmp_path: Path, size: str
) -> None:
    carol = fake.user(1002, "Carol")
    await tg.join(carol)
    viewport = PHONE if size == "phone" else DESKTOP
    async with served(tg) as server, async_playwright() as playwright:
        base = f"http://127.0.0.1:{server.port_bound}"
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            context = await browser.new_context(viewport=viewport, locale="en-GB")  # type: ignore[arg-type]
            page = await context.new_page()
            await page.goto(f"{base}/join")
            await expect(page.locator("h1")).to_have_text("Join Lyon Ambassadors")
            await page.get_by_label("Your name").fill("Nora Web")
            await page.get_by_label("Your category").select_option(label="Tourism & culture")
            await page.get_by_label("Your language").select_option(label="English")
            await page.get_by_label("I agree").check()
            await fits(page)
            save(await page.screenshot(full_page=True), f"join-{size}", folders(tmp_path))
            await page.get_by_role("button", name="Send my application").click()

            await expect(page.locator("h1")).to_have_text("Thank you!")
            await expect(page.get_by_text("Your application is registered.")).to_be_visible()
            telegram = page.get_by_role("link", name="Open in Telegram")
            await expect(telegram).to_be_visible()
            await expect(page.get_by_alt_text("QR code of the Telegram link")).to_be_visible()
            href = await telegram.get_attribute("href")
            await fits(page)
            save(await page.screenshot(full_page=True), f"join-done-{size}", [tmp_path])
        finally:
            await browser.close()

    assert href is not None
    code = re.fullmatch(r"https://t\.me/[^?]+\?start=([A-Z0-9]{8})", href)
    assert code is not None, href
    async with tg.sessions() as session:
        found = await session.scalars(select(Member).where(Member.display_name == "Nora Web"))
        [nora] = list(found)
    assert nora.status is MemberStatus.PENDING and nora.category == "tourism"
    assert nora.language == "en" and nora.invite_code == code.group(1)
    assert nora.consent_at is not None
    await tg.app.sender.drain()
    card = fake.last_message(carol, with_buttons=True)
    assert f"New application #{nora.id}" in card["text"] and "Nora Web" in card["text"]
