"""The history playback panel against a real platform process and a real simulated fleet (its
terminals list recordings for 0x9205 and stream one for 0x9201): the query fills the
timeline, a click plays the recording in the pane, stopping ends the platform's stream."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from live_platform import wait_for
from PySide6.QtCore import QSize, Qt

from console.client import PlatformClient
from console.client.playback import BEIJING
from console.client.video import running_streams
from console.sim.video import MAIN_SIZE
from widgets.playback import PlaybackPanel
from widgets.tasks import Tasks
from widgets.video_pane import PaneState

WAIT_MS = 120_000


@pytest.fixture(scope="module")
def client(fleet_client: PlatformClient) -> PlatformClient:
    return fleet_client


@pytest.fixture(scope="module")
def vehicles(fleet_vehicles: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return fleet_vehicles


@pytest.fixture
def panel(qtbot, client: PlatformClient) -> Iterator[PlaybackPanel]:
    tasks = Tasks()
    panel = PlaybackPanel(client, tasks)
    qtbot.add_widget(panel)
    panel.resize(1100, 700)
    panel.show()
    qtbot.wait_until(lambda: panel.vehicle_box.count() > 0, timeout=30_000)
    yield panel
    panel.stop()
    assert panel.wait(15), "the decoding thread did not end"
    assert tasks.wait(60_000)


def playbacks(client: PlatformClient, vehicle_id: str) -> list[dict]:
    return [
        s
        for s in running_streams(client)
        if s["vehicle_id"] == vehicle_id and s["kind"] == "playback"
    ]


def query(qtbot, panel: PlaybackPanel) -> None:
    with qtbot.wait_signal(panel.recordings_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(panel.query_button, Qt.MouseButton.LeftButton)


@pytest.mark.timeout(240)
def test_query_fills_the_timeline_and_a_click_plays_the_recording(
    qtbot, panel: PlaybackPanel, client: PlatformClient, vehicles
) -> None:
    truck = vehicles["online"][0]
    assert panel.select_vehicle(truck["id"])
    panel.channel_box.setValue(2)
    query(qtbot, panel)
    timeline = panel.timeline
    assert timeline.recordings and {r.channel for r in timeline.recordings} == {2}
    start, end = panel.time_range()
    assert all(start <= r.start < r.end <= end for r in timeline.recordings)
    assert "段录像" in panel.status_label.text()

    recording = timeline.recordings[0]
    spot = timeline.rect_of(recording).center().toPoint()
    with qtbot.wait_signal(timeline.recording_clicked, timeout=5_000) as clicked:
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=spot)
    assert clicked.args == [recording] and timeline.selected == recording
    pane = panel.pane
    qtbot.wait_until(lambda: pane.frames_shown >= 10, timeout=WAIT_MS)
    assert pane.state is PaneState.PLAYING
    assert pane.last_frame is not None and pane.last_frame.size() == QSize(*MAIN_SIZE)
    assert truck["plate"] in pane.header.text() and "通道 2" in pane.header.text()
    assert panel.stop_button.isEnabled()
    [stream] = playbacks(client, truck["id"])
    assert stream["channel"] == 2
    assert datetime.fromisoformat(stream["playback_start"]) == recording.start

    panel.stop()
    assert panel.wait(15)
    assert not panel.stop_button.isEnabled()
    wait_for(lambda: not playbacks(client, truck["id"]), 60, "the playback to stop")


@pytest.mark.timeout(240)
def test_all_channels_lay_out_one_lane_each_and_a_second_click_switches(
    qtbot, panel: PlaybackPanel, client: PlatformClient, vehicles
) -> None:
    truck = vehicles["online"][1]
    assert panel.select_vehicle(truck["id"])
    panel.channel_box.setValue(0)  # 全部
    assert panel.channel_box.text() == "全部"
    query(qtbot, panel)
    timeline = panel.timeline
    channels = sorted({r.channel for r in timeline.recordings})
    assert len(channels) > 1
    first = next(r for r in timeline.recordings if r.channel == channels[0])
    second = next(r for r in timeline.recordings if r.channel == channels[1])
    assert timeline.rect_of(first).top() != timeline.rect_of(second).top()
    for recording in (first, second):
        spot = timeline.rect_of(recording).center().toPoint()
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=spot)
        qtbot.wait_until(lambda: panel.pane.frames_shown >= 5, timeout=WAIT_MS)
        assert panel.pane.channel == recording.channel
    # The first playback was hung up when the second started: only the second runs.
    wait_for(
        lambda: [s["channel"] for s in playbacks(client, truck["id"])] == [second.channel],
        60,
        "only the second playback",
    )
    panel.close()
    assert panel.wait(15)
    wait_for(lambda: not playbacks(client, truck["id"]), 60, "the playback to stop")


def test_an_offline_vehicle_says_so(qtbot, panel: PlaybackPanel, vehicles) -> None:
    assert panel.select_vehicle(vehicles["offline"][0]["id"])
    with qtbot.wait_signal(panel.query_failed, timeout=WAIT_MS) as failed:
        qtbot.mouseClick(panel.query_button, Qt.MouseButton.LeftButton)
    assert failed.args == ["车辆不在线，无法查询录像。"]
    assert "车辆不在线" in panel.status_label.text()
    assert panel.query_button.isEnabled() and panel.timeline.recordings == []


def test_the_default_range_is_the_last_two_hours_in_beijing_time(
    qtbot, panel: PlaybackPanel
) -> None:
    start, end = panel.time_range()
    assert end - start == timedelta(hours=2)
    assert start.utcoffset() == timedelta(hours=8)
    assert abs(datetime.now(BEIJING) - end) < timedelta(minutes=2)
    moment = datetime(2026, 11, 21, 9, 30, tzinfo=BEIJING)
    panel.reset_range(moment)
    assert panel.time_range() == (moment - timedelta(hours=2), moment)
    assert panel.end_edit.text() == "2026-11-21 09:30"
