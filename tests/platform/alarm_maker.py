"""Alarms stored the way ingest stores them, for the case-workflow tests: the workflow
opens and grows cases from them (``ctx.workflow.on_alarm``) in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.domain.alarm_types import by_code
from console.domain.model import Alarm, EvidenceStatus
from console.platform.ids import new_id
from console.platform.store import Store
from console.platform.store.telemetry import insert_alarm


def raise_alarm(
    store: Store,
    workflow: Any,
    world: Any,
    vehicle_id: str,
    at: datetime,
    *,
    type_code: str = "dsm.01",
    level: int | None = 2,
    now: datetime | None = None,
) -> tuple[Alarm, Any]:
    """Store one alarm of ``vehicle_id`` and hand it to the workflow; → (alarm, case event
    on the live stream or None)."""
    kind = by_code(type_code)
    county, enterprise = _owner(world, vehicle_id)
    alarm = Alarm(
        id=new_id("alm"),
        vehicle_id=vehicle_id,
        type_code=type_code,
        severity=int(kind.severity_at(level)),
        started_at=at,
        level=level,
        lat=23.7,
        lon=113.03,
        speed_kmh=62.0,
        evidence_status=EvidenceStatus.NONE,
        source=kind.source.value,
        county_id=county,
        enterprise_id=enterprise,
        plate=world.plates[vehicle_id],
    )
    with store.begin() as conn:
        insert_alarm(
            conn,
            {
                "id": alarm.id,
                "vehicle_id": vehicle_id,
                "county_id": county,
                "enterprise_id": enterprise,
                "type_code": type_code,
                "family": kind.family.value,
                "severity": alarm.severity,
                "level": level,
                "source": alarm.source,
                "alarm_key": f"test:{alarm.id}",
                "started_at": at,
                "ended_at": None,
                "lat": alarm.lat,
                "lon": alarm.lon,
                "speed_kmh": alarm.speed_kmh,
                "evidence_status": "none",
                "attachment_count": 0,
                "alarm_no": None,
                "alarm_ident": None,
                "detail": {},
                "created_at": at,
                "updated_at": at,
            },
        )
        event = workflow.on_alarm(conn, alarm, now or at)
    return alarm, event


def _owner(world: Any, vehicle_id: str) -> tuple[str, str]:
    for enterprise, vehicles in world.vehicles.items():
        if vehicle_id in vehicles:
            county = world.county_b if enterprise == world.ent_b1 else world.county_a
            return county, enterprise
    raise KeyError(vehicle_id)
