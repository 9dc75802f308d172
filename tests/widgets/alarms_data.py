"""Alarms in the API's shape (``alarm_json`` of the platform store) for the alarm-queue tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from console.client import StreamEvent

T0 = datetime(2026, 11, 21, 2, 0, 0, tzinfo=UTC)  # 10:00 Beijing time
COUNTIES = {"c1": "清城区", "c2": "英德市"}
ENTERPRISES = {"e1": "清远市顺达运输有限公司", "e2": "英德市北江运输有限公司"}


def alarm(
    n: int,
    *,
    at: float = 0.0,
    vehicle: int = 1,
    type_code: str = "dsm.01",
    severity: int = 3,
    level: int | None = 2,
    evidence: str = "pending",
    county: str = "c1",
    enterprise: str = "e1",
    **extra: Any,
) -> dict[str, Any]:
    """Alarm ``a<n>`` of vehicle ``v<vehicle>``, ``at`` seconds after :data:`T0`."""
    started = T0 + timedelta(seconds=at)
    data = {
        "id": f"a{n}",
        "vehicle_id": f"v{vehicle}",
        "plate": f"粤R{vehicle:05d}",
        "county_id": county,
        "enterprise_id": enterprise,
        "type_code": type_code,
        "severity": severity,
        "level": level,
        "source": "terminal",
        "started_at": started.isoformat(),
        "ended_at": None,
        "lat": 23.68123 + vehicle / 1000,
        "lon": 113.05678 + vehicle / 1000,
        "speed_kmh": 62.4,
        "evidence_status": evidence,
        "attachment_count": 3,
        "detail": {},
    }
    data.update(extra)
    return data


def event(data: dict[str, Any], kind: str = "alarm", event_id: int = 1) -> StreamEvent:
    return StreamEvent(event_id, kind, data)


def page(items: list[dict[str, Any]], offset: int = 0, total: int | None = None) -> dict:
    return {
        "items": items,
        "offset": offset,
        "limit": 500,
        "total": total if total is not None else offset + len(items),
    }


class Clock:
    """Wall clock for the model, epoch seconds, moved by the test."""

    def __init__(self, at: float = 0.0) -> None:
        self.now = T0.timestamp() + at

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
