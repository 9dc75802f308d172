"""The vehicle tree panel: plate search, online only, selection."""

from __future__ import annotations

from fleet import tree

from widgets.vehicle_tree import VehicleTree
from widgets.vehicle_tree_model import Roles, VehicleTreeModel


def panel(qtbot) -> VehicleTree:
    model = VehicleTreeModel()
    widget = VehicleTree(model)
    qtbot.add_widget(widget)
    model.load(tree())
    return widget


def visible_plates(widget: VehicleTree) -> list[str]:
    proxy, plates = widget.proxy, []

    def walk(parent) -> None:
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            if index.data(Roles.KIND) == "vehicle":
                plates.append(index.data())
            walk(index)

    from PySide6.QtCore import QModelIndex

    walk(QModelIndex())
    return plates


def test_search_filters_by_part_of_the_plate(qtbot) -> None:
    widget = panel(qtbot)
    assert len(visible_plates(widget)) == 6
    widget.search.setText("0000")
    assert len(visible_plates(widget)) == 6
    widget.search.setText("r00005")  # case-insensitive
    assert visible_plates(widget) == ["粤R00005"]
    # the county and enterprise above the match stay visible
    county = widget.proxy.index(0, 0)
    assert county.data().startswith("英德市")


def test_online_only(qtbot) -> None:
    widget = panel(qtbot)
    widget.online_only.setChecked(True)
    assert sorted(visible_plates(widget)) == ["粤R00001", "粤R00002", "粤R00005"]
    widget.model.set_online("v6", True)
    assert "粤R00006" in visible_plates(widget)


def test_type_ahead_completes_plates(qtbot) -> None:
    widget = panel(qtbot)
    completer = widget.search.completer()
    completer.setCompletionPrefix("0004")
    assert completer.currentCompletion() == "粤R00004"


def test_enter_on_a_plate_selects_the_vehicle(qtbot) -> None:
    widget = panel(qtbot)
    with qtbot.wait_signal(widget.vehicle_selected) as selected:
        widget.search.setText("粤R00004")
        widget.search.returnPressed.emit()
    assert selected.args == ["v4"]


def test_selecting_a_hidden_vehicle_clears_the_filters(qtbot) -> None:
    widget = panel(qtbot)
    widget.online_only.setChecked(True)
    with qtbot.wait_signal(widget.vehicle_selected) as selected:
        widget.select_vehicle("v6")
    assert selected.args == ["v6"]
    assert not widget.online_only.isChecked()
