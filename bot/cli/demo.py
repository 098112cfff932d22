"""``relais demo``: a realistic network in a separate database, to explore at once.

Real networks are mostly dormant with a few very active members, so the generator draws
each member a profile: dormant (about two thirds), occasional, regular or very active.
Twelve weeks of reports follow from the profiles, written in the network's language
with texts that match their kind (:mod:`bot.cli.demo_texts`); signals are spread over
every stage with their history; a few mentions are verified or rejected (with the
compensating ledger entry); plans, campaigns and nudges have their answers and outcomes
(:mod:`bot.cli.demo_animation`); the people named under ``[roles]`` exist, so
``@carol /stats``, ``/plans``, ``/campaigns`` and ``/nudges`` work in the console. Rows
are written with bulk inserts (RETURNING gives the ids back in order), which keeps
100,000 members within a minute or two on SQLite.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity.reports import SELF_REPORT, points_for
from bot.activity.review import REJECT_REASON, REJECTED
from bot.activity.signals import WON_REASON, Stage
from bot.cli import demo_animation, demo_texts
from bot.cli.progress import Progress
from bot.core.config import Settings
from bot.members.membership import CODE_ALPHABET, CODE_LENGTH
from bot.models import (
    Identity,
    Member,
    MemberStatus,
    PointsEntry,
    ReferentCategory,
    Report,
    ReportEvent,
    ReportKind,
    Role,
    Visibility,
)

DEFAULT_MEMBERS = 300
WEEKS = 12
CHUNK = 2000


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Camille Léa Hugo Chloé Lucas Inès Louis Manon Jules Zoé Arthur Émilie Nathan Sarah Théo "
    "Jeanne Paul Anaïs Gabriel Clément Amélie Yasmine Karim Sofia Mathis"
)
LAST = _words(
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefèvre Michel Garcia Fournier Girard Bonnet Mercier Rousseau Faure Chevalier Nguyen"
)
#: (share of members, reports per week while active); the rest are dormant.
PROFILES = (("very_active", 0.03, 2.0), ("regular", 0.10, 0.35), ("occasional", 0.20, 0.08))
#: The moves a signal at each stage went through, in order.
HISTORY = {
    Stage.NEW: (),
    Stage.QUALIFIED: (Stage.QUALIFIED,),
    Stage.IN_PROGRESS: (Stage.QUALIFIED, Stage.IN_PROGRESS),
    Stage.WON: (Stage.QUALIFIED, Stage.IN_PROGRESS, Stage.WON),
    Stage.LOST: (Stage.QUALIFIED, Stage.IN_PROGRESS, Stage.LOST),
    Stage.NOT_RELEVANT: (Stage.NOT_RELEVANT,),
}
#: Stages at which a coordinator has taken the signal in hand.
HANDLED = {Stage.IN_PROGRESS.value, Stage.WON.value, Stage.LOST.value}


@dataclass(frozen=True, slots=True)
class Summary:
    members: int
    reports: int
    signals: int
    points_entries: int
    plans: int = 0
    campaigns: int = 0
    nudges: int = 0


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def _insert(
    session: AsyncSession,
    model: Any,
    rows: Sequence[dict[str, Any]],
    progress: Progress | None,
    *,
    ids: bool = False,
) -> list[int]:
    """Insert in chunks; with ``ids``, return the new ids in the rows' order."""
    new_ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if ids:
            statement = insert(model).returning(model.id, sort_by_parameter_order=True)
            new_ids.extend((await session.scalars(statement, chunk)).all())
        else:
            await session.execute(insert(model), chunk)
        if progress is not None:
            progress.advance(len(chunk))
    return new_ids


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count()).select_from(Member))


