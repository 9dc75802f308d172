"""The VideoPlayer widget (widgets/video_player.py) with real clips decoded on its worker
thread and shown as YUV QVideoFrames (offscreen Qt)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrameFormat

from console.media import h264
from console.media.evidence import make_clip
from widgets.video_player import VideoPlayer

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def clip() -> bytes:
    """2 s, 25 fps, 320×180 H.264 MP4 as the simulator uploads (moov at the end)."""
    return make_clip(
        "粤R12345", datetime(2024, 5, 1, 8, 0), "疲劳驾驶报警", seconds=2.0, width=320, height=180
    )


@pytest.fixture
def player(qtbot) -> Iterator[VideoPlayer]:
    widget = VideoPlayer()
    qtbot.add_widget(widget)
    widget.resize(480, 320)
    widget.show()
    yield widget
    widget.shutdown()
    assert not any(t.name == "video-decoder" for t in threading.enumerate())


def open_clip(qtbot, player: VideoPlayer, source, **kwargs) -> None:
    with qtbot.wait_signal(player.position_changed, timeout=WAIT_MS):  # the first frame
        player.open(source, **kwargs)


def test_opens_and_shows_the_first_frame_as_yuv(qtbot, player: VideoPlayer, clip: bytes) -> None:
    open_clip(qtbot, player, clip)
    info = player.info()
    assert (info.width, info.height, info.frame_count) == (320, 180, 50)
    frame = player.current_frame()
    assert frame.pixelFormat() == QVideoFrameFormat.PixelFormat.Format_YUV420P
    assert (frame.width(), frame.height()) == (320, 180)
    assert player.video.videoSink().videoFrame().isValid()
    assert player.position() == 0.0 and not player.is_playing()
    assert player.time_label.text() == "00:00.00 / 00:02.00"
    assert player.slider.maximum() == 2000


def test_plays_to_the_end_and_emits_finished(qtbot, player: VideoPlayer, clip: bytes) -> None:
    positions: list[float] = []
    player.position_changed.connect(positions.append)
    open_clip(qtbot, player, clip)
    player.set_speed(4.0)
    with qtbot.wait_signal(player.finished, timeout=WAIT_MS):
        player.play()
    assert positions == sorted(positions)
    assert player.position() == pytest.approx(49 / 25)  # the last frame is on screen
    assert not player.is_playing()
    assert player.error_text() == ""


def test_play_again_after_the_end_starts_over(qtbot, player: VideoPlayer, clip: bytes) -> None:
    open_clip(qtbot, player, clip)
    player.set_speed(4.0)
    with qtbot.wait_signal(player.finished, timeout=WAIT_MS):
        player.play()
    seen: list[float] = []
    player.position_changed.connect(seen.append)
    with qtbot.wait_signal(player.finished, timeout=WAIT_MS):
        player.play()
    assert seen[0] == 0.0


def test_seek_shows_the_exact_frame(qtbot, player: VideoPlayer, clip: bytes) -> None:
    open_clip(qtbot, player, clip)
    with qtbot.wait_signal(player.position_changed, timeout=WAIT_MS) as blocker:
        player.seek(1.24)
    assert blocker.args == [pytest.approx(31 / 25)]
    assert player.slider.value() == 1240


def test_frame_steps(qtbot, player: VideoPlayer, clip: bytes) -> None:
    open_clip(qtbot, player, clip)
    for expected in (1, 2, 3):
        with qtbot.wait_signal(player.position_changed, timeout=WAIT_MS) as blocker:
            player.step()
        assert blocker.args == [pytest.approx(expected / 25)]
    with qtbot.wait_signal(player.position_changed, timeout=WAIT_MS) as blocker:
        player.step_back()
    assert blocker.args == [pytest.approx(2 / 25)]


def test_speed_is_kept_between_half_and_four(player: VideoPlayer) -> None:
    player.set_speed(8)
    assert player.speed() == 4.0 and player.speed_box.currentText() == "4×"
    player.set_speed(0.1)
    assert player.speed() == 0.5
    player.speed_box.setCurrentIndex(1)
    assert player.speed() == 1.0


def test_snapshot_writes_a_png_of_the_frame_size(
    qtbot, player: VideoPlayer, clip: bytes, tmp_path: Path
) -> None:
    assert not player.snapshot(tmp_path / "nothing.png")
    open_clip(qtbot, player, clip)
    with qtbot.wait_signal(player.position_changed, timeout=WAIT_MS):
        player.seek(1.0)
    path = tmp_path / "shot.png"
    assert player.snapshot(path)
    assert path.read_bytes().startswith(b"\x89PNG")
    image = QImage(str(path))
    assert (image.width(), image.height()) == (320, 180)
    # the overlay's dark text panel sits at the top left: the picture, not a black frame
    assert image.pixelColor(160, 150).lightness() > 30


@pytest.mark.parametrize("codec", ["h264", "hevc"])
def test_plays_raw_annexb(qtbot, player: VideoPlayer, codec: str) -> None:
    if codec == "hevc":
        try:
            av.codec.Codec("libx265", "w")
        except Exception:
            pytest.skip("PyAV's FFmpeg has no libx265 encoder")
    data = b"".join(u.data for u in h264.encode_test_clip(160, 96, 10, 1.0, codec=codec))
    open_clip(qtbot, player, data, name=f"00_65_6501_3_X.{codec}")
    player.set_speed(4.0)
    with qtbot.wait_signal(player.finished, timeout=WAIT_MS):
        player.play()
    assert player.position() == pytest.approx(0.9)


def test_opens_a_file_object_from_a_callable(qtbot, player: VideoPlayer, clip: bytes) -> None:
    threads: list[str] = []

    def opener() -> io.BytesIO:
        threads.append(threading.current_thread().name)
        return io.BytesIO(clip)

    open_clip(qtbot, player, opener)
    assert threads == ["video-decoder"]  # opened off the UI thread


def test_garbage_shows_an_error(qtbot, player: VideoPlayer) -> None:
    with qtbot.wait_signal(player.error, timeout=WAIT_MS) as blocker:
        player.open(b"\x00garbage" * 1000)
    assert blocker.args == ["视频文件已损坏或格式无法识别。"]
    assert player.error_text() == "视频文件已损坏或格式无法识别。"
    assert not player.play_button.isEnabled()


def test_mp4_cut_in_half_shows_an_error(qtbot, player: VideoPlayer, clip: bytes) -> None:
    with qtbot.wait_signal(player.error, timeout=WAIT_MS) as blocker:
        player.open(clip[: len(clip) // 2])
    assert "不完整" in blocker.args[0]


def test_truncated_clip_plays_what_it_has_then_says_so(
    qtbot, player: VideoPlayer, tmp_path: Path
) -> None:
    path = str(tmp_path / "faststart.mp4")  # index first, so half of it is playable
    with av.open(path, "w", format="mp4", options={"movflags": "faststart"}) as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        stream.options = {"g": "25", "bf": "0"}
        for i in range(50):
            frame = h264.test_pattern(160, 96, i)
            frame.pts, frame.time_base = i, Fraction(1, 25)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    data = Path(path).read_bytes()
    open_clip(qtbot, player, data[: len(data) // 2])
    player.set_speed(4.0)
    with (
        qtbot.wait_signal(player.error, timeout=WAIT_MS) as blocker,
        qtbot.assert_not_emitted(player.finished),
    ):
        player.play()
    assert "不完整" in blocker.args[0]
    assert 0.2 < player.position() < 1.96  # played part of it


def test_closing_stops_the_decoder(qtbot, clip: bytes) -> None:
    widget = VideoPlayer()
    qtbot.add_widget(widget)
    open_clip(qtbot, widget, clip)
    assert any(t.name == "video-decoder" for t in threading.enumerate())
    widget.close()
    assert not any(t.name == "video-decoder" for t in threading.enumerate())
