"""signal values: coordinators' estimates per opportunity signal ([signals] value_fields)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 11:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signal_values",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=24), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_signal_values_report_id_reports",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "field", name="pk_signal_values"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("signal_values")
