"""An action plan written at the desk in a real browser (Debian's Chromium, Playwright,
headless) on the fake Telegram: a coordinator opens Plans from the menu, writes a plan for
business, previews the channel post, posts it, finds it in the list and opens its page;
the business group receives the post once. At a desktop's width and at a phone's.

With ``RELAIS_DESK_SCREENSHOTS=docs/desk`` the pages' screenshots land in the guide.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.port import Address
from bot.delivery import channels
from bot.models import ActionPlan
from tests.support.chromium import CHROMIUM, DESKTOP, PHONE, fits, folders, needs_chromium, save
from tests.support.desk import served
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

pytestmark = needs_chromium
GROUP = -1001
TITLE = "Partagez la vidéo du festival"


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
async def test_write_preview_and_post_a_plan_in_a_browser(
    tg: TelegramNetwork, fake: FakeTelegram, tmp_path: Path, size: str
) -> None:
    carol = fake.user(1002, "Carol")
    await tg.join(carol)
    await tg.join(fake.user(1005, "Mia"))
    fake.group(GROUP, "Business ambassadors")
    async with tg.sessions.begin() as session:
        where = Address("telegram", str(GROUP))
        await channels.bind(session, where, "category:business", by=None, now=tg.clock.now())
    await tg.say(carol, "/desk")
    link = fake.last_message(carol, with_buttons=True)["reply_markup"]["inline_keyboard"][0][0]
    shots = folders(tmp_path)
    due = (tg.clock.now() + timedelta(days=5)).date().isoformat()

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

            await page.get_by_role("link", name="Plans", exact=True).click()
            await expect(page.locator("h1")).to_have_text("Action plans")
            await expect(page.get_by_text("No action plan yet.")).to_be_visible()
            await page.get_by_role("button", name="Write a plan").click()
            await page.get_by_label("Category").select_option("business")
            fields = {
                "Title (Français)": TITLE,
                "Text (Français)": "Le festival a filmé la ville.",
                "Call to action (Français)": "Partagez-la",
                "Title (English)": "Share the festival video",
                "Text (English)": "The festival filmed the city.",
                "Call to action (English)": "Share it",
            }
            for label, value in fields.items():
                await page.get_by_label(label).fill(value)
            await page.get_by_label("Due date").fill(due)
            await page.get_by_role("button", name="Preview").click()
            preview = page.locator(".preview")
            await expect(preview).to_contain_text(f"📌 {TITLE}")
            await expect(preview).to_contain_text("— English —")
            await expect(preview.get_by_role("button", name="Je m'en occupe")).to_be_disabled()
            await fits(page)
            save(await page.screenshot(full_page=True), f"plan-preview-{size}", shots)
            await page.get_by_role("button", name="Post", exact=True).click()
            await page.wait_for_url(f"{base}/desk/plans#plan-1")
            row = page.locator("#plan-1")
            await expect(row.get_by_role("link", name="Share the festival video")).to_be_visible()
            await fits(page)
            save(await page.screenshot(full_page=True), f"plans-{size}", shots)
            await row.get_by_role("link", name="Share the festival video").click()
            await expect(page.locator("h1")).to_contain_text("Plan #1")
            await expect(page.locator("#silent")).to_have_text(
                "1 member it addressed has not answered."
            )
            await fits(page)
        finally:
            await browser.close()

    await tg.app.sender.drain()
    assert await tg.count(ActionPlan) == 1
    [post] = [text for text in fake.texts(GROUP) if TITLE in text]
    assert "The festival filmed the city." in post
