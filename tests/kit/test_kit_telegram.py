"""The kit through python-telegram-bot and the fake Bot API: a coordinator adds an item
in private, a member finds it with /kit, opens it and shares it; the same button press
delivered twice by Telegram counts one share and one mention."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import KitItem, KitShare, PointsEntry, Report
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_network import TelegramNetwork


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram,
    tmp_path: Path,
) -> AsyncIterator[TelegramNetwork]:  # fmt: skip
    network = TelegramNetwork(
        engine, database_url, clock, fake, coordinators=["telegram:1002"],
        web__public_url="https://relais.test", kit__files_dir=str(tmp_path / "kit"),
    )  # fmt: skip
    await network.platform.initialize()
    yield network
    await network.platform.stop()


async def test_add_open_and_share_once_on_telegram(tg: TelegramNetwork, fake: FakeTelegram) -> None:
    carol = fake.user(1002, "Carol")
    alice = fake.user(1001, "Alice")
    await tg.join(carol)
    await tg.join(alice)
    await tg.say(carol, "/kitadd")
    await tg.tap(carol, "Key figure")
    await tg.say(carol, "Lyon: 1.4 million inhabitants")
    await tg.say(carol, "The metropolis counts 1.4 million inhabitants.")
    await tg.say(carol, "https://data.test/lyon")
    await tg.say(carol, "figures")
    await tg.tap(carol, "Everyone")
    assert "Preview" in fake.texts(carol)[-3]
    await tg.tap(carol, "Confirm")
    assert fake.texts(carol)[-1].startswith("Added to the kit")

    await tg.say(alice, "/kit")
    assert fake.texts(alice)[-1].startswith("The kit: 1 items.")
    await tg.tap(alice, "Lyon: 1.4 million inhabitants")
    item = fake.last_message(alice, with_buttons=True)
    assert "The metropolis counts 1.4 million inhabitants." in item["text"]
    [copy] = [b for row in item["reply_markup"]["inline_keyboard"] for b in row if "copy_text" in b]
    assert copy == {
        "text": "Copy the text",
        "copy_text": {"text": "The metropolis counts 1.4 million inhabitants."},
    }  # Telegram copies it on the phone, without a message
    share = fake.press(alice, item, "Share")
    await tg.deliver(share)
    await tg.deliver(share)  # Telegram delivers the same update again
    async with tg.sessions() as session:
        shares = list(await session.scalars(select(KitShare)))
        reports = list(await session.scalars(select(Report)))
        points = list(await session.scalars(select(PointsEntry.points)))
    assert len(shares) == 1 and len(reports) == 1 and points == [2]
    texts = fake.texts(alice)
    assert f"https://relais.test/r/{shares[0].code}" in "\n".join(texts)
    assert sum("+2 points" in text for text in texts) == 1
    await tg.tap(alice, "Share")  # pressed again later: the same link, nothing counted
    assert await tg.count(KitShare) == 1 and await tg.count(Report) == 1
    assert fake.unanswered_callbacks == set()


def _stored(tg: TelegramNetwork) -> int:
    """How many files the kit's folder holds."""
    assert tg.settings.kit.files_dir is not None
    return len(list(Path(tg.settings.kit.files_dir).iterdir()))


def jpeg() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (32, 20), "orange").save(image, "JPEG")
    return image.getvalue()


async def test_a_visual_sent_as_a_photo_and_a_pdf_as_a_file(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    carol = fake.user(1002, "Carol")
    alice = fake.user(1001, "Alice")
    await tg.join(carol)
    await tg.join(alice)
    await tg.say(carol, "/kitadd")
    await tg.tap(carol, "Visual")
    await tg.say(carol, "Lyon by night")
    await tg.tap(carol, "Skip")  # no text
    await tg.tap(carol, "Skip")  # no link
    assert fake.texts(carol)[-1].startswith("Send the image here")
    await tg.deliver(fake.document(carol, b"MZ\x90\x00" + b"\0" * 300, "night.jpg",
                                   mime_type="image/jpeg"))  # fmt: skip
    assert fake.texts(carol)[-1].startswith("Only PNG, JPEG, WebP or GIF images are accepted")
    downloads = len(fake.calls_to("download"))
    await tg.deliver(fake.photo(carol, jpeg(), announced_size=30 * 1024 * 1024))
    assert fake.texts(carol)[-1] == "This file is larger than 5 MB: please send a smaller one."
    assert len(fake.calls_to("download")) == downloads  # not even fetched
    photo = fake.photo(carol, jpeg())
    await tg.deliver(photo)
    [_thumbnail, largest] = photo["message"]["photo"]
    assert fake.calls_to("getFile")[-1].params["file_id"] == largest["file_id"]
    await tg.deliver(photo)  # Telegram delivers it again: stored once
    await tg.say(carol, "night")
    await tg.tap(carol, "Everyone")
    await tg.tap(carol, "Confirm")
    assert fake.texts(carol)[-1].startswith("Added to the kit")
    assert _stored(tg) == 1
    async with tg.sessions() as session:
        item = await session.scalar(select(KitItem))
    assert item is not None and item.file_type == "jpeg"

    await tg.say(alice, "/kit")
    await tg.tap(alice, "Lyon by night")
    sent = fake.calls_to("sendPhoto")[-1]
    assert sent.params["photo"] == jpeg()  # the very bytes Carol sent
    assert sent.params["caption"].startswith("Lyon by night · Visual")
