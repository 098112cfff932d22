"""The quiz that teaches the territory: questions, members' answers, where a question was
posted.

A member's *first* answer to a question is the one that counts (points for a correct one,
the share of correct answers in the results): one :class:`QuizAnswer` per member and
question is a database constraint, so a retried update, a double press or a Telegram
``poll_answer`` delivered twice can never count twice. A question already answered is not
offered again in a private round; answering it again in a channel changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime

#: Telegram's quiz polls take 2–10 options; every platform keeps to it.
MIN_OPTIONS, MAX_OPTIONS = 2, 10


class QuizQuestion(Base):
    """A question in French and/or English with the same options in each language written."""

    __tablename__ = "quiz_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    text_fr: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    #: The options in each language written (same count, same order); empty when the
    #: language is not written.
    options_fr: Mapped[list[str]] = mapped_column(JSON, default=list)
    options_en: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Indexes (from 0) of the correct options: one or several.
    correct: Mapped[list[int]] = mapped_column(JSON, default=list)
    explanation_fr: Mapped[str] = mapped_column(Text, default="")
    explanation_en: Mapped[str] = mapped_column(Text, default="")
    #: Category keys; empty means everyone.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        options = len(self.options_fr or self.options_en)
        return f"<QuizQuestion {self.id} {len(self.correct)}/{options}>"


class QuizAnswer(Base):
    """A member's first answer to a question: the only one that counts."""

    __tablename__ = "quiz_answers"
    __table_args__ = (
        UniqueConstraint("member_id", "question_id", name="uq_quiz_answers_member"),
        Index("ix_quiz_answers_question", "question_id", "correct"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id", ondelete="CASCADE"))
    #: The chosen option indexes.
    chosen: Mapped[list[int]] = mapped_column(JSON, default=list)
    correct: Mapped[bool] = mapped_column(Boolean)
    #: Where it was answered: ``private``, ``channel`` or ``poll``.
    source: Mapped[str] = mapped_column(String(16), default="private")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<QuizAnswer {self.question_id} by {self.member_id} {self.correct}>"


class QuizPost(Base):
    """A question posted in a channel (the weekly question), and, on Telegram, the native
    poll's id that ``poll_answer`` updates name."""

    __tablename__ = "quiz_posts"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "period", name="uq_quiz_posts_period"),
        UniqueConstraint("platform", "poll_id", name="uq_quiz_posts_poll"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    #: The week it belongs to (``2026-W49``): one weekly question per chat and week.
    period: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str | None] = mapped_column(String(64))
    poll_id: Mapped[str | None] = mapped_column(String(64))
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<QuizPost {self.question_id} {self.platform}:{self.chat_id} {self.period}>"
