"""The nudge ladder for dormant members, without being a pest. Platform-free.

A member is dormant ``dormant_days`` after their last sign of life (or their joining),
as :mod:`bot.activity.engagement` defines it: a report, any answer to a plan or campaign,
a referent's own work. The *spell* starts at that sign of life; a new one starts a new
spell, which resets the ladder:

1. a gentle nudge when they become dormant;
2. a personal one ``personal_after_days`` later (their category's current call to
   action when there is one, their rank) — or a week after "Remind me next week";
3. ``referent_after_days`` later they are listed in their referent's weekly digest;
4. then silence.

Never nudged: members not active (pending, rejected, erased), imported members who never
claimed their account, coordinators, members who paused or stopped nudges, members with
no reachable private chat. A referent is never listed in their own digest. At most one nudge per
``min_gap_days``; none in quiet hours (the member's time zone, else the network's): a
nudge due at night waits for the morning's run.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import groupby
from operator import attrgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.animation.nudge_buttons import NudgeAnswer
from bot.animation.wording import Wording
from bot.core.batching import chunked
from bot.core.bilingual import Bilingual
from bot.core.config import NudgeSettings, Settings
from bot.core.i18n import N_, Translator
from bot.core.port import Address
from bot.core.timetable import parse_time
from bot.delivery.recipients import rank, reachable
from bot.models import (
    ActionPlan,
    Campaign,
    CampaignRun,
    Identity,
    Member,
    MemberStatus,
    Nudge,
    NudgePreference,
    NudgeStep,
    Report,
    Role,
)

#: Built-in wordings, used when config declares none: (key, gentle, personal).
BUILT_IN: tuple[tuple[str, str, str], ...] = (
    (
        "warm",
        N_(
            "Hello {name}! We have not heard from you for a while, and we miss you. "
            "Whatever you did for {network} lately counts: a post, a conversation, a lead. "
            "Tell us in two taps?"
        ),
        N_(
            "{name}, the {category} ambassadors keep {network} moving, and your voice "
            "matters among them. A post, a word to a colleague, a contact: anything counts."
        ),
    ),
    (
        "brief",
        N_("{name}, a quick one: did you speak about {territory} lately? One tap is enough."),
        N_("{name}, one small action this week? The {category} ambassadors count on you."),
    ),
)

#: How /nudges names the built-in wordings.
BUILT_IN_LABELS = {
    "warm": N_("Warm (“we miss you”)"),
    "brief": N_("Brief (one quick question)"),
}

ANSWERS: dict[NudgeAnswer, str] = {
    "did": N_("I did something"),
    "lead": N_("I have a lead"),
    "later": N_("Remind me next week"),
    "pause": N_("Pause for a month"),
    "stop": N_("Stop these messages"),
}
MESSAGE_STEPS = (NudgeStep.GENTLE, NudgeStep.PERSONAL)


# -- wordings -----------------------------------------------------------------------


def variant_keys(settings: NudgeSettings) -> list[str]:
    return [v.key for v in settings.variants] or [key for key, _g, _p in BUILT_IN]


def variant_for(settings: NudgeSettings, member_id: int) -> str:
    """A wording drawn at random once per member: a hash of their id, so it never
    changes and a transcript replays the same."""
    keys = variant_keys(settings)
    digest = hashlib.sha256(f"nudge-variant:{member_id}".encode()).digest()
    return keys[int.from_bytes(digest[:8], "big") % len(keys)]


def variant_label(
    translator: Translator, settings: NudgeSettings, variant: str, language: str
) -> str:
    """What a coordinator reads for a wording: its configured label, the built-in one's,
    else its key (a wording since removed from the config)."""
    for configured in settings.variants:
        if configured.key == variant and configured.label is not None:
            return configured.label.get(language)
    if variant in BUILT_IN_LABELS and not any(v.key == variant for v in settings.variants):
        return translator.gettext(language, BUILT_IN_LABELS[variant])
    return variant


def territory(translator: Translator, settings: Settings, language: str) -> str:
    """The territory's name with its article, for "did you speak about …"."""
    configured = settings.network.territory
    if configured is not None:
        return configured.get(language)
    return translator.gettext(language, N_("our territory"))


def text(
    translator: Translator,
    settings: NudgeSettings,
    variant: str,
    step: NudgeStep,
    language: str,
    **values: object,
) -> str:
    """The wording of a step in a variant: config text in the member's language, or a
    built-in message through the translator."""
    for configured in settings.variants:
        if configured.key == variant:
            chosen = configured.gentle if step is NudgeStep.GENTLE else configured.personal
            return chosen.get(language).format(**values)
    built = {key: (gentle, personal) for key, gentle, personal in BUILT_IN}
    gentle, personal = built.get(variant, (BUILT_IN[0][1], BUILT_IN[0][2]))
    return translator.gettext(language, gentle if step is NudgeStep.GENTLE else personal, **values)


