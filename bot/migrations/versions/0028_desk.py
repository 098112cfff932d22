"""desk: sign-in links, desk sessions, coordinators' notes, the members table's orders and
the audit log's lookups

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def _signed(table: str, *extra: sa.Column[object]) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        *extra,
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        _fk(table, "member_id", "members", "CASCADE"),
        _fk(table, "identity_id", "identities", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.UniqueConstraint("token_hash", name=f"uq_{table}_token_hash"),
    )
    with op.batch_alter_table(table) as batch_op:
        batch_op.create_index(f"ix_{table}_member_id", ["member_id"], unique=False)
        batch_op.create_index(f"ix_{table}_expires_at", ["expires_at"], unique=False)


def upgrade() -> None:
    _signed("desk_links", sa.Column("used_at", UTCDateTime(timezone=True), nullable=True))
    _signed(
        "desk_sessions",
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "coordinator_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        _fk("coordinator_notes", "member_id", "members", "CASCADE"),
        _fk("coordinator_notes", "author_id", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_coordinator_notes"),
    )
    with op.batch_alter_table("coordinator_notes") as batch_op:
        batch_op.create_index("ix_coordinator_notes_member", ["member_id", "id"], unique=False)
    with op.batch_alter_table("members") as batch_op:
        batch_op.create_index("ix_members_name", ["display_name", "id"], unique=False)
        batch_op.create_index("ix_members_joined", ["joined_at", "id"], unique=False)
        batch_op.create_index(
            "ix_members_spell",
            [sa.text("coalesce(last_action_at, joined_at)"), "id"],
            unique=False,
        )
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.create_index("ix_audit_entries_target", ["target_member_id", "id"], unique=False)
        batch_op.create_index("ix_audit_entries_actor", ["actor_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.drop_index("ix_audit_entries_actor")
        batch_op.drop_index("ix_audit_entries_target")
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_index("ix_members_spell")
        batch_op.drop_index("ix_members_joined")
        batch_op.drop_index("ix_members_name")
    op.drop_table("coordinator_notes")
    op.drop_table("desk_sessions")
    op.drop_table("desk_links")
