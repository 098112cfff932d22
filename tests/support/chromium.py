"""Pages in a real browser: Debian's Chromium driven by Playwright, headless (there is no
internet to download Playwright's own browsers). Viewport sizes, the check that a page
does not scroll sideways, and screenshots — written to the test's folder and, with
``RELAIS_DESK_SCREENSHOTS=<dir>`` (docs/desk for the user guide), there too as small PNGs.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Page

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1100, "height": 760}
PHONE = {"width": 390, "height": 800}
#: The narrowest phone the desk is made for.
SMALL_PHONE = {"width": 360, "height": 740}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Chromium is not installed (.ci/run installs it)"
)


#: The outermost elements reaching past the screen's right edge (to say what is too wide).
WIDEST = """() => [...document.body.querySelectorAll('*')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !(e.parentElement && e.parentElement.getBoundingClientRect().right
                 > window.innerWidth + 1))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"""


def folders(tmp_path: Path) -> list[Path]:
    """Where screenshots go: the test's folder, and the guide's when asked."""
    found = [tmp_path]
    if os.environ.get("RELAIS_DESK_SCREENSHOTS"):
        found.append(Path(os.environ["RELAIS_DESK_SCREENSHOTS"]))
    return found


def save(png: bytes, name: str, folders: list[Path]) -> None:
    """A small PNG (a 64-colour palette) in each folder."""
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        image.save(folder / f"{name}.png", optimize=True)


async def fits(page: Page) -> None:
    """Nothing wider than the screen (tables scroll inside their own box)."""
    wide = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    culprits = await page.evaluate(WIDEST) if wide > 1 else []
    assert wide <= 1, f"{page.url} scrolls sideways by {wide}px: {culprits}"
