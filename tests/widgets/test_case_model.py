"""The case table model: countdown texts, an inbox filter that cases join and leave, the
most urgent first, overdue flagged, Qt's model contract."""

from __future__ import annotations

from datetime import timedelta

from cases_data import NOW, case
from PySide6.QtCore import Qt

from widgets.case_model import (
    CaseModel,
    Column,
    Roles,
    countdown_text,
    duration_text,
    escalation_text,
)


def model_at(now=NOW, **kw) -> CaseModel:
    clock = {"now": now}
    made = CaseModel(clock=lambda: clock["now"], **kw)
    made.clock_state = clock  # type: ignore[attr-defined]
    return made


def test_countdown_texts() -> None:
    assert duration_text(59) == "0分59秒"
    assert duration_text(3600 + 5 * 60) == "1小时05分"
    assert duration_text(2 * 86400 + 3 * 3600) == "2天3小时"
    assert countdown_text(125) == "剩余 2分05秒"
    assert countdown_text(-3700) == "已逾期 1小时01分"
    assert countdown_text(None) == "—"


def test_escalation_text() -> None:
    assert escalation_text({"escalation_level": 0}) == ""
    assert escalation_text({"escalation_level": 2, "supervisor": "市交通运输局"}) == (
        "2级督办（市交通运输局）"
    )


def test_model_contract(qtmodeltester) -> None:
    model = model_at()
    model.set_cases([case(1), case(2, "new"), case(3, "closed", left_min=None)])
    qtmodeltester.check(model)


def test_inbox_keeps_its_states_most_urgent_first() -> None:
    model = model_at(states={"notified"}, by_deadline=True)
    model.set_cases([case(1, left_min=90), case(2, left_min=30), case(3, "new")])
    assert [model.index(r, 0).data(Roles.CASE_ID) for r in range(model.rowCount())] == [
        "case_2",
        "case_1",
    ]
    assert model.upsert(case(4, left_min=10)) == "added"
    assert model.index(0, 0).data(Roles.CASE_ID) == "case_4"
    assert model.upsert(case(4, "feedback")) == "removed"  # fed back: it leaves the inbox
    assert model.upsert(case(5, "new")) == "ignored"
    assert model.upsert(case(1, left_min=5)) == "updated"  # returned with a new deadline
    assert model.index(0, 0).data(Roles.CASE_ID) == "case_1"
    assert model.rowCount() == 2


def test_countdown_follows_the_clock_and_flags_overdue() -> None:
    model = model_at(states={"notified"})
    model.set_cases([case(1, left_min=1)])
    left = model.index(0, Column.LEFT)
    assert left.data() == "剩余 1分00秒"
    assert not left.data(Roles.OVERDUE)
    changed: list[int] = []
    model.dataChanged.connect(lambda a, b, roles=(): changed.append(a.column()))
    model.clock_state["now"] = NOW + timedelta(seconds=90)  # type: ignore[attr-defined]
    model.tick()
    assert changed == [Column.LEFT]
    assert left.data() == "已逾期 0分30秒"
    assert left.data(Roles.OVERDUE) and model.overdue_count() == 1
    assert left.data(Qt.ItemDataRole.BackgroundRole) is not None


def test_platform_overdue_flag_and_closed_cases() -> None:
    model = model_at()
    model.set_cases([case(1, overdue=True, left_min=600), case(2, "closed", left_min=None)])
    assert model.overdue_count() == 1
    closed = model.row_of("case_2")
    assert model.index(closed, Column.LEFT).data() == "—"
    assert model.index(closed, Column.STATE).data() == "已办结"


def test_names_and_columns() -> None:
    model = model_at()
    model.set_cases([case(1, escalation_level=1, supervisor="县区交通运输主管部门")])
    model.set_names({"e1": "清远市顺达运输有限公司"})
    row = [model.index(0, c).data() for c in Column]
    assert row[Column.PLATE] == "粤R00001"
    assert row[Column.TYPE] == "疲劳驾驶报警"
    assert row[Column.STATE] == "已通报"
    assert row[Column.ENTERPRISE] == "清远市顺达运输有限公司"
    assert row[Column.ESCALATION].startswith("1级督办")
    assert row[Column.OPENED] == "11-21 13:00"  # Beijing time
