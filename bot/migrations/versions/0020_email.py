"""e-mail address state: invitations, bounces, unsubscribes

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_addresses",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("invitations", sa.Integer(), nullable=False),
        sa.Column("first_invited_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("invited_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("unreachable_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("unreachable_reason", sa.String(length=64), nullable=True),
        sa.Column("unsubscribed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_email_addresses_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_email_addresses")),
        sa.UniqueConstraint("token", name=op.f("uq_email_addresses_token")),
    )


def downgrade() -> None:
    op.drop_table("email_addresses")
