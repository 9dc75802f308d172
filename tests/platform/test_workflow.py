"""The case state machine (every action × state × role), cases opened and grown by alarms,
deadlines and escalation on an injected clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alarm_maker import raise_alarm

from console.domain.model import (
    Case,
    CaseAction,
    CaseState,
    Command,
    CommandKind,
    CommandStatus,
    Measure,
    Role,
    User,
)
from console.platform.store.cases import events_of_case, get_case
from console.platform.store.events import events_after
from console.platform.workflow import (
    TRANSITIONS,
    ActionInput,
    Refused,
    actions_for,
    refusal,
)

A, B = "cty_a", "cty_b"
E1, E2 = "ent_1", "ent_2"
PEOPLE = {
    "admin": User("u0", "admin", Role.ADMIN),
    "county_a": User("u1", "county_a", Role.COUNTY_OPERATOR, county_id=A),
    "county_b": User("u2", "county_b", Role.COUNTY_OPERATOR, county_id=B),
    "ent_1": User("u3", "ent_1", Role.ENTERPRISE_OFFICER, enterprise_id=E1),
    "ent_2": User("u4", "ent_2", Role.ENTERPRISE_OFFICER, enterprise_id=E2),
}
S = CaseState
# The expected table, written out independently of workflow.TRANSITIONS: which states allow
# each action, and who may take it (of the people who can see the case).
EXPECTED = {
    "remind": ({S.NEW, S.REMINDED}, {"admin", "county_a"}),
    "notify": ({S.NEW, S.REMINDED}, {"admin", "county_a"}),
    "feedback": ({S.NEW, S.REMINDED, S.NOTIFIED}, {"ent_1"}),
    "close": ({S.FEEDBACK}, {"admin", "county_a"}),
    "return": ({S.FEEDBACK}, {"admin", "county_a"}),
    "dismiss": ({S.NEW, S.REMINDED, S.NOTIFIED, S.FEEDBACK}, {"admin", "county_a"}),
    "reopen": ({S.CLOSED, S.DISMISSED}, {"admin", "county_a"}),
    "escalate": ({S.NEW, S.REMINDED, S.NOTIFIED, S.FEEDBACK}, {"admin", "county_a"}),
}
T0 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


def a_case(state: CaseState) -> Case:
    return Case(
        id="case_1",
        vehicle_id="veh_1",
        county_id=A,
        enterprise_id=E1,
        type_code="dsm.01",
        severity=3,
        state=state,
        opened_at=T0,
        updated_at=T0,
        last_alarm_at=T0,
    )


def test_the_table_covers_every_action_a_person_takes() -> None:
    assert {a.value for a in TRANSITIONS} == set(EXPECTED)
    assert CaseAction.OPEN not in TRANSITIONS and CaseAction.ATTACH not in TRANSITIONS


@pytest.mark.parametrize(
    ("action", "state", "who"),
    list(itertools.product(sorted(EXPECTED), list(CaseState), sorted(PEOPLE))),
)
def test_every_action_in_every_state_for_every_role(
    action: str, state: CaseState, who: str
) -> None:
    states, roles = EXPECTED[action]
    no = refusal(CaseAction(action), PEOPLE[who], a_case(state))
    if who in ("county_b", "ent_2"):
        assert no is not None and no.reason == "scope"
    elif who not in roles:
        assert no is not None and no.reason == "role"
    elif state not in states:
        assert no is not None and no.reason == "state"
    else:
        assert no is None


def test_actions_for_tells_the_console_what_is_allowed_and_why_not() -> None:
    actions = actions_for(PEOPLE["ent_1"], a_case(S.NOTIFIED))
    assert actions["feedback"] == {"allowed": True, "reason": None, "message": ""}
    assert actions["close"]["allowed"] is False and actions["close"]["reason"] == "role"
    assert "county operators" in actions["close"]["message"]
    county = actions_for(PEOPLE["county_a"], a_case(S.NOTIFIED))
    assert county["remind"]["reason"] == "state"
    assert [a for a, v in county.items() if v["allowed"]] == ["dismiss", "escalate"]


# --- against the store ------------------------------------------------------------------------
@pytest.fixture
def flow(ctx: Any, world: Any, store: Any) -> Any:
    from types import SimpleNamespace

    from console.platform.store import registry

    with store.connect() as conn:
        people = {name: registry.get_user(conn, user_id) for name, user_id in world.users.items()}
    return SimpleNamespace(wf=ctx.workflow, ctx=ctx, world=world, store=store, people=people)


def now_of(ctx: Any) -> datetime:
    return datetime.fromtimestamp(ctx.clock(), UTC)


def act(flow: Any, case_id: str, action: str, who: str, **given: Any) -> Case:
    with flow.store.begin() as conn:
        case, _ = flow.wf.act(
            conn, case_id, CaseAction(action), flow.people[who], ActionInput(**given),
            now_of(flow.ctx),
        )  # fmt: skip
    return case


def open_case(flow: Any, vehicle: str | None = None, **kw: Any) -> Case:
    vehicle = vehicle or flow.world.vehicles[flow.world.ent_a1][0]
    _, event = raise_alarm(flow.store, flow.wf, flow.world, vehicle, now_of(flow.ctx), **kw)
    assert event is not None
    with flow.store.connect() as conn:
        case = get_case(conn, event.payload["case"]["id"], _everything())
    assert case is not None
    return case


def _everything() -> Any:
    from console.domain.model import Scope

    return Scope.everything()


def test_a_level_2_dsm_alarm_opens_a_case_and_a_repeat_attaches(flow: Any) -> None:
    case = open_case(flow)
    assert case.state is S.NEW and case.alarm_count == 1
    assert case.deadline == now_of(flow.ctx) + timedelta(minutes=30)
    vehicle = case.vehicle_id
    later = now_of(flow.ctx) + timedelta(minutes=10)
    _, event = raise_alarm(flow.store, flow.wf, flow.world, vehicle, later)
    assert event.payload["case"]["id"] == case.id
    assert event.payload["event"]["action"] == "attach"
    with flow.store.connect() as conn:
        assert get_case(conn, case.id, _everything()).alarm_count == 2
    # Outside the merge window (30 min after the last alarm): a new case.
    _, event = raise_alarm(flow.store, flow.wf, flow.world, vehicle, later + timedelta(minutes=31))
    assert event.payload["case"]["id"] != case.id
    # A level-1 DSM alarm and an ADAS alarm open nothing under the default policy.
    assert raise_alarm(flow.store, flow.wf, flow.world, vehicle, later, level=1)[1] is None
    assert (
        raise_alarm(flow.store, flow.wf, flow.world, vehicle, later, type_code="adas.01")[1] is None
    )


def test_the_closed_loop_and_its_audit_trail(flow: Any) -> None:
    case = open_case(flow)
    case = act(flow, case.id, "notify", "op_a", note="请企业核实处理")
    assert case.state is S.NOTIFIED
    assert case.deadline == now_of(flow.ctx) + timedelta(minutes=1440)
    case = act(
        flow, case.id, "feedback", "ent_a1", measures=(Measure.CRITICISM, Measure.TRAINING),
        note="已对驾驶员批评教育并安排培训",
    )  # fmt: skip
    assert case.state is S.FEEDBACK and case.measures == (Measure.CRITICISM, Measure.TRAINING)
    case = act(flow, case.id, "return", "op_a", note="整改材料不全")
    assert case.state is S.NOTIFIED
    case = act(flow, case.id, "feedback", "ent_a1", measures=(Measure.FINE,), note="已罚款")
    case = act(flow, case.id, "close", "op_a", note="同意办结")
    assert case.state is S.CLOSED and case.closed_at is not None and case.deadline is None
    with flow.store.connect() as conn:
        trail = events_of_case(conn, case.id)
    assert [(e.action.value, e.from_state, e.to_state, e.username) for e in trail] == [
        ("open", None, S.NEW, "system"),
        ("notify", S.NEW, S.NOTIFIED, "op_a"),
        ("feedback", S.NOTIFIED, S.FEEDBACK, "ent_a1"),
        ("return", S.FEEDBACK, S.NOTIFIED, "op_a"),
        ("feedback", S.NOTIFIED, S.FEEDBACK, "ent_a1"),
        ("close", S.FEEDBACK, S.CLOSED, "op_a"),
    ]
    assert trail[3].note == "整改材料不全" and trail[2].detail["measures"] == [
        "criticism",
        "training",
    ]
    assert trail[1].role == "county_operator" and trail[2].role == "enterprise_officer"


def test_forbidden_and_invalid_actions_are_refused_with_the_reason(flow: Any) -> None:
    case = open_case(flow)
    with pytest.raises(Refused) as no:
        act(flow, case.id, "close", "op_a")
    assert no.value.status == 409 and set(no.value.allowed) == {
        "remind",
        "notify",
        "dismiss",
        "escalate",
    }
    with pytest.raises(Refused) as no:
        act(flow, case.id, "notify", "ent_a1")
    assert no.value.status == 403
    with pytest.raises(Refused) as no:  # another county: the case does not exist for them
        act(flow, case.id, "notify", "op_b")
    assert no.value.status == 404
    with pytest.raises(Refused) as no:
        act(flow, case.id, "dismiss", "op_a", note="  ")
    assert no.value.status == 422 and no.value.code == "note_required"
    with pytest.raises(Refused) as no:
        act(flow, case.id, "feedback", "ent_a1")
    assert no.value.code == "measures_required"
    past = now_of(flow.ctx) - timedelta(minutes=1)
    with pytest.raises(Refused) as no:
        act(flow, case.id, "notify", "op_a", deadline=past)
    assert no.value.code == "deadline_passed"


def test_the_deadlines_of_a_case_come_from_the_rule_that_opened_it(flow: Any) -> None:
    with flow.store.begin() as conn:
        flow.wf.set_policy(
            conn,
            {"rules": [{"match": "dsm", "min_level": 2, "open_case": True,
                        "deadlines_min": {"notified": 60}}]},
            flow.people["admin"],
            now_of(flow.ctx),
        )  # fmt: skip
    case = open_case(flow)
    case = act(flow, case.id, "notify", "op_a")
    assert case.deadline == now_of(flow.ctx) + timedelta(minutes=60)


def test_dismiss_and_reopen(flow: Any) -> None:
    case = open_case(flow)
    case = act(flow, case.id, "dismiss", "op_a", note="误报：驾驶员正常驾驶")
    assert case.state is S.DISMISSED and case.deadline is None
    case = act(flow, case.id, "reopen", "admin", note="复核后确认违规")
    assert case.state is S.NEW and case.deadline is not None


def test_an_enterprise_may_handle_its_case_before_it_is_notified(flow: Any) -> None:
    case = open_case(flow)
    case = act(flow, case.id, "feedback", "ent_a1", measures=(Measure.APPEAL,), note="误报申诉")
    assert case.state is S.FEEDBACK


def test_a_reminder_moves_the_case_only_when_the_terminal_acked(flow: Any) -> None:
    case = open_case(flow)
    user = flow.people["op_a"]

    def reminder(status: CommandStatus) -> Case:
        command = Command(
            "cmd_1", case.vehicle_id, CommandKind.TEXT, status, now_of(flow.ctx),
            now_of(flow.ctx),
        )  # fmt: skip
        with flow.store.begin() as conn:
            changed, _ = flow.wf.record_reminder(
                conn, case.id, user, command, "请停车休息", "", now_of(flow.ctx)
            )
        return changed

    failed = reminder(CommandStatus.TIMED_OUT)
    assert failed.state is S.NEW and failed.reminder_status == "timed_out"
    acked = reminder(CommandStatus.ACKED)
    assert acked.state is S.REMINDED and acked.reminder_status == "acked"
    with flow.store.connect() as conn:
        trail = events_of_case(conn, case.id)
    assert [(e.action.value, e.to_state, e.detail["command_status"]) for e in trail[1:]] == [
        ("remind", S.NEW, "timed_out"),
        ("remind", S.REMINDED, "acked"),
    ]


def test_an_overdue_case_escalates_level_by_level_on_the_platform_clock(flow: Any) -> None:
    case = open_case(flow)
    case = act(flow, case.id, "notify", "op_a")
    assert flow.wf.sweep_now() == 0  # not due yet
    flow.ctx.clock.advance(24 * 3600 + 1)  # past the enterprise's deadline
    assert flow.wf.sweep_now() == 1
    with flow.store.connect() as conn:
        case = get_case(conn, case.id, _everything())
    assert case.overdue and case.escalation_level == 1
    assert case.supervisor == "县区交通运输主管部门"
    assert case.deadline == now_of(flow.ctx) + timedelta(minutes=1440)
    assert flow.wf.sweep_now() == 0  # once per deadline
    for level, supervisor in ((2, "市交通运输局"), (3, "市安全生产委员会办公室")):
        flow.ctx.clock.advance(24 * 3600 + 1)
        assert flow.wf.sweep_now() == 1
        with flow.store.connect() as conn:
            case = get_case(conn, case.id, _everything())
        assert (case.escalation_level, case.supervisor) == (level, supervisor)
    flow.ctx.clock.advance(24 * 3600 + 1)
    assert flow.wf.sweep_now() == 0  # the top of the ladder: stays flagged
    with flow.store.connect() as conn:
        trail = events_of_case(conn, case.id)
        events, _, _ = events_after(conn, 0, _everything())
    escalations = [e for e in trail if e.action is CaseAction.ESCALATE]
    assert [e.detail["level"] for e in escalations] == [1, 2, 3]
    assert all(e.username == "system" and e.detail["automatic"] for e in escalations)
    assert [e.payload["event"]["action"] for e in events if e.kind.value == "case"][-3:] == [
        "escalate"
    ] * 3
    # Feedback clears the overdue flag; the level stays.
    case = act(flow, case.id, "feedback", "ent_a1", measures=(Measure.TRAINING,))
    assert not case.overdue and case.escalation_level == 3


def test_escalation_hands_over_to_the_policy_account(flow: Any) -> None:
    with flow.store.begin() as conn:
        policy = dict(flow.wf.policy(conn).raw)
        policy["escalation"] = {
            **policy["escalation"],
            "handover_user_id": flow.world.users["op_a"],
        }
        flow.wf.set_policy(conn, policy, flow.people["admin"], now_of(flow.ctx))
    case = open_case(flow)
    flow.ctx.clock.advance(31 * 60)  # the county did nothing within 30 minutes
    assert flow.wf.sweep_now() == 1
    with flow.store.connect() as conn:
        case = get_case(conn, case.id, _everything())
    assert case.assignee_id == flow.world.users["op_a"] and case.state is S.NEW


def test_a_manual_escalation_checks_level_and_assignee(flow: Any) -> None:
    case = open_case(flow)
    case = act(flow, case.id, "escalate", "op_a", supervisor="市交通运输局", note="多次违规")
    assert case.escalation_level == 1 and case.supervisor == "市交通运输局"
    with pytest.raises(Refused) as no:
        act(flow, case.id, "escalate", "op_a", level=1)
    assert no.value.code == "bad_level"
    with pytest.raises(Refused) as no:  # an enterprise officer cannot take over a case
        act(flow, case.id, "escalate", "op_a", assignee_id=flow.world.users["ent_a1"])
    assert no.value.code == "bad_assignee"
    case = act(flow, case.id, "escalate", "admin", assignee_id=flow.world.users["op_a"])
    assert case.escalation_level == 2 and case.assignee_id == flow.world.users["op_a"]


def test_deadlines_survive_a_restart(flow: Any, ctx: Any) -> None:
    from types import SimpleNamespace

    from console.platform.workflow import Workflow

    case = open_case(flow)
    flow.ctx.clock.advance(3600)
    restarted = Workflow(SimpleNamespace(**{**vars(ctx), "workflow": None}))
    assert restarted.sweep_now() == 1
    with flow.store.connect() as conn:
        assert get_case(conn, case.id, _everything()).overdue