def category_label(settings: Settings, key: str, language: str) -> str:
    category = settings.category(key)
    return category.name.get(language) if category else key


async def current_call(
    session: AsyncSession, category: str, at: datetime, *, language: str, default: str
) -> str | None:
    """The category's current call to action, for the personal nudge: the newest action
    plan still open, else the newest campaign run still open that targets it; in the
    reader's ``language``, else the network's ``default`` (the one rule)."""
    plan = await session.scalar(
        select(ActionPlan)
        .where(
            ActionPlan.category == category,
            ActionPlan.posted_at <= at,
            ActionPlan.window_ends_at > at,
        )
        .order_by(ActionPlan.posted_at.desc(), ActionPlan.id.desc())
        .limit(1)
    )
    if plan is not None:
        wording = Wording(
            text=Bilingual(fr=plan.text_fr, en=plan.text_en),
            call=Bilingual(fr=plan.call_fr, en=plan.call_en),
            title=Bilingual(fr=plan.title_fr, en=plan.title_en),
        )
        title, _text, call = wording.part(wording.language_for(language, default))
        return f"{title} — {call}"
    runs = await session.execute(
        select(CampaignRun.categories, Campaign.call_fr, Campaign.call_en)
        .join(Campaign, Campaign.id == CampaignRun.campaign_id)
        .where(CampaignRun.started_at <= at, CampaignRun.ends_at > at)
        .order_by(CampaignRun.started_at.desc(), CampaignRun.id.desc())
    )
    for categories, call_fr, call_en in runs:
        if not categories or category in categories:
            return Bilingual(fr=call_fr, en=call_en).pick(language, default)[0]
    return None


# -- the ladder ---------------------------------------------------------------------


class Rung(NamedTuple):
    """What the ladder needs of a rung already reached: a plain row, not a ``Nudge``."""

    spell_start: datetime
    ordinal: int
    step: NudgeStep
    sent_at: datetime
    answer: str | None
    answered_at: datetime | None


def next_rung(
    settings: NudgeSettings, start: datetime, rungs: Sequence[Rung | Nudge]
) -> tuple[NudgeStep, datetime] | None:
    """The next step of this spell and when it is due; None once the ladder is done."""
    if not rungs:
        return NudgeStep.GENTLE, start + timedelta(days=settings.dormant_days)
    last = rungs[-1]
    if last.step is NudgeStep.REFERENT:
        return None
    if last.answer == "later" and last.answered_at is not None:
        return NudgeStep.PERSONAL, last.answered_at + timedelta(days=settings.snooze_days)
    if last.step is NudgeStep.GENTLE:
        return NudgeStep.PERSONAL, last.sent_at + timedelta(days=settings.personal_after_days)
    return NudgeStep.REFERENT, last.sent_at + timedelta(days=settings.referent_after_days)


def in_quiet_hours(settings: NudgeSettings, moment: datetime, timezone: str) -> bool:
    local = moment.astimezone(ZoneInfo(timezone)).time()
    start, end = (time(*parse_time(settings.quiet_start)), time(*parse_time(settings.quiet_end)))
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


@dataclass(frozen=True, slots=True)
class Nudgee:
    """What a nudge needs of a member: read as columns, not as a whole member."""

    id: int
    display_name: str
    language: str
    category: str


@dataclass(frozen=True, slots=True)
class Due:
    """A rung to add now: for a message step, where to send it."""

    member: Nudgee
    step: NudgeStep
    ordinal: int
    start: datetime
    address: Address | None


def _zone(settings: Settings, timezone: str | None) -> str:
    """The member's time zone if it is a valid one, else the network's."""
    zone = timezone or settings.network.timezone
    try:
        ZoneInfo(zone)
    except (KeyError, ValueError):
        return settings.network.timezone
    return zone


#: Member ids per page of the dormancy scan: the scan holds one page at a time.
PAGE = 2_000


def _eligible(settings: Settings, at: datetime) -> list[ColumnElement[bool]]:
    """Who may be on the ladder at all: dormant (:func:`engagement.dormant`), not a
    coordinator, and neither stopped nor paused (needs the preference outer join)."""
    return [
        engagement.dormant(at, settings.nudges.dormant_days),
        Member.role != Role.COORDINATOR,
        or_(
            NudgePreference.member_id.is_(None),
            and_(
                NudgePreference.stopped_at.is_(None),
                or_(NudgePreference.paused_until.is_(None), NudgePreference.paused_until <= at),
            ),
        ),
    ]


