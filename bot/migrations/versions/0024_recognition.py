"""recognition: levels reached, badges earned, ambassadors of the month, points awarded
by hand, collective goals

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _member_fk(table: str, column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["members.id"], name=f"fk_{table}_{column}_members", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "levels_reached",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reached_at", UTCDateTime(timezone=True), nullable=False),
        _member_fk("levels_reached", "member_id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_levels_reached"),
        sa.UniqueConstraint("member_id", "level", name="uq_levels_reached_member"),
    )
    op.create_table(
        "badges_earned",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("badge", sa.String(length=64), nullable=False),
        sa.Column("earned_at", UTCDateTime(timezone=True), nullable=False),
        _member_fk("badges_earned", "member_id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_badges_earned"),
        sa.UniqueConstraint("member_id", "badge", name="uq_badges_earned_member"),
    )
    op.create_index("ix_badges_earned_member", "badges_earned", ["member_id", "earned_at"])
    op.create_table(
        "monthly_ambassadors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=False),
        _member_fk("monthly_ambassadors", "member_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_monthly_ambassadors"),
        sa.UniqueConstraint("month", "scope", name="uq_monthly_ambassadors_scope"),
    )
    op.create_table(
        "points_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("awarded_by", sa.Integer(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        _member_fk("points_awards", "member_id", "CASCADE"),
        _member_fk("points_awards", "awarded_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_points_awards"),
    )
    op.create_index("ix_points_awards_member", "points_awards", ["member_id", "created_at"])
    op.create_table(
        "collective_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("reached_at", UTCDateTime(timezone=True), nullable=True),
        _member_fk("collective_goals", "created_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_collective_goals"),
    )
    op.create_index("ix_collective_goals_period", "collective_goals", ["ends_at", "starts_at"])


def downgrade() -> None:
    op.drop_index("ix_collective_goals_period", table_name="collective_goals")
    op.drop_table("collective_goals")
    op.drop_index("ix_points_awards_member", table_name="points_awards")
    op.drop_table("points_awards")
    op.drop_table("monthly_ambassadors")
    op.drop_index("ix_badges_earned_member", table_name="badges_earned")
    op.drop_table("badges_earned")
    op.drop_table("levels_reached")