async def build(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    *,
    members: int = DEFAULT_MEMBERS,
    seed: int = 7,
    progress: Progress | None = None,
) -> Summary:
    """Fill an empty database with a demo network whose history ends at ``now``."""
    rng = random.Random(seed)
    language = demo_texts.language(settings.network.default_language)
    start = now - timedelta(weeks=WEEKS)
    keys = [category.key for category in settings.categories]
    people: list[dict[str, Any]] = []
    identities: list[str | None] = []
    for identity in settings.roles.coordinators:
        people.append(_person(rng, now, keys[0], Role.COORDINATOR, identity, language))
        identities.append(identity)
    for key, referents in settings.roles.referents.items():
        for identity in referents:
            people.append(_person(rng, now, key, Role.REFERENT, identity, language))
            identities.append(identity)
    for _ in range(max(members - len(people), 0)):
        people.append(_person(rng, now, rng.choice(keys), Role.MEMBER, None, language))
        identities.append(None)
    _appoint_referents(rng, people, keys)
    codes: set[str] = set()
    while len(codes) < len(people):
        codes.add(_code(rng))
    for person, code in zip(people, codes, strict=True):
        person["sponsor_code"] = code
    member_ids = await _insert(session, Member, people, progress, ids=True)
    # A referent speaks for the category they were drawn from (see bot.members.roles).
    referent_rows = [
        {"member_id": member_id, "category": person["category"], "appointed_at": now}
        for member_id, person in zip(member_ids, people, strict=True)
        if person["role"] is Role.REFERENT
    ]
    await _insert(session, ReferentCategory, referent_rows, None)

    identity_rows = []
    for member_id, named in zip(member_ids, identities, strict=True):
        platform, _, user = (named or f"console:m{member_id}").partition(":")
        identity_rows.append(
            {
                "platform": platform,
                "user_id": user,
                "member_id": member_id,
                "private_chat_id": user if platform == "console" else None,
            }
        )
    await _insert(session, Identity, identity_rows, progress)

    coordinator_ids = [
        member_id
        for member_id, person in zip(member_ids, people, strict=True)
        if person["role"] is Role.COORDINATOR
    ] or member_ids[:1]
    reports: list[dict[str, Any]] = []
    for member_id, person in zip(member_ids, people, strict=True):
        if person["status"] is not MemberStatus.ACTIVE:
            continue
        rate = _rate(rng, person["role"])
        since = max(person["joined_at"], start)
        weeks = (now - since) / timedelta(weeks=1)
        for _ in range(_poisson(rng, rate * weeks)):
            created = since + (now - since) * rng.random()
            reports.append(demo_texts.report(rng, member_id, created, now, language))
    cast = demo_animation.Cast(
        settings,
        now,
        rng,
        language,
        members={
            member_id: (person["category"], person["role"], person["joined_at"])
            for member_id, person in zip(member_ids, people, strict=True)
            if person["status"] is MemberStatus.ACTIVE
        },
        signs={},
        coordinator=coordinator_ids[0],
    )
    for report in reports:
        cast.sign(report["member_id"], report["created_at"])
    plans, campaigns, nudges = await demo_animation.build(session, cast)
    for member_id, when, kind in cast.follow_ups:  # "I did something": the report
        if when < now:
            reports.append(demo_texts.report(rng, member_id, when, now, language, kind))
    reports.sort(key=lambda report: report["created_at"])
    for report in reports:
        if report["stage"] in HANDLED:
            report["assignee_id"] = rng.choice(coordinator_ids)
    report_ids = await _insert(session, Report, reports, progress, ids=True)

    last_action: dict[int, datetime] = dict(cast.signs)
    points, events = [], []
    signals = 0
    for report_id, report in zip(report_ids, reports, strict=True):
        member_id, created = report["member_id"], report["created_at"]
        last_action[member_id] = max(created, last_action.get(member_id, created))
        earned = points_for(settings, report["kind"], report["subkind"])
        points.append(
            _entry(member_id, earned, SELF_REPORT, report_id, f"report:{report_id}", created)
        )
        actor = report["assignee_id"] or rng.choice(coordinator_ids)
        if report["kind"] is ReportKind.SIGNAL:
            signals += 1
            stage = Stage(report["stage"])
            moved = created
            for step in HISTORY[stage]:
                moved = min(moved + timedelta(days=rng.uniform(0.5, 6)), now)
                events.append(_event(report_id, actor, step.value, moved))
            if stage is Stage.WON:
                points.append(
                    _entry(
                        member_id,
                        settings.points.signal_won,
                        WON_REASON,
                        report_id,
                        f"{WON_REASON}:{report_id}",
                        moved,
                    )
                )
        elif report["review"] is not None:
            reviewed = min(created + timedelta(days=rng.uniform(0.2, 3)), now)
            events.append(_event(report_id, actor, report["review"], reviewed))
            if report["review"] == REJECTED and earned:
                points.append(
                    _entry(
                        member_id,
                        -earned,
                        REJECT_REASON,
                        report_id,
                        f"reject:{report_id}",
                        reviewed,
                    )
                )
    await _insert(session, PointsEntry, points, progress)
    await _insert(session, ReportEvent, events, progress)
    await _set_last_actions(session, last_action)
    return Summary(len(member_ids), len(report_ids), signals, len(points), plans, campaigns, nudges)


