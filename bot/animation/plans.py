"""Referents' action plans: posted to their category's channels, answered with buttons,
and a reminder on the due date for members who said "I'm on it" but not "Done".

A plan is written and its channel posts enqueued in the same transaction, so it either
exists and goes out, or neither. The reminder is idempotent twice over: ``reminded_at``
marks the plan, and each reminder's delivery key names the plan and the member.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.animation import addressed, calls, wording
from bot.animation.addressed import Call
from bot.animation.calls import Subject
from bot.animation.kit.buttons import KitOpen
from bot.animation.wording import Wording
from bot.core.bilingual import Bilingual
from bot.core.config import Settings
from bot.core.i18n import N_, Translator
from bot.core.port import Address, Button, Message
from bot.delivery import audience, channels, queue
from bot.models import ActionPlan, Answer, Member

MAX_TITLE = 120
MAX_TEXT = 1500
MAX_CALL = 300
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

DUE = N_("To do by {date}")
BY = N_("— {name}, for the {category} ambassadors")
KIT_ITEM = N_("To share, in the kit: {title}")
OPEN_KIT = N_("Open in the kit")
REMINDER = N_("Reminder: today is the due date of “{title}”. You said you were on it — is it done?")


def parse_date(text: str, today: date) -> date | None:
    """``20/03/2026``, ``20/03`` (the next such day) or ``2026-03-20``; None if not a
    date or in the past."""
    text = text.strip()
    try:
        iso = _ISO_DATE.match(text)
        if iso:
            found = date(int(iso[1]), int(iso[2]), int(iso[3]))
        else:
            match = _DATE.match(text)
            if match is None:
                return None
            day, month = int(match[1]), int(match[2])
            found = date(int(match[3]) if match[3] else today.year, month, day)
            if not match[3] and found < today:
                found = found.replace(year=today.year + 1)
    except ValueError:
        return None
    return found if found >= today else None


def local_today(settings: Settings, now: datetime) -> date:
    return now.astimezone(ZoneInfo(settings.network.timezone)).date()


def at_local(settings: Settings, day: date, hour: int) -> datetime:
    zone = ZoneInfo(settings.network.timezone)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def format_date(settings: Settings, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(settings.network.timezone)).strftime("%d/%m/%Y")


@dataclass(frozen=True, slots=True)
class Draft:
    category: str
    title: Bilingual
    text: Bilingual
    call_to_action: Bilingual
    due: date | None
    #: A kit item the plan asks members to share: (its id, its title).
    kit_item: tuple[int, str] | None = None

    @property
    def wording(self) -> Wording:
        return Wording(text=self.text, call=self.call_to_action, title=self.title)


def draft_of(plan: ActionPlan) -> Draft:
    return Draft(
        category=plan.category,
        title=Bilingual(fr=plan.title_fr, en=plan.title_en),
        text=Bilingual(fr=plan.text_fr, en=plan.text_en),
        call_to_action=Bilingual(fr=plan.call_fr, en=plan.call_en),
        due=None,
    )


def title_for(plan: ActionPlan, language: str, default: str) -> str:
    """The plan's title for a reader of ``language`` (the one rule)."""
    return Bilingual(fr=plan.title_fr, en=plan.title_en).pick(language, default)[0]


def render(
    translator: Translator,
    settings: Settings,
    language: str,
    draft: Draft,
    *,
    author: str,
    subject: Subject | None,
) -> Message:
    """The plan as members see it in the channel, ``language`` being the network's: its
    text first, the other language's below when written (a preview when ``subject`` is
    :data:`calls.PREVIEW`)."""
    category = settings.category(draft.category)
    lines, below = wording.for_channel(draft.wording, language)
    if draft.due is not None:
        lines.append(translator.gettext(language, DUE, date=draft.due.strftime("%d/%m/%Y")))
    lines.append(
        translator.gettext(
            language,
            BY,
            name=author,
            category=category.name.get(language) if category else draft.category,
        )
    )
    rows = calls.buttons(translator, language, subject)
    if draft.kit_item is not None:
        item_id, title = draft.kit_item
        lines.append(translator.gettext(language, KIT_ITEM, title=title))
        label = translator.gettext(language, OPEN_KIT)
        rows = [*rows, [Button(label, KitOpen(item_id).pack())]]
    lines += below
    return Message.with_rows("\n".join(lines), rows)


async def channel_addresses(
    session: AsyncSession, settings: Settings, category: str, platforms: Sequence[str]
) -> list[Address]:
    scope = channels.category_scope(category)
    return await channels.addresses_for(session, settings, scope, platforms)


