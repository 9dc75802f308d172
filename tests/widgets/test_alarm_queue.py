"""The alarm queue panel: events in, sound out, keys, selection, filter bar, presets, pages,
export."""

from __future__ import annotations

import pytest
from alarms_data import COUNTIES, ENTERPRISES, Clock, alarm, event, page
from openpyxl import load_workbook
from PySide6.QtCore import QSettings, Qt

from widgets.alarm_filter import FilterState
from widgets.alarm_model import AlarmModel, Column, Roles
from widgets.alarm_queue import AlarmQueue
from widgets.alarm_sound import AlarmSounds


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def clock() -> Clock:
    return Clock(60)


def make_panel(qtbot, settings: QSettings, clock: Clock, username: str = "zhang") -> AlarmQueue:
    panel = AlarmQueue(
        settings,
        username,
        model=AlarmModel(clock=clock),
        sounds=AlarmSounds(settings, username, audio=False),
    )
    panel.timer.stop()  # the tests tick by hand
    qtbot.add_widget(panel)
    panel.resize(1200, 600)
    panel.show()
    return panel


@pytest.fixture
def panel(qtbot, settings, clock) -> AlarmQueue:
    return make_panel(qtbot, settings, clock)


def send(panel: AlarmQueue, ev) -> None:
    panel.on_event(ev)
    panel.flush()


def ids(panel: AlarmQueue) -> list[str]:
    return [panel.proxy.index(r, 0).data(Roles.ALARM_ID) for r in range(panel.proxy.rowCount())]


def test_the_filtered_model_passes_qt_model_tester(panel, qtmodeltester) -> None:
    panel.on_events([event(alarm(1)), event(alarm(2, at=5)), event(alarm(3, vehicle=2))])
    panel.severity_combo.setCurrentIndex(panel.severity_combo.findData(3))
    panel.severity_combo.activated.emit(panel.severity_combo.currentIndex())
    qtmodeltester.check(panel.proxy)


def test_a_new_alarm_shows_and_sounds_at_its_severity(panel) -> None:
    send(panel, event(alarm(1, severity=4, type_code="jt808.b00", level=None)))
    assert ids(panel) == ["a1"]
    assert panel.sounds.last_played == 4


def test_a_batch_sounds_once_at_its_highest_severity(panel, qtbot) -> None:
    played: list[int] = []
    panel.sounds.played.connect(played.append)
    panel.on_events([event(alarm(1, severity=2)), event(alarm(2, vehicle=2, severity=3))])
    assert played == [3]


def test_alarms_joining_a_group_and_updates_do_not_sound(panel, qtbot) -> None:
    send(panel, event(alarm(1)))
    with qtbot.assert_not_emitted(panel.sounds.played):
        send(panel, event(alarm(2, at=10)))
        send(panel, event(alarm(1, evidence="complete"), kind="alarm_updated"))
        send(panel, event({"positions": []}, kind="positions"))
    assert panel.model.index(0, Column.TYPE).data() == "疲劳驾驶报警 ×2"
    assert panel.model.alarms_in_row(0)[0]["evidence_status"] == "complete"


def test_muted_panel_stays_silent_and_says_so(panel, qtbot) -> None:
    with qtbot.wait_signal(panel.mute_changed) as blocker:
        panel.mute_button.click()
    assert blocker.args == [True]
    assert panel.mute_button.text() == "已静音"
    with qtbot.assert_not_emitted(panel.sounds.played):
        send(panel, event(alarm(1, severity=4)))
    assert panel.sounds.audit[-1]["muted"] is True


def test_mute_is_remembered_for_the_user(qtbot, settings, clock) -> None:
    make_panel(qtbot, settings, clock, "zhang").mute_button.click()
    assert make_panel(qtbot, settings, clock, "zhang").mute_button.isChecked()
    assert not make_panel(qtbot, settings, clock, "li").mute_button.isChecked()


def test_the_default_sounds_work_without_a_sound_device(qtbot, settings) -> None:
    panel = AlarmQueue(settings, "zhang")
    qtbot.add_widget(panel)
    send(panel, event(alarm(1)))
    assert panel.sounds.last_played == 3
    panel.tick()


def test_enter_opens_the_current_alarm(panel, qtbot) -> None:
    panel.on_events([event(alarm(1)), event(alarm(2, vehicle=2, at=5))])
    panel.view.setCurrentIndex(panel.proxy.index(0, 0))
    qtbot.keyClick(panel.view, Qt.Key.Key_Down)  # arrows move
    with qtbot.wait_signal(panel.alarm_opened) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert blocker.args[0]["id"] == "a1"


def test_space_acknowledges_the_current_row(panel, qtbot) -> None:
    panel.on_events([event(alarm(1)), event(alarm(2, at=5))])
    panel.view.setCurrentIndex(panel.proxy.index(0, 0))
    with qtbot.wait_signal(panel.acknowledged) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Space)
    assert blocker.args == [["a1", "a2"]]
    assert panel.proxy.index(0, Column.HANDLING).data() == "已确认"


def test_selecting_a_row_emits_its_alarm(panel, qtbot) -> None:
    panel.on_events([event(alarm(1)), event(alarm(2, vehicle=2, at=5))])
    with qtbot.wait_signal(panel.alarm_selected) as blocker:
        panel.view.setCurrentIndex(panel.proxy.index(1, 0))
    assert blocker.args[0]["id"] == "a1"
    assert panel.select_alarm("a2")
    assert panel.current_alarm()["id"] == "a2"
    assert not panel.select_alarm("nope")


