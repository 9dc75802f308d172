"""The main window's own state, without a platform: dock layout remembered between runs,
F11 wall mode, base-map choice remembered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from windows import delete_windows

from console.client import PlatformClient
from widgets.main_window import MainWindow

OPEN: list[MainWindow] = []


@pytest.fixture(autouse=True)
def _delete_windows(qtbot) -> Iterator[None]:
    yield
    delete_windows(qtbot, OPEN)


def window(qtbot, settings: QSettings) -> MainWindow:
    client = PlatformClient("http://127.0.0.1:9")  # never called: start() is not
    win = MainWindow(client, settings=settings)
    OPEN.append(win)
    return win


def settings_in(tmp_path) -> QSettings:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("map/base", "none")
    return settings


def test_dock_layout_is_remembered(qtbot, tmp_path) -> None:
    settings = settings_in(tmp_path)
    first = window(qtbot, settings)
    first.show()
    first.card_dock.hide()
    first.save_layout()
    second = window(qtbot, settings)
    second.show()
    assert second.card_dock.isHidden()
    assert not second.tree_dock.isHidden()
    second.reset_layout()
    assert not second.card_dock.isHidden()


def test_f11_wall_mode(qtbot, tmp_path) -> None:
    win = window(qtbot, settings_in(tmp_path))
    win.show()
    assert win.wall_action.shortcut().toString() == "F11"
    win.wall_action.trigger()
    assert win.isFullScreen() and "font-size" in win.styleSheet()
    win.wall_action.trigger()
    assert not win.isFullScreen() and win.styleSheet() == ""


def test_base_map_choice_is_remembered(qtbot, tmp_path) -> None:
    settings = settings_in(tmp_path)
    win = window(qtbot, settings)
    win.choose_base_map("gaode")
    assert settings.value("map/base") == "gaode"
    assert win._saved_base_map().crs == "gcj02"


def test_status_bar_starts_with_zeroes_and_connecting(qtbot, tmp_path) -> None:
    win = window(qtbot, settings_in(tmp_path))
    assert win.online_label.text() == "在线 0/0"
    assert win.alarms_label.text() == "今日报警 0"
    assert win.connection_label.text() == "● 正在连接…"


def test_events_during_a_fleet_load_are_held_then_applied(qtbot, tmp_path) -> None:
    from fleet import tree

    from console.client import StreamEvent

    win = window(qtbot, settings_in(tmp_path))
    win._held = []  # what reload() does while the tree is on its way
    moved = {
        "vehicle_id": "v3",
        "lat": 24.0,
        "lon": 113.2,
        "speed_kmh": 50.0,
        "direction": 10,
        "time": "2026-11-21T08:05:00+00:00",
        "moving": True,
    }
    win.on_event(StreamEvent(41, "positions", {"positions": [moved]}))
    win.on_event(StreamEvent(42, "alarm", {"vehicle_id": "v4", "type_code": "dsm.01"}))
    assert win.model.total == 0  # nothing applied yet
    win._tree_arrived(tree())
    v3, v4 = win.model.vehicles["v3"], win.model.vehicles["v4"]
    assert v3.online and v3.lat == 24.0  # the held position beat the older snapshot
    assert v4.alarm_until > 0
    assert win.alarms_today == 1
    assert win._held is None


def test_a_layout_saved_by_another_version_is_ignored(qtbot, tmp_path) -> None:
    settings = settings_in(tmp_path)
    first = window(qtbot, settings)
    first.show()
    first.removeDockWidget(first.evidence_dock)  # an older layout: no evidence dock
    settings.setValue("window/state", first.saveState(1))
    second = window(qtbot, settings)
    second.show()
    tabs = second.tabifiedDockWidgets(second.card_dock)
    assert {second.evidence_dock, second.video_dock, second.playback_dock} <= set(tabs)


@pytest.mark.parametrize("size", [(1600, 900), (1920, 1080), (1366, 768)])
def test_the_window_fits_a_common_screen(qtbot, tmp_path, size: tuple[int, int]) -> None:
    # With its docks tabbed, the window must not insist on more lines than the screen has
    # (before the layout was activated, the tabbed docks' minimum heights were summed).
    win = window(qtbot, settings_in(tmp_path))
    assert (win.width(), win.height()) == (1600, 900)
    win.resize(*size)
    win.show()
    assert (win.width(), win.height()) == size
