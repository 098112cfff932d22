"""directory: opt-in profiles, introductions, monthly meetings of two

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _member_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["members.id"], name=f"fk_{table}_{column}_members", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("listed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("organisation", sa.String(length=120), nullable=False),
        sa.Column("job_title", sa.String(length=120), nullable=False),
        sa.Column("town", sa.String(length=80), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("languages", sa.String(length=120), nullable=False),
        sa.Column("presentation", sa.Text(), nullable=False),
        sa.Column("offers", sa.Text(), nullable=False),
        sa.Column("seeks", sa.Text(), nullable=False),
        sa.Column("contact", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("share_email", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("pairs", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("handle", sa.String(length=64), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        _member_fk("profiles", "member_id"),
        sa.PrimaryKeyConstraint("member_id", name="pk_profiles"),
    )
    op.create_table(
        "introductions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "declined",
                "closed",
                name="introstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("open_key", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        _member_fk("introductions", "asker_id"),
        _member_fk("introductions", "target_id"),
        sa.PrimaryKeyConstraint("id", name="pk_introductions"),
        sa.UniqueConstraint("open_key", name="uq_introductions_open_key"),
    )
    op.create_index("ix_introductions_asker", "introductions", ["asker_id", "created_at"])
    op.create_index("ix_introductions_status", "introductions", ["status", "created_at"])
    op.create_table(
        "meeting_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("asked_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("met_at", UTCDateTime(timezone=True), nullable=True),
        _member_fk("meeting_pairs", "first_id"),
        _member_fk("meeting_pairs", "second_id"),
        sa.PrimaryKeyConstraint("id", name="pk_meeting_pairs"),
        sa.UniqueConstraint("month", "first_id", name="uq_meeting_pairs_first"),
        sa.UniqueConstraint("month", "second_id", name="uq_meeting_pairs_second"),
    )
    op.create_index("ix_meeting_pairs_created", "meeting_pairs", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_meeting_pairs_created", table_name="meeting_pairs")
    op.drop_table("meeting_pairs")
    op.drop_index("ix_introductions_status", table_name="introductions")
    op.drop_index("ix_introductions_asker", table_name="introductions")
    op.drop_table("introductions")
    op.drop_table("profiles")
