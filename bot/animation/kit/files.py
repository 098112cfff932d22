"""The kit's images and PDFs, stored by Relais in one folder.

What a file *is* is decided by its first bytes, never by its name: a program renamed
``photo.png`` starts with ``MZ`` or ``\\x7fELF`` and is refused. Only PNG, JPEG, WebP,
GIF and PDF are accepted, up to ``[kit] max_file_mb``. A stored file gets a random name
(its content's type as extension), so nothing a person typed becomes a path.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Collection
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.core.config import Settings

#: Leading bytes → type. WebP is ``RIFF....WEBP`` (checked apart).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"),
)
IMAGES = ("png", "jpeg", "webp", "gif")


class FileRefused(ValueError):
    """``reason``: ``too_large``, ``empty`` or ``wrong_type``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sniff(content: bytes) -> str | None:
    """The type the content really has, among those accepted; None otherwise."""
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    return None


def folder(settings: Settings) -> Path:
    """Where the kit's files live (see :class:`~bot.core.config.KitSettings`)."""
    if settings.kit.files_dir:
        return Path(settings.kit.files_dir)
    url = make_url(settings.database.url)
    if url.get_backend_name() == "sqlite" and url.database:
        return Path(url.database).resolve().parent / "kit-files"
    return Path("kit-files").resolve()


def check(settings: Settings, content: bytes) -> str:
    """The content's type, or :class:`FileRefused`."""
    if not content:
        raise FileRefused("empty")
    if len(content) > settings.kit.max_file_mb * 1024 * 1024:
        raise FileRefused("too_large")
    kind = sniff(content)
    if kind is None:
        raise FileRefused("wrong_type")
    return kind


def store(settings: Settings, content: bytes) -> tuple[str, str]:
    """Check and write the file; (stored name, type)."""
    kind = check(settings, content)
    place = folder(settings)
    place.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(12)}.{kind}"
    (place / name).write_bytes(content)
    return name, kind


def read(settings: Settings, name: str) -> bytes | None:
    """A stored file's content; None when it went missing (never a path outside)."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    path = folder(settings) / name
    return path.read_bytes() if path.is_file() else None


#: A stored file no item names is kept this long (a flow may still be about to save it).
ORPHAN_AGE_SECONDS = 2 * 24 * 3600


def sweep(settings: Settings, kept: Collection[str], *, now: float | None = None) -> int:
    """Delete the stored files no item names (a flow cancelled after its file arrived, a
    transaction that failed after the write) once older than :data:`ORPHAN_AGE_SECONDS`;
    how many were deleted. Only names this module makes are considered."""
    place = folder(settings)
    if not place.is_dir():
        return 0
    limit = (time.time() if now is None else now) - ORPHAN_AGE_SECONDS
    deleted = 0
    for path in place.iterdir():
        stem, _dot, kind = path.name.partition(".")
        ours = len(stem) == 24 and kind in (*IMAGES, "pdf") and path.is_file()
        if ours and path.name not in kept and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
