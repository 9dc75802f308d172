"""Positions, the latest vehicle state and alarms: what ingest writes and the API reads.

The two writes of every ingest batch (the positions, the vehicles' state) go through the
DB-API cursor of the caller's SQLAlchemy connection, inside its transaction, with plain
``executemany``: SQLAlchemy's per-row parameter processing cost more than the rest of
storing a position. They store exactly what the SQLAlchemy types would (times as UTC,
in SQLite as its ``YYYY-MM-DD HH:MM:SS.ffffff`` text; JSON as ``json.dumps`` text, a
Python None as JSON ``null``), so every reader sees the same rows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update

from console.domain.model import Alarm, EvidenceStatus, Position, Scope
from console.platform.store.dialect import insert_ignoring_duplicates
from console.platform.store.registry import scope_condition
from console.platform.store.schema import alarms, positions, vehicle_state, vehicles


@dataclass(frozen=True, slots=True)
class VehicleRef:
    """What ingest needs to know about a vehicle (cached: it changes rarely)."""

    id: str
    plate: str
    county_id: str
    enterprise_id: str
    speed_limit_kmh: int


def vehicle_refs(conn: Connection) -> dict[str, VehicleRef]:
    rows = conn.execute(
        select(
            vehicles.c.id,
            vehicles.c.plate,
            vehicles.c.county_id,
            vehicles.c.enterprise_id,
            vehicles.c.speed_limit_kmh,
        )
    ).all()
    return {
        r.id: VehicleRef(r.id, r.plate, r.county_id, r.enterprise_id, r.speed_limit_kmh)
        for r in rows
    }


# --- positions --------------------------------------------------------------------------
# --- plain DB-API writes ------------------------------------------------------------------
def sqlite_datetime(value: datetime | None) -> str | None:
    """``value`` as SQLAlchemy stores a ``UtcDateTime`` in SQLite (UTC, no zone)."""
    if value is None:
        return None
    text = _SQLITE_STAMPS.get(value)  # a batch writes each moment twice or more
    if text is None:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware one")
        if len(_SQLITE_STAMPS) >= 20_000:
            _SQLITE_STAMPS.clear()
        # Equal aware datetimes are the same instant: the same UTC text.
        utc = value if value.tzinfo is UTC else value.astimezone(UTC)
        text = _SQLITE_STAMPS[value] = utc.isoformat(" ", "microseconds")[:26]  # no "+00:00"
    return text


_SQLITE_STAMPS: dict[datetime, str] = {}


def _utc_datetime(value: datetime | None) -> datetime | None:
    """``value`` as SQLAlchemy binds a ``UtcDateTime`` for PostgreSQL."""
    if value is None or value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: pass an aware one")
    return value.astimezone(UTC)


def _sql(conn: Connection, statement: str, json_columns: tuple[str, ...] = ()) -> str:
    """``statement`` with ``:name`` placeholders in the driver's parameter style (JSON
    values are passed as text, cast on PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        for name in json_columns:
            statement = statement.replace(f":{name}", f":{name}::json")
        return re.sub(r":([a-z_]+)(::json)?", lambda m: "%s" + (m.group(2) or ""), statement)
    return re.sub(r":[a-z_]+", "?", statement)


def _executemany(conn: Connection, statement: str, rows: list[tuple[Any, ...]]) -> None:
    cursor = conn.connection.cursor()  # the DB-API connection of conn's transaction
    try:
        cursor.executemany(statement, rows)
    finally:
        cursor.close()


def _dialect_sql(conn: Connection, cache: dict[str, str], make: Any) -> str:
    name = conn.dialect.name
    statement = cache.get(name)
    if statement is None:
        statement = cache[name] = make(conn)
    return statement


#: The columns of a position row, in the order of :func:`position_values`.
POSITION_COLUMNS = (
    "vehicle_id",
    "time",
    "received_at",
    "lat",
    "lon",
    "altitude_m",
    "speed_kmh",
    "direction",
    "alarm_flags",
    "status",
    "mileage_km",
    "fuel_l",
    "satellites",
    "signal",
    "invalid",
    "items",
)
_POSITION_SQL: dict[str, str] = {}


def _position_sql(conn: Connection) -> str:
    if conn.dialect.name not in ("sqlite", "postgresql"):  # pragma: no cover - not supported
        raise NotImplementedError(conn.dialect.name)
    columns = ", ".join(f'"{c}"' for c in POSITION_COLUMNS)
    values = ", ".join(f":{c}" for c in POSITION_COLUMNS)
    return _sql(
        conn,
        f"INSERT INTO positions ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING",
        ("items",),
    )


