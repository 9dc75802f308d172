"""Cases in the API's shape (docs/cases.md) for the tests of the pure parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


def actions(allowed: set[str], reason: str = "state") -> dict[str, dict[str, Any]]:
    names = ("remind", "notify", "feedback", "close", "return", "dismiss", "reopen", "escalate")
    return {
        a: {"allowed": a in allowed, "reason": None if a in allowed else reason, "message": ""}
        for a in names
    }


def case(n: int, state: str = "notified", *, left_min: float | None = 60, **extra: Any) -> dict:
    data = {
        "id": f"case_{n}",
        "vehicle_id": f"v{n}",
        "plate": f"粤R{n:05d}",
        "county_id": "c1",
        "enterprise_id": "e1",
        "type_code": "dsm.01",
        "severity": 3,
        "state": state,
        "opened_at": (NOW - timedelta(hours=n)).isoformat(),
        "updated_at": NOW.isoformat(),
        "last_alarm_at": NOW.isoformat(),
        "alarm_count": 1,
        "first_alarm_id": f"alm_{n}",
        "deadline": (NOW + timedelta(minutes=left_min)).isoformat()
        if left_min is not None
        else None,
        "overdue": False,
        "escalation_level": 0,
        "supervisor": "",
        "assignee_id": None,
        "reminder_status": None,
        "measures": [],
        "feedback_note": "",
        "closed_at": None,
    }
    data.update(extra)
    return data
