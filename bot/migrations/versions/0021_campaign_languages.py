"""campaigns and plans in French and English, campaign segments, end of repeats,
members' campaign reach

Texts written before this revision had no language: they are filed under the network's
(``relais db upgrade`` passes it; by hand, ``RELAIS_NETWORK_LANGUAGE``, else French), so
old campaigns and plans read exactly as before.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 06:40:00
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from bot.models import UTCDateTime

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, {old column: new column prefix}, {prefix: type}).
_TEXTS = {
    "campaigns": {"text": ("text", sa.Text()), "call_to_action": ("call", sa.String(300))},
    "action_plans": {
        "title": ("title", sa.String(120)),
        "text": ("text", sa.Text()),
        "call_to_action": ("call", sa.String(300)),
    },
}


def _language() -> str:
    chosen = context.config.attributes.get("network_language") or os.environ.get(
        "RELAIS_NETWORK_LANGUAGE", "fr"
    )
    return chosen if chosen in ("fr", "en") else "fr"


def upgrade() -> None:
    language = _language()
    for table, columns in _TEXTS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for prefix, kind in columns.values():
                for suffix in ("fr", "en"):
                    batch_op.add_column(
                        sa.Column(f"{prefix}_{suffix}", kind, server_default="", nullable=False)
                    )
        assignments = ", ".join(
            f"{prefix}_{language} = {old}" for old, (prefix, _k) in columns.items()
        )
        op.execute(f"UPDATE {table} SET {assignments}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            for old in columns:
                batch_op.drop_column(old)
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("segments", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("email", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("ends_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("max_runs", sa.Integer(), nullable=True))
    op.execute("UPDATE campaigns SET segments = '{}'")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.alter_column("segments", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("nudge_preferences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("campaign_reach", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("campaigns_off_at", UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    language = _language()
    with op.batch_alter_table("nudge_preferences", schema=None) as batch_op:
        batch_op.drop_column("campaigns_off_at")
        batch_op.drop_column("campaign_reach")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("max_runs")
        batch_op.drop_column("ends_at")
        batch_op.drop_column("email")
        batch_op.drop_column("segments")
    other = "en" if language == "fr" else "fr"
    for table, columns in _TEXTS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for old, (_prefix, kind) in columns.items():
                batch_op.add_column(sa.Column(old, kind, server_default="", nullable=False))
        assignments = ", ".join(
            f"{old} = CASE WHEN {prefix}_{language} <> '' THEN {prefix}_{language} "
            f"ELSE {prefix}_{other} END"
            for old, (prefix, _k) in columns.items()
        )
        op.execute(f"UPDATE {table} SET {assignments}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            for prefix, _kind in columns.values():
                for suffix in ("fr", "en"):
                    batch_op.drop_column(f"{prefix}_{suffix}")
