"""The case workflow (闭环管理): which action each role may take in which state, cases opened
and grown by alarms, deadlines, and escalation (督办) of overdue cases.

:data:`TRANSITIONS` is the one table of the state machine; the API asks :func:`refusal`
before acting and :func:`actions_for` to tell a console what its user may do. Every change is
an append-only audit event (``case_events``) and a ``case`` event on the live stream, written in
the transaction of the change, together with the outbound notifications it triggers (the
outbox of ``notify.py``). Deadlines run on the platform clock; they are stored, so a restart
loses none: the sweep after it escalates what became overdue meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from console.domain.model import (
    SYSTEM_ACTOR,
    Alarm,
    Case,
    CaseAction,
    CaseEvent,
    CaseState,
    Command,
    CommandStatus,
    Event,
    EventKind,
    Measure,
    Role,
    Scope,
    User,
)
from console.platform import notify
from console.platform.case_policy import SETTINGS_KEY, AlarmPolicy, Policy, render
from console.platform.ids import new_id
from console.platform.store.cases import (
    append_case_event,
    attachments_json,
    bind_attachments,
    case_event_json,
    case_json,
    driver_of,
    due_cases,
    get_case,
    insert_case,
    link_alarm,
    open_case_of,
    update_case,
)
from console.platform.store.events import append_event, last_event_id
from console.platform.store.schema import alarms, users
from console.platform.store.settings import get_setting, put_setting

log = logging.getLogger(__name__)

NEW, REMINDED, NOTIFIED, FEEDBACK, CLOSED, DISMISSED = (
    CaseState.NEW,
    CaseState.REMINDED,
    CaseState.NOTIFIED,
    CaseState.FEEDBACK,
    CaseState.CLOSED,
    CaseState.DISMISSED,
)
OPEN = frozenset(s for s in CaseState if s.is_open)
COUNTY = frozenset({Role.COUNTY_OPERATOR, Role.ADMIN})
ENTERPRISE = frozenset({Role.ENTERPRISE_OFFICER})
POLICY_TTL_S = 5.0  # another process may have changed the policy: read it again after this


@dataclass(frozen=True, slots=True)
class Transition:
    roles: frozenset[Role]
    sources: frozenset[CaseState]
    target: CaseState | None  # None: the state stays (escalate)


#: The state machine: every action a person may take.
TRANSITIONS: dict[CaseAction, Transition] = {
    CaseAction.REMIND: Transition(COUNTY, frozenset({NEW, REMINDED}), REMINDED),
    CaseAction.NOTIFY: Transition(COUNTY, frozenset({NEW, REMINDED}), NOTIFIED),
    # An enterprise may handle a case of its own trucks before it is notified.
    CaseAction.FEEDBACK: Transition(ENTERPRISE, frozenset({NEW, REMINDED, NOTIFIED}), FEEDBACK),
    CaseAction.CLOSE: Transition(COUNTY, frozenset({FEEDBACK}), CLOSED),
    CaseAction.RETURN: Transition(COUNTY, frozenset({FEEDBACK}), NOTIFIED),
    CaseAction.DISMISS: Transition(COUNTY, OPEN, DISMISSED),
    CaseAction.REOPEN: Transition(COUNTY, frozenset({CLOSED, DISMISSED}), NEW),
    CaseAction.ESCALATE: Transition(COUNTY, OPEN, None),
}
#: Actions whose note is the reason and may not be empty.
NOTE_REQUIRED = frozenset({CaseAction.RETURN, CaseAction.DISMISS, CaseAction.REOPEN})


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str  # "role", "scope" or "state"
    message: str


def refusal(action: CaseAction, user: User, case: Case) -> Refusal | None:
    """Why ``user`` may not take ``action`` on ``case`` now, or None when they may."""
    transition = TRANSITIONS[action]
    if not Scope.of(user).allows(case.county_id, case.enterprise_id):
        return Refusal("scope", "this case is outside your area of responsibility")
    if user.role not in transition.roles:
        who = "enterprise officers" if transition.roles == ENTERPRISE else "county operators"
        return Refusal("role", f"only {who} may {action.value} a case")
    if case.state not in transition.sources:
        return Refusal("state", f"a {case.state.value} case cannot be {_past(action)}")
    return None


def actions_for(user: User, case: Case) -> dict[str, dict[str, Any]]:
    """For every action: may ``user`` take it now, and if not, why (for the console)."""
    out = {}
    for action in TRANSITIONS:
        no = refusal(action, user, case)
        out[action.value] = {
            "allowed": no is None,
            "reason": no.reason if no else None,
            "message": no.message if no else "",
        }
    return out


def allowed_in(state: CaseState, role: Role) -> list[str]:
    return [a.value for a, t in TRANSITIONS.items() if state in t.sources and role in t.roles]


def _past(action: CaseAction) -> str:
    return {
        CaseAction.REMIND: "reminded",
        CaseAction.NOTIFY: "notified",
        CaseAction.FEEDBACK: "given feedback",
        CaseAction.CLOSE: "closed",
        CaseAction.RETURN: "returned",
        CaseAction.DISMISS: "dismissed",
        CaseAction.REOPEN: "reopened",
        CaseAction.ESCALATE: "escalated",
    }[action]


class Refused(Exception):
    """An action the workflow will not take: ``status`` 403 (role/scope), 409 (state or a
    concurrent change), 422 (the input)."""

    def __init__(self, status: int, code: str, message: str, allowed: list[str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.allowed = status, code, message, allowed


@dataclass(frozen=True, slots=True)
class ActionInput:
    note: str = ""
    deadline: datetime | None = None
    measures: tuple[Measure, ...] = ()
    attachments: tuple[str, ...] = ()
    level: int | None = None
    supervisor: str | None = None
    assignee_id: str | None = None


class Workflow:
    """The case workflow of one platform process (``platform.workflow``)."""

    def __init__(self, platform: Any) -> None:
        self.store = platform.store
        self.clock = platform.clock
        self.bus = platform.bus
        self.config = platform.config
        self.metrics = platform.metrics
        self._policy: Policy | None = None
        self._policy_read_at = float("-inf")
        self._ticker: asyncio.Task[None] | None = None

    # --- life cycle: the deadline sweep ------------------------------------------------------
    async def start(self) -> int:
        self._ticker = asyncio.get_running_loop().create_task(self._tick())
        return 0

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None

    async def _tick(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.sweep_now)
            except Exception as exc:  # a dead database must not end the sweeping
                self.metrics.inc("case_sweep_failed")
                log.error("case deadline sweep failed: %s", exc)
            await asyncio.sleep(self.config.case_sweep_s)

    def sweep_now(self) -> int:
        """Escalate what is overdue on the platform clock now; the number of cases."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        with self.store.begin() as conn:
            events = self.sweep(conn, now)
            last = last_event_id(conn) if events else 0
        if last:
            self.bus.published(last)
        return len(events)

    # --- policy ---------------------------------------------------------------------------
    def policy(self, conn: Connection) -> Policy:
        if self._policy is None or self.clock() - self._policy_read_at > POLICY_TTL_S:
            stored = get_setting(conn, SETTINGS_KEY)
            try:
                self._policy = Policy.parse(stored) if stored is not None else Policy.default()
            except ValueError as exc:  # edited by hand in the database: keep working
                log.error("stored case policy is invalid (%s): using the default", exc)
                self._policy = Policy.default()
            self._policy_read_at = self.clock()
        return self._policy

    def set_policy(self, conn: Connection, value: Any, user: User, now: datetime) -> Policy:
        policy = Policy.parse(value)  # ValueError: the caller answers 422
        put_setting(conn, SETTINGS_KEY, policy.raw, user_id=user.id, now=now)
        self._policy, self._policy_read_at = policy, self.clock()
        return policy

    # --- alarms open and grow cases --------------------------------------------------------
    def on_alarm(self, conn: Connection, alarm: Alarm, now: datetime) -> Event | None:
        """Open a case for a new alarm, or attach it to the open case of the same vehicle and
        type within the merge window; in the caller's transaction (ingest: before the ack)."""
        rule = self.policy(conn).effective(
            alarm.type_code, level=alarm.level, severity=alarm.severity
        )
        if not rule.open_case:
            return None
        current = open_case_of(conn, alarm.vehicle_id, alarm.type_code)
        window = timedelta(minutes=rule.merge_window_min)
        if current is not None and alarm.started_at - current.last_alarm_at <= window:
            return self._attach(conn, current, alarm, now)
        case = Case(
            id=new_id("case"),
            vehicle_id=alarm.vehicle_id,
            county_id=alarm.county_id,
            enterprise_id=alarm.enterprise_id,
            type_code=alarm.type_code,
            severity=alarm.severity,
            state=NEW,
            opened_at=now,
            updated_at=now,
            last_alarm_at=alarm.started_at,
            first_alarm_id=alarm.id,
            deadline=rule.deadline(NEW, now),
            plate=alarm.plate,
        )
        insert_case(conn, case)
        link_alarm(conn, alarm.id, case.id)
        self.metrics.inc("cases_opened")
        event = self._audit(
            conn, case, CaseAction.OPEN, None, NEW, None, now, detail={"alarm_id": alarm.id}
        )
        return self._publish(conn, case, event, now)

    def _attach(self, conn: Connection, case: Case, alarm: Alarm, now: datetime) -> Event:
        last = max(case.last_alarm_at, alarm.started_at)
        values = {"alarm_count": case.alarm_count + 1, "last_alarm_at": last, "updated_at": now}
        update_case(conn, case.id, case.state, values)
        link_alarm(conn, alarm.id, case.id)
        case = replace(case, alarm_count=case.alarm_count + 1, last_alarm_at=last, updated_at=now)
        event = self._audit(
            conn,
            case,
            CaseAction.ATTACH,
            case.state,
            case.state,
            None,
            now,
            detail={"alarm_id": alarm.id},
        )
        return self._publish(conn, case, event, now)

    # --- people act -----------------------------------------------------------------------
    def check(self, action: CaseAction, user: User, case: Case) -> None:
        no = refusal(action, user, case)
        if no is None:
            return
        if no.reason == "state":
            raise Refused(409, "invalid_state", no.message, allowed_in(case.state, user.role))
        raise Refused(403, "forbidden", no.message)

    def act(
        self,
        conn: Connection,
        case_id: str,
        action: CaseAction,
        user: User,
        given: ActionInput,
        now: datetime,
    ) -> tuple[Case, Event]:
        """Take ``action`` (not remind: see :meth:`record_reminder`) in the caller's
        transaction; raise :class:`Refused` when the rules say no."""
        case = self.visible(conn, case_id, user)
        self.check(action, user, case)
        if action in NOTE_REQUIRED and not given.note.strip():
            raise Refused(422, "note_required", f"{action.value} needs a reason in 'note'")
        if given.deadline is not None and given.deadline <= now:
            raise Refused(422, "deadline_passed", "the deadline must be in the future")
        rule = self._rule(conn, case)
        target = TRANSITIONS[action].target or case.state
        values: dict[str, Any] = {"state": target.value, "updated_at": now, "acted": True}
        detail: dict[str, Any] = {}
        if target is not case.state or action is CaseAction.REOPEN:
            values["deadline"] = rule.deadline(target, now)
            values["overdue"] = False
        if action in (CaseAction.NOTIFY, CaseAction.RETURN):
            values["deadline"] = given.deadline or rule.deadline(NOTIFIED, now)
            detail["deadline"] = values["deadline"].isoformat()
        elif action is CaseAction.FEEDBACK:
            if not given.measures:
                raise Refused(422, "measures_required", "feedback needs at least one measure")
            values["measures"] = [m.value for m in given.measures]
            values["feedback_note"] = given.note
            detail["measures"] = values["measures"]
        elif action is CaseAction.CLOSE:
            values["closed_at"] = now
        elif action is CaseAction.REOPEN:
            values.update(closed_at=None, measures=[], feedback_note="")
        elif action is CaseAction.ESCALATE:
            values.update(self._escalation(conn, case, given, now, user))
            detail = {k: _jsonable(values[k]) for k in ("deadline", "supervisor", "assignee_id")}
            detail.update(level=values["escalation_level"], automatic=False)
        if not bind_attachments(conn, given.attachments, case.id, user.id):
            raise Refused(422, "bad_attachments", "an attachment is unknown or not yours")
        if not update_case(conn, case.id, case.state, values):
            raise Refused(409, "concurrent_change", "the case changed meanwhile: reload it")
        changed = self._reload(conn, case.id)
        event = self._audit(
            conn,
            changed,
            action,
            case.state,
            target,
            user,
            now,
            note=given.note,
            attachments=given.attachments,
            detail=detail,
        )
        return changed, self._publish(conn, changed, event, now)

    def _escalation(
        self, conn: Connection, case: Case, given: ActionInput, now: datetime, user: User
    ) -> dict[str, Any]:
        ladder = self.policy(conn).escalation
        level = given.level if given.level is not None else case.escalation_level + 1
        if not case.escalation_level < level <= ladder.max_level:
            raise Refused(
                422,
                "bad_level",
                f"the level must be above {case.escalation_level} and at most {ladder.max_level}",
            )
        assignee = given.assignee_id or case.assignee_id
        if given.assignee_id and not self._may_take_over(conn, given.assignee_id, case):
            raise Refused(422, "bad_assignee", "the assignee must be a county operator of it")
        return {
            "escalation_level": level,
            "deadline": given.deadline or now + timedelta(minutes=ladder.deadline_min),
            "supervisor": given.supervisor or ladder.supervisor(level),
            "assignee_id": assignee,
        }

    def _may_take_over(self, conn: Connection, user_id: str, case: Case) -> bool:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
        if row is None or not row.active or row.role != Role.COUNTY_OPERATOR.value:
            return False
        return row.county_id == case.county_id

    def reminder_text(self, conn: Connection, case: Case, alarms: list[Alarm]) -> str:
        """The case's TTS template filled in; ``alarms``: the case's, oldest first."""
        template = self.policy(conn).template(case.type_code)
        last = alarms[-1] if alarms else None
        return render(
            template,
            plate=case.plate,
            driver=driver_of(conn, case.vehicle_id),
            speed=last.speed_kmh if last else None,
            type_code=case.type_code,
            at=last.started_at if last else case.last_alarm_at,
        )

    def record_reminder(
        self,
        conn: Connection,
        case_id: str,
        user: User,
        command: Command,
        text: str,
        note: str,
        now: datetime,
    ) -> tuple[Case, Event]:
        """Store the outcome of a reminder sent to the terminal: only an acked one moves the
        case to ``reminded``; any other outcome is recorded and the state stays."""
        case = self.visible(conn, case_id, user)
        acked = command.status is CommandStatus.ACKED
        target = REMINDED if acked and case.state in (NEW, REMINDED) else case.state
        values: dict[str, Any] = {
            "state": target.value,
            "reminder_status": command.status.value,
            "updated_at": now,
        }
        if acked:
            values["acted"] = True
        if target is not case.state:
            values["deadline"] = self._rule(conn, case).deadline(target, now)
            values["overdue"] = False
        if not update_case(conn, case.id, case.state, values):
            raise Refused(409, "concurrent_change", "the case changed meanwhile: reload it")
        changed = self._reload(conn, case.id)
        detail = {"command_id": command.id, "command_status": command.status.value, "text": text}
        event = self._audit(
            conn,
            changed,
            CaseAction.REMIND,
            case.state,
            target,
            user,
            now,
            note=note,
            detail=detail,
        )
        return changed, self._publish(conn, changed, event, now)

    # --- deadlines ------------------------------------------------------------------------
    def sweep(self, conn: Connection, now: datetime) -> list[Event]:
        """Flag and escalate every open case past its deadline (one level per sweep)."""
        ladder = self.policy(conn).escalation
        published = []
        for case in due_cases(conn, now, ladder.max_level):
            if case.escalation_level >= ladder.max_level:
                update_case(conn, case.id, case.state, {"overdue": True, "ever_overdue": True})
                continue  # the top of the ladder: flagged, nobody above to escalate to
            level = case.escalation_level + 1
            values = {
                "overdue": True,
                "ever_overdue": True,
                "escalation_level": level,
                "deadline": now + timedelta(minutes=ladder.deadline_min),
                "supervisor": ladder.supervisor(level),
                "assignee_id": ladder.handover_user_id or case.assignee_id,
                "updated_at": now,
            }
            if not update_case(conn, case.id, case.state, values):
                continue
            changed = self._reload(conn, case.id)
            detail = {
                "level": level,
                "deadline": values["deadline"].isoformat(),
                "supervisor": values["supervisor"],
                "assignee_id": values["assignee_id"],
                "automatic": True,
                "overdue_since": case.deadline.isoformat() if case.deadline else None,
            }
            event = self._audit(
                conn,
                changed,
                CaseAction.ESCALATE,
                case.state,
                case.state,
                None,
                now,
                note="逾期未处理，自动督办",
                detail=detail,
            )
            published.append(self._publish(conn, changed, event, now))
            self.metrics.inc("cases_escalated")
        return published

    # --- helpers ---------------------------------------------------------------------------
    def visible(self, conn: Connection, case_id: str, user: User) -> Case:
        """The case, if ``user``'s scope covers it (else 404, as if it did not exist)."""
        case = get_case(conn, case_id, Scope.of(user))
        if case is None:
            raise Refused(404, "not_found", f"case {case_id} not found")
        return case

    def _reload(self, conn: Connection, case_id: str) -> Case:
        case = get_case(conn, case_id, Scope.everything())
        assert case is not None
        return case

    def _rule(self, conn: Connection, case: Case) -> AlarmPolicy:
        """The policy of the alarm that opened the case: with its level, so that a rule
        with ``min_level`` sets the deadlines of the cases it opened."""
        level = conn.execute(
            select(alarms.c.level).where(alarms.c.id == case.first_alarm_id)
        ).scalar_one_or_none()
        return self.policy(conn).effective(case.type_code, level=level, severity=case.severity)

    def _audit(
        self,
        conn: Connection,
        case: Case,
        action: CaseAction,
        from_state: CaseState | None,
        to_state: CaseState,
        user: User | None,
        now: datetime,
        *,
        note: str = "",
        attachments: tuple[str, ...] = (),
        detail: dict[str, Any] | None = None,
    ) -> CaseEvent:
        return append_case_event(
            conn,
            case.id,
            action,
            from_state,
            to_state,
            at=now,
            user_id=user.id if user else None,
            username=user.username if user else SYSTEM_ACTOR,
            role=user.role.value if user else SYSTEM_ACTOR,
            note=note,
            attachments=attachments,
            detail=detail,
        )

    def _publish(self, conn: Connection, case: Case, event: CaseEvent, now: datetime) -> Event:
        """The live event and the outbound notifications of one audit event, in its
        transaction: both exist exactly when the change does."""
        payload = {
            "case": case_json(case),
            "event": case_event_json(event, attachments_json(conn, list(event.attachments))),
        }
        notify.enqueue(conn, payload["case"], payload["event"], now=now)
        return append_event(
            conn,
            EventKind.CASE,
            payload,
            time=now,
            vehicle_id=case.vehicle_id,
            county_id=case.county_id,
            enterprise_id=case.enterprise_id,
        )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
