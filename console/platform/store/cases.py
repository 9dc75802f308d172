"""Cases, their alarms, their audit trail and their attachments in the store.

The workflow (``console/platform/workflow.py``) decides; this module reads and writes rows.
Every read takes the caller's :class:`Scope`, like every other query of the platform.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from console.domain.model import (
    Alarm,
    Case,
    CaseAction,
    CaseEvent,
    CaseState,
    Measure,
    Scope,
)
from console.platform.store.schema import (
    alarms,
    case_alarms,
    case_attachments,
    case_events,
    cases,
    counties,
    enterprises,
    vehicles,
)
from console.platform.store.telemetry import alarm_from_row

OPEN_STATE_VALUES = tuple(s.value for s in CaseState if s.is_open)


# --- rows ↔ records ---------------------------------------------------------------------------
def _case_query() -> Any:
    return select(cases, vehicles.c.plate).join(vehicles, vehicles.c.id == cases.c.vehicle_id)


def _scoped(query: Any, scope: Scope) -> Any:
    if scope.county_ids is not None:
        query = query.where(cases.c.county_id.in_(scope.county_ids))
    if scope.enterprise_ids is not None:
        query = query.where(cases.c.enterprise_id.in_(scope.enterprise_ids))
    return query


def case_from_row(row: Any) -> Case:
    return Case(
        id=row.id,
        vehicle_id=row.vehicle_id,
        county_id=row.county_id,
        enterprise_id=row.enterprise_id,
        type_code=row.type_code,
        severity=row.severity,
        state=CaseState(row.state),
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        last_alarm_at=row.last_alarm_at,
        alarm_count=row.alarm_count,
        first_alarm_id=row.first_alarm_id,
        deadline=row.deadline,
        overdue=row.overdue,
        escalation_level=row.escalation_level,
        supervisor=row.supervisor,
        assignee_id=row.assignee_id,
        reminder_status=row.reminder_status,
        measures=tuple(Measure(m) for m in row.measures or ()),
        feedback_note=row.feedback_note,
        closed_at=row.closed_at,
        plate=row.plate,
    )


def case_json(case: Case) -> dict[str, Any]:
    """The one JSON shape of a case (docs/cases.md), without the caller's ``actions``."""
    return {
        "id": case.id,
        "vehicle_id": case.vehicle_id,
        "plate": case.plate,
        "county_id": case.county_id,
        "enterprise_id": case.enterprise_id,
        "type_code": case.type_code,
        "severity": case.severity,
        "state": case.state.value,
        "opened_at": case.opened_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "last_alarm_at": case.last_alarm_at.isoformat(),
        "alarm_count": case.alarm_count,
        "first_alarm_id": case.first_alarm_id,
        "deadline": case.deadline.isoformat() if case.deadline else None,
        "overdue": case.overdue,
        "escalation_level": case.escalation_level,
        "supervisor": case.supervisor,
        "assignee_id": case.assignee_id,
        "reminder_status": case.reminder_status,
        "measures": [m.value for m in case.measures],
        "feedback_note": case.feedback_note,
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
    }


def case_event_from_row(row: Any) -> CaseEvent:
    return CaseEvent(
        id=int(row.id),
        case_id=row.case_id,
        action=CaseAction(row.action),
        from_state=CaseState(row.from_state) if row.from_state else None,
        to_state=CaseState(row.to_state),
        at=row.at,
        user_id=row.user_id,
        username=row.username,
        role=row.role,
        note=row.note,
        attachments=tuple(row.attachments or ()),
        detail=dict(row.detail or {}),
    )


