"""Recognition: the levels members reached, the badges they earned, the ambassadors of
the month and points awarded by hand. Each fact is unique in the database, so a job that
runs twice, or two reports that cross a threshold at once, announce it once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


class LevelReached(Base):
    """A member reached a level (named by its threshold in points), announced once."""

    __tablename__ = "levels_reached"
    __table_args__ = (UniqueConstraint("member_id", "level", name="uq_levels_reached_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    #: The level's threshold (``[[levels]] points``): levels have no other key.
    level: Mapped[int] = mapped_column(Integer)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LevelReached {self.member_id} {self.level}>"


class BadgeEarned(Base):
    """A badge a member earned: a milestone of ``[recognition] badges`` by its key, or
    ``month:<yyyy-mm>:<scope>`` for an ambassador of the month."""

    __tablename__ = "badges_earned"
    __table_args__ = (
        UniqueConstraint("member_id", "badge", name="uq_badges_earned_member"),
        Index("ix_badges_earned_member", "member_id", "earned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    badge: Mapped[str] = mapped_column(String(64))
    earned_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<BadgeEarned {self.member_id} {self.badge}>"


class MonthlyAmbassador(Base):
    """The ambassador of a month for one scope (``all`` or a category key): one per
    month and scope, whatever reruns or clock moves happen."""

    __tablename__ = "monthly_ambassadors"
    __table_args__ = (UniqueConstraint("month", "scope", name="uq_monthly_ambassadors_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``yyyy-mm`` in the network's time zone.
    month: Mapped[str] = mapped_column(String(7))
    scope: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    points: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<MonthlyAmbassador {self.month} {self.scope} {self.member_id}>"


class PointsAward(Base):
    """Points a coordinator or referent awarded by hand for an offline act, with the
    reason; its ledger entry is ``award:<id>``. Never edited (a mistake is corrected by
    another award, negative points are not allowed: ask a coordinator)."""

    __tablename__ = "points_awards"
    __table_args__ = (Index("ix_points_awards_member", "member_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    awarded_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<PointsAward {self.points} → {self.member_id}>"


class CollectiveGoal(Base):
    """A target a coordinator set for the network (``scope`` ``all``) or a category over
    a period: so many mentions, signals, settlements, reports or points. ``reached_at``
    is set once, by the one update that finds it empty, which alone announces it."""

    __tablename__ = "collective_goals"
    __table_args__ = (Index("ix_collective_goals_period", "ends_at", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    #: ``mentions``, ``signals``, ``settlements``, ``reports`` or ``points``.
    measure: Mapped[str] = mapped_column(String(16))
    target: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<CollectiveGoal {self.target} {self.measure} in {self.scope}>"
