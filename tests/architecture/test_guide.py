"""The user guide holds together: the README is the door (set-up commands first, under
8,000 characters, a link to every page), each page of docs/ says who it is for, and every
relative link and anchor resolves."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.paths import ROOT

PAGES = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\]\(([^)\s]+)\)")
READERS = {
    "members", "referents", "coordinators", "telegram", "discord", "production", "privacy",
    "development",
}  # fmt: skip


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    found = set()
    for line in page.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", title)))
    return found


def test_the_readme_is_the_door() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme) < 8000
    first_block = readme.split("```")[1]
    assert "make run" in first_block and "make test" in first_block
    for page in PAGES:
        assert f"docs/{page.name}" in readme, page.name


def test_one_page_per_reader_each_saying_who_it_is_for() -> None:
    assert {page.stem for page in PAGES} >= READERS
    for page in PAGES:
        lines = [line for line in page.read_text().splitlines() if line.strip()]
        assert lines[0].startswith("# ") and lines[1].startswith("*For "), page.name


def test_every_relative_link_resolves() -> None:
    broken = []
    for page in [ROOT / "README.md", *PAGES]:
        for target in LINK.findall(page.read_text()):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            resolved = (page.parent / path).resolve() if path else page
            if not resolved.exists() or (anchor and anchor not in anchors(resolved)):
                broken.append(f"{page.name}: {target}")
    assert broken == []
