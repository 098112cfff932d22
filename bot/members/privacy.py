"""GDPR: consent versions, a member's own data, erasure, and forgetting old applicants.

Erasure keeps the member row as an anonymous husk (status ``forgotten``): identities,
flows in progress, every personal field and every stored message to or about them (the
delivery queue's copies of application cards, signal cards, leaderboard posts, digests:
found by the subjects recorded when each was queued) go. Report texts, links and contacts
are blanked, and coordinators' notes and rejection reasons on those reports too; the
reports' kinds, dates and points stay, so aggregates and everyone else's totals do not
move. A signal a coordinator already took up (qualified, in progress, won, lost) is the
network's business record: its kind, description, stage and history stay, only the
reporter and the contact go. A signal nobody took up yet is only the reporter's words:
its description goes too, and it is closed as not relevant so that it leaves triage
instead of waiting there empty. A forgotten member has no identity left, so nothing
can reach them again, and leaderboards only show active members. The last active
coordinator cannot be erased (:class:`LastCoordinator`): the network would have nobody
left to approve, appoint or erase.

On SQLite, every connection deletes securely (``PRAGMA secure_delete``) and the caller
checkpoints the write-ahead log after the erasure commits (:func:`bot.core.db.scrub`),
so the erased bytes are in neither file.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, not_, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import audit, db, platform_state
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.delivery import queue
from bot.mailing import addresses
from bot.members import role_sync, roles, suppression
from bot.members.card_data import cards_of, forget_cards
from bot.members.directory_data import directory_of
from bot.members.membership import unused_code
from bot.members.recognition_data import recognition_of
from bot.models import (
    TAKEN_UP,
    Answer,
    Attendance,
    AuditEntry,
    BadgeEarned,
    Conversation,
    CoordinatorNote,
    Delivery,
    DeskLink,
    DeskSession,
    EmailAddress,
    EventFeedback,
    GroupGreeting,
    Identity,
    Introduction,
    KitClick,
    KitShare,
    KitUse,
    LevelReached,
    LinkAttempts,
    LinkCode,
    MeetingPair,
    Member,
    MemberStatus,
    MonthlyAmbassador,
    Nudge,
    NudgePreference,
    PointsAward,
    PointsEntry,
    Profile,
    QuizAnswer,
    ReferentCategory,
    Report,
    ReportEvent,
    ReportKind,
    Role,
    Rsvp,
    SignalStage,
    UpdateCount,
    Visibility,
)


class LastCoordinator(Exception):
    """The member is the last active coordinator: erasing them would leave the network
    with nobody to approve, appoint or erase. Another coordinator is appointed first."""


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
    identities = list(
        await session.scalars(select(Identity).where(Identity.member_id == member.id))
    )
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
            {"action": event.action, "note": event.note, "at": _when(event.created_at)}
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
    rsvps = await session.scalars(select(Rsvp).where(Rsvp.member_id == member.id).order_by(Rsvp.id))
    attended = await session.scalars(
        select(Attendance).where(Attendance.member_id == member.id).order_by(Attendance.id)
    )
    ratings = await session.scalars(
        select(EventFeedback).where(EventFeedback.member_id == member.id).order_by(EventFeedback.id)
    )
    quiz_answers = await session.scalars(
        select(QuizAnswer).where(QuizAnswer.member_id == member.id).order_by(QuizAnswer.id)
    )
    mail = await session.get(EmailAddress, member.id)
    referent_of = await session.scalars(
        select(ReferentCategory.category)
        .where(ReferentCategory.member_id == member.id)
        .order_by(ReferentCategory.category)
    )
    return {
        **await _more(session, member, identities),
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
        "event_answers": [
            {
                "occurrence": r.occurrence_id,
                "answer": r.answer.value,
                "at": _when(r.answered_at),
                "waiting_since": _when(r.waiting_since),
            }
            for r in rsvps
        ],
        "event_attendance": [
            {"occurrence": a.occurrence_id, "how": a.how, "at": _when(a.at)} for a in attended
        ],
        "event_feedback": [
            {"occurrence": f.occurrence_id, "rating": f.rating, "at": _when(f.at)} for f in ratings
        ],
        "quiz_answers": [
            {
                "question": q.question_id,
                "chosen": [index + 1 for index in q.chosen],
                "correct": q.correct,
                "at": _when(q.answered_at),
            }
            for q in quiz_answers
        ],
        "email_address": {
            "invitations": mail.invitations,
            "first_invited_at": _when(mail.first_invited_at),
            "invited_at": _when(mail.invited_at),
            "bounced_at": _when(mail.unreachable_at),
            "unsubscribed_at": _when(mail.unsubscribed_at),
        }
        if mail is not None
        else None,
        "nudge_preferences": {
            "paused_until": _when(preference.paused_until) if preference else None,
            "stopped_at": _when(preference.stopped_at) if preference else None,
            "campaign_reach": (
                preference.campaign_reach.value
                if preference and preference.campaign_reach
                else None
            ),
            "campaigns_off_at": _when(preference.campaigns_off_at) if preference else None,
        },
    }


async def _more(
    session: AsyncSession, member: Member, identities: list[Identity]
) -> dict[str, Any]:
    """The rest of :func:`my_data`: their kit links (with the clicks counted, never who
    clicked) and the items they used, what was done about them (the audit log), the
    messages queued or sent to them, coordinators' notes about them, their desk sessions,
    and a conversation in progress."""
    audit_entries = await session.scalars(
        select(AuditEntry).where(AuditEntry.target_member_id == member.id).order_by(AuditEntry.id)
    )
    messages = await session.scalars(
        select(Delivery).where(Delivery.member_id == member.id).order_by(Delivery.id)
    )
    shares = await session.execute(
        select(KitShare.item_id, KitShare.created_at, func.count(KitClick.id))
        .outerjoin(KitClick, KitClick.share_id == KitShare.id)
        .where(KitShare.member_id == member.id)
        .group_by(KitShare.id, KitShare.item_id, KitShare.created_at)
        .order_by(KitShare.id)
    )
    uses = await session.scalars(
        select(KitUse).where(KitUse.member_id == member.id).order_by(KitUse.id)
    )
    notes = await session.scalars(
        select(CoordinatorNote)
        .where(CoordinatorNote.member_id == member.id)
        .order_by(CoordinatorNote.id)
    )
    desk_sessions = await session.scalars(
        select(DeskSession).where(DeskSession.member_id == member.id).order_by(DeskSession.id)
    )
    pairs = [(i.platform, i.user_id) for i in identities]
    flows: list[Conversation] = (
        list(
            await session.scalars(
                select(Conversation)
                .where(tuple_(Conversation.platform, Conversation.user_id).in_(pairs))
                .order_by(Conversation.id)
            )
        )
        if pairs
        else []
    )
    return {
        "kit_shares": [
            {"item": item_id, "at": _when(at), "unique_clicks": int(clicks)}
            for item_id, at, clicks in shares
        ],
        "kit_used": [{"item": use.item_id, "at": _when(use.created_at)} for use in uses],
        "audit": [
            {
                "action": e.action,
                "by": e.actor_id,
                "details": e.details,
                "at": _when(e.created_at),
            }
            for e in audit_entries
        ],
        "messages": [
            {
                "text": d.message.get("text"),
                "platform": d.platform,
                "status": d.status.value,
                "queued_at": _when(d.created_at),
                "sent_at": _when(d.sent_at),
            }
            for d in messages
        ],
        "recognition": await recognition_of(session, member.id),
        "member_cards": await cards_of(session, member.id),
        "directory": await directory_of(session, member.id),
        "coordinator_notes": [
            {"text": n.text, "by": n.author_id, "at": _when(n.created_at)} for n in notes
        ],
        "desk_sessions": [
            {
                "via": d.via,
                "role": d.role.value,
                "signed_in_at": _when(d.created_at),
                "expires_at": _when(d.expires_at),
                "signed_out_at": _when(d.revoked_at),
            }
            for d in desk_sessions
        ],
        "flows_in_progress": [
            {
                "platform": c.platform,
                "flow": c.flow,
                "step": c.step,
                "data": c.data,
                "at": _when(c.updated_at),
            }
            for c in flows
        ],
    }


async def _drop_identities(session: AsyncSession, member_ids: list[int]) -> None:
    """Delete these members' identities, any flow they had in progress, the record of
    greeting them in a group, their accounts' count of wrong /link codes and of updates
    this minute, their /link
    codes (which name a platform account), what adapters keep about their private chats
    (the console's buttons), and the queued or sent messages addressed to them or naming
    them."""
    identities = (
        await session.execute(
            select(Identity.platform, Identity.user_id, Identity.private_chat_id).where(
                Identity.member_id.in_(member_ids)
            )
        )
    ).all()
    for platform, _user, chat in identities:
        if chat:
            await platform_state.forget_chat(session, platform, chat)
    if identities:
        pairs = [(platform, user_id) for platform, user_id, _chat in identities]
        for model in (Conversation, GroupGreeting, LinkAttempts, UpdateCount):
            await session.execute(
                delete(model).where(tuple_(model.platform, model.user_id).in_(pairs))
            )
    await queue.forget_renderings(session, member_ids)
    await addresses.forget(session, member_ids)  # invitations, bounces, unsubscribe token
    await session.execute(delete(LinkCode).where(LinkCode.member_id.in_(member_ids)))
    # Signed out of the desk everywhere; their sign-in links stop working.
    for desk in (DeskLink, DeskSession):
        await session.execute(delete(desk).where(desk.member_id.in_(member_ids)))
    await session.execute(delete(Identity).where(Identity.member_id.in_(member_ids)))


async def forget(
    session: AsyncSession, member: Member, clock: Clock, *, actor_id: int | None
) -> None:
    """Erase a member's personal data in the caller's transaction (see the module doc),
    or raise :class:`LastCoordinator` having changed nothing."""
    if await roles.is_last_coordinator(session, member):
        raise LastCoordinator(member.id)
    await suppression.remember(session, [member.id], clock)  # no import brings them back
    await role_sync.request(session, members=[member.id])  # while their accounts are known
    accounts = (
        await session.execute(
            select(Identity.platform, Identity.user_id).where(Identity.member_id == member.id)
        )
    ).all()
    # Their cards: revoked by going (a QR link or code of theirs verifies no more).
    await forget_cards(session, member.id, [(p, u) for p, u in accounts])
    await _drop_identities(session, [member.id])
    await _anonymize_reports(session, member, clock)
    await session.execute(delete(ReferentCategory).where(ReferentCategory.member_id == member.id))
    # Their answers, attendances and ratings of events: a place they held frees up (the
    # events job promotes the waiting list); counts of past events lose them.
    for model in (Rsvp, Attendance, EventFeedback):
        await session.execute(delete(model).where(model.member_id == member.id))
    # Their tracked kit links and the clicks counted on them (the links stop working), and
    # the items they said they used.
    shares = select(KitShare.id).where(KitShare.member_id == member.id)
    await session.execute(delete(KitClick).where(KitClick.share_id.in_(shares)))
    await session.execute(delete(KitShare).where(KitShare.member_id == member.id))
    await session.execute(delete(KitUse).where(KitUse.member_id == member.id))
    # Their quiz answers: results per question lose them (nobody ever saw them one by one).
    await session.execute(delete(QuizAnswer).where(QuizAnswer.member_id == member.id))
    # Their levels, badges and the reasons points were awarded to them: told once, kept
    # for nobody (the ledger's anonymous points stay, like a report's).
    for owned in (LevelReached, BadgeEarned, PointsAward):
        await session.execute(delete(owned).where(owned.member_id == member.id))
    await session.execute(
        update(MonthlyAmbassador)
        .where(MonthlyAmbassador.member_id == member.id)
        .values(member_id=None)
    )
    # How they asked to be reached (chat, e-mail, channel posts only): nothing to keep.
    await session.execute(delete(NudgePreference).where(NudgePreference.member_id == member.id))
    # Their directory profile, the introductions they asked for or were asked, and their
    # monthly meetings: the directory forgets them at once.
    await session.execute(delete(Profile).where(Profile.member_id == member.id))
    await session.execute(
        delete(Introduction).where(
            or_(Introduction.asker_id == member.id, Introduction.target_id == member.id)
        )
    )
    await session.execute(
        delete(MeetingPair).where(
            or_(MeetingPair.first_id == member.id, MeetingPair.second_id == member.id)
        )
    )
    # What coordinators wrote about them on the desk (notes they wrote themselves stay,
    # signed by an erased member).
    await session.execute(delete(CoordinatorNote).where(CoordinatorNote.member_id == member.id))
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
    db.request_scrub(session)


async def _anonymize_reports(session: AsyncSession, member: Member, clock: Clock) -> None:
    """Blank what the member wrote, except the description of the signals coordinators
    took up (the network's leads); close the signals nobody took up yet."""
    their_reports = select(Report.id).where(Report.member_id == member.id)
    await session.execute(
        update(ReportEvent).where(ReportEvent.report_id.in_(their_reports)).values(note=None)
    )
    taken_up = and_(
        Report.kind == ReportKind.SIGNAL, Report.stage.in_([stage.value for stage in TAKEN_UP])
    )
    await session.execute(
        update(Report).where(Report.member_id == member.id, taken_up).values(url=None, contact=None)
    )
    untriaged = list(
        await session.scalars(
            select(Report.id).where(
                Report.member_id == member.id,
                Report.kind == ReportKind.SIGNAL,
                or_(Report.stage.is_(None), Report.stage == SignalStage.NEW.value),
            )
        )
    )
    for report_id in untriaged:
        session.add(
            ReportEvent(
                report_id=report_id,
                actor_id=None,
                action=SignalStage.NOT_RELEVANT.value,
                created_at=clock.now(),
            )
        )
    await session.execute(
        update(Report).where(Report.id.in_(untriaged)).values(stage=SignalStage.NOT_RELEVANT.value)
    )
    await session.execute(
        update(Report)
        .where(Report.member_id == member.id, not_(taken_up))
        .values(text=None, url=None, contact=None)
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
    db.request_scrub(session)
    return len(ids)
