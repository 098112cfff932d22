"""``relais invite``, ``relais unsubscribe`` and ``relais web``: e-mail from the command line.

``relais invite`` queues one invitation to every imported member who has not claimed the
account, has an address and never was invited (:mod:`bot.mailing.invitations`), then
sends the queue's e-mail at ``[email] messages_per_minute`` and says how it went. The
queue's claims make it safe beside a running ``relais run``: each mail leaves once. With
``--dry-run`` it only counts and prints one invitation as it would be sent.

The Telegram link needs the bot's username: ``[telegram] username``, else it is asked of
Telegram (getMe) when ``RELAIS_TELEGRAM_TOKEN`` is set; without either, invitations give
the code and the Discord command only.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from sqlalchemy import func, select

from bot.app import Relais
from bot.cli.errors import fail, say
from bot.cli.progress import Progress
from bot.core.config import Settings
from bot.delivery import queue
from bot.mailing import addresses, invitations
from bot.models import DeliveryStatus, Member, MemberStatus
from bot.platforms.email.adapter import EmailPlatform
from bot.runtime import build_email, build_web, running_app

log = logging.getLogger(__name__)

EXIT_CONFIG = 2


async def telegram_prefix(settings: Settings) -> str | None:
    """``https://t.me/<bot>?start=``, from config or from Telegram itself."""
    if settings.telegram.username:
        return f"https://t.me/{settings.telegram.username}?start="
    if settings.telegram_token is None:
        return None
    from bot.platforms.telegram.whoami import bot_username

    username = await bot_username(settings.telegram_token.get_secret_value(), settings.telegram)
    return f"https://t.me/{username}?start=" if username else None


async def invite(settings: Settings, *, category: str | None, dry_run: bool) -> int:
    if category is not None and settings.category(category) is None:
        keys = ", ".join(c.key for c in settings.categories)
        return fail(f"unknown category {category!r}; known: {keys}", EXIT_CONFIG)
    if not dry_run and not settings.email.enabled:
        return fail("e-mail is not set up: set [email] host and from_address", EXIT_CONFIG)
    prefix = await telegram_prefix(settings)
    links = invitations.Links(telegram=prefix)
    async with running_app(settings) as app:
        now = app.clock.now()
        async with app.sessions.begin() as session:
            census = await invitations.census(session, category)
            members = await invitations.first_invitations(session, category)
            say(
                f"{census.to_invite} to invite, {census.already_invited} already invited, "
                f"{census.without_email} without an e-mail address, {census.stopped} "
                f"unsubscribed or unreachable, {census.claimed} claimed their account"
            )
            if prefix is None:
                say(
                    "no Telegram link: set [telegram] username (or RELAIS_TELEGRAM_TOKEN); "
                    "invitations give the code and the Discord command"
                )
            if dry_run:
                if members:
                    sample = invitations.compose(
                        members[0], number=1, settings=settings, translator=app.translator,
                        links=links,
                    )  # fmt: skip
                    say("--- sample (first invitation, without its QR code image) ---")
                    say(sample.text)
                    say("---")
                say("dry run: nothing queued, nothing sent")
                await session.rollback()
                return 0
            queued = await invitations.enqueue(
                session, members, now=now, settings=settings, translator=app.translator,
                links=links,
            )  # fmt: skip
        say(f"queued {queued} invitation(s)")
        return await _send(app)


async def _send(app: Relais) -> int:
    email = build_email(app)
    assert email is not None
    await email.start()
    app.attach(email)
    async with app.sessions() as session:
        waiting = (await queue.progress(session, invitations.BATCH))[DeliveryStatus.PENDING]
    progress = Progress("sending invitations", waiting)
    watcher = asyncio.create_task(_follow(email, progress))
    try:
        await app.sender.drain()
    finally:
        watcher.cancel()
        await app.sender.lease.release()
    progress.advance(email.sent - progress.done)
    progress.finish()
    async with app.sessions() as session:
        outcome = await queue.progress(session, invitations.BATCH)
    counts = ", ".join(f"{n} {status.value}" for status, n in outcome.items() if n)
    say(f"invitations so far: {counts or 'none'}")
    return 0


async def _follow(email: EmailPlatform, progress: Progress) -> None:
    """Move the progress line as mails leave (at ``messages_per_minute``, a long while)."""
    while True:
        await asyncio.sleep(0.5)
        progress.advance(email.sent - progress.done)


async def unsubscribe(settings: Settings, address: str) -> int:
    """Stop e-mail to a member's address by hand: someone wrote "unsubscribe" to the
    reply address, which Relais cannot read."""
    async with running_app(settings) as app, app.sessions.begin() as session:
        member_id = await session.scalar(
            select(Member.id).where(
                func.lower(Member.email) == address.strip().lower(),
                Member.status != MemberStatus.FORGOTTEN,
            )
        )
        if member_id is None:
            return fail("no member has this address")
        changed = await addresses.unsubscribe_member(session, member_id, app.clock.now())
    say("unsubscribed: no more e-mail to this address" if changed else "already unsubscribed")
    return 0


async def web(settings: Settings) -> int:
    """Serve the web pages alone until SIGINT or SIGTERM."""
    if not settings.web.listen:
        return fail("set [web] listen (e.g. 127.0.0.1:8080) to serve the web pages", EXIT_CONFIG)
    async with running_app(settings) as app:
        server = build_web(app)
        try:
            await server.start()
        except OSError as error:
            return fail(f"cannot listen on {settings.web.listen}: {error.strerror}")
        say(f"serving the web pages on {settings.web.listen}", file=sys.stderr)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await stop.wait()
        finally:
            await server.stop()
    return 0
