"""the ambassador's kit: items, members' tracked share links, daily unique clicks, and
the kit item an action plan may carry

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 07:28:46
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kit_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "talking_point",
                "figure",
                "post",
                "visual",
                "document",
                "link",
                name="kitkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("text_fr", sa.Text(), server_default="", nullable=False),
        sa.Column("text_en", sa.Text(), server_default="", nullable=False),
        sa.Column("link", sa.String(length=2048), nullable=True),
        sa.Column("tags", sa.String(length=300), server_default="", nullable=False),
        sa.Column("categories", sa.String(length=300), server_default="", nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("retired_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("file_name", sa.String(length=80), nullable=True),
        sa.Column("file_type", sa.String(length=8), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["members.id"],
            name=op.f("fk_kit_items_author_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit_items")),
    )
    with op.batch_alter_table("kit_items", schema=None) as batch_op:
        batch_op.create_index("ix_kit_items_live", ["retired_at", "created_at"], unique=False)

    op.create_table(
        "kit_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["kit_items.id"],
            name=op.f("fk_kit_shares_item_id_kit_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_kit_shares_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit_shares")),
        sa.UniqueConstraint("code", name=op.f("uq_kit_shares_code")),
        sa.UniqueConstraint("member_id", "item_id", name=op.f("uq_kit_shares_member_id")),
    )
    with op.batch_alter_table("kit_shares", schema=None) as batch_op:
        batch_op.create_index("ix_kit_shares_item_created", ["item_id", "created_at"], unique=False)

    op.create_table(
        "kit_clicks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("visitor", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["kit_shares.id"],
            name=op.f("fk_kit_clicks_share_id_kit_shares"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit_clicks")),
        sa.UniqueConstraint("share_id", "day", "visitor", name=op.f("uq_kit_clicks_share_id")),
    )
    with op.batch_alter_table("kit_clicks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kit_clicks_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("action_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kit_item_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_action_plans_kit_item_id_kit_items"),
            "kit_items",
            ["kit_item_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("action_plans", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_action_plans_kit_item_id_kit_items"), type_="foreignkey"
        )
        batch_op.drop_column("kit_item_id")

    with op.batch_alter_table("kit_clicks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kit_clicks_created_at"))

    op.drop_table("kit_clicks")
    with op.batch_alter_table("kit_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_kit_shares_item_created")

    op.drop_table("kit_shares")
    with op.batch_alter_table("kit_items", schema=None) as batch_op:
        batch_op.drop_index("ix_kit_items_live")

    op.drop_table("kit_items")
