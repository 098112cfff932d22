"""Who belongs to the network: registration, sponsor codes, bootstrap roles."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import audit
from bot.core.clock import Clock
from bot.core.config import RegistrationMode, Settings
from bot.core.i18n import N_, Translator
from bot.core.text import clean_name
from bot.members import role_sync, roles
from bot.models import AuditEntry, Identity, Member, MemberStatus, Role

#: No 0/O or 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_sponsor_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def bootstrap_role(settings: Settings, identity: str, category: str | None) -> Role | None:
    """The role config grants this identity, if any (config only ever raises a role).

    A referent role is for the categories listed for them only: see
    :func:`bot.members.roles.apply_bootstrap`, which records exactly those."""
    if identity in settings.roles.coordinators:
        return Role.COORDINATOR
    if any(identity in people for people in settings.roles.referents.values()):
        return Role.REFERENT
    return None


async def find_sponsor(session: AsyncSession, code: str) -> Member | None:
    """The active member whose sponsor code this is."""
    return await session.scalar(
        select(Member).where(
            Member.sponsor_code == normalize_code(code), Member.status == MemberStatus.ACTIVE
        )
    )


CONSENT = N_(
    "To take part, {network} keeps your name, your category, your language and the "
    "actions you report, to count points and show leaderboards. Coordinators of the "
    "network can see them. You can choose to be hidden from leaderboards at any time "
    "with /privacy. Do you agree?"
)
PRIVACY_NOTICE = N_("Privacy notice: {url}")


def consent_text(settings: Settings, translator: Translator, language: str) -> str:
    """The consent asked by /start and by the sign-up form (its version is
    ``[privacy] consent_version``)."""
    text = translator.gettext(language, CONSENT, network=settings.network.name)
    if settings.network.privacy_url:
        url = settings.network.privacy_url
        text += "\n" + translator.gettext(language, PRIVACY_NOTICE, url=url)
    return text


@dataclass(frozen=True, slots=True)
class Application:
    platform: str
    user_id: str
    private_chat_id: str | None
    display_name: str
    language: str
    category: str
    sponsor_id: int | None


async def register(
    session: AsyncSession, settings: Settings, clock: Clock, application: Application
) -> Member:
    """Create the member and their first identity; active or pending per the network's
    registration mode (people with a bootstrap role are active at once)."""
    identity_name = f"{application.platform}:{application.user_id}"
    role = bootstrap_role(settings, identity_name, application.category) or Role.MEMBER
    member = await new_applicant(session, settings, clock, application, role=role)
    await _with_identity(session, member, application)
    if role is not Role.MEMBER:
        await roles.apply_bootstrap(session, settings, identity_name, member, clock.now())
    return member


async def new_applicant(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    application: Application,
    *,
    role: Role = Role.MEMBER,
    invite_code: str | None = None,
) -> Member:
    """The member row of a new application, in chat or on the sign-up form (one rule):
    active in an open network or with a role from the config, else pending; consent given
    now. ``invite_code`` lets a web applicant claim it later from a platform."""
    open_network = settings.network.registration is RegistrationMode.OPEN
    status = (
        MemberStatus.ACTIVE if open_network or role is not Role.MEMBER else MemberStatus.PENDING
    )
    now = clock.now()
    member = Member(
        display_name=clean_name(application.display_name) or application.user_id,
        status=status,
        role=role,
        category=application.category,
        language=application.language,
        sponsor_code=await unused_code(session),
        sponsor_id=application.sponsor_id,
        invite_code=invite_code,
        consent_at=now,
        consent_version=settings.privacy.consent_version,
        joined_at=now,
    )
    session.add(member)
    await session.flush()
    return member


async def _with_identity(session: AsyncSession, member: Member, application: Application) -> Member:
    """Give the member the applicant's platform identity (their first, or a claimed one)."""
    session.add(
        Identity(
            platform=application.platform,
            user_id=application.user_id,
            member_id=member.id,
            private_chat_id=application.private_chat_id,
        )
    )
    await role_sync.request(session, members=[member.id])
    return member


async def unused_code(session: AsyncSession) -> str:
    """A sponsor code no member has."""
    while True:
        code = new_sponsor_code()
        taken = await session.scalar(select(Member.id).where(Member.sponsor_code == code))
        if taken is None:
            return code


async def find_invitation(session: AsyncSession, code: str) -> Member | None:
    """The member, not claimed yet, whose invitation code this is: imported (active), or
    an applicant of the sign-up form (pending, or active in an open network)."""
    return await session.scalar(
        select(Member).where(
            Member.invite_code == normalize_code(code),
            Member.status.in_([MemberStatus.ACTIVE, MemberStatus.PENDING]),
        )
    )


async def claim(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    member_id: int,
    application: Application,
) -> Member | None:
    """Link an imported member (or a web applicant) to the person who sent their code,
    with their consent; None when the code was used meanwhile. The code works once."""
    member = await session.scalar(
        select(Member).where(Member.id == member_id, Member.invite_code.is_not(None))
    )
    if member is None:
        return None
    now = clock.now()
    member.invite_code = None
    member.language = application.language
    member.consent_at = now
    member.consent_version = settings.privacy.consent_version
    return await _with_identity(session, member, application)


async def move(
    session: AsyncSession, clock: Clock, member: Member, category: str, *, by: int
) -> AuditEntry | None:
    """Move ``member`` to ``category`` (audited, server roles to follow); None when they
    are there already. The caller tells them (:data:`bot.members.notices.MOVED`, keyed by
    the returned entry)."""
    if member.category == category:
        return None
    previous, member.category = member.category, category
    await role_sync.request(session, members=[member.id])
    entry = audit.record(
        session, clock, actor_id=by, action="member.move",
        target_member_id=member.id, category=category, previous=previous,
    )  # fmt: skip
    await session.flush()
    return entry
