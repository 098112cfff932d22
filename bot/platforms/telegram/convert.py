"""Pure conversions between python-telegram-bot objects and Relais' neutral types.

Kept apart from the adapter's I/O so each rule (what counts as a command, where a
forum topic's id comes from, how a long text is cut, which menu a scope shows) can be
read and tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import MessageEntityType, MessageLimit

from bot.conversation.commands import COMMANDS, Command
from bot.core import ids
from bot.core.config import LANGUAGES, Settings
from bot.core.facts import ChatMigrated
from bot.core.i18n import Translator
from bot.core.port import OPEN_PRIVATE, Attachment, Button, Event
from bot.models import Role

NAME = "telegram"
#: What Relais asks Telegram to deliver; anything else is noise it would have to skip.
ALLOWED_UPDATES = ("message", "callback_query", "poll_answer")
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH


# -- updates → events ------------------------------------------------------------------


def to_event(update: Update, bot_username: str) -> Event | None:
    """The neutral event for an update, or ``None`` when it is not for Relais (another
    bot's command in a group, a sticker, an edited message, a bot talking)."""
    if update.callback_query is not None:
        return _press(update, update.callback_query)
    if update.poll_answer is not None:
        return _poll_answer(update)
    message = update.message
    if message is None or message.text is None or message.from_user is None:
        return None
    user = message.from_user
    if user.is_bot:
        return None
    common = _common(update, message.chat, message)
    command = _command(message, bot_username)
    if command is not None:
        name, args = command
        return Event(
            **common,
            user_id=str(user.id),
            user_name=user.full_name,
            user_handle=user.username or "",
            language_code=user.language_code,
            command=name,
            args=args,
        )
    if message.text.startswith("/"):
        return None  # a command for another bot (/help@otherbot)
    return Event(
        **common,
        user_id=str(user.id),
        user_name=user.full_name,
        user_handle=user.username or "",
        language_code=user.language_code,
        text=message.text,
    )


#: The Bot API lets a bot download files up to 20 MB.
MAX_DOWNLOAD = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileSent:
    """A photo or a document a person sent the bot in private: what ``getFile`` needs."""

    file_id: str
    name: str
    size: int


def file_sent(update: Update) -> FileSent | None:
    """The file of a private message carrying a document or a photo (a photo's largest
    size); None for anything else, and for files sent in groups (not for the bot)."""
    message = update.message
    user = message.from_user if message is not None else None
    if message is None or user is None or user.is_bot or message.chat.type != Chat.PRIVATE:
        return None
    if message.document is not None:
        document = message.document
        return FileSent(document.file_id, document.file_name or "file", document.file_size or 0)
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.file_size or 0, size.width))
        return FileSent(largest.file_id, "photo.jpg", largest.file_size or 0)
    return None


def file_event(update: Update, sent: FileSent, content: bytes | None) -> Event:
    """The neutral event of a file sent in private, with what could be fetched of it."""
    message = update.message
    assert message is not None and message.from_user is not None
    user = message.from_user
    return Event(
        **_common(update, message.chat, message),
        user_id=str(user.id),
        user_name=user.full_name,
        language_code=user.language_code,
        attachment=Attachment(sent.name, sent.size, content),
    )


def joined_events(update: Update) -> list[Event]:
    """One event per person (not bot) added to a group by a ``new_chat_members`` message.
    Each gets its own delivery id, so a redelivered update greets nobody twice and
    several people added at once are each seen."""
    message = update.message
    if message is None or not message.new_chat_members:
        return []
    where = _common(update, message.chat, None)
    return [
        Event(
            platform=where["platform"],
            chat_id=where["chat_id"],
            is_private=where["is_private"],
            thread_id=where["thread_id"],
            update_id=f"{update.update_id}:{user.id}",
            user_id=str(user.id),
            user_name=user.full_name,
            language_code=user.language_code,
            joined=True,
        )
        for user in message.new_chat_members
        if not user.is_bot
    ]


