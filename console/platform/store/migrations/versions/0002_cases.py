"""The case workflow: cases, their alarms, the audit trail, attachments, settings, outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

Frozen: plain SQLAlchemy types only (see 0001).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str = "id", nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(40), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "cases",
        _id(),
        _id("vehicle_id"),
        _id("county_id"),
        _id("enterprise_id"),
        sa.Column("type_code", sa.String(40), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        _time("opened_at"),
        _time("updated_at"),
        _time("last_alarm_at"),
        sa.Column("alarm_count", sa.Integer(), nullable=False),
        _id("first_alarm_id"),
        _time("deadline", nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("ever_overdue", sa.Boolean(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("supervisor", sa.String(100), nullable=False),
        _id("assignee_id", nullable=True),
        sa.Column("reminder_status", sa.String(20), nullable=True),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("feedback_note", sa.Text(), nullable=False),
        sa.Column("acted", sa.Boolean(), nullable=False),
        _time("closed_at", nullable=True),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cases_vehicle_type_state", "cases", ["vehicle_id", "type_code", "state"])
    op.create_index("ix_cases_county_opened", "cases", ["county_id", "opened_at"])
    op.create_index("ix_cases_enterprise_opened", "cases", ["enterprise_id", "opened_at"])
    op.create_index("ix_cases_state_deadline", "cases", ["state", "deadline"])
    op.create_table(
        "case_alarms",
        _id("alarm_id"),
        _id("case_id"),
        sa.ForeignKeyConstraint(["alarm_id"], ["alarms.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("alarm_id"),
    )
    op.create_index("ix_case_alarms_case_id", "case_alarms", ["case_id"])
    op.create_table(
        "case_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        _id("case_id"),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=True),
        sa.Column("to_state", sa.String(20), nullable=False),
        _time("at"),
        _id("user_id", nullable=True),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_table(
        "case_attachments",
        _id(),
        _id("case_id", nullable=True),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        _id("uploaded_by"),
        _time("uploaded_at"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_attachments_case_id", "case_attachments", ["case_id"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        _time("updated_at"),
        _id("updated_by", nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        _id("case_id", nullable=True),
        _id("channel_id"),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_case_id", "outbox", ["case_id"])
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    for table in (
        "outbox",
        "settings",
        "case_attachments",
        "case_events",
        "case_alarms",
        "cases",
    ):
        op.drop_table(table)