async def publish(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    draft: Draft,
    author_id: int,
    author_name: str,
    platforms: Sequence[str],
    now: datetime,
) -> tuple[ActionPlan, int]:
    """Store the plan and enqueue its post in every bound channel of its category."""
    window = timedelta(days=settings.animation.results_window_days)
    due_at = ends = None
    if draft.due is not None:
        due_at = at_local(settings, draft.due, settings.animation.reminder_hour)
        ends = at_local(settings, draft.due + timedelta(days=1), 0)
    plan = ActionPlan(
        author_id=author_id,
        category=draft.category,
        title_fr=draft.title.fr,
        title_en=draft.title.en,
        text_fr=draft.text.fr,
        text_en=draft.text.en,
        call_fr=draft.call_to_action.fr,
        call_en=draft.call_to_action.en,
        due_at=due_at,
        posted_at=now,
        window_ends_at=max(ends, now + timedelta(hours=1)) if ends else now + window,
        kit_item_id=draft.kit_item[0] if draft.kit_item else None,
    )
    session.add(plan)
    await session.flush()
    author = await session.get(Member, author_id)  # the caller's, already in the session
    if author is not None:
        engagement.sign_of_life(author, now)  # posting a plan is a referent's own work
    language = settings.network.default_language
    subject = Subject(plan_id=plan.id)
    message = render(translator, settings, language, draft, author=author_name, subject=subject)
    addresses = await channel_addresses(session, settings, draft.category, platforms)
    batch = f"plan:{plan.id}"
    planned = [audience.to_channel(batch, address, message) for address in addresses]
    return plan, await queue.enqueue(session, now, batch, planned)


async def latest(
    session: AsyncSession, categories: Sequence[str], *, offset: int, limit: int
) -> tuple[list[ActionPlan], int]:
    """The plans of ``categories``, newest first: ``limit`` of them from ``offset``, and
    how many there are in all — what ``/plans`` and the desk's list page through."""
    in_scope = ActionPlan.category.in_(categories)
    total = int(await session.scalar(select(func.count()).where(in_scope)) or 0)
    rows = await session.scalars(
        select(ActionPlan)
        .where(in_scope)
        .order_by(ActionPlan.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), total


def call(plan: ActionPlan) -> Call:
    """Whom the plan addresses (see :mod:`bot.animation.addressed`)."""
    return Call(categories=(plan.category,), author_id=plan.author_id)


async def answer_counts(
    session: AsyncSession, subjects: Sequence[str]
) -> dict[str, dict[str, int]]:
    """subject → answer → how many, for listing several plans at once: the answers a
    plan's results count (:func:`bot.animation.addressed.answer_counts`), nothing else,
    in one query for all of them."""
    counts: dict[str, dict[str, int]] = {subject: {} for subject in subjects}
    ids = [s.plan_id for s in map(Subject.from_part, subjects) if s and s.plan_id is not None]
    if not ids:
        return counts
    found = await session.scalars(select(ActionPlan).where(ActionPlan.id.in_(ids)))
    wanted = {calls.plan_subject(plan.id): (call(plan), [plan.category]) for plan in found}
    counts.update(await addressed.answer_counts(session, wanted))
    return counts


async def remind_due(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    """On (or after) each plan's due time, once: remind whoever answered "I'm on it"."""
    due = await session.scalars(
        select(ActionPlan)
        .where(ActionPlan.due_at.is_not(None), ActionPlan.due_at <= now)
        .where(ActionPlan.reminded_at.is_(None))
        .order_by(ActionPlan.id)
        .with_for_update(skip_locked=True)
    )
    queued = 0
    for plan in list(due):
        subject = calls.plan_subject(plan.id)
        on_it = await session.scalars(
            select(Answer.member_id).where(
                Answer.subject == subject, Answer.answer == calls.Choice.ON_IT.value
            )
        )

        def reminder(language: str, plan: ActionPlan = plan) -> Message:
            return Message.with_rows(
                translator.gettext(
                    language,
                    REMINDER,
                    title=title_for(plan, language, settings.network.default_language),
                ),
                calls.buttons(
                    translator,
                    language,
                    Subject(plan_id=plan.id),
                    (calls.Choice.DONE, calls.Choice.NOT_FOR_ME),
                ),
            )

        queued += await audience.tell_members(
            session,
            now=now,
            platforms=platforms,
            member_ids=list(on_it),
            key_prefix=f"plan:{plan.id}:reminder",
            batch=f"plan:{plan.id}:reminder",
            render=reminder,
        )
        plan.reminded_at = now
    return queued
