"""Routers: each feature module in ``handlers`` exports one, and the composition root
(:mod:`bot.runtime`) hands the app their merged :class:`Routes`. A router maps command
names, button payload families and conversation flows to handlers, and may hold the hooks
the app calls at given moments (someone joined a group; a member must agree to a new
consent text before going on; someone marked themselves interested in a platform's own
event).

A button family is registered with its payload class and who may press it, in the
command table's terms (:class:`~bot.conversation.commands.Access`, lowest role): the app
parses the payload and checks the presser with the same gate as commands before the
handler runs, so a handler receives a typed payload from someone allowed to press it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from bot.conversation.commands import Access, CommandPress
from bot.conversation.flows import Flow, FlowPress
from bot.core.payloads import SEPARATOR, Payload
from bot.models import Role

if TYPE_CHECKING:
    from bot.conversation.context import Context

T = TypeVar("T")
P = TypeVar("P", bound=Payload)
CommandHandler = Callable[["Context"], Awaitable[None]]
#: Receives the parsed payload of the button pressed.
ButtonHandler = Callable[["Context", P], Awaitable[None]]
#: Answers in place of a command the member may not run yet (it queues replies only).
Prompt = Callable[["Context"], None]
#: Prefixes the app reads before the routers' buttons: flows' steps and command buttons.
RESERVED = frozenset({FlowPress.prefix, CommandPress.prefix})


@dataclass(frozen=True, slots=True)
class ButtonRoute:
    """One button family: its payload, its handler and who may press it."""

    payload: type[Payload]
    handler: Callable[[Context, Any], Awaitable[None]]
    access: Access
    min_role: Role = Role.MEMBER
    #: May be pressed before agreeing to the current consent text.
    before_consent: bool = False


@dataclass
class Router:
    name: str
    commands: dict[str, CommandHandler] = field(default_factory=dict)
    buttons: dict[str, ButtonRoute] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    on_join: CommandHandler | None = None
    on_consent_missing: Prompt | None = None
    on_interest: CommandHandler | None = None
    on_poll_answer: CommandHandler | None = None
    #: ``/start`` argument prefix → the command it stands for (see :meth:`deep_link`).
    deep_links: dict[str, str] = field(default_factory=dict)

    def deep_link(self, prefix: str, command: str) -> None:
        """A link that opens the bot with ``/start <prefix><arg>`` (Telegram's
        ``?start=``) runs ``/<command> <prefix><arg>``, through that command's gate: a QR
        code shown at a meeting checks its scanner in like typing ``/checkin CODE``."""
        self.deep_links[prefix] = command

    def consent_missing(self, prompt: Prompt) -> Prompt:
        """Ask for consent when a member who has not agreed to the current text runs a
        command that needs it (at most one router may)."""
        self.on_consent_missing = prompt
        return prompt

    def joined(self, handler: CommandHandler) -> CommandHandler:
        """Handle someone joining a group chat (at most one router may)."""
        self.on_join = handler
        return handler

    def interested(self, handler: CommandHandler) -> CommandHandler:
        """Handle someone marking themselves interested in a platform's own event, or
        taking it back (``ctx.event.interest``; at most one router may). No gate runs
        first: the handler decides what a stranger's or an applicant's interest means."""
        self.on_interest = handler
        return handler

    def poll_answered(self, handler: CommandHandler) -> CommandHandler:
        """Handle an answer to a native poll the bot sent (``ctx.event.poll_answer``; at
        most one router may). No gate runs first: the handler checks who answered."""
        self.on_poll_answer = handler
        return handler

    def command(self, name: str) -> Callable[[CommandHandler], CommandHandler]:
        def register(handler: CommandHandler) -> CommandHandler:
            self.commands[name] = handler
            return handler

        return register

    def button(
        self,
        payload: type[P],
        *,
        access: Access,
        min_role: Role = Role.MEMBER,
        before_consent: bool = False,
    ) -> Callable[[ButtonHandler[P]], ButtonHandler[P]]:
        """Handle the presses of ``payload``'s family, by people the gate lets through:
        ``access``, ``min_role`` and ``before_consent`` mean what they mean in the
        command table."""
        payload.layout()  # a payload the machinery cannot read fails here, at import
        if payload.prefix in self.buttons or payload.prefix.split(SEPARATOR)[0] in RESERVED:
            raise ValueError(f"router {self.name}: button prefix {payload.prefix!r} is taken")

        def register(handler: ButtonHandler[P]) -> ButtonHandler[P]:
            self.buttons[payload.prefix] = ButtonRoute(
                payload, handler, access, min_role, before_consent
            )
            return handler

        return register

    def flow(self, flow: Flow) -> Flow:
        self.flows.append(flow)
        return flow


@dataclass
class Routes:
    """All routers merged; a name registered twice is a programming error."""

    commands: dict[str, CommandHandler] = field(default_factory=dict)
    buttons: dict[str, ButtonRoute] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    on_join: CommandHandler | None = None
    on_consent_missing: Prompt | None = None
    deep_links: dict[str, str] = field(default_factory=dict)
    on_interest: CommandHandler | None = None
    on_poll_answer: CommandHandler | None = None

    @classmethod
    def of(cls, routers: list[Router]) -> Routes:
        routes = cls()
        for router in routers:
            _merge(router.name, routes.commands, router.commands)
            _merge(router.name, routes.buttons, router.buttons)
            _merge(router.name, routes.flows, {flow.name: flow for flow in router.flows})
            _merge(router.name, routes.deep_links, router.deep_links)
            if router.on_join is not None:
                if routes.on_join is not None:
                    raise ValueError(f"router {router.name}: a join handler is already registered")
                routes.on_join = router.on_join
            if router.on_consent_missing is not None:
                if routes.on_consent_missing is not None:
                    raise ValueError(f"router {router.name}: a consent prompt is registered")
                routes.on_consent_missing = router.on_consent_missing
            if router.on_interest is not None:
                if routes.on_interest is not None:
                    raise ValueError(f"router {router.name}: an interest handler is registered")
                routes.on_interest = router.on_interest
            if router.on_poll_answer is not None:
                if routes.on_poll_answer is not None:
                    raise ValueError(f"router {router.name}: a poll answer handler is registered")
                routes.on_poll_answer = router.on_poll_answer
        return routes

    def deep_link(self, argument: str) -> str | None:
        """The command a ``/start`` argument stands for, if any (it gets the argument
        whole, prefix included, and so knows it came by a link)."""
        for prefix, command in self.deep_links.items():
            if argument.startswith(prefix) and len(argument) > len(prefix):
                return command
        return None

    def button(self, segments: list[str]) -> tuple[ButtonRoute, list[str]] | None:
        """The family a payload (split at ``:``) belongs to, by its longest registered
        prefix, and the parts after that prefix."""
        for length in range(len(segments), 0, -1):
            route = self.buttons.get(SEPARATOR.join(segments[:length]))
            if route is not None:
                return route, segments[length:]
        return None


def _merge(router: str, table: dict[str, T], entries: dict[str, T]) -> None:
    clash = table.keys() & entries.keys()
    if clash:
        raise ValueError(f"router {router}: {sorted(clash)} already registered")
    table.update(entries)
