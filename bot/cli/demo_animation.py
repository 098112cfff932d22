"""The demo network's animation: action plans with answers, campaigns with their runs
and answers, and the nudge ladder with its answers and outcomes, so that ``/plans``,
``/campaigns`` and ``/nudges`` show a network that has been animated for weeks.

Rows follow the rules the bot itself follows: answers come from members the call
addressed (their category), only members with a sign of life answer, a "Done" earns its
points under the key the bot uses (so pressing again later adds nothing), nudges go to
dormant members at the rung the ladder would have reached, with the spell they belong to
(the bot continues the same ladders), and "I did something" is followed by the report.

Events, kit items and badges will add their own ``_build`` function here as those
features land: each takes the same :class:`Cast` and returns its rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation.calls import Choice, campaign_subject, done_key, plan_subject
from bot.animation.calls import Subject as CallSubject
from bot.animation.nudging import variant_for
from bot.cli.demo_texts import CAMPAIGNS, PLANS, Call
from bot.core.config import Settings
from bot.core.port import Message
from bot.delivery import queue
from bot.models import (
    ActionPlan,
    Answer,
    Campaign,
    CampaignRun,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    Nudge,
    NudgePreference,
    NudgeStep,
    PointsEntry,
    Repeat,
    Role,
)

#: When each category's plans went out, in weeks before now (the last is still open).
PLAN_WEEKS = (10.0, 5.0, 0.3)
ANSWER_WEIGHTS = ((Choice.DONE, 5), (Choice.ON_IT, 3), (Choice.NOT_FOR_ME, 2))
#: How dormant members answer a nudge (the rest do not answer).
NUDGE_ANSWERS = (("did", 9), ("lead", 3), ("later", 7), ("pause", 5), ("stop", 4), (None, 72))


@dataclass
class Cast:
    """Who is in the demo network, and when each last showed a sign of life."""

    settings: Settings
    now: datetime
    rng: random.Random
    language: str
    #: member id → (category, role, joined at) of active members.
    members: dict[int, tuple[str, Role, datetime]]
    #: member id → their latest sign of life (a report, an answer); moved by answers.
    signs: dict[int, datetime]
    coordinator: int
    #: Follow-up reports of nudge answers: (member id, when, "mention" or "signal").
    follow_ups: list[tuple[int, datetime, str]] = field(default_factory=list)

    def lively(self, category: str | None) -> list[int]:
        """Members of ``category`` (any when None) with a sign of life: the ones who answer."""
        return [
            member_id
            for member_id, (their, role, _joined) in self.members.items()
            if member_id in self.signs
            and role is not Role.COORDINATOR
            and (category is None or their == category)
        ]

    def author(self, category: str) -> int:
        referents = [
            member_id
            for member_id, (their, role, _joined) in self.members.items()
            if their == category and role is Role.REFERENT
        ]
        return referents[0] if referents else self.coordinator

    def sign(self, member_id: int, when: datetime) -> None:
        if self.signs.get(member_id, when) <= when:
            self.signs[member_id] = when


async def build(session: AsyncSession, cast: Cast) -> tuple[int, int, int]:
    """Plans, campaigns and nudges; how many of each were written."""
    points: list[dict[str, Any]] = []
    plans = await _plans(session, cast, points)
    campaigns = await _campaigns(session, cast, points)
    if points:
        await session.execute(insert(PointsEntry), points)
    nudges = await _nudges(session, cast)
    return plans, campaigns, nudges


def _answers(
    cast: Cast,
    subject: CallSubject,
    voters: list[int],
    start: datetime,
    end: datetime,
    share: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Answers of a share of ``voters`` within [start, end) and the points "Done" earns."""
    rng, answers, points = cast.rng, [], []
    earned = (
        cast.settings.points.plan_done if subject.plan_id else cast.settings.points.campaign_done
    )
    end = min(end, cast.now)
    for member_id in voters:
        if rng.random() >= share or end <= start:
            continue
        choice = rng.choices([c for c, _ in ANSWER_WEIGHTS], [w for _, w in ANSWER_WEIGHTS])[0]
        when = start + (end - start) * rng.random()
        answers.append(
            {
                "subject": subject.key,
                "member_id": member_id,
                "answer": choice.value,
                "answered_at": when,
                "changed_at": when,
            }
        )
        cast.sign(member_id, when)
        if choice is Choice.DONE and earned:
            points.append(
                {
                    "member_id": member_id,
                    "points": earned,
                    "reason": "plan" if subject.plan_id else "campaign",
                    "unique_key": done_key(subject, member_id),
                    "created_at": when,
                }
            )
    return answers, points


