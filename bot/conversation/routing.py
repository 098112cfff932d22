"""Routers: each feature module in ``handlers`` exports one, and the composition root
(:mod:`bot.runtime`) hands the app their merged :class:`Routes`. A router maps command
names, button payload prefixes and conversation flows to handlers, and may hold the hooks
the app calls at given moments (someone joined a group; a member must agree to a new
consent text before going on)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from bot.conversation.context import Context
    from bot.conversation.flows import Flow

T = TypeVar("T")
CommandHandler = Callable[["Context"], Awaitable[None]]
#: Receives the payload's parts after the prefix: ``set:vis:name`` → ``["vis", "name"]``.
ButtonHandler = Callable[["Context", list[str]], Awaitable[None]]
#: Answers in place of a command the member may not run yet (it queues replies only).
Prompt = Callable[["Context"], None]


@dataclass
class Router:
    name: str
    commands: dict[str, CommandHandler] = field(default_factory=dict)
    buttons: dict[str, ButtonHandler] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    on_join: CommandHandler | None = None
    on_consent_missing: Prompt | None = None

    def consent_missing(self, prompt: Prompt) -> Prompt:
        """Ask for consent when a member who has not agreed to the current text runs a
        command that needs it (at most one router may)."""
        self.on_consent_missing = prompt
        return prompt

    def joined(self, handler: CommandHandler) -> CommandHandler:
        """Handle someone joining a group chat (at most one router may)."""
        self.on_join = handler
        return handler

    def command(self, name: str) -> Callable[[CommandHandler], CommandHandler]:
        def register(handler: CommandHandler) -> CommandHandler:
            self.commands[name] = handler
            return handler

        return register

    def button(self, prefix: str) -> Callable[[ButtonHandler], ButtonHandler]:
        def register(handler: ButtonHandler) -> ButtonHandler:
            self.buttons[prefix] = handler
            return handler

        return register

    def flow(self, flow: Flow) -> Flow:
        self.flows.append(flow)
        return flow


@dataclass
class Routes:
    """All routers merged; a name registered twice is a programming error."""

    commands: dict[str, CommandHandler] = field(default_factory=dict)
    buttons: dict[str, ButtonHandler] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    on_join: CommandHandler | None = None
    on_consent_missing: Prompt | None = None

    @classmethod
    def of(cls, routers: list[Router]) -> Routes:
        routes = cls()
        for router in routers:
            _merge(router.name, routes.commands, router.commands)
            _merge(router.name, routes.buttons, router.buttons)
            _merge(router.name, routes.flows, {flow.name: flow for flow in router.flows})
            if router.on_join is not None:
                if routes.on_join is not None:
                    raise ValueError(f"router {router.name}: a join handler is already registered")
                routes.on_join = router.on_join
            if router.on_consent_missing is not None:
                if routes.on_consent_missing is not None:
                    raise ValueError(f"router {router.name}: a consent prompt is registered")
                routes.on_consent_missing = router.on_consent_missing
        return routes


def _merge(router: str, table: dict[str, T], entries: dict[str, T]) -> None:
    clash = table.keys() & entries.keys()
    if clash:
        raise ValueError(f"router {router}: {sorted(clash)} already registered")
    table.update(entries)
