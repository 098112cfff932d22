"""Every message a person can read exists, translated, in every catalog."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.core.catalogs import extract
from bot.core.config import LANGUAGES
from bot.core.i18n import Translator, catalog_path

PLACEHOLDER = re.compile(r"\{(\w*)\}")


def load(language: str):  # type: ignore[no-untyped-def]
    with catalog_path(language).open("rb") as po_file:
        return read_po(po_file, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_every_source_message(language: str) -> None:
    catalog = load(language)
    missing = []
    for message in extract():
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        strings = entry.string if entry is not None else None
        complete = all(strings) if isinstance(strings, tuple) else bool(strings)
        if entry is None or not complete:
            missing.append(message.id)
    assert not missing, f"{language} lacks: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders(language: str) -> None:
    for message in load(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= expected | {"n"}, message.id


def test_language_resolution_order() -> None:
    translator = Translator("fr")
    assert translator.resolve("en", "fr-FR") == "en"
    assert translator.resolve(None, "en-GB") == "en"
    assert translator.resolve(None, "de") == "fr"
    assert translator.gettext("fr", "Skip") == "Passer"
    assert translator.ngettext("fr", "+{n} point", "+{n} points", 3) == "+3 points"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_left_fuzzy(language: str) -> None:
    """gettext ignores fuzzy entries: the person would read the English source text."""
    fuzzy = [message.id for message in load(language) if message.id and message.fuzzy]
    assert not fuzzy, f"{language}: fuzzy entries are not used, review them: {fuzzy}"


def test_a_language_relais_does_not_ship_speaks_the_networks() -> None:
    translator = Translator("fr")
    assert translator.gettext("de", "Skip") == "Passer"
    assert translator.pgettext("de", "command name", "report") == translator.pgettext(
        "fr", "command name", "report"
    )
    assert translator.ngettext("de", "+{n} point", "+{n} points", 2) == "+2 points"
