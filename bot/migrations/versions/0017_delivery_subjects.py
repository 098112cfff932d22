"""delivery_subjects: which members each queued message names

Erasing a member (/forget, /erase, the applicants' purge) deletes every stored message
that names or quotes them: application cards, signal cards, leaderboard posts, digests.
This table records those members when the message is queued.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_subjects",
        sa.Column("delivery_key", sa.String(length=160), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_key"], ["deliveries.key"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("delivery_key", "member_id"),
    )
    op.create_index(
        "ix_delivery_subjects_member_id", "delivery_subjects", ["member_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_delivery_subjects_member_id", table_name="delivery_subjects")
    op.drop_table("delivery_subjects")
