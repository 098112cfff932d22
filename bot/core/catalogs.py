"""Developer tool: refresh the fr and en catalogs from the source (``make locale``).

Extracts every translatable string with Babel, merges it into each ``.po`` file keeping
existing translations, fills English entries with the source text, and lists French
entries still untranslated (the test suite fails while any remain).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.core.config import LANGUAGES
from bot.core.i18n import DOMAIN

#: The checkout's root: the source is ``bot/``, ``handlers/`` and ``jobs/``; the catalogs
#: are in ``locale/``.
ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "handlers", "jobs")
KEYWORDS = {
    "_": None,
    "N_": None,
    "NP_": ((1, "c"), 2),
    "gettext": None,
    "ngettext": (1, 2),
    "_n": (1, 2),
}


#: Python files, and the web pages' Jinja2 templates (they call ``_`` and ``ngettext``).
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]


def extract() -> Catalog:
    """Every message marked in the package, with where it was found."""
    template = Catalog(project="Relais", domain=DOMAIN)
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT / source), method_map=METHODS, keywords=KEYWORDS
        ):
            where = [(f"{source}/{filename}", lineno)]
            template.add(message, None, where, auto_comments=comments, context=context)
    return template


def refresh(language: str, template: Catalog) -> list[str]:
    path = ROOT / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.exists():
        with path.open("rb") as po_file:
            catalog = read_po(po_file, locale=language)
    else:
        catalog = Catalog(locale=language, domain=DOMAIN, project="Relais")
    catalog.update(template, no_fuzzy_matching=True)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if language == "en" and isinstance(message.id, tuple):
            if not isinstance(message.string, tuple) or not all(message.string):
                message.string = tuple(message.id)
        elif language == "en" and not message.string:
            message.string = message.id
        empty = not message.string or (
            isinstance(message.string, tuple) and not all(message.string)
        )
        if empty:
            missing.append(str(message.id))
    catalog.obsolete.clear()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po_file:
        write_po(po_file, catalog, width=100, omit_header=False, sort_output=True)
    return missing


def main() -> int:
    template = extract()
    status = 0
    for language in LANGUAGES:
        missing = refresh(language, template)
        for message in missing:
            print(f"{language}: untranslated: {message!r}")
        status = status or bool(missing)
    print(f"{len(template)} messages")
    return status


if __name__ == "__main__":
    sys.exit(main())
