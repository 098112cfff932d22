"""GDPR: consent versions, a member's own data, erasure, and forgetting old applicants.

Erasure keeps the member row as an anonymous husk (status ``forgotten``): identities,
flows in progress, messages queued to them and every personal field go; report texts,
links and contacts are blanked, and coordinators' notes on those reports too; the
reports' kinds, dates and points stay, so aggregates and everyone else's totals do not
move. A forgotten member has no identity left, so nothing can reach them again, and
leaderboards only show active members.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import audit
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.members import role_sync, suppression
from bot.members.membership import unused_code
from bot.models import (
    Answer,
    Conversation,
    Delivery,
    GroupGreeting,
    Identity,
    LinkCode,
    Member,
    MemberStatus,
    Nudge,
    NudgePreference,
    PointsEntry,
    ReferentCategory,
    Report,
    ReportEvent,
    Role,
    Visibility,
)


def needs_consent(member: Member, settings: Settings) -> bool:
    """The member agreed to another version of the consent text (or to none)."""
    return (
        member.status is not MemberStatus.FORGOTTEN
        and member.consent_version != settings.privacy.consent_version
    )


def give_consent(member: Member, settings: Settings, now: datetime) -> None:
    member.consent_at = now
    member.consent_version = settings.privacy.consent_version


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def my_data(session: AsyncSession, member: Member) -> dict[str, Any]:
    """Everything Relais holds about this member, as JSON-ready data."""
    identities = await session.scalars(select(Identity).where(Identity.member_id == member.id))
    reports = list(
        await session.scalars(
            select(Report).where(Report.member_id == member.id).order_by(Report.id)
        )
    )
    events = await session.scalars(
        select(ReportEvent)
        .where(ReportEvent.report_id.in_([report.id for report in reports]))
        .order_by(ReportEvent.id)
    )
    history: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        history.setdefault(event.report_id, []).append(
            {"action": event.action, "at": _when(event.created_at)}
        )
    entries = await session.scalars(
        select(PointsEntry).where(PointsEntry.member_id == member.id).order_by(PointsEntry.id)
    )
    answers = await session.scalars(
        select(Answer).where(Answer.member_id == member.id).order_by(Answer.id)
    )
    nudges = await session.scalars(
        select(Nudge).where(Nudge.member_id == member.id).order_by(Nudge.sent_at, Nudge.id)
    )
    preference = await session.get(NudgePreference, member.id)
    referent_of = await session.scalars(
        select(ReferentCategory.category)
        .where(ReferentCategory.member_id == member.id)
        .order_by(ReferentCategory.category)
    )
    return {
        "member": {
            "id": member.id,
            "name": member.display_name,
            "email": member.email,
            "phone": member.phone,
            "status": member.status.value,
            "role": member.role.value,
            "category": member.category,
            "language": member.language,
            "timezone": member.timezone,
            "leaderboard_visibility": member.visibility.value,
            "preferred_platform": member.preferred_platform,
            "sponsor_code": member.sponsor_code,
            "sponsor_id": member.sponsor_id,
            "joined_at": _when(member.joined_at),
            "consent_at": _when(member.consent_at),
            "consent_version": member.consent_version,
            "last_action_at": _when(member.last_action_at),
        },
        "identities": [
            {"platform": i.platform, "user_id": i.user_id, "private_chat_id": i.private_chat_id}
            for i in identities
        ],
        "reports": [
            {
                "id": r.id,
                "kind": r.kind.value,
                "subkind": r.subkind,
                "text": r.text,
                "url": r.url,
                "contact": r.contact,
                "stage": r.stage,
                "review": r.review,
                "created_at": _when(r.created_at),
                "history": history.get(r.id, []),
            }
            for r in reports
        ],
        "points": [
            {
                "points": e.points,
                "reason": e.reason,
                "report_id": e.report_id,
                "at": _when(e.created_at),
            }
            for e in entries
        ],
        "referent_of": list(referent_of),
        "answers": [
            {
                "to": a.subject,
                "answer": a.answer,
                "at": _when(a.answered_at),
                "changed_at": _when(a.changed_at),
            }
            for a in answers
        ],
        "nudges": [
            {
                "step": n.step.value,
                "wording": n.variant,
                "at": _when(n.sent_at),
                "answer": n.answer,
                "answered_at": _when(n.answered_at),
                "contacted_by_referent_at": _when(n.contacted_at),
            }
            for n in nudges
        ],
        "nudge_preferences": {
            "paused_until": _when(preference.paused_until) if preference else None,
            "stopped_at": _when(preference.stopped_at) if preference else None,
        },
    }


async def _drop_identities(session: AsyncSession, member_ids: list[int]) -> None:
    """Delete these members' identities, any flow they had in progress, the record of
    greeting them in a group, their /link codes (which name a platform account), and the
    queued or sent messages addressed to them."""
    identities = (
        await session.execute(
            select(Identity.platform, Identity.user_id).where(Identity.member_id.in_(member_ids))
        )
    ).all()
    if identities:
        pairs = [(platform, user_id) for platform, user_id in identities]
        for model in (Conversation, GroupGreeting):
            await session.execute(
                delete(model).where(tuple_(model.platform, model.user_id).in_(pairs))
            )
    await session.execute(delete(Delivery).where(Delivery.member_id.in_(member_ids)))
    await session.execute(delete(LinkCode).where(LinkCode.member_id.in_(member_ids)))
    await session.execute(delete(Identity).where(Identity.member_id.in_(member_ids)))


async def forget(
    session: AsyncSession, member: Member, clock: Clock, *, actor_id: int | None
) -> None:
    """Erase a member's personal data in the caller's transaction (see the module doc)."""
    await suppression.remember(session, [member.id], clock)  # no import brings them back
    await role_sync.request(session, members=[member.id])  # while their accounts are known
    await _drop_identities(session, [member.id])
    their_reports = select(Report.id).where(Report.member_id == member.id)
    await session.execute(
        update(ReportEvent).where(ReportEvent.report_id.in_(their_reports)).values(note=None)
    )
    await session.execute(
        update(Report)
        .where(Report.member_id == member.id)
        .values(text=None, url=None, contact=None)
    )
    await session.execute(delete(ReferentCategory).where(ReferentCategory.member_id == member.id))
    member.role = Role.MEMBER
    member.display_name = ""
    member.email = member.phone = member.timezone = member.preferred_platform = None
    member.invite_code = member.import_key = None
    member.consent_at = member.consent_version = None
    member.sponsor_id = None
    member.sponsor_code = await unused_code(session)
    member.status = MemberStatus.FORGOTTEN
    member.visibility = Visibility.HIDDEN
    member.forgotten_at = clock.now()
    audit.record(
        session,
        clock,
        actor_id=actor_id,
        action="member.forget",
        target_member_id=member.id,
        on_request_of="self" if actor_id == member.id else "coordinator",
    )


async def purge_applicants(session: AsyncSession, settings: Settings, clock: Clock) -> int:
    """Delete applicants never approved (pending or rejected) older than the retention
    period; returns how many. Safe to run any number of times."""
    cutoff = clock.now() - timedelta(days=settings.privacy.applicant_retention_days)
    stale = select(Member.id).where(
        Member.status.in_([MemberStatus.PENDING, MemberStatus.REJECTED]),
        Member.joined_at < cutoff,
    )
    ids = list(await session.scalars(stale))
    if not ids:
        return 0
    await suppression.remember(session, ids, clock)  # no import brings them back
    await _drop_identities(session, ids)
    await session.execute(delete(Member).where(Member.id.in_(ids)))
    audit.record(session, clock, actor_id=None, action="member.purge", count=len(ids))
    return len(ids)
