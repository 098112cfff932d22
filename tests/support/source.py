"""The project's own Python source, parsed, for the tests that check rules on the code
(tests/architecture/): which files count, read in one place."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.support.paths import ROOT

#: The packages whose source the rules cover (the migrations are Alembic's scripts).
SOURCES = ("bot", "handlers", "jobs")


def python_files(*tops: str) -> Iterator[Path]:
    """Every ``.py`` file under these top folders (default: all of :data:`SOURCES`), the
    migrations left out, in a stable order."""
    for top in tops or SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def parsed(*tops: str) -> Iterator[tuple[Path, ast.Module]]:
    for path in python_files(*tops):
        yield path, ast.parse(path.read_text())
