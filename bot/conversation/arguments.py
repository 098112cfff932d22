"""Words typed after a command, in either language.

A French member types ``/classement mois`` or ``/signaux nouveau``; an English one
``/leaderboard month``. Each list of choices a command accepts (periods, signal stages,
add/remove, channel scopes, signal kinds) has one key per choice, translated in the
``command argument`` context of the catalogs; :func:`choice` accepts the key or its
word in any language, folded (no case, accents or spaces), so "qualifié", "qualifie"
and "qualified" all give ``qualified``. Categories are found by key or name through
:meth:`bot.core.config.Settings.category_named`.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.config import LANGUAGES
from bot.core.i18n import NP_, Translator
from bot.core.text import fold

ARGUMENT_CONTEXT = "command argument"

#: Every word a list of choices may hold, marked for the catalogs.
WORDS = (
    NP_("command argument", "week"),
    NP_("command argument", "month"),
    NP_("command argument", "all"),
    NP_("command argument", "add"),
    NP_("command argument", "remove"),
    NP_("command argument", "open"),
    NP_("command argument", "new"),
    NP_("command argument", "qualified"),
    NP_("command argument", "in_progress"),
    NP_("command argument", "won"),
    NP_("command argument", "lost"),
    NP_("command argument", "not_relevant"),
    NP_("command argument", "general"),
    NP_("command argument", "coordinators"),
    NP_("command argument", "investor"),
    NP_("command argument", "site"),
    NP_("command argument", "event"),
    NP_("command argument", "film"),
    NP_("command argument", "talent"),
    NP_("command argument", "other"),
)


def choice(translator: Translator, word: str, choices: Iterable[str]) -> str | None:
    """The key among ``choices`` that ``word`` names, in any language, or None."""
    folded = fold(word)
    if not folded:
        return None
    for key in choices:
        if folded == fold(key) or any(
            folded == fold(translator.pgettext(language, ARGUMENT_CONTEXT, key))
            for language in LANGUAGES
        ):
            return key
    return None


def word(translator: Translator, language: str, key: str) -> str:
    """How ``key`` is typed in ``language`` (for usage lines)."""
    return translator.pgettext(language, ARGUMENT_CONTEXT, key)
