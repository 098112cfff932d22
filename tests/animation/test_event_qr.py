"""The check-in QR code decodes to the deep link it was made from (read back with
zxing-cpp, as a phone's camera would)."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from bot.animation.events.qr import checkin_qr


def decode(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize(
    "link",
    [
        "https://t.me/relais_test_bot?start=ci-K7M2QX",
        "https://t.me/un_reseau_d_ambassadeurs_tres_long_bot?start=ci-ABCDEFGHJKMN",
    ],
)
def test_the_qr_code_decodes_to_the_deep_link(link: str) -> None:
    png = checkin_qr(link)
    assert png.startswith(b"\x89PNG")
    assert decode(png) == [link]


def test_an_empty_link_is_refused() -> None:
    with pytest.raises(ValueError):
        checkin_qr("")
