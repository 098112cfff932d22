"""ledger indexes for leaderboards, ranks and /me at scale

Covering indexes over the points ledger: (created_at, member_id, points) sums one
period for everyone (weekly boards); (member_id, created_at, points) sums one member's
periods (/me, ranks); report_id joins a report to its points (last actions in /me).
They replace the narrower (created_at, member_id) and (member_id) indexes.

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-24 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_points_created_member", table_name="points_entries")
    op.drop_index("ix_points_entries_member_id", table_name="points_entries")
    op.create_index(
        "ix_points_created_member", "points_entries", ["created_at", "member_id", "points"]
    )
    op.create_index(
        "ix_points_member_created", "points_entries", ["member_id", "created_at", "points"]
    )
    op.create_index("ix_points_entries_report_id", "points_entries", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_points_entries_report_id", table_name="points_entries")
    op.drop_index("ix_points_member_created", table_name="points_entries")
    op.drop_index("ix_points_created_member", table_name="points_entries")
    op.create_index("ix_points_entries_member_id", "points_entries", ["member_id"])
    op.create_index("ix_points_created_member", "points_entries", ["created_at", "member_id"])
