"""cards: member cards, partners, their benefits and the uses partners record

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("issued_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_member_cards_member_id_members",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_member_cards"),
        sa.UniqueConstraint("code", name="uq_member_cards_code"),
    )
    op.create_index("ix_member_cards_member", "member_cards", ["member_id", "issued_at"])
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=300), server_default="", nullable=False),
        sa.Column("link", sa.String(length=2048), nullable=True),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_partners"),
        sa.UniqueConstraint("code", name="uq_partners_code"),
    )
    op.create_table(
        "benefits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("text_fr", sa.Text(), server_default="", nullable=False),
        sa.Column("text_en", sa.Text(), server_default="", nullable=False),
        sa.Column("min_level", sa.Integer(), server_default="0", nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name="fk_benefits_partner_id_partners",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_benefits"),
    )
    op.create_index("ix_benefits_partner", "benefits", ["partner_id", "retired_at"])
    op.create_table(
        "benefit_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["benefits.id"],
            name="fk_benefit_uses_benefit_id_benefits",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name="fk_benefit_uses_partner_id_partners",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["member_cards.id"],
            name="fk_benefit_uses_card_id_member_cards",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_benefit_uses"),
        sa.UniqueConstraint("benefit_id", "card_id", "day", name="uq_benefit_uses_card_day"),
    )
    op.create_index("ix_benefit_uses_partner", "benefit_uses", ["partner_id", "used_at"])


def downgrade() -> None:
    op.drop_index("ix_benefit_uses_partner", table_name="benefit_uses")
    op.drop_table("benefit_uses")
    op.drop_index("ix_benefits_partner", table_name="benefits")
    op.drop_table("benefits")
    op.drop_table("partners")
    op.drop_index("ix_member_cards_member", table_name="member_cards")
    op.drop_table("member_cards")
