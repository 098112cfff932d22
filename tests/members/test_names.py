"""Display names: one cleaning for every stored name (bidirectional overrides, zero-width
and invisible characters removed), and an application whose name looks like a
coordinator's is flagged on the card the coordinators get. On SQLite and PostgreSQL,
through the Telegram adapter (whose people can have any name)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.text import clean_name, name_key
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork

RLO, ZWSP, ZWJ, FILLER = "\u202e", "\u200b", "\u200d", "\u3164"


def test_clean_name() -> None:
    assert clean_name(f"Ali{RLO}ec{ZWSP}e") == "Aliece"
    assert clean_name(f"{FILLER}{ZWJ}") == ""
    assert clean_name("  Jean \n  Dupont\u2066 ") == "Jean Dupont"
    assert clean_name("É" * 300) == "É" * 128
    assert clean_name("e\u0301lise") == "élise"  # composed (NFC)
    assert name_key(f"ÉLISE{ZWSP} Martin") == name_key("elise martin")
    assert name_key("Elise Martin") != name_key("Elise Marti")


async def test_stored_names_are_clean_and_lookalikes_of_coordinators_flagged(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> None:
    tg = TelegramNetwork(
        engine,
        database_url,
        clock,
        fake,
        coordinators=["telegram:7001"],
        network__registration="approval",
    )
    await tg.platform.initialize()
    try:
        carol = fake.user(7001, "Carole", last_name="Martin")
        await tg.join(carol)
        impostor = fake.user(7002, f"CAR{ZWSP}OLE", last_name=f"Martín{RLO}")
        await tg.join(impostor)
        honest = fake.user(7003, "Caroline", last_name="Martin")
        await tg.join(honest)
        await tg.app.sender.drain()
        while await tg.platform.poll_once():
            pass
    finally:
        await tg.platform.stop()
    assert (await tg.member(impostor)).display_name == "CAROLE Martín"
    cards = [text for text in fake.texts(carol) if text.startswith("New application")]
    assert len(cards) == 2, fake.texts(carol)
    member = await tg.member(carol)
    assert cards[0].startswith("New application #2: CAROLE Martín")
    assert f"⚠ Same name as the coordinator Carole Martin (#{member.id})" in cards[0]
    assert "⚠" not in cards[1]