def case_event_json(event: CaseEvent, files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``files``: attachment JSON by id (see :func:`attachments_json`)."""
    return {
        "id": event.id,
        "case_id": event.case_id,
        "action": event.action.value,
        "from_state": event.from_state.value if event.from_state else None,
        "to_state": event.to_state.value,
        "at": event.at.isoformat(),
        "user_id": event.user_id,
        "username": event.username,
        "role": event.role,
        "note": event.note,
        "attachments": [files[a] for a in event.attachments if a in files],
        "detail": event.detail,
    }


# --- writes ----------------------------------------------------------------------------------
_TIMES = ("opened_at", "updated_at", "last_alarm_at", "deadline", "closed_at")


def insert_case(conn: Connection, case: Case) -> None:
    """A new case; its plate is the vehicle's (joined on reads, not stored)."""
    values = {k: v for k, v in case_json(case).items() if k != "plate"}
    values.update({k: getattr(case, k) for k in _TIMES}, ever_overdue=case.overdue, acted=False)
    conn.execute(insert(cases), values)


def update_case(
    conn: Connection, case_id: str, expected: CaseState, values: dict[str, Any]
) -> bool:
    """Change a case that is still in ``expected`` (False: someone else changed it first)."""
    result = conn.execute(
        update(cases).where(cases.c.id == case_id, cases.c.state == expected.value).values(values)
    )
    return result.rowcount == 1


def append_case_event(
    conn: Connection,
    case_id: str,
    action: CaseAction,
    from_state: CaseState | None,
    to_state: CaseState,
    *,
    at: datetime,
    user_id: str | None,
    username: str,
    role: str,
    note: str = "",
    attachments: tuple[str, ...] = (),
    detail: dict[str, Any] | None = None,
) -> CaseEvent:
    values = {
        "case_id": case_id,
        "action": action.value,
        "from_state": from_state.value if from_state else None,
        "to_state": to_state.value,
        "at": at,
        "user_id": user_id,
        "username": username,
        "role": role,
        "note": note,
        "attachments": list(attachments),
        "detail": detail or {},
    }
    result = conn.execute(insert(case_events), values)
    return CaseEvent(
        id=int(result.inserted_primary_key[0]),
        case_id=case_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        at=at,
        user_id=user_id,
        username=username,
        role=role,
        note=note,
        attachments=attachments,
        detail=values["detail"],
    )


def link_alarm(conn: Connection, alarm_id: str, case_id: str) -> None:
    conn.execute(insert(case_alarms), {"alarm_id": alarm_id, "case_id": case_id})


# --- reads -----------------------------------------------------------------------------------
def get_case(conn: Connection, case_id: str, scope: Scope) -> Case | None:
    row = conn.execute(_scoped(_case_query().where(cases.c.id == case_id), scope)).first()
    return case_from_row(row) if row else None


def open_case_of(conn: Connection, vehicle_id: str, type_code: str) -> Case | None:
    """The newest open case of a vehicle and alarm type (where a repeat alarm attaches)."""
    row = conn.execute(
        _case_query()
        .where(
            cases.c.vehicle_id == vehicle_id,
            cases.c.type_code == type_code,
            cases.c.state.in_(OPEN_STATE_VALUES),
        )
        .order_by(cases.c.last_alarm_at.desc())
        .limit(1)
    ).first()
    return case_from_row(row) if row else None


@dataclass(frozen=True, slots=True)
class CaseFilter:
    states: tuple[str, ...] = ()
    county_id: str | None = None
    enterprise_id: str | None = None
    vehicle_id: str | None = None
    overdue: bool | None = None
    assignee_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    alarm_id: str | None = None


def list_cases(
    conn: Connection, scope: Scope, f: CaseFilter, *, limit: int = 200, offset: int = 0
) -> tuple[list[Case], int]:
    query = _scoped(_case_query(), scope)
    conditions = []
    if f.states:
        conditions.append(cases.c.state.in_(f.states))
    if f.county_id:
        conditions.append(cases.c.county_id == f.county_id)
    if f.enterprise_id:
        conditions.append(cases.c.enterprise_id == f.enterprise_id)
    if f.vehicle_id:
        conditions.append(cases.c.vehicle_id == f.vehicle_id)
    if f.overdue is not None:
        conditions.append(cases.c.overdue == f.overdue)
    if f.assignee_id:
        conditions.append(cases.c.assignee_id == f.assignee_id)
    if f.since:
        conditions.append(cases.c.opened_at >= f.since)
    if f.until:
        conditions.append(cases.c.opened_at < f.until)
    if f.alarm_id:
        linked = select(case_alarms.c.case_id).where(case_alarms.c.alarm_id == f.alarm_id)
        conditions.append(cases.c.id.in_(linked))
    if conditions:
        query = query.where(and_(*conditions))
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(cases.c.opened_at.desc(), cases.c.id).limit(limit).offset(offset)
    ).all()
    return [case_from_row(r) for r in rows], int(total)


def due_cases(conn: Connection, now: datetime, max_level: int) -> list[Case]:
    """Open cases past their deadline that can still escalate, or are not flagged yet."""
    rows = conn.execute(
        _case_query()
        .where(
            cases.c.state.in_(OPEN_STATE_VALUES),
            cases.c.deadline.is_not(None),
            cases.c.deadline <= now,
            or_(cases.c.overdue.is_(False), cases.c.escalation_level < max_level),
        )
        .order_by(cases.c.deadline)
        .limit(500)
    ).all()
    return [case_from_row(r) for r in rows]


