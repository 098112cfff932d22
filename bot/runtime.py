"""The composition root: settings → database (migrated) → app → platforms, scheduler.

The only module under ``bot/`` that imports ``handlers`` and ``jobs``: it hands the app
the routes of every feature and the table of what the clock does, so that the app, the
scheduler and everything below them never import their callers (a test keeps it so).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import handlers
import jobs
from bot.app import Relais
from bot.conversation.routing import Routes
from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.core.db import create_engine, session_factory, upgrade
from bot.core.i18n import Translator
from bot.core.port import Platform
from bot.mailing import addresses
from bot.mailing.addresses import Recipient
from bot.platforms.email.adapter import EmailPlatform
from bot.platforms.email.compose import Frame
from bot.scheduling.scheduler import Scheduler
from bot.web.context import WebContext
from bot.web.server import WebServer

log = logging.getLogger(__name__)

#: Platforms ``relais run`` can serve in this version.
SERVED = ("telegram", "discord")


def build_app(
    *,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    translator: Translator | None = None,
) -> Relais:
    """The app with every feature's routes and every job: what ``relais`` runs, and
    what tests and benchmarks build."""
    return Relais(
        settings=settings,
        sessions=sessions,
        clock=clock,
        routes=Routes.of(handlers.ROUTERS),
        jobs=jobs.TABLE,
        translator=translator,
    )


@asynccontextmanager
async def running_app(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Relais]:
    """An app on a migrated database; the engine is disposed on exit."""
    engine = create_engine(settings.database.url, echo=settings.database.echo)
    try:
        await upgrade(engine, network_language=settings.network.default_language)
        app = build_app(
            settings=settings, sessions=session_factory(engine), clock=clock or SystemClock()
        )
        await app.sender.recover()
        yield app
    finally:
        await engine.dispose()


def configured_platforms(settings: Settings) -> list[str]:
    """Chat platforms with a token in the environment; the console when there is none."""
    names = []
    if settings.telegram_token is not None:
        names.append("telegram")
    if settings.discord_token is not None and settings.discord.enabled:
        names.append("discord")
    return names or ["console"]


def build_platforms(app: Relais, names: list[str]) -> list[Platform]:
    """The adapters for ``names`` that this version serves, attached to ``app``."""
    platforms: list[Platform] = []
    for name in names:
        if name == "telegram":
            # Imported here so the console and the tests that do not need it never load
            # python-telegram-bot.
            from bot.platforms.telegram.adapter import TelegramPlatform

            platforms.append(TelegramPlatform(app))
        elif name == "discord" and app.settings.discord_token is not None:
            from bot.platforms.discord.adapter import DiscordPlatform

            token = app.settings.discord_token.get_secret_value()
            platforms.append(DiscordPlatform(app, token))
        else:
            log.warning("%s is not supported by this version yet; it is not started", name)
    if app.settings.discord_token is not None and not app.settings.discord.enabled:
        app.elsewhere = frozenset({"discord"})  # another process of the deployment runs it
    return platforms


def build_email(app: Relais) -> EmailPlatform | None:
    """The e-mail platform when ``[email] host`` is set: it sends the queue's e-mail
    deliveries, reading each recipient's address and state at send time."""
    settings = app.settings
    if not settings.email.enabled:
        return None

    async def lookup(member_id: int) -> Recipient | None:
        async with app.sessions.begin() as session:
            return await addresses.recipient(session, member_id, app.clock.now())

    password = settings.email_password
    return EmailPlatform(
        settings.email,
        password=password.get_secret_value() if password is not None else None,
        frame=Frame(
            settings=settings.email,
            network=settings.network.name,
            translator=app.translator,
            public_url=settings.web.public_url,
        ),
        lookup=lookup,
    )


def build_web(app: Relais, port: int | None = None) -> WebServer:
    """The web server on ``[web] listen`` (or ``port`` on its host: tests pass 0)."""
    host, configured = app.settings.web.host_port
    context = WebContext(
        settings=app.settings,
        sessions=app.sessions,
        clock=app.clock,
        translator=app.translator,
        platforms=lambda: tuple(sorted(app.platforms)),
        start_links=lambda: app.start_links,
        committed=app.committed,
    )
    return WebServer(context, host, configured if port is None else port)


class Background:
    """What a long-running process does besides answering: the scheduler (when this
    process is its leader), the delivery queue's sender and the role syncer; e-mail when
    ``[email] host`` is set (attached before the sender starts, so it drains e-mail too);
    the web server when ``[web] listen`` is set. Every task is tracked and stopped on the
    way out."""

    def __init__(self, app: Relais) -> None:
        self.app = app
        self.scheduler = Scheduler(app, app.settings.database.url)
        self._tasks: list[asyncio.Task[None]] = []
        self.email = build_email(app)
        self.web = build_web(app) if app.settings.web.listen else None

    async def start(self) -> None:
        if self.email is not None:
            await self.email.start()
            self.app.attach(self.email)
        if self.web is not None:
            await self.web.start()
        self._tasks = [
            asyncio.create_task(self.app.sender.run(), name="sender"),
            asyncio.create_task(self.app.role_syncer.run(), name="role-syncer"),
        ]
        await self.scheduler.start()

    async def stop(self) -> None:
        await self.scheduler.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self.web is not None:
            await self.web.stop()


def freeze_startup_heap() -> None:
    """Exempt what start-up built (modules, ORM mappers, PTB's and the app's objects,
    about 170,000 of them) from the garbage collector's full collections: they live as
    long as the process, and each full collection walked them all again, holding the
    event loop for about 0.1 s, three times a minute during a broadcast at ×20 (every
    send due meanwhile then left at once). Start-up's own garbage is collected first;
    objects made afterwards are collected as usual."""
    gc.collect()
    gc.freeze()


async def serve(
    platforms: list[Platform],
    stop: asyncio.Event,
    on_started: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Start every platform, run until ``stop`` is set, then stop them in reverse order.

    When one fails to start, it and those started before it are stopped before the
    error goes up, so nothing keeps polling behind a failed start (``stop`` must be
    safe on a platform whose ``start`` failed half-way).
    """
    started: list[Platform] = []
    try:
        for platform in platforms:
            started.append(platform)
            await platform.start()
            log.info("%s started", platform.name)
        freeze_startup_heap()
        if on_started is not None:
            await on_started()
        await stop.wait()
    finally:
        for platform in reversed(started):
            try:
                await platform.stop()
            except Exception:
                log.exception("stopping %s failed", platform.name)
            else:
                log.info("%s stopped", platform.name)
