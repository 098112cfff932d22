"""A signal reported on Telegram by a French-speaking member, qualified with a note on
the desk: the reporter hears it in French, once, through the fake Bot API — the same
words as when a coordinator presses the chat's button, and a later press in the chat
tells nobody again."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import Report
from tests.support.desk import CSRF, ENGLISH, LINK, Browser, served
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

PUBLIC = "http://relais.test"
QUALIFIED_FR = "Bonne nouvelle\u00a0: les coordinateurs ont qualifié votre signal"


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(
        engine, database_url, clock, fake, coordinators=["telegram:1002"], web__public_url=PUBLIC
    )
    await network.platform.initialize()
    yield network
    await network.platform.stop()


async def test_qualified_on_the_desk_the_reporter_hears_it_in_french(
    tg: TelegramNetwork, fake: FakeTelegram
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
    async with tg.sessions() as session:
        report = await session.scalar(select(Report))
    assert report is not None and report.stage == "new"

    await tg.say(carol, "/desk")
    link = LINK.search(
        " ".join(fake.texts(carol)) + str(fake.last_message(carol, with_buttons=True))
    )
    assert link is not None
    async with (
        served(tg) as server,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), headers=ENGLISH) as client,
    ):
        desk = Browser(client, f"http://127.0.0.1:{server.port_bound}")
        assert (await desk.post(link.group(1), {}))[0] == 303
        status, page = await desk.get(f"/desk/signals/{report.id}")
        assert status == 200 and "Un fonds regarde le parc biotech" in page
        csrf = CSRF.search(page)
        assert csrf is not None
        form = {"csrf": csrf.group(1), "move": "q", "note": "Rendez-vous le 12"}
        assert (await desk.post(f"/desk/signals/{report.id}/move", form))[0] == 303
        assert (await desk.post(f"/desk/signals/{report.id}/move", form))[0] == 303
    await tg.app.sender.drain()
    told = [text for text in fake.texts(bruno) if QUALIFIED_FR in text]
    assert told == [f"{QUALIFIED_FR} d'opportunité «\u00a0Un fonds regarde le parc biotech\u00a0»."]
    # Carol then takes it in hand from the chat's card: the reporter hears that stage,
    # and still only once that it was qualified.
    await tg.say(carol, f"/signals {report.id}")
    await tg.tap(carol, "Assign to me")
    await tg.app.sender.drain()
    texts = fake.texts(bruno)
    assert sum(QUALIFIED_FR in text for text in texts) == 1
    assert any("Un coordinateur suit maintenant" in text for text in texts), texts
