"""report indexes for /stats at scale

/stats reads reports by date (the month's actors, the twelve-week trend and counts by
kind, the three monthly windows of the funnel): a covering index that starts with
``created_at`` holds each range, with the columns those queries group and filter on.
The per-member index gains ``review``, so "has this member ever acted" is answered from
the index alone.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 00:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_reports_created_member",
        "reports",
        ["created_at", "member_id", "kind", "subkind", "review"],
    )
    op.drop_index("ix_reports_member_created", table_name="reports")
    op.create_index("ix_reports_member_created", "reports", ["member_id", "created_at", "review"])


def downgrade() -> None:
    op.drop_index("ix_reports_member_created", table_name="reports")
    op.create_index("ix_reports_member_created", "reports", ["member_id", "created_at"])
    op.drop_index("ix_reports_created_member", table_name="reports")
