"""The vehicle tree model: structure checked by Qt's model tester, counts, statuses, and
live updates with few signals."""

from __future__ import annotations

from fleet import tree
from PySide6.QtCore import QModelIndex, Qt

from widgets.map.markers import MarkerStatus
from widgets.vehicle_tree_model import Roles, VehicleTreeModel


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def loaded(clock: Clock | None = None) -> VehicleTreeModel:
    model = VehicleTreeModel(clock=clock)
    model.load(tree())
    return model


def test_model_passes_qt_model_tester(qtmodeltester) -> None:
    model = VehicleTreeModel()
    qtmodeltester.check(model)  # empty
    model.load(tree())
    qtmodeltester.check(model)


def test_groups_show_online_over_total() -> None:
    model = loaded()
    counties = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert counties == ["清城区  (2/4)", "英德市  (1/2)", "连山壮族瑶族自治县  (0/0)"]
    qc = model.index(0, 0)
    assert model.index(0, 0, qc).data() == "清远市顺达运输有限公司  (2/3)"
    assert (model.online, model.total) == (3, 6)


def test_vehicle_rows_carry_id_plate_status_and_icon() -> None:
    model = loaded()
    first = model.index(0, 0, model.index(0, 0, model.index(0, 0)))
    assert first.data() == "粤R00001"
    assert first.data(Roles.ID) == "v1"
    assert first.data(Roles.KIND) == "vehicle"
    assert first.data(Roles.STATUS) == "moving"
    assert not first.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert model.index_of("v3").data(Roles.STATUS) == "offline"
    assert model.index_of("v2").data(Roles.STATUS) == "stopped"
    assert model.parent(model.index_of("v5")).data(Roles.ID) == "e3"


def test_positions_update_vehicles_and_counts_with_one_signal_per_group(qtbot) -> None:
    model = loaded()
    changes: list[tuple[QModelIndex, QModelIndex]] = []
    model.dataChanged.connect(lambda a, b, *_: changes.append((a, b)))
    touched = model.apply_positions(
        [
            {
                "vehicle_id": "v3",
                "lat": 23.8,
                "lon": 113.1,
                "speed_kmh": 45.0,
                "direction": 180,
                "time": "2026-11-21T08:01:00+00:00",
                "moving": True,
                "alarm_flags": 0,
            },
            {
                "vehicle_id": "v1",
                "lat": 23.8,
                "lon": 113.2,
                "speed_kmh": 0.0,
                "direction": 0,
                "time": "2026-11-21T08:01:00+00:00",
                "moving": False,
                "alarm_flags": 0,
            },
            {"vehicle_id": "unknown", "lat": 0, "lon": 0},
        ]
    )
    assert [v.id for v in touched] == ["v3", "v1"]
    assert model.index_of("v3").data(Roles.STATUS) == "moving"
    assert model.index_of("v1").data(Roles.STATUS) == "stopped"
    assert model.index(0, 0).data() == "清城区  (3/4)"
    assert model.online == 4
    # vehicle rows of enterprise e1 in one signal, then e1 itself, then 清城区
    assert len(changes) == 3
    assert (changes[0][0].row(), changes[0][1].row()) == (0, 2)


def test_offline_event_and_alarm_status_expires() -> None:
    clock = Clock()
    model = loaded(clock)
    model.set_online("v1", False)
    assert model.index_of("v1").data(Roles.STATUS) == "offline"
    assert model.index(0, 0).data() == "清城区  (1/4)"
    model.note_alarm("v2")
    assert model.index_of("v2").data(Roles.STATUS) == "alarm"
    assert model.status_counts()[MarkerStatus.ALARM] == 1
    clock.now += 181
    model.refresh_alarm_states()
    assert model.index_of("v2").data(Roles.STATUS) == "stopped"


def test_alarm_flags_in_a_position_mean_in_alarm() -> None:
    model = loaded()
    model.apply_positions(
        [{"vehicle_id": "v5", "lat": 24, "lon": 113, "alarm_flags": 1, "moving": True}]
    )
    assert model.index_of("v5").data(Roles.STATUS) == "alarm"


def test_reload_replaces_everything(qtbot) -> None:
    model = loaded()
    with qtbot.wait_signal(model.modelReset):
        model.load({"counties": []})
    assert model.rowCount() == 0 and model.total == 0
