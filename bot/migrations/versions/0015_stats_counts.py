"""/stats counts without sorts: reports by (kind, subkind) pair, members by category

/stats counts the twelve weeks' reports by kind and medium, and the members by category
and status. Grouped, both were sorted (SQLite has no hash aggregate): 460k reports at 2M
(0.2-0.5 s), and 100k members read from the table through the category index.

- ``reports (kind, subkind, created_at, review, member_id)``: each known (kind, subkind)
  pair is one range of it, counted without a sort; the columns after ``created_at`` keep
  it covering for the "not rejected" filter and for a category's members.
  ``(kind, created_at)`` stays: the signal listings read it newest first.
- ``members (category, status)`` replaces ``members (category)``: the same lookups by
  category, and the counts by category and status read from the index in group order.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 08:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_reports_kind_subkind",
        "reports",
        ["kind", "subkind", "created_at", "review", "member_id"],
    )
    op.create_index("ix_members_category_status", "members", ["category", "status"])
    op.drop_index("ix_members_category", table_name="members")


def downgrade() -> None:
    op.create_index("ix_members_category", "members", ["category"])
    op.drop_index("ix_members_category_status", table_name="members")
    op.drop_index("ix_reports_kind_subkind", table_name="reports")
