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


#: What the members table's search (:mod:`bot.activity.directory`) reads as the plain
#: letters a coordinator types, beyond the accents NFKD takes off: letters NFKD leaves
#: whole (``ß``, ``œ``, ``ø``, ``ł``…) and typographic marks (``’``, ``–``). PostgreSQL
#: runs the same steps in SQL (``relais_search``, migration 0033): changing this table
#: needs a migration that redefines it (tests/core/test_search_fold.py compares them).
SEARCH_LETTERS = {
    "ß": "ss", "ẞ": "SS", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o",
    "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h",
    "ı": "i", "Ł": "L", "ł": "l", "Ŋ": "N", "ŋ": "n", "Ŧ": "T", "ŧ": "t",
    "‘": "'", "’": "'", "ʼ": "'", "“": '"', "”": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-",
}  # fmt: skip
_SEARCH_TABLE = str.maketrans(SEARCH_LETTERS)


def search_fold(text: str) -> str:
    """``text`` as the members search compares it: compatibility forms decomposed (NFKD),
    combining accents (U+0300–U+036F) dropped, :data:`SEARCH_LETTERS` replaced, lower
    case — so ``helene`` finds ``Hélène`` and ``oeuvre`` finds ``Œuvre``, alike on SQLite
    and PostgreSQL, whose SQL does these very steps. ASCII text only needs the last."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not "\u0300" <= char <= "\u036f")
    return bare.translate(_SEARCH_TABLE).lower()


def searchable(name: str | None, email: str | None, phone: str | None) -> str:
    """What the members search looks in: name, e-mail and phone, folded, between spaces
    (SQLite's ``relais_search``, registered on every connection by :mod:`bot.core.db`)."""
    return search_fold(f"{name or ''} {email or ''} {phone or ''}")
