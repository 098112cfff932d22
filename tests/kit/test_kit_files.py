"""Images and PDFs sent in the chat while adding a kit item: a visual's image, a
document's PDF, a post's optional image. Judged by their content (a program renamed
``poster.png`` is refused, a PDF is not a visual), stored in ``[kit] files_dir``, shown
in the preview and when a member opens the item; files nobody's item names are swept."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from bot.animation.kit import files
from bot.models import KitItem, KitKind
from tests.support.harness import Network, NetworkFactory

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PROGRAM = b"\x7fELF\x02\x01\x01\x00" + b"\0" * 120


def png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (16, 9), "navy").save(image, "PNG")
    return image.getvalue()


VISUAL = """
@carol /kitadd
@carol [Visual]
@carol The 2026 poster
@carol The festival's poster, to print or post.
@carol [Skip]
"""


def _network(network_factory: NetworkFactory, tmp_path: Path) -> Network:
    return network_factory(kit__files_dir=str(tmp_path / "kit"))


async def test_a_visual_takes_an_image_checked_by_content(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    network = _network(network_factory, tmp_path)
    await network.join("carol")
    await network.join("alice")
    (tmp_path / "poster.png").write_bytes(PROGRAM)  # a program, named like an image
    (tmp_path / "poster.pdf").write_bytes(PDF)
    (tmp_path / "real.bin").write_bytes(png())
    out = await network.play(VISUAL)
    assert "Send the image here: PNG, JPEG, WebP or GIF, at most 5 MB." in out
    assert "Skip" not in out.split("Send the image here")[1]  # a visual needs its image
    out = await network.play("@carol A picture of the poster")
    assert "Please send the file itself (as a photo or a file), or /cancel." in out
    out = await network.play(f"@carol <file:{tmp_path / 'poster.png'}>")
    assert "Only PNG, JPEG, WebP or GIF images are accepted here" in out
    out = await network.play(f"@carol <file:{tmp_path / 'poster.pdf'}>")
    assert "Only PNG, JPEG, WebP or GIF images are accepted here" in out
    assert not (tmp_path / "kit").exists()  # nothing refused was written
    out = await network.play(f"@carol <file:{tmp_path / 'real.bin'}>")
    assert "Its topics" in out
    out = await network.play("@carol festival\n@carol [Everyone]")
    preview = out.split("Preview — this is how members will see it:")[1]
    assert "The 2026 poster · Visual" in preview and "[image: " in preview
    await network.play("@carol [Confirm]")
    async with network.sessions() as session:
        item = await session.scalar(select(KitItem))
    assert item is not None and item.kind is KitKind.VISUAL and item.file_type == "png"
    assert item.file_name is not None and item.file_name.endswith(".png")
    stored = tmp_path / "kit" / item.file_name
    assert stored.read_bytes() == png()
    out = await network.play("@alice /kit\n@alice [The 2026 poster]")
    assert "The festival's poster, to print or post." in out and "[image: " in out


async def test_a_document_takes_a_pdf_and_a_post_may_skip_its_image(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    network = _network(network_factory, tmp_path)
    await network.join("carol")
    await network.join("alice")
    (tmp_path / "brochure.png").write_bytes(png())
    (tmp_path / "brochure.pdf").write_bytes(PDF)
    out = await network.play(VISUAL.replace("[Visual]", "[Document]"))
    assert "Send the PDF document here, at most 5 MB." in out
    out = await network.play(f"@carol <file:{tmp_path / 'brochure.png'}>")
    assert "Only a PDF is accepted here (judged by its content, not its name)." in out
    await network.play(f"@carol <file:{tmp_path / 'brochure.pdf'}>")
    await network.play("@carol [Skip]\n@carol [Everyone]\n@carol [Confirm]")
    out = await network.play("@alice /kit\n@alice [The 2026 poster]")
    assert "[file: The 2026 poster.pdf, " in out
    out = await network.play(VISUAL.replace("[Visual]", "[Ready-to-share post]"))
    assert "An image to go with the post? Send it here" in out
    out = await network.play("@carol [Skip]\n@carol [Skip]\n@carol [Everyone]\n@carol [Confirm]")
    assert "Added to the kit (item #2)" in out
    out = await network.play(f"@alice <file:{tmp_path / 'brochure.pdf'}>")  # no flow waits
    assert "I did not understand." in out
    out = await network.play("@carol /kitadd")
    out = await network.play(f"@carol <file:{tmp_path / 'brochure.pdf'}>")
    assert "No file is expected here: please answer the question below." in out


async def test_files_too_large_and_orphans(network_factory: NetworkFactory, tmp_path: Path) -> None:
    network = _network(network_factory, tmp_path)
    await network.join("carol")
    big = tmp_path / "big.png"
    big.write_bytes(png() + b"\0" * (5 * 1024 * 1024))
    await network.play(VISUAL)
    out = await network.play(f"@carol <file:{big}>")
    assert "This file is larger than 5 MB: please send a smaller one." in out
    (tmp_path / "ok.png").write_bytes(png())
    await network.play(f"@carol <file:{tmp_path / 'ok.png'}>")
    out = await network.play("@carol /cancel")
    assert "Cancelled" in out
    [orphan] = list((tmp_path / "kit").iterdir())  # stored when it arrived
    kept_by_hand = tmp_path / "kit" / "notes.txt"
    kept_by_hand.write_text("not ours")
    assert files.sweep(network.settings, set()) == 0  # too recent: a flow may still save it
    old = time.time() - files.ORPHAN_AGE_SECONDS - 60
    for path in (orphan, kept_by_hand):
        os.utime(path, (old, old))
    assert files.sweep(network.settings, {orphan.name}) == 0  # an item names it
    assert files.sweep(network.settings, set()) == 1
    assert not orphan.exists() and kept_by_hand.exists()


async def test_a_file_passes_the_gate_of_its_flow(
    network_factory: NetworkFactory, tmp_path: Path
) -> None:
    from tests.support.people import member_id

    network = _network(network_factory, tmp_path)
    await network.join("carol")
    await network.join("bob")
    bob = await member_id(network, "Bob")
    await network.play(f"@carol /referent #{bob} business")
    await network.play(VISUAL.replace("@carol", "@bob"))
    await network.play(f"@carol /referent remove #{bob} business")
    (tmp_path / "ok.png").write_bytes(png())
    out = await network.play(f"@bob <file:{tmp_path / 'ok.png'}>")
    assert "What you were doing was stopped; nothing was sent." in out
    assert not (tmp_path / "kit").exists()  # refused before anything was stored
