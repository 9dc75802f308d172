"""``GET /alarms`` (filter, sort, page) and ``GET /alarms/{id}``, within the caller's scope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from console.domain.model import Scope
from console.platform.api.deps import ConnDep, CurrentUser, require_aware
from console.platform.store.telemetry import AlarmFilter, alarm_json, get_alarm, list_alarms

router = APIRouter(tags=["alarms"])


@router.get("/alarms")
def alarms_page(
    conn: ConnDep,
    user: CurrentUser,
    start: datetime | None = None,
    end: datetime | None = None,
    vehicle_id: str | None = None,
    county_id: str | None = None,
    enterprise_id: str | None = None,
    type: Annotated[list[str] | None, Query(description="alarm type codes, e.g. dsm.01")] = None,
    family: str | None = None,
    min_severity: Annotated[int | None, Query(ge=1, le=4)] = None,
    evidence_status: Literal["none", "pending", "complete", "incomplete"] | None = None,
    open: bool = False,
    plate: str | None = None,
    order: Literal["newest", "oldest"] = "newest",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    require_aware("start", start)
    require_aware("end", end)
    wanted = AlarmFilter(
        start=start,
        end=end,
        vehicle_id=vehicle_id,
        county_id=county_id,
        enterprise_id=enterprise_id,
        type_codes=tuple(type or ()),
        family=family,
        min_severity=min_severity,
        evidence_status=evidence_status,
        open_only=open,
        plate=plate,
    )
    items, total = list_alarms(
        conn, Scope.of(user), wanted, offset=offset, limit=limit, newest_first=order == "newest"
    )
    return {
        "items": [alarm_json(a) for a in items],
        "total": total,
        "offset": offset,
        "limit": limit,
    }


@router.get("/alarms/{alarm_id}")
def alarm_detail(alarm_id: str, conn: ConnDep, user: CurrentUser) -> dict[str, Any]:
    alarm = get_alarm(conn, alarm_id, Scope.of(user))
    if alarm is None:
        raise HTTPException(404, f"no alarm {alarm_id}")
    return alarm_json(alarm)