async def _plans(session: AsyncSession, cast: Cast, points: list[dict[str, Any]]) -> int:
    texts = PLANS[cast.language]
    rows: list[dict[str, Any]] = []
    for category in (c.key for c in cast.settings.categories):
        for number, weeks in enumerate(PLAN_WEEKS):
            posted = cast.now - timedelta(weeks=weeks)
            due = posted + timedelta(days=7)
            words = texts[number % len(texts)]
            rows.append(
                {
                    "author_id": cast.author(category),
                    "category": category,
                    f"title_{cast.language}": words.title,
                    f"text_{cast.language}": words.text,
                    f"call_{cast.language}": words.call_to_action,
                    "due_at": due,
                    "posted_at": posted,
                    "window_ends_at": due,
                    "reminded_at": due if due <= cast.now else None,
                }
            )
    statement = insert(ActionPlan).returning(ActionPlan.id, sort_by_parameter_order=True)
    ids = list((await session.scalars(statement, rows)).all())
    answers: list[dict[str, Any]] = []
    for plan_id, row in zip(ids, rows, strict=True):
        voters = [m for m in cast.lively(row["category"]) if m != row["author_id"]]
        subject = CallSubject(plan_id=plan_id)
        assert subject.key == plan_subject(plan_id)
        more, earned = _answers(cast, subject, voters, row["posted_at"], row["window_ends_at"], 0.5)
        answers += more
        points += earned
    if answers:
        await session.execute(insert(Answer), answers)
    return len(ids)


async def _campaigns(session: AsyncSession, cast: Cast, points: list[dict[str, Any]]) -> int:
    """A one-off that ran for everyone, a weekly one for two categories still running,
    and one scheduled for the coming days."""
    texts, now = CAMPAIGNS[cast.language], cast.now
    keys = [c.key for c in cast.settings.categories]
    window = timedelta(days=cast.settings.animation.results_window_days)
    weekly_start = now - timedelta(weeks=5) + timedelta(days=2)
    empty: list[str] = []
    plans: tuple[tuple[Call, list[str], datetime, Repeat, int, datetime | None], ...] = (
        (texts[0], empty, now - timedelta(weeks=8), Repeat.NONE, 1, None),
        (texts[1], keys[:2], weekly_start, Repeat.WEEKLY, 5, weekly_start + timedelta(weeks=5)),
        (texts[2], empty, now + timedelta(days=3), Repeat.NONE, 0, now + timedelta(days=3)),
    )
    answers: list[dict[str, Any]] = []
    for words, categories, starts, repeat, runs, next_run in plans:
        campaign_id = await session.scalar(
            insert(Campaign)
            .values(
                author_id=cast.coordinator,
                categories=categories,
                **{
                    f"text_{cast.language}": words.text,
                    f"call_{cast.language}": words.call_to_action,
                },
                starts_at=starts,
                repeat=repeat,
                direct=False,
                status=CampaignStatus.SCHEDULED if next_run else CampaignStatus.DONE,
                next_run_at=next_run,
                runs=runs,
                created_at=min(starts, now) - timedelta(days=1),
                updated_at=min(starts, now),
            )
            .returning(Campaign.id)
        )
        assert campaign_id is not None
        for occurrence in range(1, runs + 1):
            started = starts + timedelta(weeks=occurrence - 1)
            ends = started + (timedelta(weeks=1) if repeat is Repeat.WEEKLY else window)
            await session.execute(
                insert(CampaignRun).values(
                    campaign_id=campaign_id,
                    occurrence=occurrence,
                    categories=categories,
                    started_at=started,
                    ends_at=ends,
                )
            )
            await _posts(session, campaign_id, occurrence, categories or keys, words, started)
            subject = CallSubject(campaign_id=campaign_id, occurrence=occurrence)
            assert subject.key == campaign_subject(campaign_id, occurrence)
            targeted: list[str | None] = list(categories) or [None]
            voters = [m for key in targeted for m in cast.lively(key)]
            more, earned = _answers(cast, subject, voters, started, ends, 0.3)
            answers += more
            points += earned
    if answers:
        await session.execute(insert(Answer), answers)
    return len(plans)


