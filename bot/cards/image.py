"""The member card as a PNG: the size of a bank card at 300 dpi (1011 × 638 pixels,
85.6 × 54 mm), so it prints at its real size and reads on any phone.

A band in the network's colour carries its name; below it the member's name, number,
category, level, badges, "member since" and "valid until" (translated by the caller),
and on the right a QR code with the card's link (or its code when the web has no public
address) above the code printed in letters, for ``/verify`` by hand.

The font is DejaVu Sans, shipped inside matplotlib's wheel (a dependency already, for the
charts): every accent of French names, on every server, with no system font to install.
Were it missing, Pillow's own font (``ImageFont.load_default``) stands in. Texts too long
for their place are cut with "…".
"""

from __future__ import annotations

import functools
import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1011, 638
DPI = 300
MARGIN = 44
BAND = 118
QR_SIZE = 330
#: The QR code's quiet zone, in modules (the standard asks for 4).
QR_BORDER = 4


@dataclass(frozen=True, slots=True)
class Face:
    """What the card shows, already in the member's language."""

    network: str
    name: str
    #: Lines under the name, in order (number and category, level, badges, dates).
    lines: tuple[str, ...]
    #: What the QR code holds (the verification link, or the code).
    qr: str
    #: The code in letters under the QR code.
    code: str
    color: str = "#1d3557"
    accent: str = "#e63946"


@functools.cache
def _font_file(bold: bool) -> Path | None:
    """DejaVu Sans in matplotlib's package data, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder, "mpl-data", "fonts", "ttf", f"DejaVuSans{'-Bold' if bold else ''}.ttf")
        if path.is_file():
            return path
    return None


@functools.cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_file(bold)
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(path), size)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int, bold: bool = False) -> str:
    """``text`` cut with "…" to fit ``width`` pixels at ``size``."""
    font = _font(size, bold)
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def qr_image(data: str, size: int) -> Image.Image:
    """A QR code of ``data``, ``size`` pixels square at most, in whole pixels a module."""
    code = segno.make(data, error="m", boost_error=True, micro=False)
    modules = code.symbol_size(scale=1, border=QR_BORDER)[0]
    scale = max(1, size // modules)
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=QR_BORDER)
    out.seek(0)
    return Image.open(out).convert("RGB")


def render(face: Face) -> bytes:
    """The card as PNG bytes."""
    card = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, WIDTH, BAND), fill=face.color)
    draw.rectangle((0, BAND, WIDTH, BAND + 10), fill=face.accent)
    title_width = WIDTH - 2 * MARGIN
    draw.text(
        (MARGIN, BAND // 2), _fit(draw, face.network, 46, title_width, True), font=_font(46, True),
        fill="white", anchor="lm",
    )  # fmt: skip
    qr = qr_image(face.qr, QR_SIZE)
    qr_left = WIDTH - MARGIN - qr.width + 16  # the quiet zone may touch the margin
    qr_top = BAND + 10 + (HEIGHT - BAND - 10 - 60 - qr.height) // 2
    card.paste(qr, (qr_left, qr_top))
    draw.text(
        (qr_left + qr.width // 2, qr_top + qr.height + 8), face.code, font=_font(32, True),
        fill="black", anchor="mt",
    )  # fmt: skip
    text_width = qr_left - MARGIN - 16
    y = BAND + 44
    size = next(
        (s for s in (52, 46, 40) if draw.textlength(face.name, font=_font(s, True)) <= text_width),
        36,
    )  # a long name gets smaller letters before it is cut
    name = _fit(draw, face.name, size, text_width, True)
    draw.text((MARGIN, y), name, font=_font(size, True), fill="black")
    y += 84
    for index, line in enumerate(face.lines):
        size = 28 if index < 2 else 24
        colour = face.color if index == 1 else "#222222"
        draw.text((MARGIN, y), _fit(draw, line, size, text_width), font=_font(size), fill=colour)
        y += size + 22
    draw.rectangle((0, HEIGHT - 12, WIDTH, HEIGHT), fill=face.color)
    out = io.BytesIO()
    card.save(out, format="PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()
