"""Invitations by e-mail: bringing the imported spreadsheet aboard.

Who is invited: an active member imported from a spreadsheet (``import_key``) who has not
claimed the account (an invitation code, no consent yet), with an e-mail address Relais
may write to (:func:`bot.mailing.addresses.mailable`). ``relais invite`` queues the first
invitation to those never invited; the ``invitations`` job queues a reminder to those
still unclaimed ``[email] reminder_days`` after the previous one, at most
``[email] max_reminders`` times. Claiming the account (``/start CODE``) clears the code,
and with it every further reminder.

Nothing twice: the n-th invitation of a member is the delivery ``invitation:<id>:<n>``
(the queue's unique key), and the count on the address is moved in the same
transaction, so a re-run command or job, or two processes, add nothing.

What an invitation says, in the member's language: their name, the network's welcome
words (``[email] welcome``), the Telegram link that claims the account in one tap
(``https://t.me/<bot>?start=<code>``), how to claim it on Discord (``/start code:<code>``),
and the same link as a QR code.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.bilingual import Bilingual
from bot.core.config import Settings
from bot.core.i18n import Translator
from bot.core.port import Address, Message
from bot.delivery import queue
from bot.mailing import EMAIL, addresses
from bot.models import EmailAddress, Member, MemberStatus

#: Deliveries of invitations share this batch (their progress is one broadcast's).
BATCH = "invitations"


def unclaimed() -> ColumnElement[bool]:
    """Condition on ``Member``: imported, active, and the account not claimed yet."""
    return and_(
        Member.status == MemberStatus.ACTIVE,
        Member.import_key.is_not(None),
        Member.invite_code.is_not(None),
        Member.consent_at.is_(None),
    )


def _invited() -> ColumnElement[int]:
    return func.coalesce(EmailAddress.invitations, 0)


def _audience(category: str | None) -> list[ColumnElement[bool]]:
    conditions = [unclaimed(), addresses.mailable()]
    if category is not None:
        conditions.append(Member.category == category)
    return conditions


async def first_invitations(session: AsyncSession, category: str | None = None) -> list[Member]:
    """Unclaimed members who may be written to and were never invited, by id."""
    rows = await session.scalars(
        select(Member)
        .outerjoin(EmailAddress, EmailAddress.member_id == Member.id)
        .where(*_audience(category), _invited() == 0)
        .order_by(Member.id)
    )
    return list(rows)


async def due_reminders(session: AsyncSession, settings: Settings, now: datetime) -> list[Member]:
    """Unclaimed members invited fewer than ``1 + max_reminders`` times, the last time at
    least ``reminder_days`` ago."""
    email = settings.email
    rows = await session.scalars(
        select(Member)
        .join(EmailAddress, EmailAddress.member_id == Member.id)
        .where(
            *_audience(None),
            EmailAddress.invitations >= 1,
            EmailAddress.invitations <= email.max_reminders,
            EmailAddress.invited_at <= now - timedelta(days=email.reminder_days),
        )
        .order_by(Member.id)
    )
    return list(rows)


#: A coordinator's reminder from the desk skips whoever was invited this recently (a
#: double click, or two coordinators at once, send one reminder).
MANUAL_GAP = timedelta(days=1)


async def remindable(
    session: AsyncSession, settings: Settings, member_ids: Sequence[int], now: datetime
) -> list[Member]:
    """Of these members, the unclaimed ones Relais may write to, still under the network's
    number of reminders (``1 + max_reminders`` invitations in all), not invited in the
    last day: whom a coordinator's "send an invitation reminder" reaches."""
    if not member_ids:
        return []
    rows = await session.scalars(
        select(Member)
        .outerjoin(EmailAddress, EmailAddress.member_id == Member.id)
        .where(
            Member.id.in_(member_ids),
            *_audience(None),
            _invited() <= settings.email.max_reminders,
            or_(EmailAddress.invited_at.is_(None), EmailAddress.invited_at <= now - MANUAL_GAP),
        )
        .order_by(Member.id)
    )
    return list(rows)


@dataclass(frozen=True, slots=True)
class Census:
    """What ``relais invite --dry-run`` reports about the imported members."""

    to_invite: int
    already_invited: int
    without_email: int
    stopped: int
    claimed: int


