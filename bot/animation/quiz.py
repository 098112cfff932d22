"""The quiz that teaches the territory: which questions a member gets, what an answer
earns, what the network does not know yet.

Learning, not an exam: a wrong answer costs nothing and is shown with its explanation,
nobody else sees a member's answers, and only each member's *first* answer to a question
counts (one :class:`~bot.models.QuizAnswer` row per member and question, a database
constraint). A first correct answer earns ``[quiz] points`` once (ledger key
``quiz:<question>:<member>``), counted in ``[points] daily_cap`` only when ``[quiz]
in_daily_cap`` says so. Answering is a sign of life for the nudge ladder, not an action of
its own: it proves the member is there, not that they spoke for the territory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement
from bot.core.bilingual import Bilingual
from bot.core.config import Settings
from bot.core.db import insert_ignoring_conflicts, is_sqlite
from bot.core.periods import day_start
from bot.models import Member, PointsEntry, QuizAnswer, QuizQuestion
from bot.models.quiz import MAX_OPTIONS, MIN_OPTIONS

#: The ledger reason of quiz points.
QUIZ = "quiz"
#: The ledger reason of reports, which the daily cap bounds (:mod:`bot.activity.reports`).
_SELF_REPORT = "report"
MAX_TEXT, MAX_OPTION, MAX_EXPLANATION = 300, 100, 200


class InvalidQuestion(ValueError):
    """A question that cannot be asked; ``reason`` says why, in English, for coordinators."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Draft:
    """A question before it is stored: validated by :func:`check`."""

    text: Bilingual
    options: dict[str, tuple[str, ...]]
    correct: tuple[int, ...]
    explanation: Bilingual
    categories: tuple[str, ...] = ()


def check(draft: Draft, category_keys: Sequence[str]) -> Draft:
    """The draft if it can be asked on every platform (Telegram's quiz limits: 2–10
    options of 100 characters, a 300-character question, a 200-character explanation);
    else :class:`InvalidQuestion`."""
    languages = draft.text.written()
    if not languages:
        raise InvalidQuestion("the question has no text")
    if len(draft.text.fr) > MAX_TEXT or len(draft.text.en) > MAX_TEXT:
        raise InvalidQuestion(f"the question is over {MAX_TEXT} characters")
    counts = set()
    for language in languages:
        options = draft.options.get(language, ())
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise InvalidQuestion(
                f"{language}: a question has {MIN_OPTIONS} to {MAX_OPTIONS} options"
            )
        if any(not option or len(option) > MAX_OPTION for option in options):
            raise InvalidQuestion(f"{language}: an option is empty or over {MAX_OPTION} characters")
        counts.add(len(options))
    for language in ("fr", "en"):
        if language not in languages and draft.options.get(language):
            raise InvalidQuestion(f"{language}: options without the question's text")
    if len(counts) != 1:
        raise InvalidQuestion("the two languages have different numbers of options")
    count = counts.pop()
    if not draft.correct or any(not 0 <= index < count for index in draft.correct):
        raise InvalidQuestion(f"the correct option must be a number from 1 to {count}")
    if len(draft.explanation.fr) > MAX_EXPLANATION or len(draft.explanation.en) > MAX_EXPLANATION:
        raise InvalidQuestion(f"the explanation is over {MAX_EXPLANATION} characters")
    unknown = [key for key in draft.categories if key not in category_keys]
    if unknown:
        raise InvalidQuestion(f"unknown category {unknown[0]!r}")
    return draft


def build(draft: Draft, *, author_id: int | None, now: datetime) -> QuizQuestion:
    return QuizQuestion(
        text_fr=draft.text.fr,
        text_en=draft.text.en,
        options_fr=list(draft.options.get("fr", ())),
        options_en=list(draft.options.get("en", ())),
        correct=sorted(set(draft.correct)),
        explanation_fr=draft.explanation.fr,
        explanation_en=draft.explanation.en,
        categories=list(draft.categories),
        author_id=author_id,
        created_at=now,
    )


@dataclass(frozen=True, slots=True)
class Asked:
    """A question as one reader sees it."""

    text: str
    options: tuple[str, ...]
    explanation: str
    language: str


def asked(question: QuizQuestion, language: str, default: str) -> Asked:
    """The question in the reader's language, else the network's, else the other one."""
    text, chosen = Bilingual(question.text_fr, question.text_en).pick(language, default)
    options = tuple(question.options_fr if chosen == "fr" else question.options_en)
    explanation = question.explanation_fr if chosen == "fr" else question.explanation_en
    other = question.explanation_en if chosen == "fr" else question.explanation_fr
    return Asked(text=text, options=options, explanation=explanation or other, language=chosen)


