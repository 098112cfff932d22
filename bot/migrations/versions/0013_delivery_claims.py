"""delivery claims: which sender holds a row in flight, and which senders are alive

``deliveries.claimed_by`` / ``claimed_at`` name the sender (a process's token) that
marked the row ``sending``; ``delivery_senders`` holds each live sender's lease, renewed
while it runs. Recovery turns ``sending`` into ``unknown`` only for rows whose sender's
lease has lapsed, so a starting process no longer touches another live process's rows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(32), nullable=True))
        batch.add_column(sa.Column("claimed_at", UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "delivery_senders",
        sa.Column("owner", sa.String(32), primary_key=True),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("delivery_senders")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