def events_of_case(conn: Connection, case_id: str) -> list[CaseEvent]:
    rows = conn.execute(
        select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.id)
    ).all()
    return [case_event_from_row(r) for r in rows]


def alarms_of_case(conn: Connection, case_id: str) -> list[Alarm]:
    rows = conn.execute(
        select(alarms, vehicles.c.plate)
        .join(vehicles, vehicles.c.id == alarms.c.vehicle_id)
        .join(case_alarms, case_alarms.c.alarm_id == alarms.c.id)
        .where(case_alarms.c.case_id == case_id)
        .order_by(alarms.c.started_at)
    ).all()
    return [alarm_from_row(r) for r in rows]


def driver_of(conn: Connection, vehicle_id: str) -> str:
    return (
        conn.execute(
            select(vehicles.c.driver_name).where(vehicles.c.id == vehicle_id)
        ).scalar_one_or_none()
        or ""
    )


# --- attachments -----------------------------------------------------------------------------
def insert_attachment(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(case_attachments), values)


def get_attachment(conn: Connection, attachment_id: str) -> Any:
    return conn.execute(
        select(case_attachments).where(case_attachments.c.id == attachment_id)
    ).first()


def attachments_json(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = conn.execute(select(case_attachments).where(case_attachments.c.id.in_(ids))).all()
    return {r.id: attachment_json(r) for r in rows}


def attachment_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "file_name": row.file_name,
        "content_type": row.content_type,
        "size": int(row.size),
        "sha256": row.sha256,
        "url": f"/api/v1/attachments/{row.id}",
    }


def bind_attachments(conn: Connection, ids: tuple[str, ...], case_id: str, user_id: str) -> bool:
    """Tie uploaded files to a case; False when one is unknown, someone else's, or already
    on another case."""
    if not ids:
        return True
    result = conn.execute(
        update(case_attachments)
        .where(
            case_attachments.c.id.in_(ids),
            case_attachments.c.uploaded_by == user_id,
            or_(case_attachments.c.case_id.is_(None), case_attachments.c.case_id == case_id),
        )
        .values(case_id=case_id)
    )
    return result.rowcount == len(set(ids))


# --- statistics ------------------------------------------------------------------------------
def case_stats(
    conn: Connection, scope: Scope, start: datetime, end: datetime, by: str
) -> dict[str, Any]:
    """处置率, 处理率, overdue and median time to close of the cases opened in
    ``[start, end)``, per county or enterprise (definitions in docs/cases.md)."""
    key = cases.c.county_id if by == "county" else cases.c.enterprise_id
    names_table = counties if by == "county" else enterprises
    query = _scoped(
        select(
            key.label("key"),
            cases.c.state,
            cases.c.alarm_count,
            cases.c.acted,
            cases.c.ever_overdue,
            cases.c.opened_at,
            cases.c.closed_at,
        ).where(cases.c.opened_at >= start, cases.c.opened_at < end),
        scope,
    )
    groups: dict[str, list[Any]] = {}
    everything: list[Any] = []
    for row in conn.execute(query):
        groups.setdefault(row.key, []).append(row)
        everything.append(row)
    names = dict(
        conn.execute(
            select(names_table.c.id, names_table.c.name).where(names_table.c.id.in_(groups))
        ).all()
    )
    rows = [
        {"key": k, "name": names.get(k, k), **_figures(v)}
        for k, v in sorted(groups.items(), key=lambda kv: names.get(kv[0], kv[0]))
    ]
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "by": by,
        "rows": rows,
        "total": {"key": None, "name": "合计", **_figures(everything)},
    }


def _figures(rows: list[Any]) -> dict[str, Any]:
    alarms_total = sum(r.alarm_count for r in rows)
    handled = sum(r.alarm_count for r in rows if r.acted)
    finished = sum(1 for r in rows if r.state in (CaseState.CLOSED, CaseState.DISMISSED))
    close_minutes = [
        (r.closed_at - r.opened_at).total_seconds() / 60
        for r in rows
        if r.state == CaseState.CLOSED and r.closed_at is not None
    ]
    return {
        "cases": len(rows),
        "alarms": alarms_total,
        "handled_alarms": handled,
        "disposal_rate": round(handled / alarms_total, 4) if alarms_total else None,
        "finished_cases": finished,
        "handling_rate": round(finished / len(rows), 4) if rows else None,
        "overdue": sum(1 for r in rows if r.ever_overdue),
        "median_close_min": round(statistics.median(close_minutes), 1) if close_minutes else None,
    }