async def unanswered(session: AsyncSession, member: Member, limit: int) -> list[QuizQuestion]:
    """Up to ``limit`` live questions for the member's category they never answered,
    oldest first (the network's basics before the latest news)."""
    answered = select(QuizAnswer.question_id).where(QuizAnswer.member_id == member.id)
    rows = await session.scalars(
        select(QuizQuestion)
        .where(QuizQuestion.retired_at.is_(None), QuizQuestion.id.not_in(answered))
        .order_by(QuizQuestion.id)
    )
    return [q for q in rows if concerns(q, member.category)][:limit]


def concerns(question: QuizQuestion, category: str | None) -> bool:
    return not question.categories or (category is not None and category in question.categories)


@dataclass(frozen=True, slots=True)
class Outcome:
    correct: bool
    #: False when the member had answered this question before: nothing was counted.
    first: bool
    points: int


def is_correct(question: QuizQuestion, chosen: Sequence[int]) -> bool:
    """Right when something was chosen and all of it is correct: with several correct
    options, a button (one option) or a poll answer naming any of them counts."""
    return bool(chosen) and set(chosen) <= set(question.correct)


async def record(
    session: AsyncSession,
    settings: Settings,
    member: Member,
    question: QuizQuestion,
    chosen: Sequence[int],
    *,
    source: str,
    now: datetime,
) -> Outcome:
    """Record the member's answer if it is their first to this question, and credit a
    correct first answer once. A second answer (a double press, a redelivered
    ``poll_answer``) changes nothing and says so."""
    correct = is_correct(question, chosen)
    inserted = await session.execute(
        insert_ignoring_conflicts(session, QuizAnswer, on=("member_id", "question_id")),
        {
            "member_id": member.id,
            "question_id": question.id,
            "chosen": sorted(set(chosen)),
            "correct": correct,
            "source": source,
            "answered_at": now,
        },
    )
    engagement.sign_of_life(member, now)
    if not getattr(inserted, "rowcount", 0):
        return Outcome(correct=correct, first=False, points=0)
    points = settings.quiz.points if correct else 0
    if points and settings.quiz.in_daily_cap:
        points = await _under_cap(session, settings, member, points, now)
    if points:
        await session.execute(
            insert_ignoring_conflicts(session, PointsEntry, on=("unique_key",)),
            {
                "member_id": member.id,
                "points": points,
                "reason": QUIZ,
                "report_id": None,
                "unique_key": f"quiz:{question.id}:{member.id}",
                "created_at": now,
            },
        )
    return Outcome(correct=correct, first=True, points=points)


async def _under_cap(
    session: AsyncSession, settings: Settings, member: Member, points: int, now: datetime
) -> int:
    """What is left of ``points`` under the daily cap shared with the member's reports."""
    if not is_sqlite(session):
        await session.execute(select(Member.id).where(Member.id == member.id).with_for_update())
    earned = await session.scalar(
        select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
            PointsEntry.member_id == member.id,
            PointsEntry.reason.in_((_SELF_REPORT, QUIZ)),
            PointsEntry.created_at >= day_start(now, settings.network.timezone),
        )
    )
    return max(0, min(points, settings.points.daily_cap - int(earned or 0)))


@dataclass(frozen=True, slots=True)
class Result:
    question: QuizQuestion
    answers: int
    correct: int
    #: Category key (``""`` for members without one) → (answers, correct).
    by_category: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def share(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


async def results(session: AsyncSession, category: str | None = None) -> list[Result]:
    """Every live question (for ``category``, if given: its questions, and its members'
    answers only) with its first answers, how many were correct, and the same by the
    answerers' category; the least known first: what the network (or the category) does
    not know yet. Counts only; nobody's own answers."""
    query = (
        select(
            QuizAnswer.question_id,
            Member.category,
            func.count(),
            func.sum(func.cast(QuizAnswer.correct, Integer)),
        )
        .join(Member, Member.id == QuizAnswer.member_id)
        .group_by(QuizAnswer.question_id, Member.category)
    )
    if category is not None:
        query = query.where(Member.category == category)
    per_category: dict[int, dict[str, tuple[int, int]]] = {}
    for question_id, key, total, right in await session.execute(query):
        per_category.setdefault(question_id, {})[key or ""] = (int(total), int(right or 0))
    questions = await session.scalars(
        select(QuizQuestion).where(QuizQuestion.retired_at.is_(None)).order_by(QuizQuestion.id)
    )
    found = []
    for question in questions:
        if category is not None and not concerns(question, category):
            continue
        split = per_category.get(question.id, {})
        found.append(
            Result(
                question,
                answers=sum(total for total, _right in split.values()),
                correct=sum(right for _total, right in split.values()),
                by_category=dict(sorted(split.items())),
            )
        )
    return sorted(found, key=lambda r: (r.answers == 0, r.share, r.question.id))


def retire(question: QuizQuestion, now: datetime) -> bool:
    """Stop asking a question (in /quiz and the question of the week; a press on an old
    post is answered "no longer active"); its answers stay. False if it already was."""
    if question.retired_at is not None:
        return False
    question.retired_at = now
    return True
