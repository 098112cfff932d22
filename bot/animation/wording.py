"""How a call written in French and English is laid out, for one reader or for a channel.

A private message, an e-mail or a reminder is for one reader: it carries the text in
their language, else the network's (:class:`bot.core.bilingual.Bilingual`, the one rule),
under headers and buttons in the reader's own language. A category channel has no single
language: its post carries the network's language first and, when the other language was
written, the other below, under a line naming it (in that language: "English",
"Français"); its headers and buttons are in the network's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.bilingual import Bilingual
from bot.core.config import LANGUAGES
from bot.core.i18n import N_

#: Each language's name in itself, the heading of its part of a channel post.
NAMES = {"fr": "Français", "en": "English"}
#: Each language's name, to translate into the reader's (prompts, summaries).
LABELS = {"fr": N_("French"), "en": N_("English")}


@dataclass(frozen=True, slots=True)
class Wording:
    """What a call says: its text and its call to action, each in up to two languages
    (a plan also has a title; a campaign's is empty)."""

    text: Bilingual
    call: Bilingual
    title: Bilingual = field(default_factory=Bilingual)

    def written(self) -> tuple[str, ...]:
        """The languages this call was written in (text, title or call)."""
        return tuple(
            language
            for language in LANGUAGES
            if any(getattr(part, language) for part in (self.text, self.call, self.title))
        )

    def language_for(self, reader: str, default: str) -> str:
        """The language ``reader`` reads it in: theirs if written, else the network's,
        else whichever was (the one rule, applied to the call as a whole so that a text
        and its call to action never come in two languages)."""
        written = self.written()
        for candidate in (reader, default, *LANGUAGES):
            if candidate in written:
                return candidate
        return default

    def part(self, language: str) -> tuple[str, str, str]:
        """(title, text, call) in ``language``; a part not written there falls back by
        the one rule."""
        return (
            self.title.pick(language, language)[0],
            self.text.pick(language, language)[0],
            self.call.pick(language, language)[0],
        )


def block(wording: Wording, language: str, *, titled: bool = True) -> list[str]:
    """The lines of the call in ``language``: title, text, call to action."""
    title, text, call = wording.part(language)
    lines = [f"📌 {title}", ""] if titled and title else []
    return [*lines, text, "", f"→ {call}"]


def for_reader(wording: Wording, reader: str, default: str) -> list[str]:
    """The call's lines for one reader (see the module)."""
    return block(wording, wording.language_for(reader, default))


def for_channel(wording: Wording, default: str) -> tuple[list[str], list[str]]:
    """(the network language's lines, the other language's lines under its heading, or
    none when it was not written): a channel post's two parts."""
    first = wording.language_for(default, default)
    others = [language for language in wording.written() if language != first]
    below: list[str] = []
    for language in others:
        below += ["", f"— {NAMES[language]} —", *block(wording, language)]
    return block(wording, first), below
