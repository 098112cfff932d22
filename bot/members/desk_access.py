"""Who may open the web desk, and for how long: one-time links and desk sessions.

* ``/desk`` issues a **one-time link**: a random token (only its SHA-256 is stored) bound
  to the membership, the account that asked and the role it acts with; single use, valid
  :data:`LINK_MINUTES` minutes.
* Redeeming it (or a validated Telegram Mini App sign-in) opens a **desk session**: a
  random token in an HttpOnly cookie (again only its hash stored), a form token against
  cross-site forms, an expiry (``[web] session_hours``). Signing out revokes it.
* A session is worth something only while its member is active and still acts with the
  role it was opened for: a coordinator stepping down, a member erased or rejected, is
  signed out everywhere at their next click.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members import link_roles
from bot.models import DeskLink, DeskSession, Identity, Member, MemberStatus, Role

#: How long a sign-in link stays valid.
LINK_MINUTES = 10
#: How long used and expired links are kept (so a late click hears "already used").
KEEP_LINKS = timedelta(days=1)


def digest(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def issue_link(
    session: AsyncSession, member: Member, identity: Identity | None, now: datetime
) -> str:
    """A new one-time sign-in token for this member and account (the link's last part);
    older unused links of the member stop working, and stale rows are swept."""
    await session.execute(delete(DeskLink).where(DeskLink.expires_at < now - KEEP_LINKS))
    await session.execute(
        update(DeskLink)
        .where(DeskLink.member_id == member.id, DeskLink.used_at.is_(None))
        .values(expires_at=now)
    )
    token = new_token()
    session.add(
        DeskLink(
            token_hash=digest(token),
            member_id=member.id,
            identity_id=identity.id if identity is not None else None,
            role=link_roles.acting_role(member, identity),
            created_at=now,
            expires_at=now + timedelta(minutes=LINK_MINUTES),
        )
    )
    await session.flush()
    return token


class Refusal(StrEnum):
    """Why a sign-in did not open a session."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    #: The member is no longer active, or no longer acts with the link's role.
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Opened:
    """A new session: the cookie's token and the session row."""

    token: str
    row: DeskSession


async def redeem(
    session: AsyncSession, token: str, now: datetime, *, hours: int
) -> Opened | Refusal:
    """Use a one-time link: once, within its validity, for the role it was issued for.
    The link is marked used by a conditional update, so two clicks open one session."""
    link = await session.scalar(select(DeskLink).where(DeskLink.token_hash == digest(token)))
    if link is None:
        return Refusal.UNKNOWN
    if link.used_at is not None:
        return Refusal.USED
    if link.expires_at <= now:
        return Refusal.EXPIRED
    claimed = await session.execute(
        update(DeskLink)
        .where(DeskLink.id == link.id, DeskLink.used_at.is_(None))
        .values(used_at=now)
    )
    if not getattr(claimed, "rowcount", 0):
        return Refusal.USED
    member = await session.get(Member, link.member_id)
    identity = await session.get(Identity, link.identity_id) if link.identity_id else None
    if member is None or not _still(member, identity, link.role):
        return Refusal.CHANGED
    return await open_session(session, member, identity, now, hours=hours, via="link")


def _still(member: Member, identity: Identity | None, role: Role) -> bool:
    return member.status is MemberStatus.ACTIVE and link_roles.acting_role(member, identity) is role


async def open_session(
    session: AsyncSession,
    member: Member,
    identity: Identity | None,
    now: datetime,
    *,
    hours: int,
    via: str,
) -> Opened:
    """A new desk session for this account; sessions expired for a day are swept (the
    member's ``/mydata`` lists the recent ones, signed out or not)."""
    await session.execute(delete(DeskSession).where(DeskSession.expires_at < now - KEEP_LINKS))
    token = new_token()
    row = DeskSession(
        token_hash=digest(token),
        member_id=member.id,
        identity_id=identity.id if identity is not None else None,
        role=link_roles.acting_role(member, identity),
        csrf=secrets.token_urlsafe(24),
        via=via,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(row)
    await session.flush()
    return Opened(token, row)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who is at the desk: the session, the member and the account it was opened from."""

    row: DeskSession
    member: Member
    identity: Identity | None


async def signed_in(session: AsyncSession, token: str, now: datetime) -> SignedIn | None:
    """The live session of this cookie, or None: unknown, revoked, expired, or its member
    no longer active with the session's role."""
    if not token:
        return None
    row = await session.scalar(select(DeskSession).where(DeskSession.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    member = await session.get(Member, row.member_id)
    identity = await session.get(Identity, row.identity_id) if row.identity_id else None
    if member is None or not _still(member, identity, row.role):
        return None
    return SignedIn(row, member, identity)


async def revoke(session: AsyncSession, session_id: int, now: datetime) -> None:
    await session.execute(
        update(DeskSession)
        .where(DeskSession.id == session_id, DeskSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_all(session: AsyncSession, member_id: int, now: datetime) -> int:
    """Sign a member out of every browser (how many sessions were live)."""
    result = await session.execute(
        update(DeskSession)
        .where(
            DeskSession.member_id == member_id,
            DeskSession.revoked_at.is_(None),
            DeskSession.expires_at > now,
        )
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def may_open(member: Member) -> bool:
    """Whether this member may open a desk session at all (the pages then check more)."""
    return member.status is MemberStatus.ACTIVE
