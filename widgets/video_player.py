"""A player for evidence clips: play/pause, seek, frame step, speed, snapshot.

Decoding runs on a worker thread that owns a :class:`~console.media.player.ClipPlayer`
(the clip may be read over HTTP through a RangedFile: blocking). The worker turns each
decoded picture into a ``QVideoFrame`` in YUV 4:2:0, copying the planes as they are: no RGB
conversion on the CPU; the ``QVideoWidget`` draws YUV on the GPU (or Qt converts when it has
no GPU, as offscreen). The UI thread keeps a few frames ahead and shows each when its time
comes on a clock scaled by the speed.

Commands go to the worker through a queue tagged with a generation number that every open
and seek increments: the worker skips stale seeks and decode requests (dragging the slider
coalesces to the last position) and the UI drops frames of an older generation.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.media.player import ClipInfo, ClipPlayer, DecodedFrame, yuv420p_planes

log = logging.getLogger(__name__)

__all__ = ["SPEEDS", "VideoPlayer", "to_video_frame"]

SPEEDS = (0.5, 1.0, 1.5, 2.0, 4.0)
AHEAD = 8  # frames decoded ahead of the one on screen

#: What ``open`` accepts: a path, the bytes, or a callable that opens the file object (run
#: on the worker, so opening a RangedFile, a network request, never blocks the UI).
Source = str | Path | bytes | Callable[[], IO[bytes]]


def to_video_frame(decoded: DecodedFrame) -> QVideoFrame:
    """A YUV420P ``QVideoFrame`` with the planes of ``decoded`` (no RGB conversion)."""
    frame = decoded.frame
    fmt = QVideoFrameFormat(
        QSize(frame.width, frame.height), QVideoFrameFormat.PixelFormat.Format_YUV420P
    )
    if frame.format.name == "yuvj420p":  # JPEG-range video from some cameras
        fmt.setColorRange(QVideoFrameFormat.ColorRange.ColorRange_Full)
    out = QVideoFrame(fmt)
    if not out.map(QVideoFrame.MapMode.WriteOnly):
        raise RuntimeError("cannot map a QVideoFrame for writing")
    try:
        import numpy as np

        for i, plane in enumerate(yuv420p_planes(frame)):
            stride = out.bytesPerLine(i)
            target = np.frombuffer(out.bits(i), dtype=np.uint8)
            rows = target[: stride * plane.shape[0]].reshape(plane.shape[0], stride)
            rows[:, : plane.shape[1]] = plane
    finally:
        out.unmap()
    start = round(decoded.time * 1_000_000)
    out.setStartTime(start)
    return out


@dataclass(frozen=True, slots=True)
class _Frame:
    video: QVideoFrame
    time: float
    index: int


class _Relay(QObject):
    """Created on the UI thread; signals emitted by the worker arrive there queued."""

    opened = Signal(int, object)  # generation, ClipInfo
    frame = Signal(int, object)  # generation, _Frame
    ended = Signal(int, object)  # generation, error message or None
    failed = Signal(int, str)  # generation, message (could not open)


def _describe(exc: BaseException) -> str:
    describe = getattr(exc, "describe", None)
    return describe() if callable(describe) else str(exc)


class _Worker:
    """The decoding thread: one ClipPlayer, commands from a queue (see the module doc)."""

    def __init__(self, relay: _Relay) -> None:
        self.relay = relay
        self.latest = 0  # the newest generation; written by the UI thread
        self.commands: queue.Queue[tuple[str, int, Any] | None] = queue.Queue()
        self.player: ClipPlayer | None = None
        self.thread = threading.Thread(target=self._run, name="video-decoder", daemon=True)
        self.thread.start()

    def send(self, kind: str, generation: int, argument: Any = None) -> None:
        self.commands.put((kind, generation, argument))

    def stop(self, timeout_s: float = 10.0) -> None:
        self.latest = -1  # abandon queued work
        self.commands.put(None)
        self.thread.join(timeout_s)

    def _run(self) -> None:
        try:
            while (command := self.commands.get()) is not None:
                kind, generation, argument = command
                if kind != "open" and generation != self.latest:
                    continue  # a newer seek or open supersedes it
                try:
                    getattr(self, "_" + kind)(generation, argument)
                except Exception as exc:  # reported in the widget, never lost
                    log.info("video %s failed: %s", kind, exc)
                    signal = self.relay.failed if kind == "open" else self.relay.ended
                    signal.emit(generation, _describe(exc))
        finally:
            self._close()

    def _close(self) -> None:
        if self.player is not None:
            player, self.player = self.player, None
            try:
                player.close()
            except Exception as exc:  # a broken connection while closing: nothing to keep
                log.debug("closing the clip: %s", exc)

    def _open(self, generation: int, argument: tuple[Source, str | None]) -> None:
        self._close()
        source, name = argument
        if isinstance(source, bytes | bytearray):
            source = io.BytesIO(source)
        elif callable(source):
            source = source()
        self.player = ClipPlayer(source, name=name)
        self.relay.opened.emit(generation, self.player.info)

    def _decode(self, generation: int, count: int) -> None:
        if self.player is None:
            return
        for _ in range(count):
            if generation != self.latest:
                return
            decoded = self.player.read()
            if decoded is None:
                self.relay.ended.emit(generation, None)
                return
            self._emit(generation, decoded)

    def _seek(self, generation: int, seconds: float) -> None:
        if self.player is None:
            return
        decoded = self.player.seek(seconds)
        if decoded is None:
            self.relay.ended.emit(generation, None)
        else:
            self._emit(generation, decoded)

    def _emit(self, generation: int, decoded: DecodedFrame) -> None:
        frame = _Frame(to_video_frame(decoded), decoded.time, decoded.index)
        self.relay.frame.emit(generation, frame)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes):02d}:{rest:05.2f}"


class VideoPlayer(QWidget):
    """Plays one clip at a time; see the module doc. ``position_changed`` carries the time
    (seconds) of the frame on screen; ``finished`` when the last frame has been shown;
    ``error`` with a sentence for people (also shown under the picture)."""

    position_changed = Signal(float)
    finished = Signal()
    error = Signal(str)
    opened = Signal(object)  # ClipInfo

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay(self)
        self._relay.opened.connect(self._on_opened)
        self._relay.frame.connect(self._on_frame)
        self._relay.ended.connect(self._on_ended)
        self._relay.failed.connect(self._on_failed)
        self._worker: _Worker | None = None
        self._generation = 0
        self._info: ClipInfo | None = None
        self._buffer: deque[_Frame] = deque()
        self._requested = 0
        self._eof = False
        self._end_error: str | None = None
        self._current: _Frame | None = None
        self._show_next = False  # show the next frame on arrival (after open, seek, step)
        self._playing = False
        self._autoplay = False
        self._speed = 1.0
        self._anchor = (0.0, 0.0)  # (clip time, monotonic time) the clock counts from
        self._stalled = False
        self._scrub_resume = False
        self.frames_shown = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._build()
        self._update_controls()

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.video = QVideoWidget(self)
        self.video.setMinimumSize(320, 180)
        self.video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b91c1c;")
        self.message.hide()

        self.play_button = QToolButton(self)
        self.play_button.clicked.connect(self.toggle_play)
        self.back_button = QToolButton(self)
        self.back_button.setText(self.tr("上一帧"))
        self.back_button.clicked.connect(self.step_back)
        self.step_button = QToolButton(self)
        self.step_button.setText(self.tr("下一帧"))
        self.step_button.clicked.connect(self.step)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, 0)
        self.slider.sliderPressed.connect(self._scrub_start)
        self.slider.sliderMoved.connect(lambda value: self.seek(value / 1000))
        self.slider.sliderReleased.connect(self._scrub_end)
        self.time_label = QLabel(_clock(0) + " / " + _clock(0), self)
        self.speed_box = QComboBox(self)
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.setToolTip(self.tr("播放速度"))
        self.speed_box.currentIndexChanged.connect(
            lambda i: self.set_speed(self.speed_box.itemData(i))
        )
        self.snapshot_button = QToolButton(self)
        self.snapshot_button.setText(self.tr("截图"))
        self.snapshot_button.clicked.connect(self._ask_snapshot)

        controls = QHBoxLayout()
        for widget in (self.play_button, self.back_button, self.step_button):
            controls.addWidget(widget)
        controls.addWidget(self.slider, 1)
        for widget in (self.time_label, self.speed_box, self.snapshot_button):
            controls.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.video, 1)
        layout.addWidget(self.message)
        layout.addLayout(controls)

    def _update_controls(self) -> None:
        ready = self._info is not None
        self.play_button.setText(self.tr("暂停") if self._playing else self.tr("播放"))
        for widget in (self.play_button, self.back_button, self.step_button, self.slider):
            widget.setEnabled(ready)
        self.snapshot_button.setEnabled(self._current is not None)

    # --- public API -------------------------------------------------------------------------
    def open(self, source: Source, *, name: str | None = None, autoplay: bool = False) -> None:
        """Open a clip (see ``Source``); the first frame is shown when it is decoded and
        playing starts then if ``autoplay``."""
        self._reset()
        self._info = None
        self._current = None
        self._autoplay = autoplay
        self.message.hide()
        self.slider.setRange(0, 0)
        if self._worker is None:
            self._worker = _Worker(self._relay)
        self._new_generation()
        self._worker.send("open", self._generation, (source, name))
        self._update_controls()

    def play(self) -> None:
        if self._info is None or self._playing:
            return
        if self._eof and not self._buffer and self._current is not None:
            self.seek(0.0)  # at the end: play again from the start
        self._playing = True
        self._restart_clock()
        self._update_controls()
        self._tick()

    def pause(self) -> None:
        self._playing = False
        self._timer.stop()
        self._update_controls()

    def toggle_play(self) -> None:
        self.pause() if self._playing else self.play()

    def is_playing(self) -> bool:
        return self._playing

    def seek(self, seconds: float) -> None:
        """Show the frame at ``seconds`` (playing continues from there if it was)."""
        if self._info is None or self._worker is None:
            return
        if self._info.duration:
            seconds = min(seconds, self._info.duration)
        self._reset()
        self._new_generation()
        self._show_next = True
        self._worker.send("seek", self._generation, max(0.0, seconds))

    def step(self) -> None:
        """Pause and show the next frame."""
        self.pause()
        if self._buffer:
            self._show(self._buffer.popleft())
        elif not self._eof:
            self._show_next = True
        elif self._end_error:
            self._finish()  # stepped onto the end of a clip cut short: say so
        self._refill()

    def step_back(self) -> None:
        """Pause and show the previous frame."""
        self.pause()
        if self._current is not None and self._info is not None:
            self.seek(max(0.0, self._current.time - 1.0 / self._info.fps))

    def set_speed(self, speed: float) -> None:
        """0.5× to 4×; the clock restarts from the frame on screen."""
        self._speed = max(SPEEDS[0], min(SPEEDS[-1], float(speed)))
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self._speed))
        if self.speed_box.currentIndex() != index:
            self.speed_box.setCurrentIndex(index)
        self._restart_clock()
        if self._playing:
            self._tick()

    def speed(self) -> float:
        return self._speed

    def info(self) -> ClipInfo | None:
        return self._info

    def position(self) -> float:
        return self._current.time if self._current is not None else 0.0

    def current_frame(self) -> QVideoFrame | None:
        """The frame on screen (YUV), for tests and the snapshot."""
        return self._current.video if self._current is not None else None

    def current_image(self) -> QImage:
        """The frame on screen as an image (converted now, only when asked)."""
        return self._current.video.toImage() if self._current is not None else QImage()

    def snapshot(self, path: str | Path) -> bool:
        """Save the frame on screen as PNG at its own size; False if nothing to save."""
        image = self.current_image()
        return not image.isNull() and image.save(str(path), "PNG")

    def error_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def shutdown(self) -> None:
        """Stop the decoding thread (closing the clip); the widget can open again later."""
        self.pause()
        self._reset()
        if self._worker is not None:
            worker, self._worker = self._worker, None
            worker.stop()

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)

    # --- worker answers ---------------------------------------------------------------------
    def _on_opened(self, generation: int, info: ClipInfo) -> None:
        if generation != self._generation:
            return
        self._info = info
        self.slider.setRange(0, round((info.duration or 0) * 1000))
        self._show_next = True
        self._update_time()
        self._update_controls()
        self.opened.emit(info)
        self._refill()

    def _on_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._show_error(message)

    def _on_frame(self, generation: int, frame: _Frame) -> None:
        if generation != self._generation:
            return
        self._requested = max(0, self._requested - 1)
        if self._show_next:
            self._show_next = False
            self._show(frame)
            self._restart_clock()
            if self._autoplay:
                self._autoplay = False
                self.play()
        else:
            self._buffer.append(frame)
        if self._stalled and self._playing:
            self._stalled = False
            self._restart_clock()
            self._tick()
        self._refill()

    def _on_ended(self, generation: int, message: str | None) -> None:
        if generation != self._generation:
            return
        self._eof = True
        self._end_error = message
        self._requested = 0
        self._show_next = False
        if not self._buffer and (self._playing or message):
            self._finish()

    # --- playing ----------------------------------------------------------------------------
    def _reset(self) -> None:
        self._timer.stop()
        self._buffer.clear()
        self._requested = 0
        self._eof = False
        self._end_error = None
        self._stalled = False
        self._show_next = False

    def _new_generation(self) -> None:
        self._generation += 1
        if self._worker is not None:
            self._worker.latest = self._generation

    def _refill(self) -> None:
        wanted = AHEAD - len(self._buffer) - self._requested
        if self._info is None or self._eof or self._worker is None or wanted <= 0:
            return
        self._requested += wanted
        self._worker.send("decode", self._generation, wanted)

    def _restart_clock(self) -> None:
        self._anchor = (self.position(), time.monotonic())

    def _clip_time(self) -> float:
        start, wall = self._anchor
        return start + (time.monotonic() - wall) * self._speed

    def _tick(self) -> None:
        if not self._playing:
            return
        now = self._clip_time()
        due = None
        while self._buffer and self._buffer[0].time <= now + 0.002:
            due = self._buffer.popleft()  # late frames are skipped, the newest due is shown
        if due is not None:
            self._show(due)
        self._refill()
        if self._buffer:
            delay = (self._buffer[0].time - now) / self._speed
            self._timer.start(max(0, round(delay * 1000)))
        elif self._eof:
            self._finish()
        else:
            self._stalled = True  # waiting for the decoder; the clock restarts on arrival

    def _show(self, frame: _Frame) -> None:
        self._current = frame
        self.frames_shown += 1
        self.video.videoSink().setVideoFrame(frame.video)
        if not self.slider.isSliderDown():
            self.slider.setValue(round(frame.time * 1000))
        self._update_time()
        self._update_controls()
        self.position_changed.emit(frame.time)

    def _finish(self) -> None:
        self._playing = False
        self._timer.stop()
        self._update_controls()
        if self._end_error:
            self._show_error(self._end_error)
        else:
            self.finished.emit()

    def _show_error(self, message: str) -> None:
        self.message.setText(message)
        self.message.show()
        self.error.emit(message)

    def _update_time(self) -> None:
        total = self._info.duration if self._info is not None else None
        self.time_label.setText(f"{_clock(self.position())} / {_clock(total or 0)}")

    # --- slider and snapshot ----------------------------------------------------------------
    def _scrub_start(self) -> None:
        self._scrub_resume = self._playing
        self.pause()

    def _scrub_end(self) -> None:
        self.seek(self.slider.value() / 1000)
        if self._scrub_resume:
            self._autoplay = True

    def _ask_snapshot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("保存截图"), "snapshot.png", self.tr("PNG 图片 (*.png)")
        )
        if path and not self.snapshot(path):
            self._show_error(self.tr("截图保存失败。"))
