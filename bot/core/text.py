"""Cleaning what coordinators and referents type for broadcasts: unlike report texts
(one line), a plan or a campaign keeps its paragraphs."""

from __future__ import annotations


def clean_block(text: str, limit: int) -> str | None:
    """Lines stripped, runs of blank lines reduced to one, spaces collapsed inside lines;
    None when empty or longer than ``limit`` characters."""
    lines: list[str] = []
    for raw in text.strip().splitlines():
        line = " ".join(raw.split())
        if line or (lines and lines[-1]):
            lines.append(line)
    cleaned = "\n".join(lines).strip()
    if not cleaned or len(cleaned) > limit:
        return None
    return cleaned
