"""The neutral types every chat platform adapter speaks.

Adapters turn native updates into an :class:`Event` and render :class:`Message` objects
to an :class:`Address`. Nothing here knows about Telegram or Discord, so handlers and
jobs stay testable on the console and portable to any new platform.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

#: Telegram's callback_data holds at most 64 bytes; every payload must fit in it.
MAX_PAYLOAD_BYTES = 64


@dataclass(frozen=True, slots=True)
class Address:
    """Where a message goes: a chat on a platform, optionally a thread or forum topic."""

    platform: str
    chat_id: str
    thread_id: str | None = None


#: A link button's URL that each adapter turns into "open a private chat with this bot"
#: (on Telegram, ``https://t.me/<bot>?start=<arg>``), since only it knows its own address.
OPEN_PRIVATE = "relais:private"


@dataclass(frozen=True, slots=True)
class Button:
    """A quick-reply button: what it says, and the opaque payload it sends back; or a
    link button when ``url`` is set (the payload is then empty)."""

    label: str
    payload: str = ""
    url: str | None = None
    #: A text that platforms with a native "copy" button (Telegram's ``copy_text``, up to
    #: 256 characters) copy to the person's clipboard instead of sending the payload; the
    #: others send the payload as usual, so its handler must still answer it.
    copy_text: str | None = None
    #: Open ``url`` as a Telegram Mini App inside Telegram (private chats only); other
    #: platforms show an ordinary link.
    web_app: bool = False

    def __post_init__(self) -> None:
        if len(self.payload.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"button payload over {MAX_PAYLOAD_BYTES} bytes: {self.payload!r}")
        if (self.url is None) == (not self.payload):
            raise ValueError("a button has either a payload or a url")

    @staticmethod
    def open_private(label: str, start: str = "") -> Button:
        """A link that opens the private chat with the bot, passing ``start`` along."""
        return Button(label, url=f"{OPEN_PRIVATE}?start={start}" if start else OPEN_PRIVATE)


@dataclass(frozen=True, slots=True)
class QuizPoll:
    """A quiz question that a platform with native quiz polls (Telegram) sends as one; the
    message's text and buttons render it everywhere else."""

    question: str
    options: tuple[str, ...]
    #: Index of the correct option (a native quiz names one).
    correct: int
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """A platform-neutral outgoing message: text, rows of buttons, an optional PNG image,
    an optional file (``/mydata`` sends one)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    #: An image shown inline: PNG, or JPEG (a kit item's photo); platforms tell them apart
    #: by their first bytes.
    image_png: bytes | None = None
    #: Set when the person may also answer with free text: the translated label of a
    #: control that asks for it. Platforms where people simply type (the console, private
    #: chats) may ignore it; Discord shows a button that opens a form.
    text_prompt: str | None = None
    #: A file attached to the message: (file name, content).
    document: tuple[str, bytes] | None = None
    #: The language the text is written in, when known. Texts name commands by their
    #: table name (``/report``); platforms where people type localized names (Discord's
    #: ``/déclarer``) rewrite those mentions for this language (see
    #: :mod:`bot.conversation.mentions`).
    language: str | None = None
    #: An answer for the person who asked only: a refusal, a usage line, an apology.
    #: Platforms that can show a message in a shared chat to one person (Discord's
    #: ephemeral answers) do so, so that a public command's refusal is not broadcast to
    #: the whole channel; the others send it where they would anyway.
    caller_only: bool = False
    #: Sent as a native, non-anonymous quiz poll where the platform has them (Telegram):
    #: its ``send`` then returns ``<message id>/<poll id>``, since answers name the poll.
    quiz: QuizPoll | None = None

    @staticmethod
    def with_rows(
        text: str, rows: list[list[Button]], *, text_prompt: str | None = None
    ) -> Message:
        return Message(
            text=text,
            buttons=tuple(tuple(row) for row in rows if row),
            text_prompt=text_prompt,
        )


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message bound for an address; handlers queue these and the app sends them
    only after the update's transaction committed."""

    address: Address
    message: Message
    #: When set, the adapter edits this earlier message instead of sending a new one.
    edit_message_id: str | None = None
    #: True: pin the message once sent (or the edited one); False: unpin the edited
    #: message; None: leave pins alone. Pinning is a courtesy: where the platform refuses
    #: it (the bot is not an admin), the message is delivered all the same.
    pin: bool | None = None
    #: One copy of a bulk message (a campaign's private messages): a platform that sells
    #: a faster overall rate for such sends (Telegram's paid broadcasts, when the network
    #: turned them on) marks it so; replies and everything else never are.
    broadcast: bool = False

    def __post_init__(self) -> None:
        if self.pin is False and self.edit_message_id is None:
            raise ValueError("unpinning names the message (edit_message_id)")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file a person sent in their private chat with the bot (a photo, a document),
    already fetched by the adapter. ``content`` is None when the platform announced it
    larger than the adapter fetches (``size`` says how large), or the fetch failed: what
    a file is, is decided from its content by whoever uses it, never from ``name``."""

    name: str
    size: int
    content: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing a person did, in neutral form.

    Exactly one of ``command``, ``payload`` or ``text`` describes the action. ``update_id``
    is the platform's delivery id when it has one: the app records it so a redelivered
    update changes nothing the second time.
    """

    platform: str
    user_id: str
    chat_id: str
    is_private: bool
    user_name: str = ""
    #: The person's public handle on the platform when they have one (Telegram's
    #: @username, without the @): what the directory gives a member's contacts.
    user_handle: str = ""
    language_code: str | None = None
    thread_id: str | None = None
    text: str | None = None
    command: str | None = None
    args: tuple[str, ...] = ()
    payload: str | None = None
    #: The id of the message whose button was pressed, so the adapter can edit it.
    message_id: str | None = None
    update_id: str | None = None
    #: The person just joined this (group) chat; no text, command or payload.
    joined: bool = False
    #: False for a private exchange held outside the private chat (Discord's ephemeral
    #: replies inside a server channel): it proves nothing about whether the private chat
    #: accepts messages, so it neither records that chat nor clears "unreachable".
    in_private_chat: bool = True
    #: Someone marked themselves interested in a platform's own event (Discord's
    #: scheduled events), or took it back: (the platform's event id, added).
    interest: tuple[str, bool] | None = None
    #: Someone answered a native poll the bot sent (Telegram's ``poll_answer``): (the
    #: poll's id, the chosen option indexes); no text, command or payload.
    poll_answer: tuple[str, tuple[int, ...]] | None = None
    #: A file sent in a private chat (a flow may be waiting for one); no text, command or
    #: payload.
    attachment: Attachment | None = None

    @property
    def identity(self) -> str:
        """``platform:user_id``, the form used in config to name coordinators."""
        return f"{self.platform}:{self.user_id}"

    @property
    def chat(self) -> Address:
        return Address(self.platform, self.chat_id, self.thread_id)


