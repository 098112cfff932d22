"""Cleaning text people give Relais: what coordinators and referents type for broadcasts
(unlike report texts, a plan or a campaign keeps its paragraphs), and display names (the
one function every stored name goes through)."""

from __future__ import annotations

import unicodedata


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


#: Characters that change how a name looks without being part of it: bidirectional
#: overrides and isolates (a name that reads backwards), zero-width spaces and joiners,
#: invisible "letters" (Hangul fillers, the Braille blank) used to make names look empty
#: or identical to someone else's.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
NAME_LIMIT = 128


def clean_name(text: str, limit: int = NAME_LIMIT) -> str:
    """A display name as it may be stored and shown: NFC, without format or control
    characters (category Cf: bidirectional controls, zero-width characters; Cc; Co;
    Cs), without invisible letters, spaces collapsed, at most ``limit`` characters.
    May be empty: the caller then falls back on the platform id."""
    kept = [
        " " if char.isspace() else char
        for char in unicodedata.normalize("NFC", text)
        if char.isspace()
        or (
            unicodedata.category(char) not in ("Cf", "Cc", "Co", "Cs", "Cn")
            and char not in _INVISIBLE_LETTERS
        )
    ]
    return " ".join("".join(kept).split())[:limit]


def name_key(text: str) -> str:
    """What two names must share to look the same: cleaned, without accents, case
    folded (``Élise`` and ``elise`` have one key)."""
    decomposed = unicodedata.normalize("NFKD", clean_name(text))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.casefold()


def fold(word: str) -> str:
    """A typed word reduced for comparison: no case, no accents, no spaces, hyphens,
    underscores or apostrophes ("Tourisme & culture" is not typed the same way twice;
    "en-cours", "en_cours" and "En cours" are)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(
        char for char in decomposed if not unicodedata.combining(char) and char.isalnum()
    )