def migration(update: Update) -> ChatMigrated | None:
    """The fact a group's upgrade to a supergroup states, for the app to make the
    group's channel follow at once (not only when a send to the old id fails). Telegram
    says it twice — in the old group (``migrate_to_chat_id``) and in the new supergroup
    (``migrate_from_chat_id``): either is enough, and the second changes nothing."""
    message = update.message
    if message is None:
        return None
    if message.migrate_to_chat_id is not None:
        return ChatMigrated(NAME, str(message.chat.id), str(message.migrate_to_chat_id))
    if message.migrate_from_chat_id is not None:
        return ChatMigrated(NAME, str(message.migrate_from_chat_id), str(message.chat.id))
    return None


def _press(update: Update, query: CallbackQuery) -> Event | None:
    message = query.message
    if message is None or query.data is None:
        return None  # a press on an inline-mode message: Relais sends none
    thread = message if isinstance(message, Message) else None
    return Event(
        **_common(update, message.chat, thread),
        user_id=str(query.from_user.id),
        user_name=query.from_user.full_name,
        user_handle=query.from_user.username or "",
        language_code=query.from_user.language_code,
        payload=query.data,
        message_id=str(message.message_id),
    )


def _poll_answer(update: Update) -> Event | None:
    """An answer to a non-anonymous poll: it names the poll, not a chat; it proves
    nothing about the person's private chat (``in_private_chat`` False)."""
    answer = update.poll_answer
    user = answer.user if answer is not None else None
    if answer is None or user is None or user.is_bot:
        return None  # an anonymous voter (a channel) is nobody Relais knows
    return Event(
        platform=NAME,
        chat_id=str(user.id),
        is_private=True,
        in_private_chat=False,
        update_id=str(update.update_id),
        user_id=str(user.id),
        user_name=user.full_name,
        language_code=user.language_code,
        poll_answer=(answer.poll_id, tuple(answer.option_ids)),
    )


class _Where(TypedDict):
    platform: str
    chat_id: str
    is_private: bool
    thread_id: str | None
    update_id: str


def _common(update: Update, chat: Chat, message: Message | None) -> _Where:
    # message_thread_id also marks reply threads in ordinary groups; only a forum
    # topic is a place to answer in.
    topic = message is not None and message.is_topic_message and message.message_thread_id
    return {
        "platform": NAME,
        "chat_id": str(chat.id),
        "is_private": chat.type == Chat.PRIVATE,
        "thread_id": str(topic) if topic else None,
        "update_id": str(update.update_id),
    }


def _command(message: Message, bot_username: str) -> tuple[str, tuple[str, ...]] | None:
    """``/report@relais_bot a b`` → ``("report", ("a", "b"))``; a deep link's
    ``/start CODE`` gives the code as the argument."""
    entity = next(iter(message.entities), None)
    if entity is None or entity.type != MessageEntityType.BOT_COMMAND or entity.offset != 0:
        return None
    text = message.text or ""
    name, _, target = text[1 : entity.length].partition("@")
    if target and target.casefold() != bot_username.casefold():
        return None
    return name.lower(), tuple(text[entity.length :].split())


# -- messages → Bot API arguments -------------------------------------------------------


def keyboard_json(rows: tuple[tuple[Button, ...], ...], bot_username: str) -> dict[str, Any] | None:
    """The buttons as the Bot API's ``reply_markup`` JSON: a call that sends it as is
    skips building python-telegram-bot's keyboard objects and serializing them back."""
    if not rows:
        return None
    return {"inline_keyboard": [[_button(b, bot_username) for b in row] for row in rows]}


def keyboard(
    rows: tuple[tuple[Button, ...], ...], bot_username: str
) -> InlineKeyboardMarkup | None:
    """The same buttons as python-telegram-bot's object, for its typed methods."""
    data = keyboard_json(rows, bot_username)
    return None if data is None else InlineKeyboardMarkup.de_json(data, None)


