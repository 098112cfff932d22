"""coordinator desk: signal history, mention review, import keys, consent version, erasure

Revision ID: 0005
Revises: 0008
Create Date: 2026-11-24 21:34:04.098738
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0005"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["members.id"],
            name=op.f("fk_report_events_actor_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_events_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_events")),
    )
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_events_report_id"), ["report_id"], unique=False)

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_version", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("invite_code", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("import_key", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("forgotten_at", bot.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.alter_column("consent_at", existing_type=sa.DateTime(timezone=True), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_members_import_key"), ["import_key"])
        batch_op.create_unique_constraint(batch_op.f("uq_members_invite_code"), ["invite_code"])
    # Members who joined before consent versions existed agreed to the first text.
    op.execute("UPDATE members SET consent_version = '1' WHERE consent_at IS NOT NULL")

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("review", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_reports_kind_created", ["kind", "created_at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_assignee_id_members"),
            "members",
            ["assignee_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reports_assignee_id_members"), type_="foreignkey")
        batch_op.drop_index("ix_reports_kind_created")
        batch_op.drop_column("review")
        batch_op.drop_column("assignee_id")

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_members_invite_code"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_members_import_key"), type_="unique")
        batch_op.alter_column(
            "consent_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.drop_column("forgotten_at")
        batch_op.drop_column("import_key")
        batch_op.drop_column("invite_code")
        batch_op.drop_column("phone")
        batch_op.drop_column("email")
        batch_op.drop_column("consent_version")

    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_events_report_id"))

    op.drop_table("report_events")
