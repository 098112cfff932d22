"""The weekly quiz question in the channels: which question each channel gets, one post
per channel and week, and closing it.

Each category's channel gets a question for that category (else one for everyone), the
general channel one for everyone, the question posted least so far first, so the whole
set comes round before any repeats. One :class:`~bot.models.QuizPost` per chat and week is
a database constraint: a rerun of the job for the same week (a restart, a catch-up,
another process) posts nothing. A post is claimed before it is sent and sent at most once;
a crash in between loses that week's question in that chat, never doubles it.

On Telegram the question is a native quiz poll (non-anonymous, so every answer comes back
as a ``poll_answer`` naming the poll; the post keeps the poll's id); elsewhere its text
and one button per option (:mod:`bot.animation.quiz_buttons`). Channels are shared, so
the post speaks the network's default language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation import quiz, quiz_buttons
from bot.core.config import Settings
from bot.core.db import insert_ignoring_conflicts
from bot.core.periods import week_start
from bot.core.port import Address, Message, QuizPoll
from bot.delivery import channels
from bot.models import QuizPost, QuizQuestion


def period(now: datetime, timezone: str) -> str:
    """The week a post belongs to, named by its start (``20261130``)."""
    return week_start(now, timezone).strftime("%Y%m%d")


async def pick(session: AsyncSession, scope: str) -> QuizQuestion | None:
    """The live question for ``scope`` posted least so far (oldest first among equals):
    the category's own before those for everyone."""
    category = channels.scope_category(scope)
    posted = dict(
        (question_id, int(n))
        for question_id, n in await session.execute(
            select(QuizPost.question_id, func.count()).group_by(QuizPost.question_id)
        )
    )
    live = list(
        await session.scalars(
            select(QuizQuestion).where(QuizQuestion.retired_at.is_(None)).order_by(QuizQuestion.id)
        )
    )
    own = [q for q in live if category is not None and category in q.categories]
    everyone = [q for q in live if not q.categories]
    for candidates in (own, everyone):
        if candidates:
            return min(candidates, key=lambda q: (posted.get(q.id, 0), q.id))
    return None


async def claim(
    session: AsyncSession,
    address: Address,
    question: QuizQuestion,
    *,
    week: str,
    closes_at: datetime,
    now: datetime,
) -> int | None:
    """This chat's post for the week (its id), or None when it already has one."""
    result = await session.execute(
        insert_ignoring_conflicts(session, QuizPost, on=("platform", "chat_id", "period")),
        {
            "question_id": question.id,
            "platform": address.platform,
            "chat_id": address.chat_id,
            "period": week,
            "closes_at": closes_at,
            "posted_at": now,
        },
    )
    if not getattr(result, "rowcount", 0):
        return None
    return await session.scalar(
        select(QuizPost.id).where(
            QuizPost.platform == address.platform,
            QuizPost.chat_id == address.chat_id,
            QuizPost.period == week,
        )
    )


def message(question: QuizQuestion, settings: Settings, header: str) -> Message:
    """The post: text and buttons, and the native quiz poll where platforms have one."""
    language = settings.network.default_language
    asked = quiz.asked(question, language, language)
    return Message(
        text=quiz_buttons.text(asked, header),
        buttons=tuple(tuple(row) for row in quiz_buttons.buttons(question.id, asked)),
        language=language,
        quiz=QuizPoll(
            question=asked.text,
            options=asked.options,
            correct=question.correct[0],
            explanation=asked.explanation,
        ),
    )


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: str | None
    poll_id: str | None


def parse_sent(platform_id: str | None) -> Sent:
    """What ``send`` returned: ``<message id>/<poll id>`` for a native poll."""
    if platform_id is None:
        return Sent(None, None)
    message_id, _slash, poll_id = platform_id.partition("/")
    return Sent(message_id, poll_id or None)


async def record_sent(session: AsyncSession, post_id: int, sent: Sent) -> None:
    await session.execute(
        update(QuizPost)
        .where(QuizPost.id == post_id)
        .values(message_id=sent.message_id, poll_id=sent.poll_id)
    )


async def by_poll(session: AsyncSession, platform: str, poll_id: str) -> QuizPost | None:
    return await session.scalar(
        select(QuizPost).where(QuizPost.platform == platform, QuizPost.poll_id == poll_id)
    )


async def close_due(session: AsyncSession, now: datetime) -> list[QuizPost]:
    """The posts whose time is up, marked closed (each is closed once)."""
    due = list(
        await session.scalars(
            select(QuizPost).where(QuizPost.closed_at.is_(None), QuizPost.closes_at <= now)
        )
    )
    for post in due:
        post.closed_at = now
    return due


def open_until(now: datetime, days: int) -> datetime:
    return now + timedelta(days=days)
