"""role syncs: platform accounts whose server roles must follow Relais

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 00:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "role_syncs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_syncs")),
        sa.UniqueConstraint("platform", "user_id", name=op.f("uq_role_syncs_platform")),
    )
    op.create_index("ix_role_syncs_due", "role_syncs", ["platform", "priority", "id"])


def downgrade() -> None:
    op.drop_index("ix_role_syncs_due", table_name="role_syncs")
    op.drop_table("role_syncs")
