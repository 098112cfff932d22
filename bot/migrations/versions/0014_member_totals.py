"""member totals: each member's all-time points, kept exact by triggers on the ledger

All-time boards summed the whole ledger (2M entries: 1-2 s) on every call. ``member_totals``
holds one row per member who ever had an entry; row-level triggers on ``points_entries``
(insert, delete, update of ``member_id`` or ``points``) move it in the same statement as
the entry, whatever code path writes the ledger, so it always equals the ledger's sum.
Existing ledgers are summed once here.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ADD = (
    "INSERT INTO member_totals (member_id, points) VALUES ({member}, {points}) "
    "ON CONFLICT (member_id) DO UPDATE SET points = member_totals.points + excluded.points"
)
_SUB = "UPDATE member_totals SET points = points - {points} WHERE member_id = {member}"

SQLITE = [
    f"""CREATE TRIGGER member_totals_insert AFTER INSERT ON points_entries
    BEGIN {_ADD.format(member="NEW.member_id", points="NEW.points")}; END""",
    f"""CREATE TRIGGER member_totals_delete AFTER DELETE ON points_entries
    BEGIN {_SUB.format(member="OLD.member_id", points="OLD.points")}; END""",
    f"""CREATE TRIGGER member_totals_update AFTER UPDATE OF member_id, points ON points_entries
    BEGIN {_SUB.format(member="OLD.member_id", points="OLD.points")};
    {_ADD.format(member="NEW.member_id", points="NEW.points")}; END""",
]

POSTGRES = [
    f"""CREATE FUNCTION member_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            {_SUB.format(member="OLD.member_id", points="OLD.points")};
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {_ADD.format(member="NEW.member_id", points="NEW.points")};
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER member_totals_follow
    AFTER INSERT OR DELETE OR UPDATE OF member_id, points ON points_entries
    FOR EACH ROW EXECUTE FUNCTION member_totals_follow()""",
]


def upgrade() -> None:
    op.create_table(
        "member_totals",
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_totals")),
    )
    op.create_index("ix_member_totals_points", "member_totals", ["points", "member_id"])
    op.execute(
        "INSERT INTO member_totals (member_id, points) "
        "SELECT member_id, sum(points) FROM points_entries GROUP BY member_id"
    )
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER member_totals_{name}")
    else:
        op.execute("DROP TRIGGER member_totals_follow ON points_entries")
        op.execute("DROP FUNCTION member_totals_follow()")
    op.drop_index("ix_member_totals_points", table_name="member_totals")
    op.drop_table("member_totals")