async def due_page(
    session: AsyncSession,
    settings: Settings,
    at: datetime,
    platforms: Collection[str],
    *,
    after: int = 0,
    size: int = PAGE,
) -> tuple[list[Due], int | None]:
    """The rungs due at ``at`` among members with ids in ``(after, after + size]``, and
    the cursor of the next page (None after the last member). A message rung needs a
    private chat on one of ``platforms`` (chosen by the rule of :mod:`bot.delivery.recipients`).

    Pages are ranges of ids (keyset pagination on the primary key), not ``LIMIT``: each
    page reads a bounded slice of the index whatever the planner estimates, and holds at
    most ``size`` members' columns — never whole members — so memory stays bounded.
    Every table is read for the page's range only, in two queries: the members with
    their reachable identities joined (a member's private address is chosen from those
    rows), and the page's rungs as plain rows. Asked per member instead ("has a
    reachable identity?", then the addresses for an ``IN`` list of ids), PostgreSQL
    hashed every identity of the network at each page — a scan of the whole table per
    page, the scan's cost growing with the square of the network.
    """
    config = settings.nudges
    until = after + size
    # Members with no reachable private chat and no rung ever can have none now: the
    # first rung of every spell is the gentle message. Left out in SQL, they cost nothing
    # (many members never open the private chat with the bot).
    laddered = select(Nudge.member_id).where(Nudge.member_id > after, Nudge.member_id <= until)
    rows = (
        await session.execute(
            select(
                Member.id.label("member_id"),
                engagement.spell_start().label("start"),
                Member.timezone,
                Member.display_name,
                Member.language,
                Member.category,
                Member.preferred_platform,
                Identity.id.label("identity_id"),
                Identity.platform,
                Identity.private_chat_id,
                Identity.last_private_at,
            )
            .outerjoin(NudgePreference, NudgePreference.member_id == Member.id)
            .outerjoin(
                Identity,
                and_(
                    Identity.member_id == Member.id,
                    Identity.member_id > after,  # the page's range, for every planner
                    Identity.member_id <= until,
                    *reachable(),
                ),
            )
            .where(
                Member.id > after,
                Member.id <= until,
                *_eligible(settings, at),
                or_(Identity.id.is_not(None), Member.id.in_(laddered)),
            )
            .order_by(Member.id)
        )
    ).all()
    highest = await session.scalar(select(func.max(Member.id)))
    following = until if highest is not None and highest > until else None
    if not rows:
        return [], following
    rungs: dict[int, list[Rung]] = defaultdict(list)
    for rung_row in await session.execute(
        select(
            Nudge.member_id,
            Nudge.spell_start,
            Nudge.ordinal,
            Nudge.step,
            Nudge.sent_at,
            Nudge.answer,
            Nudge.answered_at,
        )
        .where(Nudge.member_id > after, Nudge.member_id <= until)
        .order_by(Nudge.member_id, Nudge.sent_at, Nudge.ordinal)
    ):
        rungs[rung_row[0]].append(Rung(*rung_row[1:]))
    allowed = set(platforms)
    found: list[Due] = []
    quiet: dict[str | None, bool] = {}
    gap = at - timedelta(days=config.min_gap_days)
    for member_id, member_rows in groupby(rows, key=attrgetter("member_id")):
        member = list(member_rows)  # one row per reachable identity (one row without any)
        first = member[0]
        start, timezone = first.start, first.timezone
        address = _address(allowed, first.preferred_platform, member)
        history = rungs.get(member_id)
        spell = [n for n in history if n.spell_start == start] if history else []
        rung = next_rung(config, start, spell)
        if rung is None or rung[1] > at:
            continue
        step = rung[0]
        if step in MESSAGE_STEPS:
            if address is None:
                continue  # unreachable: never nudged
            if history and any(n.sent_at > gap for n in history if n.step in MESSAGE_STEPS):
                continue
            if timezone not in quiet:
                quiet[timezone] = in_quiet_hours(config, at, _zone(settings, timezone))
            if quiet[timezone]:
                continue
        ordinal = max((n.ordinal for n in spell), default=0) + 1
        nudgee = Nudgee(member_id, first.display_name, first.language, first.category)
        found.append(Due(nudgee, step, ordinal, start, address))
    return found, following


