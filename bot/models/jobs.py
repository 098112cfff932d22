"""What the clock did and has to do: recurring runs done, one-off jobs to run."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, enum_column


class JobRun(Base):
    """One occurrence of a recurring job that completed: ``period`` is its scheduled
    instant (UTC), so running the same occurrence again, after a crash, a restart or on
    another process, is skipped."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_runs_occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(48))
    period: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    error: Mapped[str | None] = mapped_column(String(256))

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.period} {self.status}>"


class OneOffStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    #: Its time passed while Relais was down for longer than the catch-up grace.
    MISSED = "missed"
    CANCELLED = "cancelled"


class OneOffJob(Base):
    """A job to run once at a given time (a campaign, a plan reminder): the scheduler's
    persistent job store, in the network's own database.

    ``key`` names the business fact (``campaign:12``), so scheduling it again moves it
    instead of adding a second run.
    """

    __tablename__ = "one_off_jobs"
    __table_args__ = (Index("ix_one_off_jobs_due", "status", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    job: Mapped[str] = mapped_column(String(48))
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OneOffStatus] = mapped_column(enum_column(OneOffStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(256))

    def __repr__(self) -> str:
        return f"<OneOffJob {self.key} {self.job} at {self.run_at} {self.status}>"