def test_the_selection_follows_a_group_to_the_top(panel, qtbot) -> None:
    panel.on_events([event(alarm(1)), event(alarm(2, vehicle=2, at=5))])
    panel.select_alarm("a1")
    assert panel.view.currentIndex().row() == 1
    with qtbot.wait_signal(panel.alarm_selected) as blocker:
        send(panel, event(alarm(3, at=10)))  # joins a1's group, which goes to the top
    assert panel.view.currentIndex().row() == 0
    assert blocker.args[0]["id"] == "a3"


def test_pages_are_asked_for_and_appended(panel, qtbot) -> None:
    send(panel, event(alarm(1, at=50)))
    with qtbot.wait_signal(panel.more_wanted) as blocker:
        panel.more_button.click()
    assert blocker.args == [0]
    panel.load_page(page([alarm(1, at=50), alarm(2, at=-600, vehicle=2)], total=3))
    assert ids(panel) == ["a1", "a2"]
    with qtbot.wait_signal(panel.more_wanted) as blocker:
        panel.request_more()
    assert blocker.args == [2]
    panel.load_page(page([alarm(3, at=-1200, vehicle=3)], offset=2, total=3))
    assert ids(panel) == ["a1", "a2", "a3"]
    assert not panel.more_button.isEnabled()


def test_names_fill_the_table_and_the_filter_bar(panel) -> None:
    send(panel, event(alarm(1, county="c2", enterprise="e2")))
    panel.set_names(COUNTIES, ENTERPRISES)
    assert panel.proxy.index(0, Column.COUNTY).data() == "英德市"
    counties = [panel.county_combo.itemText(i) for i in range(panel.county_combo.count())]
    assert counties == ["全部县区", "清城区", "英德市"]


def choose(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(value))
    combo.activated.emit(combo.currentIndex())


def test_the_filter_bar_filters_and_counts(panel) -> None:
    panel.on_events(
        [
            event(alarm(1, type_code="adas.01")),
            event(alarm(2, at=5, type_code="adas.01")),
            event(alarm(3, vehicle=2, type_code="bsd.01", severity=2, level=None)),
        ]
    )
    panel.tick()  # counts follow new alarms once a second
    assert panel.counts_label.text().startswith("2 行 · 3 条报警")
    choose(panel.family_combo, "adas")
    assert ids(panel) == ["a2"]
    types = [panel.type_combo.itemData(i) for i in range(panel.type_combo.count())]
    assert "adas.01" in types and "bsd.01" not in types  # types of the chosen family
    assert panel.counts_label.text() == "1 行 · 2 条报警  |  高 2 · ADAS 报警 2"
    choose(panel.family_combo, "")
    panel.plate_edit.setText("00002")
    assert ids(panel) == ["a3"]


def test_presets_save_and_restore_the_filter_bar(panel) -> None:
    choose(panel.severity_combo, 3)
    choose(panel.handling_combo, "unhandled")
    panel.plate_edit.setText("粤R")
    panel.save_preset("夜班")
    panel.apply_filter(FilterState())
    assert panel.plate_edit.text() == ""
    assert panel.apply_preset("夜班")
    assert panel.severity_combo.currentData() == 3
    assert panel.handling_combo.currentData() == "unhandled"
    assert panel.plate_edit.text() == "粤R"
    assert panel.proxy.state.min_severity == 3
    assert not panel.apply_preset("没有")


def test_export_writes_the_filtered_list(panel, tmp_path) -> None:
    panel.set_names(COUNTIES, ENTERPRISES)
    panel.on_events([event(alarm(1)), event(alarm(2, vehicle=2, severity=1, level=None))])
    choose(panel.severity_combo, 3)
    path = panel.export(tmp_path / "alarms.xlsx")
    rows = [[c.value for c in r] for r in load_workbook(path).active.iter_rows()]
    assert rows[0][0].startswith("TruckWatch 报警列表（级别 ≥ 高）导出于 ")
    assert rows[1][2] == "报警类型"
    assert [r[3] for r in rows[2:]] == ["粤R00001"]


def test_tick_flashes_new_rows_and_updates_waiting_times(panel, clock, qtbot) -> None:
    send(panel, event(alarm(1, at=50)))
    changed: list[tuple[int, list]] = []
    panel.model.dataChanged.connect(lambda a, b, roles: changed.append((a.column(), list(roles))))
    clock.advance(10)
    panel.tick()
    assert panel.model.flash_phase
    assert panel.proxy.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert (int(Column.WAITING), [Qt.ItemDataRole.DisplayRole]) in changed
    assert panel.proxy.index(0, Column.WAITING).data() == "00:20"
    panel.tick()
    assert panel.proxy.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None


def test_a_reset_of_the_stream_asks_for_the_newest_page(panel, qtbot) -> None:
    with qtbot.wait_signal(panel.more_wanted) as blocker:
        send(panel, event(None, kind="reset"))
    assert blocker.args == [0]


def test_live_events_are_gathered_into_one_batch(panel, qtbot) -> None:
    inserts: list[tuple[int, int]] = []
    panel.model.rowsInserted.connect(lambda _p, a, b: inserts.append((a, b)))
    for n in range(20):
        panel.on_event(event(alarm(n, vehicle=n)))
    panel.on_event(event({"positions": []}, kind="positions"))  # not ours
    assert panel.model.rowCount() == 0
    qtbot.waitUntil(lambda: panel.model.rowCount() == 20)
    assert inserts == [(0, 19)]