def _address(allowed: Collection[str], preferred: str | None, rows: list[Any]) -> Address | None:
    """The member's private address among their page rows, one per reachable identity
    (its columns empty without one), by the rule of :mod:`bot.delivery.recipients`; ranked only
    when there are several."""
    candidates = [
        row
        for row in rows
        if row.identity_id is not None
        and row.private_chat_id is not None
        and row.platform in allowed
    ]
    if not candidates:
        return None
    if len(candidates) > 1:
        candidates.sort(
            key=lambda row: rank(row.platform, preferred, row.last_private_at, row.identity_id)
        )
    return Address(candidates[0].platform, candidates[0].private_chat_id)


async def due(
    session: AsyncSession, settings: Settings, at: datetime, platforms: Collection[str]
) -> list[Due]:
    """Every rung that should be added at ``at``, members in id order (all pages: for
    callers that want the whole list; the nudge job goes page by page)."""
    found: list[Due] = []
    cursor: int | None = 0
    while cursor is not None:
        page, cursor = await due_page(session, settings, at, platforms, after=cursor)
        found.extend(page)
    return found


# -- answers and preferences ----------------------------------------------------------


async def preference(session: AsyncSession, member_id: int, now: datetime) -> NudgePreference:
    found = await session.get(NudgePreference, member_id)
    if found is None:
        found = NudgePreference(member_id=member_id, updated_at=now)
        session.add(found)
    return found


async def referent_list(
    session: AsyncSession, category: str, at: datetime, *, reader: int | None = None
) -> list[tuple[Nudge, Member]]:
    """Dormant members of ``category`` who reached the referent step of their current
    spell and whom no referent has contacted yet, longest dormant first; never the
    ``reader`` (a referent is not listed in their own digest)."""
    started = engagement.spell_start()
    rows = await session.execute(
        select(Nudge, Member)
        .join(Member, Member.id == Nudge.member_id)
        .outerjoin(NudgePreference, NudgePreference.member_id == Member.id)
        .where(
            Nudge.step == NudgeStep.REFERENT,
            Nudge.contacted_at.is_(None),
            Nudge.spell_start == started,
            Nudge.sent_at <= at,
            Member.category == category,
            Member.status == MemberStatus.ACTIVE,
            *([Member.id != reader] if reader is not None else []),
            NudgePreference.stopped_at.is_(None),
        )
        .order_by(Nudge.spell_start, Member.id)
    )
    return [(nudge, member) for nudge, member in rows]


# -- measuring ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VariantStats:
    variant: str
    nudges: int
    members: int
    #: Nudges whose week of observation is over, and those followed by a sign of life.
    matured: int
    acted: int


async def stats(
    session: AsyncSession, since: datetime, now: datetime, window: timedelta = timedelta(days=7)
) -> tuple[list[VariantStats], dict[str, int]]:
    """Per variant: message nudges sent since ``since`` and the share followed by a
    sign of life (:mod:`bot.activity.engagement`: a report, or anything that moved
    ``last_action_at``) within ``window``;
    and how often each answer was pressed. Counted in Python: date arithmetic in SQL
    differs between SQLite and PostgreSQL."""
    rows = (
        await session.execute(
            select(
                Nudge.variant, Nudge.member_id, Nudge.sent_at, Nudge.answer, Member.last_action_at
            )
            .join(Member, Member.id == Nudge.member_id)
            .where(Nudge.step.in_(MESSAGE_STEPS), Nudge.sent_at >= since)
        )
    ).all()
    actions: dict[int, list[datetime]] = defaultdict(list)
    member_ids = {row[1] for row in rows}
    for chunk in chunked(sorted(member_ids)):
        for member_id, created in await session.execute(
            select(Report.member_id, Report.created_at).where(
                Report.member_id.in_(chunk), Report.created_at >= since
            )
        ):
            actions[member_id].append(created)
    per: dict[str, list[tuple[int, datetime, bool]]] = defaultdict(list)
    answers: dict[str, int] = defaultdict(int)
    for variant, member_id, sent_at, answer, last_action in rows:
        moments = [*actions[member_id], *([last_action] if last_action else [])]
        acted = any(sent_at <= moment < sent_at + window for moment in moments)
        per[variant or "?"].append((member_id, sent_at, acted))
        if answer:
            answers[answer] += 1
    result = []
    for variant in sorted(per):
        items = per[variant]
        matured = [item for item in items if item[1] + window <= now]
        result.append(
            VariantStats(
                variant=variant,
                nudges=len(items),
                members=len({item[0] for item in items}),
                matured=len(matured),
                acted=sum(1 for item in matured if item[2]),
            )
        )
    return result, dict(answers)
