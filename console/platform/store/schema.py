"""The platform's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Entity ids are opaque strings; the high-volume tables (positions, events) use integer keys.
Times are stored in UTC and come back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for big tables.
BigId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

counties = Table(
    "counties",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("code", String(20), nullable=False, default=""),
)

enterprises = Table(
    "enterprises",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("county_id", String(40), ForeignKey("counties.id"), nullable=False, index=True),
    Column("credit_code", String(40), nullable=False, default=""),
    Column("contact", String(100), nullable=False, default=""),
    Column("phone", String(40), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
)

vehicles = Table(
    "vehicles",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("plate", String(20), nullable=False),
    Column("plate_color", Integer, nullable=False),
    Column("enterprise_id", String(40), ForeignKey("enterprises.id"), nullable=False, index=True),
    Column("county_id", String(40), ForeignKey("counties.id"), nullable=False, index=True),
    Column("vehicle_type", String(40), nullable=False),
    Column("vin", String(40), nullable=False, default=""),
    Column("speed_limit_kmh", Integer, nullable=False),
    Column("driver_name", String(50), nullable=False, default=""),
    Column("driver_phone", String(40), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("inspection_due", Date, nullable=True),  # 检验有效期至: install before it
    UniqueConstraint("plate", "plate_color", name="uq_vehicles_plate"),
)

terminals = Table(
    "terminals",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("phone", String(20), nullable=False, unique=True),
    Column("terminal_id", String(40), nullable=False),
    Column("vehicle_id", String(40), ForeignKey("vehicles.id"), nullable=True, unique=True),
    Column("edition", String(4), nullable=False),
    Column("dialect", String(10), nullable=False),
    Column("maker", String(40), nullable=False, default=""),
    Column("model", String(40), nullable=False, default=""),
    Column("channels", Integer, nullable=False, default=4),
    Column("auth_code", String(64), nullable=True),
    Column("registered_at", UtcDateTime, nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("installer", String(50), nullable=False, default=""),  # 安装单位/人
    Column("installed_on", Date, nullable=True),  # 安装日期
)

users = Table(
    "users",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("username", String(60), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(30), nullable=False),
    Column("display_name", String(100), nullable=False, default=""),
    Column("county_id", String(40), ForeignKey("counties.id"), nullable=True),
    Column("enterprise_id", String(40), ForeignKey("enterprises.id"), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the bearer token
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

# The latest known state of each vehicle: what the tree and the map start from, and the
# memory of the edge detectors (alarm flags) so that a restart raises no alarm twice.
vehicle_state = Table(
    "vehicle_state",
    metadata,
    Column("vehicle_id", String(40), ForeignKey("vehicles.id"), primary_key=True),
    Column("online", Boolean, nullable=False, default=False),
    Column("last_seen_at", UtcDateTime, nullable=True),  # platform clock, last message
    Column("time", UtcDateTime, nullable=True),  # terminal time of the last position
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("speed_kmh", Float, nullable=True),
    Column("direction", Integer, nullable=True),
    Column("alarm_flags", BigInteger, nullable=False, default=0),
    Column("status", BigInteger, nullable=False, default=0),
    Column("video_alarms", BigInteger, nullable=False, default=0),
    Column("rules", JSON, nullable=False, default=dict),  # state of the platform rules
)

positions = Table(
    "positions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("vehicle_id", String(40), ForeignKey("vehicles.id"), nullable=False),
    Column("time", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("altitude_m", Integer, nullable=False),
    Column("speed_kmh", Float, nullable=False),
    Column("direction", Integer, nullable=False),
    Column("alarm_flags", BigInteger, nullable=False),
    Column("status", BigInteger, nullable=False),
    Column("mileage_km", Float, nullable=True),
    Column("fuel_l", Float, nullable=True),
    Column("satellites", Integer, nullable=True),
    Column("signal", Integer, nullable=True),
    Column("invalid", Text, nullable=True),  # data-quality reasons, ";"-joined; NULL = valid
    Column("items", JSON, nullable=True),  # every decoded additional item (vectors' JSON names)
    # One position per vehicle and terminal second: a frame re-sent after a lost ack
    # must not store the point twice.
    UniqueConstraint("vehicle_id", "time", name="uq_positions_vehicle_time"),
)

alarms = Table(
    "alarms",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("vehicle_id", String(40), ForeignKey("vehicles.id"), nullable=False),
    Column("county_id", String(40), nullable=False),
    Column("enterprise_id", String(40), nullable=False),
    Column("type_code", String(40), nullable=False),
    Column("family", String(30), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("level", Integer, nullable=True),
    Column("source", String(20), nullable=False),
    # What makes an alarm the same alarm again (idempotent ingest): the active-safety
    # identification, or the flag bit + start time, or the rule + start time.
    Column("alarm_key", String(200), nullable=False, unique=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("speed_kmh", Float, nullable=True),
    Column("evidence_status", String(20), nullable=False),
    Column("attachment_count", Integer, nullable=False, default=0),
    Column("alarm_no", String(32), nullable=True, unique=True),  # our 报警编号 for 0x9208
    Column("alarm_ident", String(80), nullable=True),  # hex of the 16/40-byte identification
    Column("detail", JSON, nullable=False, default=dict),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("alarm_id", String(40), ForeignKey("alarms.id"), nullable=False, index=True),
    Column("file_name", String(200), nullable=False),
    Column("file_type", Integer, nullable=False),
    Column("content_type", String(60), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("received", BigInteger, nullable=False, default=0),
    Column("complete", Boolean, nullable=False, default=False),
    Column("path", String(500), nullable=False),  # relative to the data directory
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("alarm_id", "file_name", name="uq_evidence_file"),
)

commands = Table(
    "commands",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("vehicle_id", String(40), ForeignKey("vehicles.id"), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("message_id", Integer, nullable=False),
    Column("serial", Integer, nullable=True),
    Column("status", String(20), nullable=False),
    Column("params", JSON, nullable=False, default=dict),
    Column("result", JSON, nullable=False, default=dict),
    Column("created_by", String(40), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The event log behind the live stream: ids increase; SSE clients resume from Last-Event-ID.
events = Table(
    "events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(30), nullable=False),
    Column("time", UtcDateTime, nullable=False),
    Column("vehicle_id", String(40), nullable=True),
    Column("county_id", String(40), nullable=True),
    Column("enterprise_id", String(40), nullable=True),
    Column("payload", JSON, nullable=False),
)

# Terminals the registry refused (0x8100 result ≠ 0), one row a SIM: what admins look at
# when a truck "cannot get online" (an unknown plate, a terminal not installed yet, ...).
registration_refusals = Table(
    "registration_refusals",
    metadata,
    Column("phone", String(20), primary_key=True),
    Column("terminal_id", String(40), nullable=False),
    Column("plate", String(20), nullable=False),
    Column("plate_color", Integer, nullable=False),
    Column("result", Integer, nullable=False),  # the 0x8100 result code
    Column("attempts", Integer, nullable=False),
    Column("first_at", UtcDateTime, nullable=False),
    Column("last_at", UtcDateTime, nullable=False),
)

# --- the case workflow (闭环管理) -----------------------------------------------------------
cases = Table(
    "cases",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("vehicle_id", String(40), ForeignKey("vehicles.id"), nullable=False),
    Column("county_id", String(40), nullable=False),
    Column("enterprise_id", String(40), nullable=False),
    Column("type_code", String(40), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("state", String(20), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("last_alarm_at", UtcDateTime, nullable=False),
    Column("alarm_count", Integer, nullable=False, default=1),
    Column("first_alarm_id", String(40), nullable=False),
    Column("deadline", UtcDateTime, nullable=True),
    Column("overdue", Boolean, nullable=False, default=False),
    Column("ever_overdue", Boolean, nullable=False, default=False),
    Column("escalation_level", Integer, nullable=False, default=0),
    Column("supervisor", String(100), nullable=False, default=""),
    Column("assignee_id", String(40), nullable=True),
    Column("reminder_status", String(20), nullable=True),
    Column("measures", JSON, nullable=False, default=list),
    Column("feedback_note", Text, nullable=False, default=""),
    Column("acted", Boolean, nullable=False, default=False),  # a person acted on it (处置)
    Column("closed_at", UtcDateTime, nullable=True),
)

# Which case an alarm belongs to (at most one).
case_alarms = Table(
    "case_alarms",
    metadata,
    Column("alarm_id", String(40), ForeignKey("alarms.id"), primary_key=True),
    Column("case_id", String(40), ForeignKey("cases.id"), nullable=False, index=True),
)

# The audit trail: append-only, never updated.
case_events = Table(
    "case_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", String(40), ForeignKey("cases.id"), nullable=False, index=True),
    Column("action", String(20), nullable=False),
    Column("from_state", String(20), nullable=True),
    Column("to_state", String(20), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("user_id", String(40), nullable=True),
    Column("username", String(60), nullable=False),
    Column("role", String(30), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("attachments", JSON, nullable=False, default=list),
    Column("detail", JSON, nullable=False, default=dict),
)

# Files people attach to a case action (feedback proof, review notes).
case_attachments = Table(
    "case_attachments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("case_id", String(40), ForeignKey("cases.id"), nullable=True, index=True),
    Column("file_name", String(200), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("path", String(500), nullable=False),  # relative to the data directory
    Column("uploaded_by", String(40), nullable=False),
    Column("uploaded_at", UtcDateTime, nullable=False),
)

# Platform settings edited by admins (case policy, webhooks): one JSON value per key.
settings = Table(
    "settings",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(40), nullable=True),
)

# Outbound notifications (webhooks), written in the transaction of the case change and
# delivered afterwards with retries: nothing is lost when a receiver is down.
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", String(40), nullable=True, index=True),
    Column("channel_id", String(40), nullable=False),  # the webhook's id in the settings
    Column("kind", String(20), nullable=False),  # wecom / dingtalk / feishu / http
    Column("payload", JSON, nullable=False),  # what to say, before channel formatting
    Column("status", String(20), nullable=False),  # pending / sent / failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", Text, nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

Index("ix_alarms_started", alarms.c.started_at)
Index("ix_alarms_vehicle_started", alarms.c.vehicle_id, alarms.c.started_at)
Index("ix_alarms_county_started", alarms.c.county_id, alarms.c.started_at)
Index("ix_alarms_enterprise_started", alarms.c.enterprise_id, alarms.c.started_at)
Index("ix_events_time", events.c.time)
Index("ix_cases_vehicle_type_state", cases.c.vehicle_id, cases.c.type_code, cases.c.state)
Index("ix_cases_county_opened", cases.c.county_id, cases.c.opened_at)
Index("ix_cases_enterprise_opened", cases.c.enterprise_id, cases.c.opened_at)
Index("ix_cases_state_deadline", cases.c.state, cases.c.deadline)
Index("ix_outbox_status_next", outbox.c.status, outbox.c.next_attempt_at)
