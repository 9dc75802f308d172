"""The first schema: registry, positions, alarms, evidence, commands, the event log.

Revision ID: 0001
Revises:
Create Date: 2026-11-21

Frozen: plain SQLAlchemy types only, never ``schema.py``'s classes (``UtcDateTime`` is a
``DateTime(timezone=True)`` in the database).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for big tables.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str = "id") -> sa.Column:
    return sa.Column(name, sa.String(40), nullable=False)


def upgrade() -> None:
    op.create_table(
        "counties",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("code", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "enterprises",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        _id("county_id"),
        sa.Column("credit_code", sa.String(40), nullable=False),
        sa.Column("contact", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _time("created_at"),
        sa.ForeignKeyConstraint(["county_id"], ["counties.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_enterprises_county_id", "enterprises", ["county_id"])
    op.create_table(
        "vehicles",
        _id(),
        sa.Column("plate", sa.String(20), nullable=False),
        sa.Column("plate_color", sa.Integer(), nullable=False),
        _id("enterprise_id"),
        _id("county_id"),
        sa.Column("vehicle_type", sa.String(40), nullable=False),
        sa.Column("vin", sa.String(40), nullable=False),
        sa.Column("speed_limit_kmh", sa.Integer(), nullable=False),
        sa.Column("driver_name", sa.String(50), nullable=False),
        sa.Column("driver_phone", sa.String(40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _time("created_at"),
        sa.ForeignKeyConstraint(["county_id"], ["counties.id"]),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plate", "plate_color", name="uq_vehicles_plate"),
    )
    op.create_index("ix_vehicles_county_id", "vehicles", ["county_id"])
    op.create_index("ix_vehicles_enterprise_id", "vehicles", ["enterprise_id"])
    op.create_table(
        "terminals",
        _id(),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("terminal_id", sa.String(40), nullable=False),
        sa.Column("vehicle_id", sa.String(40), nullable=True),
        sa.Column("edition", sa.String(4), nullable=False),
        sa.Column("dialect", sa.String(10), nullable=False),
        sa.Column("maker", sa.String(40), nullable=False),
        sa.Column("model", sa.String(40), nullable=False),
        sa.Column("channels", sa.Integer(), nullable=False),
        sa.Column("auth_code", sa.String(64), nullable=True),
        _time("registered_at", nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phone"),
        sa.UniqueConstraint("vehicle_id"),
    )
    op.create_table(
        "users",
        _id(),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("county_id", sa.String(40), nullable=True),
        sa.Column("enterprise_id", sa.String(40), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        _time("locked_until", nullable=True),
        _time("created_at"),
        sa.ForeignKeyConstraint(["county_id"], ["counties.id"]),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        _id("user_id"),
        _time("created_at"),
        _time("expires_at"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_tokens_user_id", "tokens", ["user_id"])
    op.create_table(
        "vehicle_state",
        _id("vehicle_id"),
        sa.Column("online", sa.Boolean(), nullable=False),
        _time("last_seen_at", nullable=True),
        _time("time", nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("direction", sa.Integer(), nullable=True),
        sa.Column("alarm_flags", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.BigInteger(), nullable=False),
        sa.Column("video_alarms", sa.BigInteger(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"]),
        sa.PrimaryKeyConstraint("vehicle_id"),
    )
    op.create_table(
        "positions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        _id("vehicle_id"),
        _time("time"),
        _time("received_at"),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("altitude_m", sa.Integer(), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=False),
        sa.Column("direction", sa.Integer(), nullable=False),
        sa.Column("alarm_flags", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.BigInteger(), nullable=False),
        sa.Column("mileage_km", sa.Float(), nullable=True),
        sa.Column("fuel_l", sa.Float(), nullable=True),
        sa.Column("satellites", sa.Integer(), nullable=True),
        sa.Column("signal", sa.Integer(), nullable=True),
        sa.Column("invalid", sa.Text(), nullable=True),
        sa.Column("items", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vehicle_id", "time", name="uq_positions_vehicle_time"),
    )
    op.create_table(
        "alarms",
        _id(),
        _id("vehicle_id"),
        _id("county_id"),
        _id("enterprise_id"),
        sa.Column("type_code", sa.String(40), nullable=False),
        sa.Column("family", sa.String(30), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("alarm_key", sa.String(200), nullable=False),
        _time("started_at"),
        _time("ended_at", nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("evidence_status", sa.String(20), nullable=False),
        sa.Column("attachment_count", sa.Integer(), nullable=False),
        sa.Column("alarm_no", sa.String(32), nullable=True),
        sa.Column("alarm_ident", sa.String(80), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alarm_key"),
        sa.UniqueConstraint("alarm_no"),
    )
    op.create_index("ix_alarms_started", "alarms", ["started_at"])
    op.create_index("ix_alarms_vehicle_started", "alarms", ["vehicle_id", "started_at"])
    op.create_index("ix_alarms_county_started", "alarms", ["county_id", "started_at"])
    op.create_index("ix_alarms_enterprise_started", "alarms", ["enterprise_id", "started_at"])
    op.create_table(
        "evidence",
        _id(),
        _id("alarm_id"),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("file_type", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(60), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(["alarm_id"], ["alarms.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alarm_id", "file_name", name="uq_evidence_file"),
    )
    op.create_index("ix_evidence_alarm_id", "evidence", ["alarm_id"])
    op.create_table(
        "commands",
        _id(),
        _id("vehicle_id"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_commands_vehicle_id", "commands", ["vehicle_id"])
    op.create_table(
        "events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        _time("time"),
        sa.Column("vehicle_id", sa.String(40), nullable=True),
        sa.Column("county_id", sa.String(40), nullable=True),
        sa.Column("enterprise_id", sa.String(40), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_events_time", "events", ["time"])


def downgrade() -> None:
    for table in (
        "events",
        "commands",
        "evidence",
        "alarms",
        "positions",
        "vehicle_state",
        "tokens",
        "users",
        "terminals",
        "vehicles",
        "enterprises",
        "counties",
    ):
        op.drop_table(table)