async def _set_last_actions(session: AsyncSession, last_action: dict[int, datetime]) -> None:
    """ORM bulk update by primary key: one executemany per chunk."""
    rows = [{"id": member_id, "last_action_at": when} for member_id, when in last_action.items()]
    for start in range(0, len(rows), CHUNK):
        await session.execute(update(Member), rows[start : start + CHUNK])


def _person(
    rng: random.Random,
    now: datetime,
    category: str,
    role: Role,
    identity: str | None,
    language: str,
) -> dict[str, Any]:
    draw = rng.random()
    status = MemberStatus.ACTIVE
    if role is Role.MEMBER and draw < 0.04:
        status = MemberStatus.PENDING
    elif role is Role.MEMBER and draw < 0.05:
        status = MemberStatus.REJECTED
    name = (
        identity.partition(":")[2].capitalize()
        if identity
        else (f"{rng.choice(FIRST)} {rng.choice(LAST)}")
    )
    joined = (
        now - timedelta(days=rng.uniform(1, 7 * 30))
        if role is Role.MEMBER
        else (now - timedelta(weeks=30))
    )
    return {
        "display_name": name,
        "status": status,
        "role": role,
        "category": category,
        "language": language if rng.random() < 0.8 else ("en" if language == "fr" else "fr"),
        "visibility": Visibility.NAME if rng.random() < 0.9 else Visibility.ANONYMOUS,
        "consent_at": joined,
        "consent_version": "1",
        "joined_at": joined,
    }


def _appoint_referents(rng: random.Random, people: list[dict[str, Any]], keys: list[str]) -> None:
    """Two referents per category (with the configured ones), among active members."""
    for key in keys:
        ordinary = [
            p
            for p in people
            if p["category"] == key
            and p["role"] is Role.MEMBER
            and p["status"] is MemberStatus.ACTIVE
        ]
        named = sum(1 for p in people if p["category"] == key and p["role"] is Role.REFERENT)
        for person in rng.sample(ordinary, k=max(0, min(2 - named, len(ordinary)))):
            person["role"] = Role.REFERENT


def _rate(rng: random.Random, role: Role) -> float:
    """Reports per week for a member: referents are among the very active."""
    if role is Role.REFERENT:
        return PROFILES[0][2]
    if role is Role.COORDINATOR:
        return 0.0
    draw = rng.random()
    for _name, share, rate in PROFILES:
        if draw < share:
            return rate * rng.uniform(0.6, 1.4)
        draw -= share
    return 0.0


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; means here stay small)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit, count, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _entry(
    member_id: int, points: int, reason: str, report_id: int, key: str, when: datetime
) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "points": points,
        "reason": reason,
        "report_id": report_id,
        "unique_key": key,
        "created_at": when,
    }


def _event(report_id: int, actor: int, action: str, when: datetime) -> dict[str, Any]:
    return {
        "report_id": report_id,
        "actor_id": actor,
        "action": action,
        "note": None,
        "created_at": when,
    }
