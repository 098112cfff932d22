"""Numbers that are not ids: digits ``str.isdigit()`` accepts but ``int()`` refuses
(``²``, ``³``), other scripts' digits, and numbers over what a database id or a 64-bit
platform id holds. Sent as the argument of every command and in every field of every
button family, by a coordinator and by a member, on SQLite and PostgreSQL: always a short
answer in the person's language, never the apology of an unhandled exception."""

from __future__ import annotations

import handlers  # noqa: F401  (registers every button family)
from bot.app import APOLOGY
from bot.conversation.commands import COMMANDS
from bot.core import ids
from bot.core.catalogs import extract
from bot.core.i18n import Translator
from bot.core.payloads import Payload
from tests.support.actions import press
from tests.support.harness import Network

PROBES = (
    "²",
    "#²",
    "³",
    "#³",
    "¹²³",
    "1²",
    "٣",
    str(2**31),
    str(2**63),
    "9" * 25,
    "#" + "9" * 25,
    "-1",
    "-" + "9" * 25,
)
TRANSLATOR = Translator("fr")
APOLOGIES = {TRANSLATOR.gettext(language, APOLOGY) for language in ("fr", "en")}
#: English sentences whose French differs: a French speaker must never read one.
ENGLISH_ONLY = {
    message.id
    for message in extract()
    if isinstance(message.id, str)
    and message.id
    and TRANSLATOR.gettext("fr", message.id) != message.id
}
PEOPLE = ("carol", "alice")  # a coordinator (the example config) and a member


def families() -> list[type[Payload]]:
    found: list[type[Payload]] = []
    pending = list(Payload.__subclasses__())
    while pending:
        family = pending.pop()
        found.append(family)
        pending.extend(family.__subclasses__())
    return sorted(found, key=lambda family: family.prefix)


def answered_in_french(output: str) -> bool:
    lines = [line.split(":", 1)[1].strip() for line in output.splitlines() if line.startswith("→ ")]
    assert not any(apology in output for apology in APOLOGIES), output
    assert not [line for line in lines if line in ENGLISH_ONLY], output
    return bool(lines)


def test_the_one_parser() -> None:
    for probe in PROBES:
        if probe != "-1":
            assert ids.row_id(probe) is None, probe
    assert ids.row_id("#12") == 12 and ids.row_id("12", hash_sign=False) == 12
    assert ids.row_id("#12", hash_sign=False) is None
    assert ids.platform_id("-1001234567890") == -1001234567890
    assert ids.platform_id(str(2**63 - 1)) == 2**63 - 1
    assert ids.platform_id(str(2**63)) is None and ids.platform_id("-²") is None


async def test_commands_and_buttons_with_numbers_that_are_not_ids(network: Network) -> None:
    for person in PEOPLE:
        await network.join(person, category="Entreprises", language="Français")
    answers = 0
    commands = [command.name for command in COMMANDS]
    for person in PEOPLE:
        for name in commands:
            for probe in PROBES:
                for arguments in (probe, f"{probe} {probe}"):
                    output = await network.play(f"@{person} /{name} {arguments}\n@{person} /cancel")
                    answers += answered_in_french(output)
    sent = len(PEOPLE) * len(commands) * len(PROBES) * 2
    assert answers == sent  # every one got an answer (the /cancel's at least)
    presses = pressed = 0
    for person in PEOPLE:
        for family in families():
            for count in range(1, len(family.layout()) + 1):
                for probe in PROBES:
                    payload = ":".join([family.prefix, *[probe] * count])
                    presses += 1
                    pressed += answered_in_french(await press(network, person, payload))
    assert presses > 300
    assert pressed == presses, (pressed, presses)
