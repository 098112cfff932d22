"""``relais kit add``: add a kit item from the command line, with an image or a PDF.

The chat flow (/kitadd) takes the same, files sent in the chat included; here a
coordinator who runs Relais adds items in bulk or by script. The file's content decides
its type (PNG, JPEG, WebP, GIF or PDF, :mod:`bot.animation.kit.files`), never its name;
anything else, or anything larger than ``[kit] max_file_mb``, is refused and nothing is
written.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.activity import reports
from bot.animation.kit import files, items
from bot.cli.errors import fail, say
from bot.core import audit
from bot.core.bilingual import Bilingual
from bot.core.config import Settings
from bot.core.text import clean_block
from bot.models import KitKind
from bot.runtime import running_app

REFUSED = {
    "empty": "the file is empty",
    "too_large": "the file is larger than [kit] max_file_mb",
    "wrong_type": "only PNG, JPEG, WebP, GIF images and PDF documents are accepted "
    "(judged by the file's content, not its name)",
}


async def add(
    settings: Settings, *, kind: str, title: str, text_fr: str, text_en: str,
    link: str | None, tags: str, category: str | None, file: Path | None,
) -> int:  # fmt: skip
    """Check everything, store the file, then write the item; 0 on success."""
    cleaned = clean_block(title, items.MAX_TITLE)
    if cleaned is None or "\n" in cleaned:
        return fail(f"--title: one line of 1 to {items.MAX_TITLE} characters")
    texts = {}
    for language, text in (("fr", text_fr), ("en", text_en)):
        if text:
            block = clean_block(text, items.MAX_TEXT)
            if block is None:
                return fail(f"--text-{language}: at most {items.MAX_TEXT} characters")
            texts[language] = block
    if link:
        try:
            link = reports.parse_link(link)
        except reports.InvalidInput:
            return fail("--link: an http(s) link is expected")
    if category and category not in {c.key for c in settings.categories}:
        return fail(f"--category: unknown category {category!r}")
    stored: tuple[str, str] | None = None
    if file is not None:
        try:
            content = await asyncio.to_thread(file.read_bytes)
        except OSError as error:
            return fail(f"cannot read {file}: {error.strerror}")
        try:
            stored = await asyncio.to_thread(files.store, settings, content)
        except files.FileRefused as refused:
            return fail(f"{file.name}: {REFUSED[refused.reason]}")
    draft = items.Draft(
        kind=KitKind(kind), title=cleaned, text=Bilingual.of(texts), link=link,
        tags=tuple(items.parse_tags(tags)), categories=(category,) if category else (),
        file_name=stored[0] if stored else None, file_type=stored[1] if stored else None,
    )  # fmt: skip
    async with running_app(settings) as app, app.sessions.begin() as session:
        item = items.create(session, draft, None, app.clock.now())
        await session.flush()
        audit.record(session, app.clock, actor_id=None, action="kit.add", item_id=item.id)
        number = item.id
    say(f"kit item #{number} added" + (f" with its {stored[1]} file" if stored else ""))
    return 0
