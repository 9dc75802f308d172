"""The video wall and its panes against a real platform process and a real simulated fleet
(its terminals answer 0x9101 with H.264 over JT/T 1078): frames reach the panes' video
sinks, the status strip shows what plays, closing a pane stops the terminal's stream."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_platform import wait_for
from PySide6.QtCore import QSize, Qt

from console.client import PlatformClient
from console.client.video import running_streams
from console.sim.video import MAIN_SIZE
from widgets import video_pane
from widgets.video_pane import PaneState, VideoPane
from widgets.video_wall import VideoWall

WAIT_MS = 60_000


@pytest.fixture(scope="module")
def client(fleet_client: PlatformClient) -> PlatformClient:
    return fleet_client


@pytest.fixture(scope="module")
def vehicles(fleet_vehicles: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return fleet_vehicles


@pytest.fixture
def wall(qtbot, client: PlatformClient) -> Iterator[VideoWall]:
    wall = VideoWall(client)
    qtbot.add_widget(wall)
    wall.resize(1280, 800)
    wall.show()
    yield wall
    wall.close_all()
    assert wall.wait(15), "a decoding thread did not end"


def playing(qtbot, pane: VideoPane, frames: int = 10) -> None:
    qtbot.wait_until(lambda: pane.frames_shown >= frames, timeout=WAIT_MS)


def stream_running(client: PlatformClient, vehicle_id: str, channel: int) -> bool:
    return any(
        s["vehicle_id"] == vehicle_id and s["channel"] == channel for s in running_streams(client)
    )


@pytest.mark.timeout(240)
def test_a_pane_shows_live_frames_with_fps_and_bitrate(qtbot, wall: VideoWall, vehicles) -> None:
    truck = vehicles["online"][0]
    pane = wall.open(truck["id"], truck["plate"], 1)
    assert pane is wall.panes[0] and wall.focused is pane
    assert pane.state in (PaneState.CONNECTING, PaneState.PLAYING)
    playing(qtbot, pane, 25)
    assert pane.state is PaneState.PLAYING
    stats = pane.stats()
    assert stats is not None and stats.frames_decoded >= 25 and stats.decode_errors == 0
    assert pane.last_frame is not None and pane.last_frame.size() == QSize(*MAIN_SIZE)
    sink_frame = pane.video.videoSink().videoFrame()
    assert sink_frame.isValid() and sink_frame.size() == QSize(*MAIN_SIZE)
    # The strips: plate, channel, state; size, fps and bitrate once the stats tick.
    assert truck["plate"] in pane.header.text()
    assert "通道 1" in pane.header.text() and "播放中" in pane.header.text()
    qtbot.wait_until(lambda: "fps" in pane.stats_label.text(), timeout=5_000)
    text = pane.stats_label.text()
    assert "kbps" in text and f"{MAIN_SIZE[0]}×{MAIN_SIZE[1]}" in text
    fps = float(text.split(" fps")[0].split()[-1])
    assert fps > 0


@pytest.mark.timeout(240)
def test_closing_the_pane_stops_the_terminals_stream(
    qtbot, wall: VideoWall, client: PlatformClient, vehicles
) -> None:
    truck = vehicles["online"][1]
    pane = wall.open(truck["id"], truck["plate"], 2)
    playing(qtbot, pane)
    assert stream_running(client, truck["id"], 2)
    pane.close_button.click()
    assert pane.free and pane.state is PaneState.IDLE
    assert pane.wait(15)
    # The platform stops the terminal (0x9102) once its last viewer left, after a grace.
    wait_for(lambda: not stream_running(client, truck["id"], 2), 60, "the stream to stop")


@pytest.mark.timeout(240)
def test_four_pane_wall_with_two_streams(qtbot, wall: VideoWall, vehicles) -> None:
    wall.set_layout(4)
    assert [p.isVisible() for p in wall.panes[:5]] == [True, True, True, True, False]
    a, b = vehicles["online"][:2]
    first = wall.open(a["id"], a["plate"], 1)
    second = wall.open(b["id"], b["plate"], 1)
    assert (first, second) == (wall.panes[0], wall.panes[1])
    assert wall.open(a["id"], a["plate"], 1) is first  # already on the wall: focused
    assert wall.focused is first
    playing(qtbot, first)
    playing(qtbot, second)
    assert wall.panes[2].free and wall.panes[3].free

    # Double-click maximises a pane, and a second double-click goes back to the grid.
    qtbot.mouseDClick(second, Qt.MouseButton.LeftButton)
    assert wall.maximised is second and wall.focused is second
    assert second.isVisible() and not first.isVisible()
    qtbot.mouseDClick(second, Qt.MouseButton.LeftButton)
    assert wall.maximised is None and first.isVisible() and second.isVisible()
    # Both streams kept playing throughout.
    shown = first.frames_shown, second.frames_shown
    qtbot.wait_until(
        lambda: first.frames_shown > shown[0] and second.frames_shown > shown[1], timeout=WAIT_MS
    )

    # A smaller layout stops the streams it hides.
    wall.set_layout(1)
    assert second.free and not first.free
    assert second.wait(15)


@pytest.mark.timeout(120)
def test_an_offline_vehicle_shows_a_clear_error(qtbot, wall: VideoWall, vehicles) -> None:
    truck = vehicles["offline"][0]
    pane = wall.open(truck["id"], truck["plate"], 1)
    qtbot.wait_until(lambda: pane.state is PaneState.ERROR, timeout=WAIT_MS)
    assert "错误: 车辆不在线，无法播放视频。" in pane.header.text()
    assert pane.frames_shown == 0 and pane.last_frame is None
    assert pane.wait(15)


def test_the_mute_button_and_the_missing_audio_device(
    qtbot, client: PlatformClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(video_pane, "audio_output_available", lambda: False)
    pane = VideoPane(client)
    qtbot.add_widget(pane)
    # Panes start unmuted: the focused one is heard (nothing plays without a stream).
    assert not pane.muted and pane.mute_button.isEnabled()
    assert pane.mute_button.text() == "声音"
    assert pane.mute_button.toolTip() == "没有音频输出设备"
    pane.set_focused(True)
    assert not pane.audio_wanted and not pane.audio_active  # no live video yet
    pane.mute_button.click()
    assert pane.muted and pane.mute_button.text() == "静音"
    monkeypatch.setattr(video_pane, "audio_output_available", lambda: True)
    pane.set_muted(False)
    assert pane.mute_button.toolTip() == "静音/取消静音"


def grows(qtbot, read, by: int = 1600) -> None:
    start = read()
    qtbot.wait_until(lambda: read() >= start + by, timeout=WAIT_MS)


def still(qtbot, pane: VideoPane) -> None:
    """The pane's audio has stopped: its sample counter no longer moves."""
    qtbot.wait_until(lambda: not pane.audio_active, timeout=5_000)
    assert pane.wait_audio(15)
    before = pane.audio_samples
    qtbot.wait(500)
    assert pane.audio_samples == before


