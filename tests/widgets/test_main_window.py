"""The main window against a real platform and simulated fleet: the tree fills with online
trucks, the map holds their markers, selecting a truck fills the card, a platform restart
shows in the status bar and the window follows the stream again afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from live_platform import ADMIN_PASSWORD, DEMO_PASSWORD, LivePlatform
from PySide6.QtCore import QSettings
from windows import delete_windows

from console.client import PlatformClient
from widgets.alarm_model import Roles as AlarmRoles
from widgets.main_window import MainWindow, base_map_of

FLEET = 12


@pytest.fixture(scope="module")
def fleet(live: LivePlatform) -> LivePlatform:
    live.start_fleet(vehicles=FLEET, speedup=10)
    return live


@pytest.fixture
def window(qtbot, tmp_path, fleet: LivePlatform) -> Iterator[MainWindow]:
    yield from open_window(qtbot, tmp_path, fleet, "admin", ADMIN_PASSWORD)


def open_window(qtbot, tmp_path, live: LivePlatform, user: str, password: str):
    client = PlatformClient(live.url)
    client.login(user, password)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("map/base", "none")  # no tiles in tests: nothing leaves the machine
    win = MainWindow(client, settings=settings)
    win.resize(1600, 900)
    win.show()
    win.start()
    try:
        yield win
    finally:
        delete_windows(qtbot, [win])


def marker_count(qtbot, win: MainWindow) -> int:
    got: list[int] = []
    win.map.marker_count(got.append)
    qtbot.wait_until(lambda: bool(got), timeout=10_000)
    return got[0]


@pytest.mark.timeout(300)
def test_tree_shows_online_trucks_and_the_map_holds_their_markers(qtbot, window) -> None:
    qtbot.wait_until(lambda: window.model.total == 300, timeout=30_000)
    # Bounded, but generous: the simulator connects its trucks over its ramp, and CI
    # machines are shared.
    qtbot.wait_until(lambda: window.model.online >= FLEET - 1, timeout=180_000)
    qtbot.wait_until(lambda: marker_count(qtbot, window) >= FLEET - 1, timeout=30_000)
    assert window.online_label.text() == f"在线 {window.model.online}/300"
    assert window.connection_label.text() == "● 已连接"


@pytest.mark.timeout(120)
def test_selecting_a_truck_fills_the_card_and_centres_the_map(qtbot, window) -> None:
    qtbot.wait_until(lambda: window.model.online >= 1, timeout=90_000)
    qtbot.wait_until(lambda: marker_count(qtbot, window) >= 1, timeout=30_000)  # page is up
    online = next(v for v in window.model.vehicles.values() if v.online and v.lat is not None)
    window.tree.select_vehicle(online.id)
    assert window.card.values["plate"].text() == online.plate
    assert window.card.values["enterprise"].text() == online.enterprise_name
    assert window.card.values["terminal"].text() == online.terminal["terminal_id"]
    assert "JT/T 808-" in window.card.values["protocol"].text()
    assert window.playback.vehicle_id() == online.id  # history playback follows the selection
    qtbot.wait_until(
        lambda: window.card.alarms_title.text().startswith("今日报警（"), timeout=20_000
    )
    seen: list = []
    window.map.run_js(
        "JSON.stringify([window.truckwatch.center(), window.truckwatch.zoom()])", seen.append
    )
    qtbot.wait_until(lambda: bool(seen), timeout=10_000)
    (lat, lon), zoom = json.loads(seen[0])
    assert zoom == 14
    assert abs(lat - online.lat) < 0.05 and abs(lon - online.lon) < 0.05


@pytest.mark.timeout(120)
def test_status_bar_counts_alarms_today(qtbot, window) -> None:
    qtbot.wait_until(lambda: window.alarms_today >= 1, timeout=90_000)
    assert window.alarms_label.text() == f"今日报警 {window.alarms_today}"


@pytest.mark.timeout(240)
def test_platform_restart_is_shown_and_the_stream_resumes(qtbot, window, fleet) -> None:
    qtbot.wait_until(lambda: window.connection_label.text() == "● 已连接", timeout=30_000)
    qtbot.wait_until(lambda: window.feed.last_event_id is not None, timeout=60_000)
    fleet.stop_platform()
    qtbot.wait_until(lambda: "重连" in window.connection_label.text(), timeout=30_000)
    before = window.feed.last_event_id
    fleet.start()
    qtbot.wait_until(lambda: window.connection_label.text() == "● 已连接", timeout=60_000)
    qtbot.wait_until(lambda: (window.feed.last_event_id or 0) > before, timeout=90_000)
    assert window.feed.stream is not None and window.feed.stream.reconnects >= 1


@pytest.mark.timeout(120)
def test_a_county_operator_sees_only_their_county(qtbot, tmp_path, fleet) -> None:
    for win in open_window(qtbot, tmp_path, fleet, "op_yingde", DEMO_PASSWORD):
        qtbot.wait_until(lambda w=win: w.model.total > 0, timeout=30_000)
        assert {v.county_name for v in win.model.vehicles.values()} == {"英德市"}
        assert [c.name for c in win.model.counties] == ["英德市"]


def test_base_map_choices() -> None:
    assert base_map_of("gaode").crs == "gcj02"
    assert base_map_of("none").url == ""
    assert base_map_of("osm").crs == "wgs84"
    with pytest.raises(ValueError, match="z"):
        base_map_of("xyz", "http://tiles/{x}/{y}.png")
    with pytest.raises(ValueError, match="不存在"):
        base_map_of("offline", "/no/such/dir")


@pytest.mark.timeout(180)
def test_alarms_reach_the_queue_and_selecting_one_shows_its_truck(qtbot, window) -> None:
    qtbot.wait_until(lambda: window.alarm_queue.model.alarm_count >= 1, timeout=120_000)
    queue = window.alarm_queue
    first = queue.model.index(0, 0).data(AlarmRoles.ALARM)
    assert first["id"] and first["plate"]
    with qtbot.wait_signal(queue.alarm_selected, timeout=10_000):
        queue.select_alarm(first["id"])
    assert window.selected == first["vehicle_id"]
    assert window.card.values["plate"].text() == first["plate"]


@pytest.mark.timeout(180)
def test_live_video_from_the_card_shows_frames_and_stops_on_close(qtbot, window) -> None:
    qtbot.wait_until(lambda: window.model.online >= 1, timeout=120_000)
    online = next(v for v in window.model.vehicles.values() if v.online)
    window.tree.select_vehicle(online.id)
    assert window.card.live_button.isEnabled()
    window.card.live_button.click()
    pane = next(p for p in window.video_wall.panes if not p.free)
    qtbot.wait_until(lambda: pane.frames_shown >= 5, timeout=90_000)
    window.video_wall.close_all()
    client = window.client
    qtbot.wait_until(
        lambda: not [s for s in client.get("/video")["streams"] if s["vehicle_id"] == online.id],
        timeout=60_000,
    )


@pytest.mark.timeout(240)
def test_enter_on_an_alarm_opens_its_evidence(qtbot, window) -> None:
    queue = window.alarm_queue

    def alarm_with_evidence():
        for row in range(queue.model.rowCount()):
            alarm = queue.model.index(row, 0).data(AlarmRoles.ALARM)
            if alarm.get("evidence_status") == "complete":
                return alarm
        return None

    qtbot.wait_until(lambda: alarm_with_evidence() is not None, timeout=200_000)
    alarm = alarm_with_evidence()
    queue.select_alarm(alarm["id"])
    queue.open_current()
    assert window.evidence.alarm["id"] == alarm["id"]
    qtbot.wait_until(lambda: window.evidence.files.count() >= 1, timeout=30_000)
