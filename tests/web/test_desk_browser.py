"""The desk in a real browser: Debian's Chromium driven by Playwright, headless, against the
running web server and the bot on the fake Telegram. A coordinator signs in with the
one-time link /desk sent, finds a member by search, checks two applications and approves
them behind the confirmation; the applicants hear it on Telegram. The same pages at a
desktop's width and at a phone's, which must not scroll sideways.

Screenshots of the main pages go to the test's folder; with ``RELAIS_DESK_SCREENSHOTS=<dir>``
(docs/desk for the user guide) they are written there too, as small PNGs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import MemberStatus
from tests.support.chromium import CHROMIUM, DESKTOP, PHONE, folders, needs_chromium
from tests.support.chromium import fits as _fits
from tests.support.chromium import save as _save
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
        web__public_url="http://relais.test", network__registration="approval",
    )  # fmt: skip
    await network.platform.initialize()
    yield network
    await network.platform.stop()


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_sign_in_search_and_approve_two_applications_in_a_browser(
    tg: TelegramNetwork, fake: FakeTelegram, tmp_path: Path, size: str
) -> None:
    carol = fake.user(1002, "Carol")
    mia = fake.user(1005, "Mia")
    ann = fake.user(1003, "Ann")
    bob = fake.user(1004, "Bob")
    for user in (carol, mia, ann, bob):
        await tg.join(user)
    await tg.say(carol, "/pending")
    await tg.tap(carol, f"Approve #{(await tg.member(mia)).id}")
    await tg.say(carol, "/desk")
    link = fake.last_message(carol, with_buttons=True)["reply_markup"]["inline_keyboard"][0][0]
    shots = folders(tmp_path)
    viewport = DESKTOP if size == "desktop" else PHONE

    async with served(tg) as server, async_playwright() as playwright:
        base = f"http://127.0.0.1:{server.port_bound}"
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            context = await browser.new_context(viewport=viewport, locale="en-GB")  # type: ignore[arg-type]
            page = await context.new_page()
            await page.goto(link["url"].replace("http://relais.test", base))
            await _fits(page)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(f"{base}/desk")
            await expect(page.locator("h1")).to_have_text("Overview")
            await _fits(page)
            _save(await page.screenshot(), f"overview-{size}", shots)

            await page.get_by_role("link", name="Members", exact=True).click()
            await page.get_by_role("searchbox").fill("mia")
            await page.get_by_role("button", name="Show").click()
            await expect(page.get_by_text("1 member matches.")).to_be_visible()
            await expect(page.get_by_role("link", name="Mia")).to_be_visible()
            await _fits(page)
            _save(await page.screenshot(), f"members-{size}", shots)
            await page.get_by_role("link", name="Mia").click()
            await expect(page.locator("h1")).to_contain_text("Mia")
            await page.get_by_label("A note about this member").fill("Met her at the fair.")
            await page.get_by_role("button", name="Add the note").click()
            await expect(page.get_by_text("Met her at the fair.")).to_be_visible()
            await _fits(page)
            _save(await page.screenshot(full_page=True), f"member-{size}", shots)

            await page.get_by_role("link", name="Applications").click()
            await expect(page.get_by_text("2 applications waiting")).to_be_visible()
            await _fits(page)
            for user in (ann, bob):
                number = (await tg.member(user)).id
                await page.get_by_label(f"#{number}").check()
            _save(await page.screenshot(), f"applications-{size}", shots)
            await page.get_by_role("button", name="Approve the checked applications").click()
            await expect(page.locator("h1")).to_have_text("Approve 2 applications?")
            assert (await tg.member(ann)).status is MemberStatus.PENDING
            await page.get_by_role("button", name="Confirm").click()
            done = page.get_by_text("2 applications approved; the applicants are told.")
            await expect(done).to_be_visible()
            await page.get_by_role("link", name="Audit", exact=True).click()
            await expect(page.locator("h1")).to_have_text("Audit log")
            approved = page.get_by_role("cell", name="Application approved", exact=True)
            await expect(approved).to_have_count(3)  # Mia in chat, Ann and Bob here
            await _fits(page)
            _save(await page.screenshot(), f"audit-{size}", shots)
        finally:
            await browser.close()

    await tg.app.sender.drain()
    for user in (ann, bob):
        assert (await tg.member(user)).status is MemberStatus.ACTIVE
        told = [text for text in fake.texts(user) if "application was approved" in text]
        assert len(told) == 1