#: Telegram's copy_text button copies at most this many characters.
MAX_COPY = 256


def _button(button: Button, bot_username: str) -> dict[str, Any]:
    if button.copy_text and len(button.copy_text) <= MAX_COPY:
        return {"text": button.label, "copy_text": {"text": button.copy_text}}
    if button.url is None:
        return {"text": button.label, "callback_data": button.payload}
    if button.web_app and button.url.startswith("https://"):
        return {"text": button.label, "web_app": {"url": button.url}}
    return {"text": button.label, "url": link(button.url, bot_username)}


def link(url: str, bot_username: str) -> str:
    """Resolve the neutral "open the private chat" link to this bot's deep link."""
    if not url.startswith(OPEN_PRIVATE):
        return url
    start = url.partition("?start=")[2]
    return f"https://t.me/{bot_username}" + (f"?start={start}" if start else "")


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a text into messages Telegram accepts, at line breaks when possible."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    chunks.append(rest)
    return [chunk for chunk in chunks if chunk.strip()] or [text[:limit] or "…"]


# -- command menus -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Menu:
    """One ``setMyCommands`` call: a scope, a language (``None``: the fallback)."""

    scope: BotCommandScope
    language: str | None
    commands: tuple[Command, ...]

    def bot_commands(self, translator: Translator, default_language: str) -> list[BotCommand]:
        """French menus show each command's first French alias (``/aide``): Telegram
        allows no accents, so the table declares them; both names run the command."""
        language = self.language or default_language
        return [
            BotCommand(
                menu_name(command, language),
                translator.gettext(language, command.description)[:256],
            )
            for command in self.commands
        ]


def menu_name(command: Command, language: str) -> str:
    """The name a Telegram menu in ``language`` shows for ``command``."""
    return command.aliases[0] if language == "fr" and command.aliases else command.name


def menus(settings: Settings) -> list[Menu]:
    """Every scope and language Relais sets: member commands in private chats, group
    commands in groups, and each config-appointed coordinator's or referent's own
    private chat when their role unlocks more commands (those appointed by command get
    theirs through :mod:`bot.platforms.telegram.menus`)."""
    member = _member_commands()
    group = tuple(c for c in member if c.in_groups)
    scoped: list[tuple[BotCommandScope, tuple[Command, ...]]] = [
        (BotCommandScopeAllPrivateChats(), member),
        (BotCommandScopeAllGroupChats(), group),
    ]
    languages: tuple[str | None, ...] = (*LANGUAGES, None)
    found = [Menu(scope, language, cmds) for scope, cmds in scoped for language in languages]
    for user_id, role in _appointed(settings).items():
        found.extend(personal_menus(user_id, role))
    return found


def _member_commands() -> tuple[Command, ...]:
    return tuple(c for c in COMMANDS if c.min_role is Role.MEMBER)


def personal_menus(user_id: str, role: Role) -> list[Menu]:
    """The menus of one person's private chat (every language, the fallback last), or
    none when their role unlocks nothing more than the members' menu."""
    theirs = tuple(c for c in COMMANDS if c.allows(role))
    if theirs == _member_commands():
        return []
    scope = BotCommandScopeChat(chat_id=int(user_id))
    return [Menu(scope, language, theirs) for language in (*LANGUAGES, None)]


def _appointed(settings: Settings) -> dict[str, Role]:
    """Telegram user ids the config names, with their highest role."""
    roles: dict[str, Role] = {}
    referents = [i for identities in settings.roles.referents.values() for i in identities]
    ranked = ((referents, Role.REFERENT), (settings.roles.coordinators, Role.COORDINATOR))
    for identities, role in ranked:
        for identity in identities:
            platform, _, user_id = identity.partition(":")
            if platform == NAME and ids.platform_id(user_id) is not None:
                roles[user_id] = role
    return roles
