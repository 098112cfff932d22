"""Long id lists in bounded pieces: PostgreSQL (asyncpg) accepts at most 32,767 bind
parameters in one statement, and an ``IN`` list spends one per id."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: Ids per ``IN`` list; well under asyncpg's limit, with room for the other parameters.
CHUNK = 5_000


def chunked(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