async def _posts(
    session: AsyncSession,
    campaign_id: int,
    occurrence: int,
    categories: list[str],
    words: Call,
    sent: datetime,
) -> None:
    """A run's posts, sent, in its categories' console channels (``/campaigns`` counts
    them), keyed as the bot keys them."""
    message = queue.encode(Message(f"{words.text}\n→ {words.call_to_action}"))
    rows = [
        {
            "key": f"campaign:{campaign_id}:{occurrence}:ch:console:#{key}:",
            "batch": f"campaign:{campaign_id}",
            "platform": "console",
            "chat_id": f"#{key}",
            "thread_id": None,
            "private": False,
            "member_id": None,
            "message": message,
            "status": DeliveryStatus.SENT,
            "attempts": 1,
            "not_before": sent,
            "created_at": sent,
            "sent_at": sent,
        }
        for key in categories
    ]
    await session.execute(insert(Delivery), rows)


async def _nudges(session: AsyncSession, cast: Cast) -> int:
    """The ladder each dormant member reached: a gentle nudge after ``dormant_days``, a
    personal one ``personal_after_days`` later, then their referent's digest; answers
    stop it (a pause, a stop) or end the spell ("I did something": the report follows)."""
    rules, rng, now = cast.settings.nudges, cast.rng, cast.now
    rows: list[dict[str, Any]] = []
    preferences: list[dict[str, Any]] = []
    for member_id, (_category, role, joined) in cast.members.items():
        if role is not Role.MEMBER:
            continue
        spell = cast.signs.get(member_id, joined)
        sent = spell + timedelta(days=rules.dormant_days)
        steps = (
            (NudgeStep.GENTLE, timedelta(0)),
            (NudgeStep.PERSONAL, timedelta(days=rules.personal_after_days)),
            (NudgeStep.REFERENT, timedelta(days=rules.referent_after_days)),
        )
        for ordinal, (step, after) in enumerate(steps, start=1):
            sent += after
            if sent >= now:
                break
            answer = None
            if step is not NudgeStep.REFERENT:
                options = [a for a, _ in NUDGE_ANSWERS]
                answer = rng.choices(options, [w for _, w in NUDGE_ANSWERS])[0]
            answered = min(sent + timedelta(hours=rng.uniform(1, 48)), now) if answer else None
            contacted = (
                step is NudgeStep.REFERENT and sent + timedelta(days=2) < now and rng.random() < 0.4
            )
            rows.append(
                {
                    "member_id": member_id,
                    "spell_start": spell,
                    "ordinal": ordinal,
                    "step": step,
                    "variant": None
                    if step is NudgeStep.REFERENT
                    else variant_for(rules, member_id),
                    "sent_at": sent,
                    "answer": answer,
                    "answered_at": answered,
                    "contacted_at": sent + timedelta(days=2) if contacted else None,
                    "contacted_by": None,
                }
            )
            if answered is None or answer == "later":
                continue
            if answer in ("did", "lead"):
                kind = "mention" if answer == "did" else "signal"
                cast.follow_ups.append((member_id, answered + timedelta(minutes=3), kind))
            elif answer in ("pause", "stop"):
                preferences.append(
                    {
                        "member_id": member_id,
                        "paused_until": answered + timedelta(days=rules.pause_days)
                        if answer == "pause"
                        else None,
                        "stopped_at": answered if answer == "stop" else None,
                        "updated_at": answered,
                    }
                )
            break
    if rows:
        await session.execute(insert(Nudge), rows)
    if preferences:
        await session.execute(insert(NudgePreference), preferences)
    return len(rows)