async def census(session: AsyncSession, category: str | None = None) -> Census:
    """Imported members by where they stand with invitations."""
    imported = [Member.import_key.is_not(None), Member.status == MemberStatus.ACTIVE]
    if category is not None:
        imported.append(Member.category == category)
    unclaimed_ = and_(Member.invite_code.is_not(None), Member.consent_at.is_(None))
    kind = (
        select(
            func.count().filter(~unclaimed_),
            func.count().filter(unclaimed_, Member.email.is_(None)),
            func.count().filter(unclaimed_, Member.email.is_not(None), addresses.stopped()),
            func.count().filter(unclaimed_, addresses.mailable(), _invited() == 0),
            func.count().filter(unclaimed_, addresses.mailable(), _invited() > 0),
        )
        .select_from(Member)
        .outerjoin(EmailAddress, EmailAddress.member_id == Member.id)
        .where(*imported)
    )
    claimed, without, stopped, fresh, invited = (await session.execute(kind)).one()
    return Census(
        to_invite=int(fresh),
        already_invited=int(invited),
        without_email=int(without),
        stopped=int(stopped),
        claimed=int(claimed),
    )


@dataclass(frozen=True, slots=True)
class Links:
    """How a member claims an account, per platform: Telegram's link prefix when the
    bot's username is known (``https://t.me/<bot>?start=``)."""

    telegram: str | None = None

    @staticmethod
    def of(start_links: Mapping[str, str]) -> Links:
        return Links(telegram=start_links.get("telegram"))

    def telegram_link(self, code: str) -> str | None:
        return f"{self.telegram}{code}" if self.telegram else None


def discord_command(translator: Translator, language: str, code: str) -> str:
    """``/start code:<code>`` with Discord's command and option names in ``language``."""
    start = translator.pgettext(language, "command name", "start")
    option = translator.pgettext(language, "command name", "code")
    return f"/{start} {option}:{code}"


def qr_png(content: str) -> bytes:
    """A QR code of ``content`` as a PNG, large enough to scan from a screen or paper."""
    buffer = io.BytesIO()
    segno.make(content, error="m").save(buffer, kind="png", scale=8, border=3)
    return buffer.getvalue()


def compose(
    member: Member,
    *,
    number: int,
    settings: Settings,
    translator: Translator,
    links: Links,
) -> Message:
    """The ``number``-th invitation of ``member`` (1: the first, then reminders), in
    their language: the subject on the first line, then the body."""
    assert member.invite_code is not None
    language = translator.resolve(member.language, None)
    code = member.invite_code
    network = settings.network.name

    def _(text: str, **values: object) -> str:
        return translator.gettext(language, text, **values)

    welcome, _written = Bilingual(settings.email.welcome.fr, settings.email.welcome.en).pick(
        language, settings.network.default_language
    )
    if number == 1:
        subject = _("{network}: your invitation to join the ambassadors", network=network)
    else:
        subject = _("{network}: a reminder of your invitation", network=network)
    lines = [subject, _("Hello {name},", name=member.display_name), ""]
    if number > 1:
        lines += [_("Your place among the ambassadors is still waiting for you."), ""]
    lines += [
        welcome or _("You are invited to join the ambassadors of {network}.", network=network),
        "",
    ]
    telegram = links.telegram_link(code)
    if telegram is not None:
        lines += [
            _("On Telegram, open this link to claim your place in one tap:"),
            telegram,
            "",
        ]
    lines += [
        _("On Discord, in the network's server, type:"),
        discord_command(translator, language, code),
        "",
        _("Your personal code: {code}", code=code),
    ]
    if telegram is not None:
        lines += [_("The QR code below opens the same link on your phone.")]
    return Message(
        text="\n".join(lines),
        image_png=qr_png(telegram or code),
        language=language,
    )


async def enqueue(
    session: AsyncSession,
    members: Sequence[Member],
    *,
    now: datetime,
    settings: Settings,
    translator: Translator,
    links: Links,
) -> int:
    """Queue each member's next invitation and count it on their address, in the
    caller's transaction; returns how many were queued (a repeated call adds none)."""
    if not members:
        return 0
    ids = [member.id for member in members]
    await addresses.ensure(session, ids, now)
    states = {
        state.member_id: state
        for state in await session.scalars(
            select(EmailAddress).where(EmailAddress.member_id.in_(ids))
        )
    }
    planned = []
    for member in members:
        state = states[member.id]
        number = state.invitations + 1
        planned.append(
            queue.Planned(
                key=f"invitation:{member.id}:{number}",
                address=Address(EMAIL, str(member.id)),
                message=compose(
                    member, number=number, settings=settings, translator=translator, links=links
                ),
                private=True,
                member_id=member.id,
            )
        )
        state.invitations = number
        state.invited_at = now
        state.first_invited_at = state.first_invited_at or now
    return await queue.enqueue(session, now, BATCH, planned)
