"""kit more: "I used it" counted once per member and item; a campaign or an event may
carry a kit item; the kit's search index on SQLite (FTS5, where the SQLite library has it)

The index is a contentless-copy FTS5 table over ``kit_items`` (``content=kit_items``),
kept in step by three triggers; :mod:`bot.animation.kit.search` uses it when it exists and
falls back to substring matching otherwise. PostgreSQL searches with ``to_tsvector`` and
needs no table. A later migration that rebuilds ``kit_items`` on SQLite (a batch
``ALTER``) drops these triggers with the old table and must create them again.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: What the index holds, in this order (the triggers repeat it).
_COLUMNS = "title, text_fr, text_en, tags"
_NEW = ", ".join(f"new.{column}" for column in _COLUMNS.split(", "))
_OLD = ", ".join(f"old.{column}" for column in _COLUMNS.split(", "))
FTS_STATEMENTS = (
    f"CREATE VIRTUAL TABLE kit_search USING fts5({_COLUMNS}, content='kit_items', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER kit_search_insert AFTER INSERT ON kit_items BEGIN "
    f"INSERT INTO kit_search(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "CREATE TRIGGER kit_search_delete AFTER DELETE ON kit_items BEGIN "
    f"INSERT INTO kit_search(kit_search, rowid, {_COLUMNS}) "
    f"VALUES ('delete', old.id, {_OLD}); END",
    "CREATE TRIGGER kit_search_update AFTER UPDATE ON kit_items BEGIN "
    f"INSERT INTO kit_search(kit_search, rowid, {_COLUMNS}) "
    f"VALUES ('delete', old.id, {_OLD}); "
    f"INSERT INTO kit_search(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "INSERT INTO kit_search(kit_search) VALUES ('rebuild')",
)


def _has_fts5(bind: sa.Connection) -> bool:
    options = bind.exec_driver_sql("PRAGMA compile_options").scalars().all()
    return "ENABLE_FTS5" in options


def upgrade() -> None:
    op.create_table(
        "kit_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["kit_items.id"],
            name=op.f("fk_kit_uses_item_id_kit_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_kit_uses_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit_uses")),
        sa.UniqueConstraint("member_id", "item_id", name=op.f("uq_kit_uses_member_id")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kit_item_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_campaigns_kit_item_id_kit_items"),
            "kit_items",
            ["kit_item_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kit_item_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_events_kit_item_id_kit_items"),
            "kit_items",
            ["kit_item_id"],
            ["id"],
            ondelete="SET NULL",
        )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and _has_fts5(bind):
        for statement in FTS_STATEMENTS:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS kit_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS kit_search")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_events_kit_item_id_kit_items", type_="foreignkey")
        batch_op.drop_column("kit_item_id")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_constraint("fk_campaigns_kit_item_id_kit_items", type_="foreignkey")
        batch_op.drop_column("kit_item_id")
    op.drop_table("kit_uses")
