"""reports (kind, subkind, created_at, review, member_id): /stats counts by kind from ranges

/stats counts the twelve weeks' reports by kind and medium. Grouped, they are sorted:
SQLite has no hash aggregate, and sorted 460k rows at 2M reports (0.2-0.5 s). With this
index each known (kind, subkind) pair is one range of it, counted without a sort; the
columns after ``created_at`` keep it covering for the "not rejected" filter and for a
category's members. ``(kind, created_at)`` stays: the signal listings read it newest
first.

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


def downgrade() -> None:
    op.drop_index("ix_reports_kind_subkind", table_name="reports")
