"""The core: one transaction per update, routed to the handlers, replies sent after commit.

Adapters call :meth:`Relais.dispatch` with a neutral event. The app records the update's
delivery id (so a redelivery is a no-op), loads who is asking, checks the rules declared
for the command, button or flow (registration, status, role) at one gate, runs the
handler, commits, and only then sends what the handler queued. A button's payload is
parsed by its family's class first: a forged or stale one never reaches a handler. A
failure rolls everything back and the person gets one localized line. Refusals and that
apology are marked for the caller only (``ctx.refuse``), so that where a platform can, a
public command's refusal is not shown to the whole channel.

Adapters also report what they saw happen (:mod:`bot.core.facts`) through
:meth:`Relais.report`, and a send refused for good is such a fact too: the app writes each
by :mod:`bot.members.facts`, so no adapter opens a transaction for it.

Several processes on one PostgreSQL database: each update's transaction first takes an
advisory lock on its sender's account, so two updates of one member that land on two
processes take turns, the second one reading what the first committed (a flow's step is
never read before the previous step's write). Their order is Telegram's: it sends a
chat's updates one at a time, the next only once the previous one was answered, and the
webhook answers after the commit (:mod:`bot.platforms.telegram.webhook`). The recorded
delivery ids are in the same database, so a retry that lands on another process is
recognized there too. The statement that takes the lock also counts the update in the
person's updates a minute, one count for all the processes (:mod:`bot.conversation.throttle`;
SQLite's one process counts in memory, before its transaction).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.conversation import flows, gate, throttle
from bot.conversation.commands import Access, CommandPress, Rule, resolve
from bot.conversation.context import Context
from bot.conversation.flows import FlowPress
from bot.conversation.routing import Routes
from bot.conversation.throttle import Throttle, Verdict
from bot.core import db, redaction
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.db import insert_ignoring_conflicts
from bot.core.facts import ChatClosed, Fact
from bot.core.i18n import N_, Translator
from bot.core.payloads import SEPARATOR
from bot.core.port import (
    MAX_PAYLOAD_BYTES,
    Address,
    Attachment,
    DeliveryError,
    Event,
    Message,
    Outgoing,
    Platform,
    Unreachable,
)
from bot.delivery import channels, reach
from bot.delivery.sender import Sender
from bot.members import facts, role_sync, roles
from bot.members.membership import bootstrap_role
from bot.models import (
    Conversation,
    Delivery,
    Identity,
    Member,
    MemberStatus,
    ProcessedUpdate,
    Role,
)
from bot.scheduling import runner
from bot.scheduling.table import JobTable

log = logging.getLogger(__name__)
#: ``Identity.last_private_at`` is written at most this often (it picks where nudges go).
LAST_SEEN_STEP = timedelta(hours=1)
#: How long an apology waits to learn the person's language before using their app's.
APOLOGY_LOOKUP_SECONDS = 2.0
APOLOGY = N_("Sorry, something went wrong. Nothing was saved; please try again.")
SLOW_DOWN = N_("You are sending too much at once. Please wait a minute, then try again.")


class Relais:
    """The platform-neutral application; one per process, shared by every adapter."""

    def __init__(
        self,
        *,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        routes: Routes,
        jobs: JobTable[Relais],
        translator: Translator | None = None,
    ) -> None:
        """``routes`` and ``jobs`` come from the composition root (:mod:`bot.runtime`):
        the app never imports the handlers and jobs that it runs."""
        redaction.protect(settings)  # before anything can log a token or a password
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.translator = translator or Translator(settings.network.default_language)
        self.routes = routes
        #: What the clock does; :mod:`bot.scheduling.runner` reads it.
        self.jobs = jobs
        self.platforms: dict[str, Platform] = {}
        #: Platforms the network serves from another process of the deployment (Discord,
        #: when ``[discord] enabled`` is false here): what is queued for them is queued as
        #: usual, and sent by the process that runs them.
        self.elsewhere: frozenset[str] = frozenset()
        #: Platform → invitation link prefix (``https://t.me/<bot>?start=``); from config,
        #: or filled by an adapter that learns its bot's name at start.
        self.start_links: dict[str, str] = {}
        if settings.telegram.username:
            self.start_links["telegram"] = f"https://t.me/{settings.telegram.username}?start="
        self.sender = Sender(
            sessions=sessions,
            platforms=self.platforms,
            clock=clock,
            settings=settings.delivery,
            on_unreachable=self._refused,
            broadcast_rates=settings.broadcast_rates(),
        )
        #: Applies server roles (Discord) after the changes that call for them.
        self.role_syncer = role_sync.RoleSyncer(
            sessions=sessions, platforms=self.platforms, clock=clock
        )
        #: Where :func:`bot.scheduling.runner.run_due` last looked at the clock, and one
        #: run at a time.
        self.job_cursor: datetime = clock.now()
        self.job_lock = asyncio.Lock()
        #: Each person's updates a minute (``[limits] updates_per_minute``): counted here
        #: on SQLite (one process), in the database on PostgreSQL, where the processes
        #: sharing it keep one count per person (:mod:`bot.conversation.throttle`).
        self.throttle = Throttle(settings.limits.updates_per_minute)
        self.shared_throttle = db.is_postgres(sessions)

    async def _refused(self, session: AsyncSession, row: Delivery, closed: ChatClosed) -> None:
        """A delivery was refused for good, in the sender's transaction that records it:
        write that the chat closed (the same writer as :meth:`report`), then queue a
        private message on the member's other platform. Each in a savepoint, so that a
        failure here still records the refusal itself."""
        now = self.clock.now()
        try:
            async with session.begin_nested():
                await facts.write(session, closed, now)
        except Exception:
            log.exception("could not record that delivery %s's chat closed", row.id)
        try:
            async with session.begin_nested():
                await reach.fall_back(session, row, self.served, now)
        except Exception:
            log.exception("could not queue delivery %s on another platform", row.id)

    async def report(self, fact: Fact) -> None:
        """What an adapter saw happen, written by :mod:`bot.members.facts` in one
        transaction of its own; roles the fact calls for are applied once it committed.
        Never raises: a fact that cannot be written is logged, and the send or the update
        it came with goes on (each fact's rule makes a later report of it catch up)."""
        try:
            async with self.sessions() as session, session.begin():
                await facts.write(session, fact, self.clock.now())
            accounts = role_sync.requested(session)
        except Exception:
            log.exception("could not record a %s report (%s)", type(fact).__name__, fact.platform)
            return
        if accounts:
            await self.role_syncer.sync(accounts)

    async def channel(self, platform: str, scope: str) -> Address | None:
        """Where ``scope`` (``general``, ``category:<key>``…) is served on ``platform``, if
        anywhere: a read for adapters that must address a channel before dispatching
        (Discord greets newcomers in the general channel)."""
        async with self.sessions() as session:
            found = await channels.addresses_for(session, self.settings, scope, [platform])
        return found[0] if found else None

    @property
    def served(self) -> list[str]:
        """Every platform the network serves: run here, or by another process. Whom to
        reach (audiences, recipients, fallbacks) is chosen among these."""
        return sorted(set(self.platforms) | self.elsewhere)

    def attach(self, platform: Platform) -> None:
        self.platforms[platform.name] = platform

    async def on_clock_moved(self) -> None:
        """Run the jobs that became due after the clock jumped (console ``~ +7d``)."""
        await runner.run_due(self)
        await self.sender.drain()
        await self.role_syncer.drain()

    async def dispatch(self, event: Event, platform: Platform) -> None:
        """Handle one update end to end. Never raises for a person's mistake. Someone
        over their updates a minute is told once to slow down, then not handled."""
        self.platforms.setdefault(platform.name, platform)
        # Joining is the platform's doing, not the person's; the console is the operator
        # at the keyboard (or a transcript), not someone to hold back.
        throttled = not event.joined and getattr(platform, "throttled", True)
        if throttled and self.shared_throttle:  # counted in the update's transaction
            if self.throttle.known_over(event.identity, self.clock.now()):
                return
        elif throttled:  # SQLite: before any transaction
            verdict = self.throttle.check(event.identity, self.clock.now())
            if verdict is not Verdict.HANDLE:
                await self.deliver(self._over_limit(event, verdict))
                return
        accounts: set[role_sync.Account] = set()
        scrub = False
        try:
            counted = throttled and self.shared_throttle
            outgoing, queued, accounts, scrub = await self._handle(event, counted=counted)
        except Exception:
            log.exception("update from %s failed", event.identity)
            outgoing, queued = [await self._apology(event)], False
        if scrub:  # an erasure committed: its bytes leave the database files first
            await db.scrub(self.sessions)
        await self.deliver(outgoing)
        if queued:
            self.sender.wake()
        if accounts:  # committed: now the roles may follow
            await self.role_syncer.sync(accounts)

    async def committed(self, session: AsyncSession) -> None:
        """A write outside of an update (a desk page) committed: send what it queued and
        apply the server roles it asked for, as after an update."""
        self.sender.wake()
        accounts = role_sync.requested(session)
        if accounts:
            await self.role_syncer.sync(accounts)

    async def deliver(self, outgoing: list[Outgoing]) -> None:
        for item in outgoing:
            platform = self.platforms.get(item.address.platform)
            if platform is None:
                log.warning("no %s platform to deliver to %s", item.address.platform, item.address)
                continue
            try:
                await platform.send(item)
            except Unreachable as error:
                log.warning("sending to %s failed: %s", item.address, error)
                address = item.address
                await self.report(ChatClosed(address.platform, address.chat_id, str(error)))
            except DeliveryError as error:
                log.warning("sending to %s failed: %s", item.address, error)
            except Exception:
                log.exception("sending to %s failed", item.address)

    def _over_limit(self, event: Event, verdict: Verdict) -> list[Outgoing]:
        """What someone over their updates a minute hears: "slow down" once, then nothing."""
        if verdict is not Verdict.SLOW_DOWN:
            return []
        log.info("%s sends too much; dropping until the minute passes", event.identity)
        return [self._caller_line(event, SLOW_DOWN)]

    async def _handle(
        self, event: Event, *, counted: bool = False
    ) -> tuple[list[Outgoing], bool, set[role_sync.Account], bool]:
        """The update's transaction. With ``counted`` (PostgreSQL), the statement that
        takes the member's lock also counts the update in their minute, shared by every
        process (:func:`bot.conversation.throttle.count`); over the limit, nothing else
        is done, and this process drops the person's next updates by itself until their
        minute ends."""
        async with self.sessions() as session, session.begin():
            # Several processes: a member's updates take turns (see the module docstring).
            lock = f"updates:{event.platform}:{event.user_id}"
            if not counted:
                await db.lock_for_transaction(session, lock)
            else:
                now = self.clock.now()
                verdict, until = await throttle.count(
                    session,
                    platform=event.platform,
                    user_id=event.user_id,
                    now=now,
                    per_minute=self.throttle.per_minute,
                    lock=lock,
                )
                if verdict is not Verdict.HANDLE:
                    self.throttle.over(event.identity, until, now)
                    return self._over_limit(event, verdict), False, set(), False
            if event.update_id is not None and not await self._first_delivery(session, event):
                log.info("ignoring redelivered update %s:%s", event.platform, event.update_id)
                if counted:  # its first delivery was counted already
                    await throttle.uncount(session, platform=event.platform, user_id=event.user_id)
                return [], False, set(), False
            identity, member, conversation = await self._who(session, event)
            chosen = (
                member.language if member else await self._language_being_chosen(session, event)
            )
            ctx = Context(
                event=event,
                session=session,
                settings=self.settings,
                translator=self.translator,
                clock=self.clock,
                language=self.translator.resolve(chosen, event.language_code),
                member=member,
                identity=identity,
                conversation=conversation,
                conversation_loaded=identity is not None,
                platforms=tuple(self.served),
                start_links=self.start_links,
            )
            if not event.is_private:
                ctx.channel_scope = await channels.scope_of(session, self.settings, event.chat)
            await self._route(ctx)
        scrub = db.scrub_requested(session)
        return ctx.outbox.items, ctx.queued, role_sync.requested(session), scrub

    async def _first_delivery(self, session: AsyncSession, event: Event) -> bool:
        """Record the update's delivery id; False when it was already handled. (A
        concurrent duplicate waits for the first transaction, then inserts nothing.)"""
        assert event.update_id is not None
        result = await session.execute(
            insert_ignoring_conflicts(session, ProcessedUpdate, on=("platform", "update_id")),
            {
                "platform": event.platform,
                "update_id": event.update_id,
                "processed_at": self.clock.now(),
            },
        )
        return bool(getattr(result, "rowcount", 0))

    async def _language_being_chosen(self, session: AsyncSession, event: Event) -> str | None:
        """Someone joining has no member row yet; the join flow keeps their choice."""
        data = await session.scalar(
            select(Conversation.data).where(
                Conversation.platform == event.platform, Conversation.user_id == event.user_id
            )
        )
        language = (data or {}).get("language")
        return language if isinstance(language, str) else None

    async def _who(
        self, session: AsyncSession, event: Event
    ) -> tuple[Identity | None, Member | None, Conversation | None]:
        """Who is asking, and their flow in progress, in one statement."""
        row = (
            await session.execute(
                select(Identity, Member, Conversation)
                .join(Member, Member.id == Identity.member_id)
                .outerjoin(
                    Conversation,
                    and_(
                        Conversation.platform == Identity.platform,
                        Conversation.user_id == Identity.user_id,
                    ),
                )
                .where(Identity.platform == event.platform, Identity.user_id == event.user_id)
            )
        ).first()
        if row is None:
            return None, None, None
        identity, member, conversation = row
        in_private_chat = event.is_private and event.in_private_chat
        if in_private_chat and identity.private_chat_id != event.chat_id:
            identity.private_chat_id = event.chat_id
        if in_private_chat:
            facts.chat_reopened(identity)
            now = self.clock.now()
            seen = identity.last_private_at
            if seen is None or now - seen >= LAST_SEEN_STEP:
                identity.last_private_at = now
        if bootstrap_role(self.settings, event.identity, member.category) is not None:
            await roles.apply_bootstrap(
                session, self.settings, event.identity, member, self.clock.now()
            )
        return identity, member, conversation

    async def _route(self, ctx: Context) -> None:
        event = ctx.event
        if event.command is not None:
            await self.run_command(ctx, event.command)
        elif event.payload is not None:
            await self._button(ctx, event.payload)
        elif event.joined:
            if self.routes.on_join is not None:
                await self.routes.on_join(ctx)
        elif event.interest is not None:
            if self.routes.on_interest is not None:
                await self.routes.on_interest(ctx)
        elif event.poll_answer is not None:
            if self.routes.on_poll_answer is not None:
                await self.routes.on_poll_answer(ctx)
        elif event.text is not None and event.is_private:
            await self._text(ctx, event.text)
        elif event.attachment is not None and event.is_private:
            await self._file(ctx, event.attachment)
        # Plain chatter in a group is not for the bot.

    async def run_command(self, ctx: Context, name: str) -> None:
        """Run a command after checking who may: the one gate for every command. ``name``
        may be an alias (``aide``, ``déclarer``): the table's name finds the handler. A
        ``/start`` whose argument is a deep link a router declared runs that command."""
        if name == "start" and len(ctx.event.args) == 1:
            linked = self.routes.deep_link(ctx.event.args[0])
            if linked is not None:
                name = linked
                ctx.event = replace(ctx.event, command=name)
        command = resolve(name)
        handler = self.routes.commands.get(command.name) if command is not None else None
        if command is None or handler is None:
            ctx.refuse(ctx._("Unknown command. Send /help to see what you can do."))
            return
        if not await self._passes(ctx, command):
            return
        if command.in_private and not ctx.event.is_private:
            # Typed in a group, it is answered in the private chat (it lists people, or
            # the person's own settings); the group sees at most a pointer there.
            if not ctx.move_to_private():
                return
            ctx.answer_in_private()
        await handler(ctx)

    async def may_use(self, platform: str, user_id: str, name: str) -> bool:
        """Whether :meth:`run_command`'s gate would let this account run the command, by
        one read and no write. An adapter that must choose who sees the answer before the
        app runs (Discord's deferral of a public command) asks this; the gate itself
        still decides, so a stale answer only changes how a reply is shown."""
        command = resolve(name)
        if command is None:
            return False
        if command.access is Access.ANYONE:
            return True
        async with self.sessions() as session:
            row = (
                await session.execute(
                    select(Member, Identity)
                    .join(Identity, Identity.member_id == Member.id)
                    .where(Identity.platform == platform, Identity.user_id == user_id)
                )
            ).first()
        member, identity = row if row is not None else (None, None)
        return _gate(command, member, identity, self.settings) is None

    async def _button(self, ctx: Context, payload: str) -> None:
        """Parse the payload with its family's class, pass the gate, run the handler;
        anything that does not parse is "no longer active", whoever pressed it."""
        if len(payload.encode()) > MAX_PAYLOAD_BYTES or not await self._press(ctx, payload):
            ctx.refuse(ctx._("This button is no longer active."))

    async def _press(self, ctx: Context, payload: str) -> bool:
        """Handle a press whose payload parses (the gate may still refuse it); False
        when no family reads it."""
        segments = payload.split(SEPARATOR)
        if segments[0] == FlowPress.prefix:
            step = FlowPress.parse(segments[1:])
            flow = self.routes.flows.get(step.flow) if step is not None else None
            if step is None or flow is None:
                return False
            if await self._passes(ctx, flow):
                await flows.on_button(ctx, flow, step)
            return True
        if segments[0] == CommandPress.prefix:
            run = CommandPress.parse(segments[1:])
            if run is None:
                return False
            await self.run_command(ctx, run.name)
            return True
        found = self.routes.button(segments)
        press = found[0].payload.parse(found[1]) if found is not None else None
        if found is None or press is None:
            return False
        if await self._passes(ctx, found[0], button=True):
            await found[0].handler(ctx, press)
            await self._follow_up(ctx)
        return True

    async def _follow_up(self, ctx: Context) -> None:
        """Run the command a button handler asked for (see ``Context.follow_up``), as if
        the person had just sent it: same gate, same transaction."""
        if ctx.follow_up is None:
            return
        name, args = ctx.follow_up
        ctx.follow_up = None
        ctx.event = replace(ctx.event, command=name, args=args, payload=None)
        await self.run_command(ctx, name)

    async def _text(self, ctx: Context, text: str) -> None:
        conversation = await flows.current(ctx)
        flow = self.routes.flows.get(conversation.flow) if conversation else None
        if conversation is None or flow is None:
            ctx.refuse(ctx._("I did not understand. Send /help to see what you can do."))
            return
        if await self._passes(ctx, flow):
            await flows.on_text(ctx, flow, conversation, text)

    async def _file(self, ctx: Context, attachment: Attachment) -> None:
        """A file goes to the flow waiting for one; outside a flow it is not understood."""
        conversation = await flows.current(ctx)
        flow = self.routes.flows.get(conversation.flow) if conversation else None
        if conversation is None or flow is None:
            ctx.refuse(ctx._("I did not understand. Send /help to see what you can do."))
            return
        if await self._passes(ctx, flow):
            await flows.on_file(ctx, flow, conversation, attachment)

    async def _passes(self, ctx: Context, rule: Rule, *, button: bool = False) -> bool:
        """Ask the gate; when it refuses, tell the person why, to them alone. A flow that
        no longer passes ends here: whatever it was preparing is never sent."""
        reason = _gate(rule, ctx.member, ctx.identity, self.settings)
        if reason is None:
            return True
        if isinstance(rule, flows.Flow):
            conversation = await flows.current(ctx)
            if conversation is not None and conversation.flow == rule.name:
                await flows.end(ctx, conversation)
                ctx.refuse(ctx._("What you were doing was stopped; nothing was sent."))
        if reason == "consent":
            if self.routes.on_consent_missing is not None:
                self.routes.on_consent_missing(ctx)
            return False
        _refuse(ctx, rule, reason, button=button)
        return False

    def _caller_line(self, event: Event, message: str, chosen: str | None = None) -> Outgoing:
        """A line for the caller alone, in the language they chose when known, else their
        platform's (no database read here)."""
        language = self.translator.resolve(chosen, event.language_code)
        text = self.translator.gettext(language, message)
        return Outgoing(event.chat, Message(text=text, caller_only=True))

    async def _apology(self, event: Event) -> Outgoing:
        """Sorry, in the language the person chose (their app's when unknown): the
        failed update's transaction is gone, so a short read of its own finds it."""
        chosen: str | None = None
        try:
            async with asyncio.timeout(APOLOGY_LOOKUP_SECONDS), self.sessions() as session:
                chosen = await session.scalar(
                    select(Member.language)
                    .join(Identity, Identity.member_id == Member.id)
                    .where(Identity.platform == event.platform, Identity.user_id == event.user_id)
                )
        except Exception:  # the database may be what failed: the app's language will do
            log.info("the language of %s could not be read for an apology", event.identity)
        return self._caller_line(event, APOLOGY, chosen)


def _gate(
    rule: Rule, member: Member | None, identity: Identity | None, settings: Settings
) -> str | None:
    """The one gate (:func:`bot.conversation.gate.refusal`), for commands, buttons and
    every step of a flow (:meth:`Relais.run_command`, :meth:`Relais.may_use`,
    :meth:`Relais._button`, :meth:`Relais._text`)."""
    return gate.refusal(rule, member, identity, settings)


def _refuse(ctx: Context, rule: Rule, reason: str, *, button: bool) -> None:
    """Tell the person why the gate refused, to them alone."""
    if reason == "role" and button and rule.min_role is Role.COORDINATOR:
        ctx.refuse(ctx._("This button is for coordinators."))
    elif reason == "role" and button:
        ctx.refuse(ctx._("This button is for coordinators or referents."))
    elif reason == "role":
        ctx.refuse(ctx._("This command is for coordinators or referents."))
    elif reason == "status" and button and not ctx.event.is_private:
        # A pending member pressing an answer under a plan in a group hears it in
        # private: their application is nobody else's business.
        ctx.reply_private(_status_refusal(ctx, ctx.member))
    else:
        ctx.refuse(_status_refusal(ctx, ctx.member))


def _status_refusal(ctx: Context, member: Member | None) -> str:
    if member is None:
        return ctx._("You are not a member yet. Send /start to join.")
    if member.status is MemberStatus.PENDING:
        return ctx._("Your application is waiting for a coordinator's approval.")
    return ctx._("Your membership is not active. Contact a coordinator.")
