"""What a handler receives: the event, who sent it, their language, the open
transaction, the clock, and ways to answer. Handlers never commit and never send
directly: replies are queued and sent once the update's transaction has committed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Translator
from bot.core.port import Address, Button, Event, Message, Outbox, Outgoing
from bot.models import Conversation, Identity, Member, Role


@dataclass(slots=True)
class Context:
    event: Event
    session: AsyncSession
    settings: Settings
    translator: Translator
    clock: Clock
    language: str
    member: Member | None = None
    identity: Identity | None = None
    #: The scope the chat serves (``category:business``, ``general``...), for group events.
    channel_scope: str | None = None
    outbox: Outbox = field(default_factory=Outbox)
    #: Set when the handler enqueued deliveries, so the sender looks at the queue after commit.
    queued: bool = False
    #: The person's flow in progress, once looked up (the app loads it with the member,
    #: saving a statement per update); see :func:`bot.conversation.flows.current`.
    conversation: Conversation | None = None
    conversation_loaded: bool = False
    #: The platforms running in this process, for broadcasts to bound channels.
    platforms: tuple[str, ...] = ()
    #: Platform → link that opens the bot with ``/start <code>`` when the code is appended
    #: (Telegram deep links); platforms without one are absent.
    start_links: Mapping[str, str] = field(default_factory=dict)
    #: Where :meth:`reply` and :meth:`refuse` answer when not in the event's chat (a
    #: command answered in private though typed in a group: :meth:`answer_in_private`).
    answer_to: Address | None = None
    #: A command to run once the handler is done, through the gate (the command a
    #: person had sent before agreeing to a new consent text): name and arguments.
    follow_up: tuple[str, tuple[str, ...]] | None = None

    # -- who is asking ------------------------------------------------------------

    @property
    def role(self) -> Role | None:
        return self.member.role if self.member else None

    @property
    def private_chat(self) -> Address:
        """Where personal flows happen: this chat if private, else the person's DM."""
        if self.event.is_private:
            return self.event.chat
        chat_id = self.identity.private_chat_id if self.identity else None
        return Address(self.event.platform, chat_id or self.event.user_id)

    # -- words --------------------------------------------------------------------

    def _(self, message: str, /, **values: object) -> str:
        """Translate into the person's language, then fill ``{placeholders}``."""
        return self.translator.gettext(self.language, message, **values)

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        return self.translator.ngettext(self.language, singular, plural, n, **values)

    # -- answers ------------------------------------------------------------------

    def reply(self, text: str, buttons: list[list[Button]] | None = None) -> None:
        """Answer in the chat the event came from (or in private, see
        :meth:`answer_in_private`)."""
        self.send(self.answer_to or self.event.chat, Message.with_rows(text, buttons or []))

    def refuse(self, text: str) -> None:
        """Answer in the chat the event came from, for the caller only where the platform
        can (see :attr:`Message.caller_only`): refusals and usage lines of a public
        command are nobody else's business."""
        self.send(self.answer_to or self.event.chat, Message(text=text, caller_only=True))

    def answer_in_private(self) -> None:
        """From now on, answers go to the person's private chat (the app does it for the
        commands the table marks ``in_private``)."""
        self.answer_to = self.private_chat

    def reply_private(self, text: str, buttons: list[list[Button]] | None = None) -> None:
        self.send(self.private_chat, Message.with_rows(text, buttons or []))

    def send(self, address: Address, message: Message) -> None:
        """Queue a message; unless it says otherwise, it is in the person's language."""
        if message.language is None:
            message = replace(message, language=self.language)
        self.outbox.add(Outgoing(address, message))

    def move_to_private(self, start: str = "") -> bool:
        """Personal flows happen in the private chat. From a group, say so there; when
        the bot cannot write to the person privately (they never opened the chat, or
        blocked the bot), offer a button that opens it, and return False."""
        if self.event.is_private:
            return True
        identity = self.identity
        if identity is None or identity.private_chat_id is None or identity.unreachable_at:
            self.reply(
                self._("Let's continue in private: tap the button, then send your command again."),
                [[Button.open_private(self._("Open a private chat"), start)]],
            )
            return False
        self.reply(self._("I have sent you a private message to continue."))
        return True

    def edit_pressed(self, text: str) -> None:
        """Rewrite the message whose button was pressed, without its buttons, so an old
        prompt shows the choice made and cannot be pressed twice."""
        if self.event.message_id is None:
            return
        self.outbox.add(
            Outgoing(
                self.event.chat,
                Message(text=text, language=self.language),
                edit_message_id=self.event.message_id,
            )
        )
