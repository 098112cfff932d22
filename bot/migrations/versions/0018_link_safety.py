"""who linked each account, roles waiting for confirmation, wrong link codes

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("linked_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("role_confirmed", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_table(
        "link_attempts",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("platform", "user_id", name=op.f("pk_link_attempts")),
    )


def downgrade() -> None:
    op.drop_table("link_attempts")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_column("role_confirmed")
        batch_op.drop_column("linked_by_id")