class PlatformUnavailable(Exception):
    """A platform cannot start (its service is unreachable, its token was refused); the
    message says why in one line, for the person running the bot."""


class DeliveryError(Exception):
    """Raised by ``Platform.send`` so the delivery queue can decide what happens next."""


class RetryLater(DeliveryError):
    """The platform asked to slow down (a 429): try again after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Unreachable(DeliveryError):
    """The chat refuses the bot for good — the person blocked it or closed their DMs, or
    the chat is gone: do not retry. This is how an adapter reports that fact: whoever
    called ``send`` (the app, the sender) has it written as a
    :class:`~bot.core.facts.ChatClosed`, so the adapter writes nothing itself. A message
    that is gone while its chat is fine (an edit of a deleted message) is not this but
    :class:`Rejected`."""


class Rejected(DeliveryError):
    """The platform refused this message for good (a bad request): do not retry."""


class RolesRefused(Rejected):
    """The platform refused to change someone's roles, and will until its set-up changes:
    ``why`` is ``"permission"`` (the bot may not manage those roles) or ``"unknown_role"``
    (a configured role does not exist). The message says it for the log, without
    personal data."""

    def __init__(self, why: str, detail: str) -> None:
        super().__init__(detail)
        self.why = why


class PermissionMissing(Rejected):
    """The platform refuses for good because the bot lacks a permission (Discord's Manage
    Events, for its scheduled events): the message names it, for the log."""


class TemporaryFailure(DeliveryError):
    """A network error or a server error: worth retrying with back-off."""


class Platform(Protocol):
    """The contract every adapter fulfils: start, deliver, stop.

    ``send`` returns the platform's id for the message it created (or edited), so a
    prompt can later be edited to drop its buttons.
    """

    name: str

    async def start(self) -> None: ...

    async def send(self, outgoing: Outgoing) -> str | None: ...

    async def stop(self) -> None: ...


@runtime_checkable
class PollCloser(Protocol):
    """A platform whose native polls the bot closes itself (Telegram's ``stopPoll``):
    ``message_id`` is the message id part of what ``send`` returned."""

    name: str

    async def close_poll(self, address: Address, message_id: str) -> None: ...


@runtime_checkable
class Paced(Protocol):
    """A platform slow enough to keep its own pace (e-mail: so many messages a minute).

    The sender awaits ``pace()`` *before* it claims a delivery, so rows waiting for
    their turn stay ``pending``: a crash during a long wait loses none of them (a claimed
    row is never sent again). Fast platforms are paced by the sender after the claim.
    """

    name: str

    async def pace(self) -> None: ...


@dataclass(frozen=True, slots=True)
class MemberRoles:
    """What a person is in Relais, as far as server roles go: the category of an active
    member, and whether they are a referent or a coordinator. Nobody (the default) is
    what an applicant, a rejected or erased member, or a stranger is."""

    category: str | None = None
    referent: bool = False
    coordinator: bool = False
    #: The threshold of the highest level reached (0: none recorded yet).
    level: int = 0


class RolesApplied(StrEnum):
    """What mirroring roles onto one account did."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"
    #: The account is not in the server (it left, or never joined): nothing to do.
    ABSENT = "absent"
    #: The platform is not set up to mirror roles: nothing was asked of it.
    DISABLED = "disabled"


@runtime_checkable
class RoleMirror(Protocol):
    """A platform that mirrors Relais' roles onto its own (Discord server roles).

    ``mirror_roles`` makes the account hold exactly the platform roles that ``roles``
    maps to, among the roles it manages, and never touches any other. It raises
    :class:`Rejected` when the platform refuses for good (missing permission, unknown
    role) and :class:`TemporaryFailure` when trying later may work.
    """

    name: str
    #: Whether the daily check looks at every account (Discord: roles can be changed by
    #: hand in the server) or only at referents and coordinators (Telegram's menus).
    checks_every_account: bool

    @property
    def roles_enabled(self) -> bool:
        """Whether roles are set up on this platform (requests are dropped otherwise)."""
        ...

    async def mirror_roles(self, user_id: str, roles: MemberRoles) -> RolesApplied: ...

    def role_holders(self) -> list[str]:
        """Accounts the platform knows to hold a role it manages, Relais members or not
        (from its own cache; empty when it keeps none), for the daily check."""
        ...


@dataclass(frozen=True, slots=True)
class NativeEventSpec:
    """What a platform's own event object (Discord's scheduled event) shows for one
    occurrence of an event: the times are aware UTC datetimes."""

    title: str
    description: str
    #: An address, an online link, or the name of one of the platform's voice channels.
    place: str
    starts_at: datetime
    ends_at: datetime


@runtime_checkable
class NativeEvents(Protocol):
    """A platform with event objects of its own, mirroring Relais' events (Discord's
    Guild Scheduled Events, in the server's Events tab).

    ``native_scope`` is where they live (the server's id), None when the platform is not
    set up for it. ``publish_event`` returns the platform's id for the new event (None
    when not set up); ``update_event`` returns False when the event is gone on the
    platform (deleted by hand, or already over). All three raise :class:`Rejected` when
    the platform refuses for good (a missing permission) and :class:`TemporaryFailure`
    when trying later may work.
    """

    name: str

    @property
    def native_scope(self) -> str | None: ...

    async def publish_event(self, spec: NativeEventSpec) -> str | None: ...

    async def update_event(self, native_id: str, spec: NativeEventSpec) -> bool: ...

    async def cancel_event(self, native_id: str) -> None: ...


Dispatch = Callable[[Event, Platform], Awaitable[None]]


@dataclass(slots=True)
class Outbox:
    """Messages a handler produced during one update, sent after commit."""

    items: list[Outgoing] = field(default_factory=list)

    def add(self, outgoing: Outgoing) -> None:
        self.items.append(outgoing)
