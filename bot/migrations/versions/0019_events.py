"""events: occurrences, answers, attendance, feedback, notices, posts, native mirrors

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("text_fr", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("repeat", sa.String(length=32), nullable=False),
        sa.Column("repeat_until", sa.Date(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("rsvp_hours_before", sa.Integer(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("private_invites", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("scheduled", "cancelled", name="eventstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["members.id"],
            name=op.f("fk_events_author_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_status"), ["status"], unique=False)

    op.create_table(
        "event_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("checkin_code", sa.String(length=12), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_occurrences_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_occurrences")),
        sa.UniqueConstraint("checkin_code", name=op.f("uq_event_occurrences_checkin_code")),
        sa.UniqueConstraint("event_id", "number", name="uq_event_occurrences_number"),
    )
    with op.batch_alter_table("event_occurrences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_occurrences_closed_at"), ["closed_at"], unique=False
        )
        batch_op.create_index(
            "ix_event_occurrences_starts", ["starts_at", "event_id"], unique=False
        )

    op.create_table(
        "event_attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("how", sa.String(length=8), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_event_attendances_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["event_occurrences.id"],
            name=op.f("fk_event_attendances_occurrence_id_event_occurrences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["members.id"],
            name=op.f("fk_event_attendances_recorded_by_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_attendances")),
        sa.UniqueConstraint("occurrence_id", "member_id", name="uq_event_attendances_member"),
    )
    with op.batch_alter_table("event_attendances", schema=None) as batch_op:
        batch_op.create_index("ix_event_attendances_at", ["at", "member_id"], unique=False)
        batch_op.create_index("ix_event_attendances_member", ["member_id", "at"], unique=False)

    op.create_table(
        "event_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_event_feedback_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["event_occurrences.id"],
            name=op.f("fk_event_feedback_occurrence_id_event_occurrences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_feedback")),
        sa.UniqueConstraint("occurrence_id", "member_id", name="uq_event_feedback_member"),
    )
    with op.batch_alter_table("event_feedback", schema=None) as batch_op:
        batch_op.create_index("ix_event_feedback_member", ["member_id"], unique=False)

    op.create_table(
        "event_natives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("native_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_natives_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["event_occurrences.id"],
            name=op.f("fk_event_natives_occurrence_id_event_occurrences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_natives")),
        sa.UniqueConstraint("platform", "native_id", name="uq_event_natives_native"),
    )
    with op.batch_alter_table("event_natives", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_natives_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_natives_occurrence_id"), ["occurrence_id"], unique=False
        )

    op.create_table(
        "event_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["event_occurrences.id"],
            name=op.f("fk_event_notices_occurrence_id_event_occurrences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_notices")),
        sa.UniqueConstraint("occurrence_id", "kind", name="uq_event_notices_kind"),
    )
    op.create_table(
        "event_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("thread_id", sa.String(length=64), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("last_edit_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["event_occurrences.id"],
            name=op.f("fk_event_posts_occurrence_id_event_occurrences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_posts")),
        sa.UniqueConstraint(
            "occurrence_id", "platform", "chat_id", "thread_id", name="uq_event_posts_chat"
        ),
    )
    with op.batch_alter_table("event_posts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_posts_occurrence_id"), ["occurrence_id"], unique=False
        )

    op.create_table(
        "event_rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum(
                "going", "maybe", "no", "waiting", name="rsvpanswer", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("waiting_since", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_event_rsvps_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["event_occurrences.id"],
            name=op.f("fk_event_rsvps_occurrence_id_event_occurrences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_rsvps")),
        sa.UniqueConstraint("occurrence_id", "member_id", name="uq_event_rsvps_member"),
    )
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.create_index("ix_event_rsvps_member", ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.drop_index("ix_event_rsvps_member")

    op.drop_table("event_rsvps")
    with op.batch_alter_table("event_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_posts_occurrence_id"))

    op.drop_table("event_posts")
    op.drop_table("event_notices")
    with op.batch_alter_table("event_natives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_natives_occurrence_id"))
        batch_op.drop_index(batch_op.f("ix_event_natives_event_id"))

    op.drop_table("event_natives")
    with op.batch_alter_table("event_feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_event_feedback_member")

    op.drop_table("event_feedback")
    with op.batch_alter_table("event_attendances", schema=None) as batch_op:
        batch_op.drop_index("ix_event_attendances_member")
        batch_op.drop_index("ix_event_attendances_at")

    op.drop_table("event_attendances")
    with op.batch_alter_table("event_occurrences", schema=None) as batch_op:
        batch_op.drop_index("ix_event_occurrences_starts")
        batch_op.drop_index(batch_op.f("ix_event_occurrences_closed_at"))

    op.drop_table("event_occurrences")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_status"))

    op.drop_table("events")
