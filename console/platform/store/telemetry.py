"""Positions, the latest vehicle state and alarms: what ingest writes and the API reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from console.domain.model import Alarm, EvidenceStatus, Position, Scope
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
def _insert_ignoring_duplicates(conn: Connection, table: Any) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    return insert(table)


def insert_positions(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert many positions; one already stored (same vehicle and time) is skipped."""
    if rows:
        conn.execute(_insert_ignoring_duplicates(conn, positions), rows)


def position_row(position: Position, items: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "vehicle_id": position.vehicle_id,
        "time": position.time,
        "received_at": position.received_at,
        "lat": position.lat,
        "lon": position.lon,
        "altitude_m": position.altitude_m,
        "speed_kmh": position.speed_kmh,
        "direction": position.direction,
        "alarm_flags": position.alarm_flags,
        "status": position.status,
        "mileage_km": position.mileage_km,
        "fuel_l": position.fuel_l,
        "satellites": position.satellites,
        "signal": position.signal,
        "invalid": ";".join(position.invalid_reasons) or None,
        "items": items or None,
    }


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
            "rules": self.rules or {},
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


def save_states(conn: Connection, states: list[VehicleState]) -> None:
    new = [s.row() for s in states if not s.exists]
    old = [s.row() for s in states if s.exists]
    if new:
        conn.execute(insert(vehicle_state), new)
        for state in states:
            state.exists = True
    if old:
        columns = [k for k in old[0] if k != "vehicle_id"]
        stmt = (
            update(vehicle_state)
            .where(vehicle_state.c.vehicle_id == bindparam("b_vehicle_id"))
            .values({k: bindparam(f"b_{k}") for k in columns})
        )
        conn.execute(stmt, [{f"b_{k}": v for k, v in row.items()} for row in old])


# --- alarms -----------------------------------------------------------------------------
def insert_alarm(conn: Connection, row: dict[str, Any]) -> bool:
    """Insert unless an alarm with the same ``alarm_key`` exists; True when inserted.

    RETURNING tells reliably whether the row went in (an executemany rowcount does not,
    on PostgreSQL)."""
    stmt = _insert_ignoring_duplicates(conn, alarms).values(row).returning(alarms.c.id)
    return conn.execute(stmt).first() is not None


def alarm_by_key(conn: Connection, key: str) -> Alarm | None:
    row = conn.execute(
        select(alarms, vehicles.c.plate)
        .join(vehicles, vehicles.c.id == alarms.c.vehicle_id)
        .where(alarms.c.alarm_key == key)
    ).first()
    return alarm_from_row(row) if row is not None else None


def end_alarm(conn: Connection, key: str, ended_at: datetime, now: datetime) -> bool:
    """Set the end of the alarm with this key, once; True when it changed."""
    result = conn.execute(
        update(alarms)
        .where(alarms.c.alarm_key == key, alarms.c.ended_at.is_(None))
        .values(ended_at=ended_at, updated_at=now)
    )
    return result.rowcount == 1


def reopen_alarm(conn: Connection, key: str, now: datetime) -> bool:
    result = conn.execute(
        update(alarms)
        .where(alarms.c.alarm_key == key, alarms.c.ended_at.is_not(None))
        .values(ended_at=None, updated_at=now)
    )
    return result.rowcount == 1


def update_alarm_detail(conn: Connection, key: str, detail: dict[str, Any], now: datetime) -> None:
    conn.execute(
        update(alarms).where(alarms.c.alarm_key == key).values(detail=detail, updated_at=now)
    )


def open_alarm_key(conn: Connection, vehicle_id: str, type_code: str) -> str | None:
    """The key of the vehicle's open (not ended) alarm of this type, if any."""
    return conn.execute(
        select(alarms.c.alarm_key)
        .where(
            alarms.c.vehicle_id == vehicle_id,
            alarms.c.type_code == type_code,
            alarms.c.ended_at.is_(None),
        )
        .order_by(alarms.c.started_at.desc())
        .limit(1)
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
