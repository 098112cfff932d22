"""Cells a spreadsheet will not run: every CSV Relais writes goes through here.

Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula, so a member named ``=HYPERLINK(...)`` would become a link
in a coordinator's export (OWASP "CSV injection"). Such a cell is prefixed with a single
quote, which spreadsheets show as text; nothing else is changed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

#: What a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """The value as written: a text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_rows(
    out: TextIO,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    separator: str = ",",
    header: bool = True,
) -> None:
    """Write rows of dicts as CSV (CRLF line ends, the columns in order), every cell
    made safe."""
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    if header:
        writer.writerow([cell(name) for name in columns])
    writer.writerows([cell(row.get(name)) for name in columns] for row in rows)
