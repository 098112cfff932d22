"""Every CSV Relais writes goes through :mod:`bot.core.csvsafe`, which neutralizes cells a
spreadsheet would run as formulas: no other module builds a ``csv`` writer."""

from __future__ import annotations

import ast

from tests.support.paths import ROOT
from tests.support.source import parsed

WRITERS = {"writer", "DictWriter"}
HELPER = ROOT / "bot" / "core" / "csvsafe.py"


def test_only_the_safe_helper_builds_csv_writers() -> None:
    offenders = []
    for path, tree in parsed():
        if path == HELPER:
            continue
        for node in ast.walk(tree):
            named = (
                isinstance(node, ast.Attribute)
                and node.attr in WRITERS
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ) or (
                isinstance(node, ast.ImportFrom)
                and node.module == "csv"
                and any(alias.name in WRITERS for alias in node.names)
            )
            if named:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "write CSV with bot.core.csvsafe.write_rows: " + ", ".join(offenders)
    assert any(path == HELPER for path, _tree in parsed("bot"))
