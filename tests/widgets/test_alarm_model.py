"""The alarm model: structure checked by Qt's model tester, newest first, grouping of bursts,
updates in place, older pages below, acknowledge and flash, and 10⁵ alarms in batches."""

from __future__ import annotations

from alarms_data import COUNTIES, ENTERPRISES, T0, Clock, alarm
from PySide6.QtCore import QModelIndex, Qt

from widgets.alarm_filter import AlarmFilter
from widgets.alarm_model import AlarmModel, Column, Handling, Roles, format_duration


def model_at(at: float = 60.0, **options) -> tuple[AlarmModel, Clock]:
    clock = Clock(at)
    return AlarmModel(clock=clock, **options), clock


def texts(model: AlarmModel, column: Column) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def signals(model: AlarmModel) -> list[tuple]:
    seen: list[tuple] = []
    model.rowsInserted.connect(lambda _p, a, b: seen.append(("insert", a, b)))
    model.rowsRemoved.connect(lambda _p, a, b: seen.append(("remove", a, b)))
    model.rowsMoved.connect(lambda *_: seen.append(("move",)))
    model.dataChanged.connect(lambda a, b, roles=(): seen.append(("changed", a.row(), b.row())))
    return seen


def test_model_passes_qt_model_tester(qtmodeltester) -> None:
    model, _ = model_at()
    qtmodeltester.check(model)  # empty
    model.set_names(COUNTIES, ENTERPRISES)
    model.add_alarms([alarm(1), alarm(2, at=30), alarm(3, vehicle=2, type_code="adas.01")])
    model.add_page([alarm(10, at=-3600, evidence="complete"), alarm(11, at=-7200, level=None)])
    model.acknowledge(0)
    model.tick_flash()
    qtmodeltester.check(model)


def test_rows_are_newest_first_with_readable_columns() -> None:
    model, _ = model_at(at=125)
    model.set_names(COUNTIES, ENTERPRISES)
    model.add_alarms([alarm(1, vehicle=1), alarm(2, at=5, vehicle=2, type_code="adas.01")])
    assert texts(model, Column.PLATE) == ["粤R00002", "粤R00001"]
    row = [model.index(1, c).data() for c in Column]
    assert row == [
        "11-21 10:00:00",  # Beijing time of 02:00 UTC
        "二级 · 高",
        "疲劳驾驶报警",
        "粤R00001",
        "清远市顺达运输有限公司",
        "清城区",
        "62 km/h",
        "23.68223, 113.05778",
        "待上传",
        "未处理",
        "02:05",
    ]
    assert model.index(0, Column.TYPE).data() == "前向碰撞报警"


def test_headers_are_chinese() -> None:
    model, _ = model_at()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert headers[:3] == ["时间", "级别", "报警类型"]
    assert headers[-2:] == ["处理状态", "等待时长"]


def test_unlevelled_and_unknown_types_show_what_they_have() -> None:
    model, _ = model_at()
    model.add_alarms(
        [
            alarm(1, type_code="platform.overspeed", level=None, severity=3, evidence="none"),
            alarm(2, vehicle=2, type_code="nonsense", severity=2, lat=None),
        ]
    )
    assert texts(model, Column.SEVERITY) == ["中", "高"]
    assert texts(model, Column.TYPE) == ["nonsense", "超速"]
    assert texts(model, Column.LOCATION)[0] == "—"
    assert texts(model, Column.EVIDENCE)[1] == "无"
    assert model.index(0, 0).data(Roles.FAMILY) == ""


