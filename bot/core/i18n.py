"""Translations: gettext catalogs under ``locale``, compiled in memory at load.

One place resolves a person's language (their choice, then their app's language, then
the network's default); everything a person reads goes through :class:`Translator`.
Logs stay in English.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from bot.core.config import LANGUAGES

DOMAIN = "relais"


def N_(message: str) -> str:
    """Mark a constant for extraction; it is translated where it is shown."""
    return message


def NP_(context: str, message: str) -> str:
    """Mark a constant with a context (a msgctxt), for a word whose translation depends
    on where it is used, such as a command's name; translate it with ``pgettext``."""
    return message


def catalog_dir() -> Any:
    """Where the catalogs are: ``locale/`` beside ``bot/`` in a checkout (and an editable
    install), ``bot/locale`` inside an installed wheel (see ``pyproject.toml``)."""
    checkout = Path(__file__).resolve().parents[2] / "locale"
    if checkout.is_dir():
        return checkout
    return resources.files("bot") / "locale"


def catalog_path(language: str) -> Any:
    return catalog_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"


class CatalogError(Exception):
    """A translation catalog is missing or unreadable: the installation is broken."""


def _compile(language: str) -> gettext.GNUTranslations:
    path = catalog_path(language)
    try:
        with path.open("rb") as po_file:
            catalog = read_po(po_file, locale=language, abort_invalid=True)
    except FileNotFoundError as error:
        raise CatalogError(
            f"the {language} translation catalog is missing ({path}): reinstall Relais"
        ) from error
    except (OSError, UnicodeDecodeError, PoFileError, ValueError) as error:
        raise CatalogError(
            f"the {language} translation catalog ({path}) cannot be read: reinstall Relais, "
            "or restore the file from the release"
        ) from error
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """All catalogs, loaded once; cheap to call from any handler or job."""

    def __init__(self, default_language: str) -> None:
        self.default_language = default_language
        self._catalogs: Mapping[str, gettext.GNUTranslations] = {
            language: _compile(language) for language in LANGUAGES
        }

    def resolve(self, chosen: str | None, platform_hint: str | None) -> str:
        """The language to speak: the person's choice, their app's, or the default."""
        for candidate in (chosen, (platform_hint or "")[:2].lower()):
            if candidate is not None and candidate in self._catalogs:
                return candidate
        return self.default_language

    def _catalog(self, language: str) -> gettext.GNUTranslations:
        """The language's catalog, or the network's for a language Relais does not ship
        (a value written by hand or by an older release): one odd row must not make a
        whole campaign or job fail."""
        found = self._catalogs.get(language)
        return found if found is not None else self._catalogs[self.default_language]

    def gettext(self, language: str, message: str, /, **values: object) -> str:
        text = self._catalog(language).gettext(message)
        return text.format(**values) if values else text

    def pgettext(self, language: str, context: str, message: str) -> str:
        """The translation of ``message`` in ``context`` (the source text when none)."""
        return self._catalog(language).pgettext(context, message)

    def ngettext(
        self, language: str, singular: str, plural: str, n: int, /, **values: object
    ) -> str:
        text = self._catalog(language).ngettext(singular, plural, n)
        return text.format(n=n, **values)
