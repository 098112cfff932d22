"""shared limits: each sender's lease says which platforms it serves, so the processes
sharing a database split each platform's rate (and its chats) among those that serve it

Revision ID: 0031
Revises: 0028
Create Date: 2026-12-06 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_senders") as batch:
        batch.add_column(sa.Column("platforms", sa.String(128), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("delivery_senders") as batch:
        batch.drop_column("platforms")