def test_roles_give_the_alarm_and_its_keys() -> None:
    model, _ = model_at()
    model.add_alarms([alarm(1), alarm(2, at=10)])
    index = model.index(0, Column.PLATE)
    assert index.data(Roles.ALARM)["id"] == "a2"
    assert index.data(Roles.ALARM_ID) == "a2"
    assert [a["id"] for a in index.data(Roles.ALARMS)] == ["a1", "a2"]
    assert index.data(Roles.VEHICLE_ID) == "v1"
    assert index.data(Roles.SEVERITY) == 3
    assert index.data(Roles.TYPE_CODE) == "dsm.01"
    assert index.data(Roles.FAMILY) == "dsm"
    assert index.data(Roles.HANDLING) == "unhandled"
    assert index.data(Roles.COUNT) == 2
    assert model.index(0, Column.TIME).data(Roles.SORT) == T0.timestamp() + 10
    assert model.index(0, Column.SEVERITY).data(Roles.SORT) == 3


def test_a_burst_of_one_truck_is_one_row() -> None:
    model, _ = model_at(at=400)
    model.add_alarms([alarm(n, at=n * 30) for n in range(7)])
    assert model.rowCount() == 1
    assert texts(model, Column.TYPE) == ["疲劳驾驶报警 ×7"]
    assert texts(model, Column.TIME) == ["11-21 10:03:00"]  # the latest
    assert [a["id"] for a in model.alarms_in_row(0)] == [f"a{n}" for n in range(7)]
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).count("2026-11-21") == 2


def test_groups_are_per_vehicle_and_type_and_span_the_window() -> None:
    model, _ = model_at(at=900)
    model.add_alarms(
        [
            alarm(1, at=0),
            alarm(2, at=100, vehicle=2),  # another truck
            alarm(3, at=200, type_code="adas.01"),  # another type
            alarm(4, at=300),  # 300 s after the first: still the group
            alarm(5, at=301),  # would make the group longer than 5 minutes
        ]
    )
    rows = [[a["id"] for a in model.alarms_in_row(r)] for r in range(model.rowCount())]
    assert rows == [["a5"], ["a1", "a4"], ["a3"], ["a2"]]  # a group shows its latest time


def test_the_window_is_configurable() -> None:
    model, _ = model_at(at=100, group_window_s=10)
    model.add_alarms([alarm(1, at=0), alarm(2, at=5), alarm(3, at=20)])
    assert model.rowCount() == 2


def test_a_group_with_a_new_alarm_goes_to_the_top_without_a_move() -> None:
    model, _ = model_at(at=200)
    model.add_alarms([alarm(1, at=0), alarm(2, at=10, vehicle=2), alarm(3, at=20, vehicle=3)])
    seen = signals(model)
    model.add_alarms([alarm(4, at=30)])
    assert texts(model, Column.PLATE) == ["粤R00001", "粤R00003", "粤R00002"]
    assert texts(model, Column.TYPE)[0] == "疲劳驾驶报警 ×2"
    # A move would make the filter proxy filter every row again.
    assert seen == [("remove", 2, 2), ("insert", 0, 0)]


def test_a_new_alarm_for_the_top_group_changes_the_row_in_place() -> None:
    model, _ = model_at(at=200)
    model.add_alarms([alarm(1, at=0, vehicle=2), alarm(2, at=10)])
    seen = signals(model)
    model.add_alarms([alarm(3, at=20)])
    assert seen == [("changed", 0, 0)]
    assert model.index(0, 0).data(Roles.COUNT) == 2


def test_known_ids_are_not_added_twice_and_updates_apply_in_place() -> None:
    model, _ = model_at()
    model.add_alarms([alarm(1), alarm(2, vehicle=2)])
    seen = signals(model)
    new = model.add_alarms([alarm(1, evidence="complete", ended_at="2026-11-21T02:00:30+00:00")])
    assert new == []
    assert model.rowCount() == 2
    assert texts(model, Column.EVIDENCE) == ["待上传", "完整"]
    assert model.index(1, 0).data(Roles.ALARM)["ended_at"] == "2026-11-21T02:00:30+00:00"
    assert seen == [("changed", 1, 1)]


