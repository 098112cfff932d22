"""The apology after an update failed speaks the language the member chose, not their
app's: here a member whose Telegram is in English chose French. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.activity import reports
from bot.app import APOLOGY
from bot.core.clock import FrozenClock
from bot.core.i18n import Translator
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

TRANSLATOR = Translator("fr")


async def test_the_apology_comes_in_the_chosen_language(
    engine: AsyncEngine,
    database_url: str,
    clock: FrozenClock,
    fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tg = TelegramNetwork(engine, database_url, clock, fake)
    await tg.platform.initialize()
    try:
        alice = fake.user(8001, "Alice", language_code="en")
        await tg.say(alice, "/start")
        for label in ("Français", "J'accepte", "Entreprises", "Passer"):
            await tg.tap(alice, label)
        assert (await tg.member(alice)).language == "fr"

        async def broken(*args: object, **kwargs: object) -> object:
            raise RuntimeError("the report could not be written")

        monkeypatch.setattr(reports, "record", broken)
        await tg.say(alice, "/report")
        await tg.tap(alice, "Mention")
        await tg.tap(alice, "Presse")
        await tg.say(alice, "https://news.test/lyon")
        # A stranger (no chosen language) still gets their app's language.
        bob = fake.user(8002, "Bob", language_code="en")
        monkeypatch.setattr(tg.app, "_handle", broken)
        await tg.say(bob, "/help")
    finally:
        await tg.platform.stop()
    assert fake.texts(alice)[-1] == TRANSLATOR.gettext("fr", APOLOGY)
    assert fake.texts(bob)[-1] == TRANSLATOR.gettext("en", APOLOGY)