@pytest.mark.timeout(240)
def test_audio_follows_the_focus_and_the_mute_button(
    qtbot, wall: VideoWall, vehicles, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This machine has no sound device; decode and count anyway (never open a sink).
    monkeypatch.setattr(video_pane, "audio_output_available", lambda: False)
    wall.set_layout(4)
    a, b = vehicles["online"][:2]
    first = wall.open(a["id"], a["plate"], 3)
    second = wall.open(b["id"], b["plate"], 3)
    assert wall.focused is second
    playing(qtbot, first)
    playing(qtbot, second)
    # The focused pane decodes the simulator's G.711A; the other one is silent.
    grows(qtbot, lambda: second.audio_samples)
    assert wall.audible is second and second.audio_active and not second.audio_playing
    assert first.audio_samples == 0 and not first.audio_active
    assert second.mute_button.toolTip() == "没有音频输出设备"

    # Focus moves the audio.
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
    assert wall.focused is first
    still(qtbot, second)
    grows(qtbot, lambda: first.audio_samples)
    assert wall.audible is first

    # Muting stops it; unmuting brings it back.
    first.mute_button.click()
    assert first.muted
    still(qtbot, first)
    assert wall.audible is None
    first.mute_button.click()
    grows(qtbot, lambda: first.audio_samples)

    # Closing the pane ends its audio with the video.
    first.close_button.click()
    still(qtbot, first)
    assert wall.audible is None


def test_layouts_and_focus_without_streams(qtbot, client: PlatformClient) -> None:
    wall = VideoWall(client)
    qtbot.add_widget(wall)
    wall.show()
    for n in (1, 9, 16, 4):
        with qtbot.wait_signal(wall.layout_changed):
            wall.layout_buttons.button(n).click()
        assert sum(p.isVisible() for p in wall.panes) == n
    qtbot.mouseClick(wall.panes[3], Qt.MouseButton.LeftButton)
    assert wall.focused is wall.panes[3]
    with pytest.raises(ValueError):
        wall.set_layout(6)
