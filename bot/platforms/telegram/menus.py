"""A referent's or coordinator's own command menu on Telegram, kept in line with Relais.

Telegram shows one command menu per scope; members see the members' menu in every
private chat. Someone appointed referent or coordinator by command (``/referent``,
``/coordinator``) needs the commands their role unlocks in *their* private chat, and
loses them when the role goes. This is the Telegram side of the port's role mirror
(:class:`bot.core.port.RoleMirror`): :mod:`bot.members.role_sync` queues the person with
every change of role, category or status, and the syncer calls :meth:`mirror_roles`
after the change committed. Nobody edits these menus by hand, so there is no drift to
look for in every account each day: the daily check only covers privileged people
(a new release may add commands to their menu).
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.core import ids
from bot.core.config import LANGUAGES
from bot.core.i18n import Translator
from bot.core.port import MemberRoles, RolesApplied, TemporaryFailure
from bot.models import Role
from bot.platforms.telegram.convert import personal_menus

log = logging.getLogger(__name__)


def role_of(roles: MemberRoles) -> Role:
    """The highest role that shapes a menu (an inactive member's is none)."""
    if roles.coordinator:
        return Role.COORDINATOR
    if roles.referent:
        return Role.REFERENT
    return Role.MEMBER


def _pairs(commands: list[BotCommand]) -> list[tuple[str, str]]:
    return [(command.command, command.description) for command in commands]


class PersonalMenus:
    """Sets or removes one person's private-chat menus (every language and the fallback)."""

    def __init__(self, bot: Bot, translator: Translator, default_language: str) -> None:
        self.bot = bot
        self.translator = translator
        self.default_language = default_language

    async def apply(self, user_id: str, roles: MemberRoles) -> RolesApplied:
        """Compare the fallback menu Telegram holds with the one the role calls for (one
        ``getMyCommands``), and rewrite every language only when they differ."""
        chat_id = ids.platform_id(user_id)
        if chat_id is None:
            return RolesApplied.ABSENT
        scope = BotCommandScopeChat(chat_id=chat_id)
        wanted = personal_menus(user_id, role_of(roles))
        try:
            current = _pairs(list(await self.bot.get_my_commands(scope=scope)))
            if not wanted:
                if not current:
                    return RolesApplied.UNCHANGED
                for language in (*LANGUAGES, None):
                    await self.bot.delete_my_commands(scope=scope, language_code=language)
                return RolesApplied.CHANGED
            fallback = wanted[-1].bot_commands(self.translator, self.default_language)
            if current == _pairs(fallback):
                return RolesApplied.UNCHANGED
            for menu in wanted:
                await self.bot.set_my_commands(
                    menu.bot_commands(self.translator, self.default_language),
                    scope=menu.scope,
                    language_code=menu.language,
                )
            return RolesApplied.CHANGED
        except (BadRequest, Forbidden) as error:
            # No private chat with the bot yet ("chat not found"), or the bot is blocked:
            # the menu can wait until the person writes; the next change or check sets it.
            log.info("telegram: a personal menu could not be set: %s", error)
            return RolesApplied.ABSENT
        except TelegramError as error:  # flood control, network, server: try again later
            raise TemporaryFailure(f"telegram: {error}") from error