def position_values(position: Position, items: dict[str, Any] | None) -> tuple[Any, ...]:
    """One row for :func:`insert_positions` (columns as in :data:`POSITION_COLUMNS`)."""
    return (
        position.vehicle_id,
        position.time,
        position.received_at,
        position.lat,
        position.lon,
        position.altitude_m,
        position.speed_kmh,
        position.direction,
        position.alarm_flags,
        position.status,
        position.mileage_km,
        position.fuel_l,
        position.satellites,
        position.signal,
        ";".join(position.invalid_reasons) or None,
        items or None,
    )


def insert_positions(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert many positions (:func:`position_values`); one already stored (same vehicle
    and time) is skipped."""
    if not rows:
        return
    dumps = json.dumps
    stamp = sqlite_datetime if conn.dialect.name == "sqlite" else _utc_datetime
    params = [
        (
            r[0],
            stamp(r[1]),
            stamp(r[2]),
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            r[10],
            r[11],
            r[12],
            r[13],
            r[14],
            "null" if r[15] is None else dumps(r[15]),  # as the JSON type binds None
        )
        for r in rows
    ]
    _executemany(conn, _dialect_sql(conn, _POSITION_SQL, _position_sql), params)


def position_row(position: Position, items: dict[str, Any] | None) -> dict[str, Any]:
    """A position as a dict of column values (for SQLAlchemy statements)."""
    return dict(zip(POSITION_COLUMNS, position_values(position, items), strict=True))


def position_from_row(row: Any) -> Position:
    return Position(
        vehicle_id=row.vehicle_id,
        time=row.time,
        lat=row.lat,
        lon=row.lon,
        speed_kmh=row.speed_kmh,
        direction=row.direction,
        altitude_m=row.altitude_m,
        alarm_flags=row.alarm_flags,
        status=row.status,
        mileage_km=row.mileage_km,
        fuel_l=row.fuel_l,
        satellites=row.satellites,
        signal=row.signal,
        received_at=row.received_at,
        invalid_reasons=tuple(row.invalid.split(";")) if row.invalid else (),
    )


def track(conn: Connection, vehicle_id: str, start: datetime, end: datetime) -> list[Position]:
    rows = conn.execute(
        select(positions)
        .where(
            positions.c.vehicle_id == vehicle_id, positions.c.time >= start, positions.c.time <= end
        )
        .order_by(positions.c.time)
    ).all()
    return [position_from_row(r) for r in rows]


def count_positions(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(positions)).scalar_one()


# --- vehicle state ----------------------------------------------------------------------
@dataclass(slots=True)
class VehicleState:
    """The mutable memory of one vehicle inside an ingest transaction."""

    vehicle_id: str
    exists: bool = False
    online: bool = False
    last_seen_at: datetime | None = None
    time: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    speed_kmh: float | None = None
    direction: int | None = None
    alarm_flags: int = 0
    status: int = 0
    video_alarms: int = 0
    rules: dict[str, Any] | None = None
    #: The rule state as JSON text; when set it is the truth and ``rules`` is None. Kept
    #: as long as the rules do not change: an unchanged state is not serialised again.
    rules_json: str | None = None

    def set_rules(self, rules: dict[str, Any]) -> None:
        self.rules, self.rules_json = rules, None

    def set_rules_json(self, text: str) -> None:
        self.rules, self.rules_json = None, text

    def rules_value(self) -> dict[str, Any] | str:
        """The rule state: the JSON text if there is one, else the dict (or ``{}``)."""
        return self.rules_json if self.rules_json is not None else (self.rules or {})

    def row(self) -> dict[str, Any]:
        return {
            "vehicle_id": self.vehicle_id,
            "online": self.online,
            "last_seen_at": self.last_seen_at,
            "time": self.time,
            "lat": self.lat,
            "lon": self.lon,
            "speed_kmh": self.speed_kmh,
            "direction": self.direction,
            "alarm_flags": self.alarm_flags,
            "status": self.status,
            "video_alarms": self.video_alarms,
            "rules": json.loads(self.rules_json)
            if self.rules_json is not None
            else (self.rules or {}),
        }


def offline_candidates(
    conn: Connection, now: datetime, after_s: float
) -> list[tuple[str, datetime]]:
    """Vehicles whose last message is older than ``after_s`` seconds (the rules decide)."""
    cutoff = now - timedelta(seconds=after_s)
    rows = conn.execute(
        select(vehicle_state.c.vehicle_id, vehicle_state.c.last_seen_at).where(
            vehicle_state.c.last_seen_at < cutoff
        )
    )
    return [(r.vehicle_id, r.last_seen_at) for r in rows]


def load_states(conn: Connection, vehicle_ids: set[str]) -> dict[str, VehicleState]:
    states = {vid: VehicleState(vid) for vid in vehicle_ids}
    if not vehicle_ids:
        return states
    rows = conn.execute(select(vehicle_state).where(vehicle_state.c.vehicle_id.in_(vehicle_ids)))
    for r in rows:
        states[r.vehicle_id] = VehicleState(
            r.vehicle_id,
            True,
            r.online,
            r.last_seen_at,
            r.time,
            r.lat,
            r.lon,
            r.speed_kmh,
            r.direction,
            r.alarm_flags,
            r.status,
            r.video_alarms,
            dict(r.rules or {}),
        )
    return states


_STATE_COLUMNS = (
    "online",
    "last_seen_at",
    "time",
    "lat",
    "lon",
    "speed_kmh",
    "direction",
    "alarm_flags",
    "status",
    "video_alarms",
    "rules",
)
_STATE_SQL: dict[str, str] = {}


def _state_sql(conn: Connection) -> str:
    sets = ", ".join(f'"{c}" = :{c}' for c in _STATE_COLUMNS)
    return _sql(conn, f"UPDATE vehicle_state SET {sets} WHERE vehicle_id = :vehicle_id", ("rules",))


def save_states(conn: Connection, states: list[VehicleState]) -> None:
    """Write the vehicles' state: insert the new ones, update the others."""
    new = [s for s in states if not s.exists]
    old = [s for s in states if s.exists]
    if new:
        conn.execute(insert(vehicle_state), [s.row() for s in new])
        for state in new:
            state.exists = True
    if not old:
        return
    stamp = sqlite_datetime if conn.dialect.name == "sqlite" else _utc_datetime
    dumps = json.dumps
    params = []
    for s in old:
        text = s.rules_json
        if text is None:
            text = s.rules_json = dumps(s.rules or {})
        params.append(
            (
                s.online,
                stamp(s.last_seen_at),
                stamp(s.time),
                s.lat,
                s.lon,
                s.speed_kmh,
                s.direction,
                s.alarm_flags,
                s.status,
                s.video_alarms,
                text,
                s.vehicle_id,
            )
        )
    _executemany(conn, _dialect_sql(conn, _STATE_SQL, _state_sql), params)


# --- alarms -----------------------------------------------------------------------------
# The statements are built once, their values passed as parameters: building a statement
# with its values costs SQLAlchemy more than running it.
_INSERT_ALARM: dict[str, Any] = {}


def insert_alarm(conn: Connection, row: dict[str, Any]) -> bool:
    """Insert unless an alarm with the same ``alarm_key`` exists; True when inserted.

    RETURNING tells reliably whether the row went in (an executemany rowcount does not,
    on PostgreSQL)."""
    stmt = _INSERT_ALARM.get(conn.dialect.name)
    if stmt is None:
        stmt = _INSERT_ALARM[conn.dialect.name] = insert_ignoring_duplicates(
            conn, alarms
        ).returning(alarms.c.id)
    return conn.execute(stmt, row).first() is not None


_ALARM_BY_KEY = (
    select(alarms, vehicles.c.plate)
    .join(vehicles, vehicles.c.id == alarms.c.vehicle_id)
    .where(alarms.c.alarm_key == bindparam("b_key"))
)


def alarm_by_key(conn: Connection, key: str) -> Alarm | None:
    row = conn.execute(_ALARM_BY_KEY, {"b_key": key}).first()
    return alarm_from_row(row) if row is not None else None


_END_ALARM = (
    update(alarms)
    .where(alarms.c.alarm_key == bindparam("b_key"), alarms.c.ended_at.is_(None))
    .values(ended_at=bindparam("b_ended_at"), updated_at=bindparam("b_now"))
)


def end_alarm(conn: Connection, key: str, ended_at: datetime, now: datetime) -> bool:
    """Set the end of the alarm with this key, once; True when it changed."""
    result = conn.execute(_END_ALARM, {"b_key": key, "b_ended_at": ended_at, "b_now": now})
    return result.rowcount == 1


_REOPEN_ALARM = (
    update(alarms)
    .where(alarms.c.alarm_key == bindparam("b_key"), alarms.c.ended_at.is_not(None))
    .values(ended_at=None, updated_at=bindparam("b_now"))
)


def reopen_alarm(conn: Connection, key: str, now: datetime) -> bool:
    result = conn.execute(_REOPEN_ALARM, {"b_key": key, "b_now": now})
    return result.rowcount == 1


_ALARM_DETAIL = (
    update(alarms)
    .where(alarms.c.alarm_key == bindparam("b_key"))
    .values(detail=bindparam("b_detail"), updated_at=bindparam("b_now"))
)


def update_alarm_detail(conn: Connection, key: str, detail: dict[str, Any], now: datetime) -> None:
    conn.execute(_ALARM_DETAIL, {"b_key": key, "b_detail": detail, "b_now": now})


_OPEN_ALARM_KEY = (
    select(alarms.c.alarm_key)
    .where(
        alarms.c.vehicle_id == bindparam("b_vehicle_id"),
        alarms.c.type_code == bindparam("b_type_code"),
        alarms.c.ended_at.is_(None),
    )
    .order_by(alarms.c.started_at.desc())
    .limit(1)
)


def open_alarm_key(conn: Connection, vehicle_id: str, type_code: str) -> str | None:
    """The key of the vehicle's open (not ended) alarm of this type, if any."""
    return conn.execute(
        _OPEN_ALARM_KEY, {"b_vehicle_id": vehicle_id, "b_type_code": type_code}
    ).scalar()


def alarm_from_row(row: Any) -> Alarm:
    m = row._mapping
    return Alarm(
        id=m["id"],
        vehicle_id=m["vehicle_id"],
        type_code=m["type_code"],
        severity=m["severity"],
        started_at=m["started_at"],
        ended_at=m["ended_at"],
        level=m["level"],
        lat=m["lat"],
        lon=m["lon"],
        speed_kmh=m["speed_kmh"],
        evidence_status=EvidenceStatus(m["evidence_status"]),
        attachment_count=m["attachment_count"],
        source=m["source"],
        county_id=m["county_id"],
        enterprise_id=m["enterprise_id"],
        plate=m.get("plate", ""),
        detail=dict(m["detail"] or {}),
    )


@dataclass(frozen=True, slots=True)
class AlarmFilter:
    start: datetime | None = None
    end: datetime | None = None
    vehicle_id: str | None = None
    county_id: str | None = None
    enterprise_id: str | None = None
    type_codes: tuple[str, ...] = ()
    family: str | None = None
    min_severity: int | None = None
    evidence_status: str | None = None
    open_only: bool = False
    plate: str | None = None  # substring


def _alarm_query(scope: Scope, f: AlarmFilter) -> Any:
    query = select(alarms, vehicles.c.plate).join(vehicles, vehicles.c.id == alarms.c.vehicle_id)
    conds = [scope_condition(scope, alarms.c.county_id, alarms.c.enterprise_id)]
    if f.start is not None:
        conds.append(alarms.c.started_at >= f.start)
    if f.end is not None:
        conds.append(alarms.c.started_at < f.end)
    if f.vehicle_id:
        conds.append(alarms.c.vehicle_id == f.vehicle_id)
    if f.county_id:
        conds.append(alarms.c.county_id == f.county_id)
    if f.enterprise_id:
        conds.append(alarms.c.enterprise_id == f.enterprise_id)
    if f.type_codes:
        conds.append(alarms.c.type_code.in_(f.type_codes))
    if f.family:
        conds.append(alarms.c.family == f.family)
    if f.min_severity is not None:
        conds.append(alarms.c.severity >= f.min_severity)
    if f.evidence_status:
        conds.append(alarms.c.evidence_status == f.evidence_status)
    if f.open_only:
        conds.append(alarms.c.ended_at.is_(None))
    if f.plate:
        conds.append(vehicles.c.plate.contains(f.plate, autoescape=True))
    return query.where(and_(*conds))


def list_alarms(
    conn: Connection,
    scope: Scope,
    f: AlarmFilter,
    *,
    offset: int = 0,
    limit: int = 100,
    newest_first: bool = True,
) -> tuple[list[Alarm], int]:
    """One page of alarms in scope, and how many match in all."""
    base = _alarm_query(scope, f)
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    order = alarms.c.started_at.desc() if newest_first else alarms.c.started_at
    rows = conn.execute(base.order_by(order, alarms.c.id).offset(offset).limit(limit)).all()
    return [alarm_from_row(r) for r in rows], total


def get_alarm(conn: Connection, alarm_id: str, scope: Scope) -> Alarm | None:
    row = conn.execute(_alarm_query(scope, AlarmFilter()).where(alarms.c.id == alarm_id)).first()
    return alarm_from_row(row) if row is not None else None


def alarm_json(alarm: Alarm) -> dict[str, Any]:
    """The one JSON shape of an alarm: in events, in the API and in the client."""
    return {
        "id": alarm.id,
        "vehicle_id": alarm.vehicle_id,
        "plate": alarm.plate,
        "county_id": alarm.county_id,
        "enterprise_id": alarm.enterprise_id,
        "type_code": alarm.type_code,
        "severity": alarm.severity,
        "level": alarm.level,
        "source": alarm.source,
        "started_at": alarm.started_at.isoformat(),
        "ended_at": alarm.ended_at.isoformat() if alarm.ended_at else None,
        "lat": alarm.lat,
        "lon": alarm.lon,
        "speed_kmh": alarm.speed_kmh,
        "evidence_status": alarm.evidence_status.value,
        "attachment_count": alarm.attachment_count,
        "detail": alarm.detail,
    }
