"""The event log: append after a change, read back by id for the live stream."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select

from console.domain.model import Event, EventKind, Scope
from console.platform.store.schema import events


def append_event(
    conn: Connection,
    kind: EventKind,
    payload: dict[str, Any],
    *,
    time: datetime,
    vehicle_id: str | None = None,
    county_id: str | None = None,
    enterprise_id: str | None = None,
) -> Event:
    """Store one event in the caller's transaction; its id is known at once."""
    result = conn.execute(
        _INSERT_EVENT,  # built once: the values are parameters
        {
            "kind": kind.value,
            "time": time,
            "payload": payload,
            "vehicle_id": vehicle_id,
            "county_id": county_id,
            "enterprise_id": enterprise_id,
        },
    )
    return Event(
        id=int(result.inserted_primary_key[0]),
        kind=kind,
        time=time,
        payload=payload,
        vehicle_id=vehicle_id,
        county_id=county_id,
        enterprise_id=enterprise_id,
    )


_INSERT_EVENT = insert(events)


def events_after(
    conn: Connection, after: int, scope: Scope, *, limit: int = 1000
) -> tuple[list[Event], int, bool]:
    """Events newer than ``after`` that ``scope`` may see, oldest first; the id of the last
    row looked at (resume from there); and whether that was all there is (fewer rows than
    ``limit`` matched).

    A positions event carries many vehicles; a reader gets only the ones in its scope.
    """
    query = select(events).where(events.c.id > after).order_by(events.c.id).limit(limit)
    batch = events.c.kind == EventKind.POSITIONS.value
    if scope.county_ids is not None:
        query = query.where(or_(batch, events.c.county_id.in_(scope.county_ids)))
    if scope.enterprise_ids is not None:
        query = query.where(or_(batch, events.c.enterprise_id.in_(scope.enterprise_ids)))
    rows = conn.execute(query).mappings().all()
    last = after
    out: list[Event] = []
    for row in rows:
        last = max(last, row["id"])
        event = _to_event(row)
        if event.kind is EventKind.POSITIONS and not scope.is_everything:
            visible = [
                p
                for p in event.payload.get("positions", [])
                if scope.allows(p.get("county_id"), p.get("enterprise_id"))
            ]
            if not visible:
                continue
            event = Event(event.id, event.kind, event.time, {**event.payload, "positions": visible})
        out.append(event)
    return out, last, len(rows) < limit


def last_event_id(conn: Connection) -> int:
    return conn.execute(select(events.c.id).order_by(events.c.id.desc()).limit(1)).scalar() or 0


def prune_events(conn: Connection, before: datetime) -> int:
    """Drop events older than the retention window; returns how many went."""
    return conn.execute(delete(events).where(events.c.time < before)).rowcount


def _to_event(row: Any) -> Event:
    return Event(
        id=row["id"],
        kind=EventKind(row["kind"]),
        time=row["time"],
        payload=row["payload"],
        vehicle_id=row["vehicle_id"],
        county_id=row["county_id"],
        enterprise_id=row["enterprise_id"],
    )
