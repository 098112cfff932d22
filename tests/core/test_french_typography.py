"""A review of the whole French catalog for the rules a French reader notices first.

It runs over every entry, so strings added later are checked as soon as they land:
- a non-breaking space (U+00A0, or the narrow U+202F) before ``:`` ``;`` ``?`` ``!`` and
  inside « », and « » rather than “ ” or straight double quotes;
- no missing elision in fixed text ("de Entreprises", "de un", "que il");
- no elision left to chance before a name the text does not know ("de {category}",
  "que {network}"): the sentence is reworded, or the category's own phrase is used;
- no gender guessed about a person ("accepté·e", "contacté(e)");
- no count set in a sentence that is not a plural form ("{n} membres" outside
  ``ngettext``), except where the number stands alone after a label ("Visés : {n}").

Exceptions, each for a reason: URLs and times (``18:30``) keep their colon, a
placeholder's own text is not looked at, and a colon right after a command (``/cmd:``) or
inside a word (``cmd:report``) is syntax, not punctuation.
"""

from __future__ import annotations

import re

from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from bot.core.i18n import catalog_path

SPACES = "\u00a0\u202f"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
URL = re.compile(r"https?://\S+")
#: Placeholders holding a number, a date or a time: "de {n}", "le {date}" read well.
NUMERIC = re.compile(
    r"\{(n|count|number|id|rank|\w*_rank|days|weeks|limit|percent|share|points|total|when|"
    r"date|end|first|last|week|month|all|active|members|acted|matured|nudges|targeted|sent|"
    r"pending|failed|unreachable|unknown|dormant|never|joined|once|monthly|answers|code)\}"
)
#: Placeholders holding a count: a word after them must agree with it.
COUNTS = {
    "n",
    "count",
    "days",
    "weeks",
    "limit",
    "points",
    "total",
    "active",
    "members",
    "acted",
    "matured",
    "nudges",
    "targeted",
    "sent",
    "pending",
    "failed",
    "unreachable",
    "unknown",
    "dormant",
    "never",
    "joined",
    "once",
    "monthly",
    "answers",
}
#: Words that elide before a vowel or a mute h.
ELIDING = r"(?:de|que|le|la|ne|je|me|te|se|jusque|lorsque|puisque|quoique)"
VOWEL = "AEIOUYÉÈÊÂÎÔaeiouyéèêâîôh"
#: Some French words start with an aspirated h or a consonant sound: no elision.
NO_ELISION = re.compile(r"^(?:huit|haut|hui|onze|oui|yaourt|Yonne)", re.IGNORECASE)
GUESSED_GENDER = re.compile(r"\w·e\b|\w\(e\)")
COUNTED = re.compile(r"\{(\w+)\}[\u00a0 ]+(?!—|\(|de\b|sur\b|en\b)[^\W\d_]+")
#: Counts that are never one: periods of several weeks or days, limits set in code.
NEVER_ONE = {"weeks", "days", "limit"}


def _french() -> list[Message]:
    with catalog_path("fr").open("rb") as po_file:
        return [message for message in read_po(po_file, locale="fr") if message.id]


def _strings(message: Message) -> tuple[str, ...]:
    strings = message.string
    if isinstance(strings, (tuple, list)):
        return tuple(str(text) for text in strings)
    return (str(strings),)


def _is_plural(message: Message) -> bool:
    return isinstance(message.id, tuple)


def punctuation_faults(text: str) -> list[str]:
    """What breaks the spacing and quotation rules in one French string."""
    faults: list[str] = []
    plain = URL.sub("URL", PLACEHOLDER.sub("X", text))
    for found in re.finditer(r"[:;?!]", plain):
        at = found.start()
        before = plain[at - 1] if at else ""
        after = plain[at + 1] if at + 1 < len(plain) else ""
        if at == 0 or before in SPACES or before == "\n":
            continue
        if found[0] == ":" and before.isdigit() and after.isdigit():
            continue  # a time: 18:30
        if found[0] == ":" and after and not after.isspace():
            continue  # syntax: cmd:report, /command:arg
        if found[0] in "?!" and before in "?!":
            continue  # "?!" written as one sign
        faults.append(
            f"no non-breaking space before {found[0]!r}: …{plain[max(0, at - 12) : at + 2]}…"
        )
    if re.search(rf"«(?![{SPACES}])|(?<![{SPACES}])»", plain):
        faults.append("« » need a non-breaking space inside")
    if re.search('[\u201c\u201d"]', plain):
        faults.append('“ ” or " instead of « »')
    return faults


def elision_faults(text: str) -> list[str]:
    """Missing elisions in fixed text, and elisions left to a name nobody knows."""
    faults: list[str] = []
    fixed = PLACEHOLDER.sub("X", text)
    for found in re.finditer(rf"(?<![-\w]){ELIDING} ([{VOWEL}]\w*)", fixed, re.IGNORECASE):
        if not NO_ELISION.match(found[1]):
            faults.append(f"missing elision: {found[0]!r}")
    for found in re.finditer(
        r"(?<![-\w])(?:de|que|jusque|lorsque|puisque) (\{\w*\})", text, re.IGNORECASE
    ):
        if not NUMERIC.fullmatch(found[1]):
            faults.append(f"elision depends on a name: {found[0]!r}")
    return faults


def gender_faults(text: str) -> list[str]:
    found = GUESSED_GENDER.search(text)
    return [f"guesses a gender: {found[0]!r}"] if found else []


def agreement_faults(message: Message, text: str) -> list[str]:
    """A number before a word, in a message that is not a plural form."""
    if _is_plural(message):
        return []
    return [
        f"count without a plural form: {found[0]!r}"
        for found in COUNTED.finditer(text)
        if found[1] in COUNTS and found[1] not in NEVER_ONE
    ]


def test_checker_catches_what_it_should() -> None:
    assert punctuation_faults("Catégorie : {category}")
    assert not punctuation_faults("Catégorie\u00a0: {category}")
    assert not punctuation_faults("Rendez-vous à 18:30, voir https://x.fr/a?b=1")
    assert punctuation_faults("le plan “{title}”")
    assert punctuation_faults("le plan «{title}»")
    assert not punctuation_faults("le plan «\u00a0{title}\u00a0»")
    assert elision_faults("avez-vous parlé de Ambassadeurs")
    assert elision_faults("De un membre effacé") and elision_faults("De {name}")
    assert not elision_faults("Vérifiez-le et renvoyez-le.")
    assert agreement_faults(Message("x"), "{acted} ont agi")
    assert not agreement_faults(Message("x"), "ont agi : {acted}, et {n} de plus")
    assert elision_faults("référent de {category}")
    assert not elision_faults("depuis {days} jours, de {n} membres, le {date}")
    assert not elision_faults("de huit membres")
    assert gender_faults("{name} accepté·e") and gender_faults("contacté(e)")


def test_every_french_message_follows_french_typography() -> None:
    offending: list[str] = []
    for message in _french():
        for text in _strings(message):
            faults = [
                *punctuation_faults(text),
                *elision_faults(text),
                *gender_faults(text),
                *agreement_faults(message, text),
            ]
            if faults:
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                offending.append(f"  msgid {msgid!r}\n    " + "\n    ".join(faults))
    assert not offending, (
        f"{len(offending)} French messages break the typography rules "
        "(fix the msgstr in locale/fr/LC_MESSAGES/relais.po):\n" + "\n".join(offending)
    )
