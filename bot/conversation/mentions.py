"""Commands named in texts, shown the way the reader types them.

Every text names a command by its name in the command table (``/report``), in every
language's catalog. Telegram and the console know only those names (Telegram allows no
accented command names), so there a French text names each command by its first French
alias from the table (``/signaler``, see :meth:`CommandNames.aliases`), the name French
members see in their menu; an English text stays as written. Discord shows each slash
command under its localized name (``/déclarer`` in French, from the ``command name``
context of the catalogs): a Discord adapter passes its texts through
:meth:`CommandNames.rewrite` with the reader's language, so "send /report" reads "send
/déclarer" there. The rewrite happens when the message is sent, not when it is written,
so a message queued for Discord and sent on Telegram instead (see :mod:`bot.delivery.reach`)
names the commands Telegram knows.

A mention is ``/name`` not preceded by a letter, a digit or a slash (so links and dates
are left alone), where ``name`` is in the command table.
"""

from __future__ import annotations

import re

from bot.conversation.commands import COMMANDS
from bot.core.config import LANGUAGES
from bot.core.i18n import Translator

#: The msgctxt under which command and option names are translated (see bot.conversation.commands).
NAME_CONTEXT = "command name"
#: What Discord accepts as a command name (lowercase, no spaces, ≤ 32 characters).
VALID_NAME = re.compile(r"^[-_'\w]{1,32}$")
MENTION = re.compile(r"(?<![\w/])/([a-z][a-z_]*)(?![\w])")


def localized_name(translator: Translator, language: str, name: str) -> str | None:
    """The command's name in ``language``, or None when the catalog's is not valid."""
    found = translator.pgettext(language, NAME_CONTEXT, name)
    if found != found.lower() or not VALID_NAME.fullmatch(found):
        return None
    return found


class CommandNames:
    """Each language's names of the table's commands, looked up once."""

    def __init__(self, translator: Translator) -> None:
        self.names: dict[str, dict[str, str]] = {
            language: {
                command.name: localized_name(translator, language, command.name) or command.name
                for command in COMMANDS
            }
            for language in LANGUAGES
        }

    @classmethod
    def aliases(cls) -> CommandNames:
        """Each language's menu names on platforms without accents (Telegram): the
        table's first French alias in French, the table's name otherwise."""
        names = cls.__new__(cls)
        names.names = {
            language: {
                command.name: command.aliases[0]
                if language == "fr" and command.aliases
                else command.name
                for command in COMMANDS
            }
            for language in LANGUAGES
        }
        return names

    def rewrite(self, text: str, language: str | None) -> str:
        """``text`` with its command mentions in ``language``'s names."""
        names = self.names.get(language or "")
        if not names or "/" not in text:
            return text
        return MENTION.sub(lambda match: "/" + names.get(match[1], match[1]), text)