def test_updates_of_unknown_alarms_are_ignored() -> None:
    model, _ = model_at()
    model.add_alarms([alarm(1)])
    assert model.update_alarms([alarm(9, vehicle=9), alarm(1, evidence="incomplete")]) == 1
    assert model.rowCount() == 1
    assert texts(model, Column.EVIDENCE) == ["不完整"]


def test_pages_go_below_in_order_with_one_insert() -> None:
    model, _ = model_at(at=7200)
    model.add_alarms([alarm(1, at=7000)])
    seen = signals(model)
    older = [alarm(n, at=7000 - n * 400, vehicle=n) for n in range(2, 6)]
    model.add_page([*older, alarm(1, at=7000, evidence="none")])
    assert [model.index(r, 0).data(Roles.ALARM_ID) for r in range(5)] == [
        "a1",
        "a2",
        "a3",
        "a4",
        "a5",
    ]
    assert seen == [("insert", 1, 4)]
    assert model.index(0, Column.EVIDENCE).data() == "待上传"  # the page's copy is older
    assert not any(model.index(r, 0).data(Roles.FLASHING) for r in range(1, 5))


def test_a_late_alarm_takes_its_place_by_time() -> None:
    model, _ = model_at(at=1000)
    model.add_alarms([alarm(1, at=0, vehicle=1), alarm(2, at=600, vehicle=2)])
    model.add_alarms([alarm(3, at=300, vehicle=3)])  # resent after a reconnect
    assert texts(model, Column.PLATE) == ["粤R00002", "粤R00003", "粤R00001"]


def test_clear_empties_the_model() -> None:
    model, _ = model_at()
    model.add_alarms([alarm(1)])
    model.clear()
    assert model.rowCount() == 0
    assert model.alarm_count == 0
    model.add_alarms([alarm(1)])
    assert model.rowCount() == 1


def test_names_arrive_later_and_change_the_rows() -> None:
    model, _ = model_at()
    model.add_alarms([alarm(1, county="c2", enterprise="e2")])
    assert texts(model, Column.COUNTY) == ["c2"]  # the id until the names are known
    model.set_names(COUNTIES, ENTERPRISES)
    assert texts(model, Column.COUNTY) == ["英德市"]
    assert texts(model, Column.ENTERPRISE) == ["英德市北江运输有限公司"]


def test_acknowledge_marks_the_row_and_stops_its_flash() -> None:
    model, _ = model_at()
    model.add_alarms([alarm(1), alarm(2, at=5)])
    assert model.index(0, 0).data(Roles.FLASHING)
    ids = model.acknowledge(0)
    assert ids == ["a1", "a2"]
    index = model.index(0, Column.HANDLING)
    assert index.data() == "已确认"
    assert index.data(Roles.HANDLING) == Handling.ACKNOWLEDGED
    assert not index.data(Roles.FLASHING)
    assert model.acknowledge(0) == []  # already done
    assert model.acknowledge(5) == []  # no such row


def test_an_acknowledged_group_takes_no_more_alarms() -> None:
    model, _ = model_at()
    model.add_alarms([alarm(1)])
    model.acknowledge(0)
    new = model.add_alarms([alarm(2, at=10)])
    assert len(new) == 1
    assert texts(model, Column.HANDLING) == ["未处理", "已确认"]


def test_flash_toggles_only_the_flashing_rows() -> None:
    model, _ = model_at(at=7200)
    model.add_page([alarm(n, at=-n * 600, vehicle=n) for n in range(1, 4)])
    model.add_alarms([alarm(10, at=7190, vehicle=10), alarm(11, at=7195, vehicle=11)])
    changes: list[tuple[int, int, list]] = []
    model.dataChanged.connect(lambda a, b, roles: changes.append((a.row(), b.row(), list(roles))))
    model.tick_flash()
    assert [(a, b) for a, b, _ in changes] == [(0, 1)]
    assert Qt.ItemDataRole.BackgroundRole in changes[0][2]
    backgrounds = [model.index(r, 0).data(Qt.ItemDataRole.BackgroundRole) for r in range(5)]
    assert [b is not None for b in backgrounds] == [True, True, False, False, False]
    model.tick_flash()
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None


