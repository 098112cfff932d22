"""Texts written in French and English, or in one of them: which one a reader gets.

Campaigns, plans and events carry their text in both languages, either of which may be
left empty. One rule, used by every surface that renders such a text: the reader's own
language, else the network's, else whichever was written. Keeping it here means a member
never reads a French event under an English plan's header because two modules chose
differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.config import LANGUAGES


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text in up to two languages; an empty string counts as not written."""

    fr: str = ""
    en: str = ""

    @staticmethod
    def of(texts: Mapping[str, str | None]) -> Bilingual:
        return Bilingual(fr=(texts.get("fr") or "").strip(), en=(texts.get("en") or "").strip())

    def written(self) -> tuple[str, ...]:
        """The languages this text exists in, in the catalogs' order."""
        return tuple(language for language in LANGUAGES if getattr(self, language))

    def pick(self, language: str, default: str) -> tuple[str, str]:
        """(text, its language) for a reader of ``language`` in a network speaking
        ``default``; ("", language) when neither language was written."""
        for candidate in (language, default, *LANGUAGES):
            text = getattr(self, candidate, "") if candidate in LANGUAGES else ""
            if text:
                return text, candidate
        return "", language

    def __bool__(self) -> bool:
        return bool(self.fr or self.en)
