"""The one command table compiled into Discord slash commands, localized, synced on change.

Each :class:`bot.conversation.commands.Command` becomes an ``app_commands.Command`` with
typed string options (choices for periods and, up to Discord's 25, for categories). Names,
descriptions and choice labels are ``locale_str``s that :class:`CommandTranslator`
renders in French and English from the bot's own gettext catalogs, so there is one
source of words. Start-up compares a hash of the translated payload with the one stored
in the database and only calls Discord when it changed: Discord allows 200 command
creations a day, and a sync at every restart would burn them.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.conversation.commands import COMMANDS, ArgType, Argument, Command
from bot.conversation.mentions import CommandNames, localized_name
from bot.core import platform_state
from bot.core.clock import Clock
from bot.core.config import LocalizedName, Settings
from bot.core.i18n import Translator
from bot.models import Role

log = logging.getLogger(__name__)

PLATFORM = "discord"
#: Discord's locales Relais has words for.
LANGUAGE_OF = {
    discord.Locale.french: "fr",
    discord.Locale.american_english: "en",
    discord.Locale.british_english: "en",
}
MAX_CHOICES = 25
MAX_DESCRIPTION = 100

#: Called with the interaction, the table's command and the options the person gave.
CommandHandler = Callable[[discord.Interaction, Command, dict[str, str]], Awaitable[None]]


class CommandTranslator(app_commands.Translator):
    """Renders Relais' ``locale_str``s for Discord from the gettext catalogs.

    Extras say what a string is: ``is_name`` for command and option names (translated in
    the ``command name`` context and checked against Discord's rules), ``names`` for a
    category's names from the config; anything else is an ordinary message.
    """

    def __init__(self, translator: Translator) -> None:
        self.translator = translator
        self.command_names = CommandNames(translator)

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = LANGUAGE_OF.get(locale)
        if language is None:
            return None  # Discord shows the default (English) text
        names = string.extras.get("names")
        if isinstance(names, LocalizedName):
            return names.get(language)[:MAX_DESCRIPTION]
        if string.extras.get("is_name"):
            name = localized_name(self.translator, language, string.message)
            if name is None:
                log.warning("ignoring an invalid %s name for %r", language, string.message)
            return name
        text = self.translator.gettext(language, string.message)
        return self.command_names.rewrite(text, language)[:MAX_DESCRIPTION]


def build_commands(
    settings: Settings, handler: CommandHandler
) -> list[app_commands.Command[Any, ..., None]]:
    """One slash command per entry of the command table, all answered by ``handler``."""
    return [_build(command, settings, handler) for command in COMMANDS]


def _build(
    command: Command, settings: Settings, handler: CommandHandler
) -> app_commands.Command[Any, ..., None]:
    async def callback(interaction: discord.Interaction, **options: str | None) -> None:
        given = {name: value for name, value in options.items() if value is not None}
        await handler(interaction, command, given)

    # discord.py reads options from the callback's signature: declare one per argument.
    parameters = [
        inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        *(_parameter(argument) for argument in command.args if argument.required),
        *(_parameter(argument) for argument in command.args if not argument.required),
    ]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__name__ = callback.__qualname__ = f"slash_{command.name}"
    if command.args:
        app_commands.describe(**{arg.name: locale_str(arg.description) for arg in command.args})(
            callback
        )
        app_commands.rename(
            **{arg.name: locale_str(arg.name, is_name=True) for arg in command.args}
        )(callback)
        choices = {arg.name: _choices(arg, settings) for arg in command.args}
        app_commands.choices(**{name: found for name, found in choices.items() if found})(callback)
    slash: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=locale_str(command.name, is_name=True),
        description=locale_str(command.description),
        callback=callback,
    )
    if command.min_role is not Role.MEMBER:
        # Hidden from ordinary members by default; the app still checks the role.
        slash.default_permissions = discord.Permissions(manage_guild=True)
    return slash


def _parameter(argument: Argument) -> inspect.Parameter:
    return inspect.Parameter(
        argument.name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=str if argument.required else str | None,
        default=inspect.Parameter.empty if argument.required else None,
    )


def _choices(argument: Argument, settings: Settings) -> list[Choice[str]]:
    if argument.type is ArgType.CATEGORY and len(settings.categories) <= MAX_CHOICES:
        return [
            Choice(name=locale_str(category.name.en, names=category.name), value=category.key)
            for category in settings.categories
        ]
    if argument.type is ArgType.CHOICE:
        labels = argument.labels or argument.choices
        return [
            Choice(name=locale_str(label), value=value)
            for value, label in zip(argument.choices, labels, strict=True)
        ]
    return []


async def command_payload(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None
) -> list[dict[str, Any]]:
    """What ``tree.sync`` would send for ``guild`` (``None``: the global commands)."""
    translator = tree.translator
    commands = tree.get_commands(guild=guild)
    if translator is None:
        return [command.to_dict(tree) for command in commands]
    return [await command.get_translated_payload(tree, translator) for command in commands]


def payload_hash(payload: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree[Any],
    *,
    guild: discord.abc.Snowflake | None,
    application_id: int,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
) -> bool:
    """Send the commands to Discord only if they differ from the last sync; True if sent."""
    digest = payload_hash(await command_payload(tree, guild))
    key = f"commands:{application_id}:{guild.id if guild else 'global'}"
    async with sessions() as session:
        if await platform_state.get(session, PLATFORM, key) == digest:
            log.info("slash commands unchanged (%s); not syncing", key)
            return False
    await tree.sync(guild=guild)
    async with sessions() as session, session.begin():
        await platform_state.put(session, PLATFORM, key, digest, clock.now())
    log.info("slash commands synced (%s)", key)
    return True