def test_flash_ends_after_its_time() -> None:
    model, clock = model_at(flash_s=60)
    model.add_alarms([alarm(1, at=50)])
    clock.advance(61)
    model.tick_flash()
    assert not model.index(0, 0).data(Roles.FLASHING)


def test_old_alarms_from_the_stream_do_not_flash() -> None:
    model, _ = model_at(at=3600, flash_s=300)
    model.add_alarms([alarm(1, at=0)])  # replayed after a reconnect
    assert not model.index(0, 0).data(Roles.FLASHING)


def test_only_the_newest_rows_flash_after_a_burst() -> None:
    model, _ = model_at(at=100, max_flashing=3)
    model.add_alarms([alarm(n, at=n, vehicle=n) for n in range(10)])
    flashing = [model.index(r, 0).data(Roles.FLASHING) for r in range(10)]
    assert flashing == [True] * 3 + [False] * 7


def test_waiting_time_counts_from_the_first_alarm_until_acknowledged() -> None:
    model, clock = model_at(at=65)
    model.add_alarms([alarm(1, at=0), alarm(2, at=30)])
    assert texts(model, Column.WAITING) == ["01:05"]
    changes: list[tuple[int, int, int]] = []
    model.dataChanged.connect(lambda a, b, *_: changes.append((a.row(), a.column(), b.row())))
    clock.advance(3600)
    model.refresh_waiting([0, 7])  # the visible rows; out-of-range ones are skipped
    assert changes == [(0, Column.WAITING, 0)]
    assert texts(model, Column.WAITING) == ["1:01:05"]
    model.acknowledge(0)
    clock.advance(600)
    assert texts(model, Column.WAITING) == ["1:01:05"]


def test_durations_read_well() -> None:
    assert format_duration(5) == "00:05"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(2 * 86400 + 3725) == "2天01:02:05"


def test_a_hundred_thousand_alarms_in_batches(qtbot, capsys) -> None:
    """A busy day: 10⁵ alarms from 300 trucks in batches of 500, with the filter proxy
    attached as in the panel. Each batch is at most one insert of new rows at the top."""
    model, clock = model_at()
    proxy = AlarmFilter()
    proxy.setSourceModel(model)
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, a, b: inserts.append((a, b)))
    types = ["dsm.01", "adas.01", "bsd.01", "tpms.b02"]
    batches = 200
    for b in range(batches):
        clock.now += 400
        start = b * 400
        model.add_alarms(
            [
                alarm(
                    b * 500 + i,
                    at=start + i * 0.8,
                    vehicle=i % 300,
                    type_code=types[i % 4],
                    severity=1 + i % 4,
                )
                for i in range(500)
            ]
        )
    assert model.alarm_count == 100_000
    assert len(inserts) == batches
    assert all(first == 0 for first, _ in inserts)
    assert model.rowCount() == proxy.rowCount() == sum(b - a + 1 for a, b in inserts)
    assert model.index(0, 0).data(Roles.ALARM_ID) == "a99999"
    proxy.update(min_severity=4)
    assert proxy.rowCount() == sum(1 for r in model.rows() if r.severity == 4)
    assert proxy.counts()["alarms"] == 25_000
    model.acknowledge(model.rowCount() - 1)
    model.tick_flash()
    assert model.index(model.rowCount() - 1, Column.HANDLING).data() == "已确认"
    assert capsys.readouterr() == ("", "")


def test_rows_of_alarms_are_found_by_id() -> None:
    model, _ = model_at()
    model.add_alarms([alarm(1), alarm(2, vehicle=2), alarm(3, at=5)])
    assert model.row_of_alarm("a3") == model.row_of_alarm("a1") == 0
    assert model.row_of_alarm("a2") == 1
    assert model.row_of_alarm("nope") == -1
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None
