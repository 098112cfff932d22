"""Shared by the card's tests: the partners a coordinator adds through the console, and
the QR code of the newest card image the console sent."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from tests.support.harness import Network

PARTNERS = """
@carol /partneradd
@carol Musée des Confluences
@carol Museum
@carol 86 quai Perrache, Lyon
@carol https://museum.test
@carol [Confirm]
@carol /benefitadd
@carol [Musée des Confluences]
@carol Free entry
@carol Entrée gratuite
@carol [Ambassador]
@carol [Skip]
@carol [Confirm]
@carol /partneradd
@carol Bouchon Daniel
@carol Restaurant
@carol [Skip]
@carol [Skip]
@carol [Confirm]
@carol /benefitadd
@carol [Bouchon Daniel]
@carol 10% off the menu
@carol [Skip]
@carol [Committed ambassador]
@carol 01/01/2026 - 31/12/2026
@carol [Confirm]
"""


def last_card(network: Network) -> tuple[bytes, str]:
    """The newest image the console sent, and what its QR code holds."""
    png = next(
        o.message.image_png for o in reversed(network.console.history) if o.message.image_png
    )
    assert png is not None
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return png, found.text
