"""Ids read from text: one parser, so that every command, button and setting agrees on
what a number is.

``str.isdigit()`` accepts ``²``, ``³`` and other digits that ``int()`` refuses, and
``int()`` accepts numbers no column can hold: a member number typed as ``#²`` or
``99999999999999999999`` used to end in an unhandled exception. Here an id is ASCII digits
only, within the range of where it is looked up; anything else is None, which the caller
answers as "no such member/signal/…".
"""

from __future__ import annotations

import re

#: The database's ids: PostgreSQL's ``integer``, the type of every id column.
MAX_ROW_ID = 2**31 - 1
#: Telegram's and Discord's user and chat ids: signed 64-bit.
MAX_PLATFORM_ID = 2**63 - 1

#: ASCII only: ``str.isdigit()`` also accepts ``²``, ``³``, ``١``. As many digits as the
#: largest id has, so ``00000000001`` is not a second spelling of 1.
_ROW_DIGITS = re.compile(r"[0-9]{1,10}")
_PLATFORM_DIGITS = re.compile(r"[0-9]{1,19}")


def row_id(text: str, *, hash_sign: bool = True) -> int | None:
    """``12`` (or ``#12`` when ``hash_sign``) → 12, for a row of the database; None for
    anything else, including numbers no row can have."""
    digits = text.removeprefix("#") if hash_sign else text
    if not _ROW_DIGITS.fullmatch(digits):
        return None
    number = int(digits)
    return number if number <= MAX_ROW_ID else None


def platform_id(text: str) -> int | None:
    """A Telegram or Discord id (``-100123`` for a Telegram group); None for anything that
    is not ASCII digits with an optional minus, or does not fit in signed 64 bits."""
    digits = text.removeprefix("-")
    if not _PLATFORM_DIGITS.fullmatch(digits):
        return None
    number = int(text)
    return number if -MAX_PLATFORM_ID - 1 <= number <= MAX_PLATFORM_ID else None
