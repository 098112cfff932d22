"""Reading a spreadsheet's CSV safely, row by row: the encoding, the separator, the header.

A file is checked before any row is read: it must exist, hold no NUL byte (a binary file,
and PostgreSQL refuses NUL in text) and decode as UTF-8 (with or without BOM) or
Windows-1252, the two encodings spreadsheets save. That check streams the file, so a
large one never sits in memory; :func:`rows` then reads it lazily. Whatever is wrong with
the file itself is a :class:`BadFile` with one line to show.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Bytes read at a time while checking a file.
BLOCK = 1 << 20
#: The encodings tried in turn; cp1252 is what Excel saves "CSV" as on Windows.
ENCODINGS = ("utf-8-sig", "cp1252")
SEPARATORS = ",;\t"


class BadFile(Exception):
    """The file cannot be read as CSV text; the message is one line saying why."""


@dataclass(frozen=True, slots=True)
class Layout:
    encoding: str
    separator: str


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as source:
        try:
            while block := source.read(BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def inspect(path: Path) -> Layout:
    """How to read this file, or :class:`BadFile`."""
    try:
        with path.open("rb") as source:
            first = source.read(BLOCK)
            block = first
            while block:
                if b"\x00" in block:
                    raise BadFile("it holds NUL bytes: this is a binary file, not CSV text")
                block = source.read(BLOCK)
    except FileNotFoundError as error:
        raise BadFile("no such file") from error
    except IsADirectoryError as error:
        raise BadFile("this is a folder, not a file") from error
    except OSError as error:
        raise BadFile(f"cannot read it ({error.strerror})") from error
    if not first.strip():
        raise BadFile("the file is empty")
    encoding = next((name for name in ENCODINGS if _decodes(path, name)), None)
    if encoding is None:
        raise BadFile("it is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8")
    header = first.decode(encoding, errors="ignore").lstrip("\ufeff").splitlines()[0]
    return Layout(encoding, max(SEPARATORS, key=header.count))


def rows(path: Path, layout: Layout) -> Iterator[tuple[int, list[str]]]:
    """The file's rows with the line each starts on (the header is line 1), read lazily."""
    with path.open(encoding=layout.encoding, newline="") as source:
        reader = csv.reader(source, delimiter=layout.separator)
        line = 1
        try:
            for values in reader:
                yield line, values
                line = reader.line_num + 1
        except csv.Error as error:
            raise BadFile(f"line {reader.line_num}: {error}") from error
