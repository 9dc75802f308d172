"""Qt-free helpers around the case workflow API (docs/cases.md): the actions and what their
bodies need, the ``actions`` map of a case, deadlines, the GBK check of a TTS text.

The API's JSON stays plain dicts (as alarms do everywhere in the console); these functions
only read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.domain.model import CaseState, Measure
from console.domain.times import parse_time

#: Every action a person can do, in the order the panel shows them.
ACTIONS: tuple[str, ...] = (
    "remind",
    "notify",
    "feedback",
    "close",
    "return",
    "dismiss",
    "reopen",
    "escalate",
)
#: Actions whose ``note`` the server requires (the reason).
NOTE_REQUIRED = frozenset({"return", "dismiss", "reopen"})
#: The fields each action's body may carry; the server refuses any other.
FIELDS: dict[str, frozenset[str]] = {
    "remind": frozenset({"text", "note"}),
    "notify": frozenset({"deadline", "note"}),
    "feedback": frozenset({"measures", "note", "attachments"}),
    "close": frozenset({"note"}),
    "return": frozenset({"note", "deadline"}),
    "dismiss": frozenset({"note"}),
    "reopen": frozenset({"note"}),
    "escalate": frozenset({"note", "level", "deadline", "supervisor", "assignee_id"}),
}
MEASURES: tuple[str, ...] = tuple(m.value for m in Measure)
OPEN_STATES: tuple[str, ...] = tuple(s.value for s in CaseState if s.is_open)
#: What an enterprise officer has to do something about (通报, and 退回 which goes back to it).
INBOX_STATES: tuple[str, ...] = (CaseState.NOTIFIED.value,)
#: What a county operator reviews (审核).
REVIEW_STATES: tuple[str, ...] = (CaseState.FEEDBACK.value,)


@dataclass(frozen=True, slots=True)
class ActionState:
    """Whether the caller may do an action now, and if not why (``role``, ``scope``,
    ``state``, or ``unknown`` when the case carries no ``actions``, as in events)."""

    allowed: bool
    reason: str | None = None
    message: str = ""


def action_state(case: Mapping[str, Any], action: str) -> ActionState:
    actions = case.get("actions")
    if not isinstance(actions, Mapping):
        return ActionState(False, "unknown")
    entry = actions.get(action)
    if not isinstance(entry, Mapping):
        return ActionState(False, "unknown")
    allowed = bool(entry.get("allowed"))
    return ActionState(
        allowed, None if allowed else (entry.get("reason") or "state"), entry.get("message") or ""
    )


def action_body(action: str, **fields: Any) -> dict[str, Any]:
    """The JSON body of ``action``: ``None`` and empty values dropped, datetimes as ISO
    times; a field the action does not take, or a missing required note, is a ValueError
    (caught before the server's 422)."""
    allowed = FIELDS.get(action)
    if allowed is None:
        raise ValueError(f"unknown action {action!r}")
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"{action} takes no {sorted(unknown)}")
    body: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None or value == "" or (key == "attachments" and not value):
            continue
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("deadline needs its UTC offset")
            value = value.isoformat()
        if isinstance(value, tuple):
            value = list(value)
        body[key] = value
    if action in NOTE_REQUIRED and not str(body.get("note", "")).strip():
        raise ValueError(f"{action} needs a note (the reason)")
    if action == "feedback":
        measures = body.get("measures") or []
        if not measures:
            raise ValueError("feedback needs at least one measure")
        bad = [m for m in measures if m not in MEASURES]
        if bad:
            raise ValueError(f"unknown measures {bad}")
    return body


def gbk_unencodable(text: str) -> list[str]:
    """The characters of ``text`` that GBK cannot encode (a terminal's TTS and display
    take GBK): empty when the text can be sent. Each character is listed once."""
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        pass
    else:
        return []
    bad: list[str] = []
    for ch in text:
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            if ch not in bad:
                bad.append(ch)
    return bad


def seconds_left(case: Mapping[str, Any], now: datetime) -> float | None:
    """Seconds until the case's deadline (negative: past it); None for a closed case or
    one without a deadline."""
    if case.get("state") not in OPEN_STATES:
        return None
    deadline = parse_time(case.get("deadline"))
    if deadline is None:
        return None
    return (deadline - now).total_seconds()


def is_open(case: Mapping[str, Any]) -> bool:
    return case.get("state") in OPEN_STATES


def merge_event_case(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    """A case from a live event (it has no ``actions``) over what we had: the fields are
    the event's; the old ``actions`` are dropped when the state changed (they no longer
    hold) and kept otherwise."""
    merged = dict(new)
    same_state = old is not None and old.get("state") == new.get("state")
    if same_state and old is not None and "actions" not in new and "actions" in old:
        merged["actions"] = old["actions"]
    return merged


def find_case_for_alarm(client: Any, alarm: Mapping[str, Any], *, tries: int = 3) -> dict | None:
    """The detail of the case an alarm belongs to (it opened it or was attached to it), or
    None. Blocking: run it on a worker. ``client`` is a :class:`PlatformClient`."""
    vehicle_id, alarm_id = alarm.get("vehicle_id"), alarm.get("id")
    if not vehicle_id or not alarm_id:
        return None
    items = client.cases(vehicle_id=vehicle_id, limit=50).get("items") or []
    started = parse_time(alarm.get("started_at"))
    first = [c for c in items if c.get("first_alarm_id") == alarm_id]
    same_type = [
        c
        for c in items
        if c.get("type_code") == alarm.get("type_code")
        and c not in first
        and (started is None or (parse_time(c.get("last_alarm_at")) or started) >= started)
    ]
    if first:
        return client.case(first[0]["id"])
    for case in same_type[:tries]:
        detail = client.case(case["id"])
        if any(a.get("id") == alarm_id for a in detail.get("alarms") or []):
            return detail
    return None
