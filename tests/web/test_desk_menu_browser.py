"""The desk's menu in a real browser (Debian's Chromium, Playwright, headless; console
network, both databases): a coordinator's menu — every item, and one more, as pages are
added — holds on one line with the network's name and Sign out from 1,000 pixels wide, in
English and in French; on a 360-pixel phone it takes its own lines under them, every item
on the screen and big enough to tap, and nothing scrolls sideways. Screenshots at 1,100
and 360 pixels go to the test's folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect
from sqlalchemy import update

from bot.models import Member, Role
from bot.web.desk import access
from tests.support.chromium import CHROMIUM, SMALL_PHONE, fits, needs_chromium, save
from tests.support.desk import desk_network, populate, served, sign_in_path
from tests.support.harness import Network, NetworkFactory

pytestmark = needs_chromium
#: The item another page will add (the menu must have room for it).
ONE_MORE = ("/desk/plans", "Plans", Role.REFERENT)
BOXES = """() => [...document.querySelectorAll('header strong, header nav a, header button')]
  .map(e => { const r = e.getBoundingClientRect();
              return {text: e.textContent.trim(), top: r.top, bottom: r.bottom,
                      left: r.left, right: r.right}; })"""


async def set_language(network: Network, language: str) -> None:
    async with network.sessions.begin() as session:
        await session.execute(
            update(Member).where(Member.display_name == "Carol").values(language=language)
        )


async def boxes(page: Page) -> list[dict[str, float | str]]:
    found: list[dict[str, float | str]] = await page.evaluate(BOXES)
    return found


def middle(box: dict[str, float | str]) -> float:
    return (float(box["top"]) + float(box["bottom"])) / 2


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_the_menu_holds_one_line_from_1000_pixels_and_fits_a_phone(
    network_factory: NetworkFactory,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    language: str,
) -> None:
    if not any(path == ONE_MORE[0] for path, _label, _role in access.MENU):
        monkeypatch.setattr(access, "MENU", (*access.MENU, ONE_MORE))
    network = desk_network(network_factory)
    await populate(network)
    await set_language(network, language)
    path = sign_in_path(await network.play("@carol /desk"))
    async with served(network) as server, async_playwright() as playwright:
        base = f"http://127.0.0.1:{server.port_bound}"
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1000, "height": 700})
            await page.goto(base + path)
            await page.locator("button.primary").click()  # "Sign in", in Carol's language
            await page.wait_for_url(f"{base}/desk")
            await expect(page.locator("nav a")).to_have_count(len(access.menu(Role.COORDINATOR)))
            for width in (1000, 1100, 1400):
                await page.set_viewport_size({"width": width, "height": 700})
                found = await boxes(page)
                assert max(map(middle, found)) - min(map(middle, found)) < 6, (width, found)
                assert all(float(box["right"]) <= width for box in found), (width, found)
                await fits(page)
                if width == 1100:
                    save(await page.screenshot(), f"menu-{language}-1100", [tmp_path])

            await page.set_viewport_size(SMALL_PHONE)  # type: ignore[arg-type]
            found = await boxes(page)
            brand, links, sign_out = found[0], found[1:-1], found[-1]
            assert abs(middle(brand) - middle(sign_out)) < 12  # one row above the menu
            for link in links:
                assert float(link["top"]) >= float(brand["bottom"]), link
                assert float(link["left"]) >= 0 and float(link["right"]) <= SMALL_PHONE["width"]
                assert float(link["bottom"]) - float(link["top"]) >= 28, link  # to tap
            await fits(page)
            save(await page.screenshot(), f"menu-{language}-360", [tmp_path])
        finally:
            await browser.close()
