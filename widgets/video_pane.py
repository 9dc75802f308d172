"""One live video: a ``QVideoWidget`` fed by a decoding thread, with a status strip.

The stream is read and decoded on a worker thread (:class:`console.client.video.LiveVideo`),
which also copies each picture's YUV planes into a ``QVideoFrame`` (``widgets/yuv_view.py``).
The UI thread only hands frames to the widget's ``QVideoSink``. Only the newest frame waits
for the UI thread: when it falls behind, older pictures are skipped (counted in
``frames_skipped``) rather than queued, so a busy window shows live video late by at most one
frame and memory stays flat.

The status strips sit above and below the picture rather than over it: ``QVideoWidget``
draws into a native child window, which ordinary widgets cannot cover.

Audio: only the focused pane plays sound, and only while it is not muted. Panes start
unmuted, so focusing a pane (the wall does it on a click) moves the sound to it; the mute
button silences a pane until it is unmuted again, focused or not. While a pane is audible, a
second worker thread reads the channel's G.711A (:class:`console.client.audio.LiveAudio`,
which needs the live video running: it starts once the video plays), decodes it to 16-bit PCM
and hands it to a ``QAudioSink`` (8 kHz, mono, Int16) on the UI thread. Without an audio
output device (``QMediaDevices.defaultAudioOutput()`` is null) the audio is still decoded and
counted (``audio_samples``) but nothing is played, and the mute button says so. Recordings
played back have no audio.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from enum import StrEnum

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QMouseEvent
from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices, QVideoFrame
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from console.client.api import PlatformClient
from console.client.audio import CHANNELS, SAMPLE_RATE, LiveAudio
from console.client.errors import ClientError
from console.client.playback import Playback
from console.client.video import LiveVideo, VideoStats
from widgets.yuv_view import to_video_frame

STATS_INTERVAL_MS = 500
LATENCY_KEEP = 2000  # latest glass-to-glass samples kept (only streams with sender times)


class PaneState(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    PLAYING = "playing"
    ENDED = "ended"  # the platform ended the stream (stopped, stalled)
    ERROR = "error"


class _Bridge(QObject):
    """Carries the worker thread's news to the UI thread (queued connections)."""

    # Each carries the generation of the stream it is about: a pane that moved on to another
    # stream ignores late news of the one before.
    state = Signal(int, str, str)  # generation, PaneState value, detail
    frame = Signal(int)  # generation: a frame waits in the pane's slot
    # The audio worker's news, with the generation of the audio it is about.
    pcm = Signal(int, object)  # generation, 16-bit PCM bytes to play
    audio_ended = Signal(int, str)  # generation, why ("" when it just ended)


class _Worker:
    """The decoding thread of one stream; ``pending`` is the newest frame not yet shown."""

    def __init__(self, video: LiveVideo, bridge: _Bridge, generation: int) -> None:
        self.video = video
        self.bridge = bridge
        self.generation = generation
        self.lock = threading.Lock()
        self.pending: tuple[QVideoFrame, float | None] | None = None
        self.skipped = 0
        self.cancelled = False  # the pane left this stream (the video closes itself too)
        self.thread = threading.Thread(target=self._run, name=f"video {video.path}", daemon=True)

    def take(self) -> tuple[QVideoFrame, float | None] | None:
        with self.lock:
            pending, self.pending = self.pending, None
        return pending

    def _run(self) -> None:
        video, bridge, gen = self.video, self.bridge, self.generation
        try:
            video.open()
            if video.stopped:
                return
            bridge.state.emit(gen, PaneState.PLAYING.value, video.codec or "")
            for decoded in video.frames():
                shown = to_video_frame(decoded.frame)
                with self.lock:
                    waiting = self.pending is not None
                    self.pending = (shown, decoded.sent_at)
                    self.skipped += waiting
                if not waiting:
                    bridge.frame.emit(gen)
            if not video.stopped:
                bridge.state.emit(gen, PaneState.ENDED.value, video.end_reason or "")
        except ClientError as exc:
            if not video.stopped:
                bridge.state.emit(gen, PaneState.ERROR.value, exc.describe())
        except Exception as exc:  # a decoder or Qt failure must reach the pane, not vanish
            if not video.stopped:
                bridge.state.emit(gen, PaneState.ERROR.value, str(exc) or type(exc).__name__)
        finally:
            video.close()


class _AudioWorker:
    """The audio thread of an audible pane: reads and decodes ``audio``, counts the samples,
    and (when ``play``) sends the PCM to the UI thread for the sink."""

    def __init__(
        self, audio: LiveAudio, bridge: _Bridge, generation: int, play: bool, count: _Count
    ) -> None:
        self.audio = audio
        self.bridge = bridge
        self.generation = generation
        self.play = play
        self.count = count
        self.thread = threading.Thread(target=self._run, name=f"audio {audio.path}", daemon=True)

    def _run(self) -> None:
        audio, bridge, gen = self.audio, self.bridge, self.generation
        detail = ""
        try:
            audio.open()
            for pcm in audio.samples():
                self.count.add(len(pcm))
                if self.play:
                    bridge.pcm.emit(gen, pcm.tobytes())
        except ClientError as exc:
            detail = exc.describe()
        except Exception as exc:  # a decoder failure must reach the pane, not vanish
            detail = str(exc) or type(exc).__name__
        finally:
            audio.close()
            if not audio.stopped:
                bridge.audio_ended.emit(gen, detail)


class _Count:
    """Decoded audio samples of a pane, added to by its audio threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.value += n


def _join(threads: list[threading.Thread], deadline: float) -> bool:
    for thread in threads:
        if thread.ident is not None:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                return False
    return True


def audio_output_available() -> bool:
    return not QMediaDevices.defaultAudioOutput().isNull()


class VideoPane(QFrame):
    """Shows one vehicle channel live. ``play`` starts, ``stop`` (or closing) ends it."""

    maximise_requested = Signal()
    focus_requested = Signal()
    close_requested = Signal()
    state_changed = Signal(str)
    frame_shown = Signal()

    def __init__(self, client: PlatformClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.vehicle_id: str | None = None
        self.plate = ""
        self.channel = 0
        self.state = PaneState.IDLE
        self.detail = ""
        self.focused = False
        self.muted = False  # only the focused pane is heard (see the module docstring)
        self.audio_detail = ""  # why the last audio ended early, if it did
        self.last_frame: QVideoFrame | None = None
        self.frames_shown = 0
        self.latencies_s: deque[float] = deque(maxlen=LATENCY_KEEP)
        self._worker: _Worker | None = None
        self._generation = 0
        self._audio: _AudioWorker | None = None
        self._audio_generation = 0
        self._audio_count = _Count()
        self._audio_threads: list[threading.Thread] = []  # to join in wait()
        self._sink: QAudioSink | None = None
        self._sink_io = None
        self._bridge = _Bridge()
        self._bridge.state.connect(self._on_state)
        self._bridge.frame.connect(self._show)
        self._bridge.pcm.connect(self._play_pcm)
        self._bridge.audio_ended.connect(self._on_audio_ended)
        self._shown_times: deque[float] = deque()
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(STATS_INTERVAL_MS)
        self._timer.timeout.connect(self._refresh_stats)
        self._refresh()

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.setObjectName("videoPane")
        self.setFrameShape(QFrame.Shape.Box)
        self.setLineWidth(2)
        self.header = QLabel(self)
        self.header.setObjectName("videoPaneHeader")
        self.video = QVideoWidget(self)
        self.video.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        self.video.installEventFilter(self)
        self.stats_label = QLabel(self)
        self.mute_button = QToolButton(self)
        self.mute_button.setCheckable(True)
        self.mute_button.setChecked(self.muted)
        self.mute_button.toggled.connect(self.set_muted)
        self.close_button = QToolButton(self)
        self.close_button.setText("×")
        self.close_button.setToolTip(self.tr("关闭视频"))
        self.close_button.clicked.connect(self.close_requested)
        footer = QHBoxLayout()
        footer.setContentsMargins(4, 0, 4, 0)
        footer.addWidget(self.stats_label, 1)
        footer.addWidget(self.mute_button)
        footer.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(1)
        layout.addWidget(self.header)
        layout.addWidget(self.video, 1)
        layout.addLayout(footer)

    # --- control --------------------------------------------------------------------------
    def play(self, vehicle_id: str, plate: str, channel: int = 1, stream: str = "main") -> None:
        """Watch ``vehicle_id``'s ``channel`` here, ending whatever the pane showed."""
        self.play_video(LiveVideo(self.client, vehicle_id, channel, stream=stream), plate)

    def play_video(self, video: LiveVideo, plate: str) -> None:
        """Show ``video`` (not opened yet: live, or a :class:`~console.client.playback.Playback`)
        here, ending whatever the pane showed."""
        self.stop()
        self.vehicle_id, self.plate, self.channel = video.vehicle_id, plate, video.channel
        self.last_frame = None
        self.frames_shown = 0
        self.latencies_s.clear()
        self._shown_times.clear()
        self.video.videoSink().setVideoFrame(QVideoFrame())
        self._generation += 1
        self._worker = _Worker(video, self._bridge, self._generation)
        self._set_state(PaneState.CONNECTING, "")
        self._timer.start()
        self._worker.thread.start()

    def stop(self) -> None:
        """End the stream (the platform stops the terminal once its last viewer left). The
        decoding thread ends by itself at once; :meth:`wait` joins it."""
        worker = self._worker
        if worker is None:
            return
        worker.cancelled = True
        worker.video.stop()
        self._stop_audio()
        self._timer.stop()
        if self.state in (PaneState.CONNECTING, PaneState.PLAYING):
            self._set_state(PaneState.ENDED, "stopped")

    def clear(self) -> None:
        """Stop and forget the stream: the pane is free again."""
        self.stop()
        self.vehicle_id, self.plate, self.channel = None, "", 0
        self.last_frame = None
        self.video.videoSink().setVideoFrame(QVideoFrame())
        self._set_state(PaneState.IDLE, "")

    def wait(self, timeout_s: float = 10.0) -> bool:
        """Join the decoding thread (tests, shutdown); True when it has ended."""
        deadline = time.monotonic() + timeout_s
        threads = [self._worker.thread] if self._worker else []
        return _join(threads + self._audio_threads, deadline)

    def wait_audio(self, timeout_s: float = 10.0) -> bool:
        """Join the audio threads the pane has left (stopped or ended), not the one playing."""
        current = self._audio.thread if self._audio else None
        threads = [t for t in self._audio_threads if t is not current]
        return _join(threads, time.monotonic() + timeout_s)

    @property
    def free(self) -> bool:
        return self.vehicle_id is None

    @property
    def active(self) -> bool:
        return self.state in (PaneState.CONNECTING, PaneState.PLAYING)

    @property
    def frames_skipped(self) -> int:
        return self._worker.skipped if self._worker else 0

    def stats(self) -> VideoStats | None:
        return self._worker.video.stats() if self._worker else None

    def displayed_fps(self) -> float:
        """Frames handed to the screen per second over the last two seconds."""
        now = time.monotonic()
        times = self._shown_times
        while times and times[0] < now - 2.0:
            times.popleft()
        if len(times) < 2:
            return 0.0
        return (len(times) - 1) / max(1e-6, times[-1] - times[0])

    def set_focused(self, focused: bool) -> None:
        self.focused = focused
        self.setStyleSheet("#videoPane { border: 2px solid #2f80ed; }" if focused else "")
        self._refresh()
        self._update_audio()

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        self.mute_button.blockSignals(True)
        self.mute_button.setChecked(muted)
        self.mute_button.blockSignals(False)
        self._refresh()
        self._update_audio()

    @property
    def audio_wanted(self) -> bool:
        """Whether this pane should be heard: focused, unmuted, playing live video."""
        worker = self._worker
        return (
            self.focused
            and not self.muted
            and self.state is PaneState.PLAYING
            and worker is not None
            and not isinstance(worker.video, Playback)
        )

    @property
    def audio_active(self) -> bool:
        """Whether this pane's audio is being read and decoded now."""
        return self._audio is not None

    @property
    def audio_playing(self) -> bool:
        """Whether the decoded audio also goes to a sound device."""
        return self._sink is not None

    @property
    def audio_samples(self) -> int:
        """16-bit samples decoded so far (played or not), over the pane's life."""
        return self._audio_count.value

    # --- audio (UI thread) ----------------------------------------------------------------
    def _update_audio(self) -> None:
        if self.audio_wanted:
            if self._audio is None:
                self._start_audio()
        else:
            self._stop_audio()

    def _start_audio(self) -> None:
        worker = self._worker
        assert worker is not None and self.vehicle_id is not None
        self._audio_generation += 1
        self.audio_detail = ""
        play = audio_output_available()
        if play:
            fmt = QAudioFormat()
            fmt.setSampleRate(SAMPLE_RATE)
            fmt.setChannelCount(CHANNELS)
            fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
            self._sink = QAudioSink(QMediaDevices.defaultAudioOutput(), fmt, self)
            self._sink_io = self._sink.start()
            if self._sink_io is None:
                self._release_sink()
                play = False
        audio = LiveAudio(self.client, self.vehicle_id, worker.video.channel)
        self._audio = _AudioWorker(
            audio, self._bridge, self._audio_generation, play, self._audio_count
        )
        self._audio.thread.start()
        self._audio_threads = [t for t in self._audio_threads if t.is_alive()]
        self._audio_threads.append(self._audio.thread)
        self._refresh()

    def _stop_audio(self) -> None:
        audio = self._audio
        if audio is None:
            return
        self._audio = None
        self._audio_generation += 1  # late PCM of this audio is ignored
        audio.audio.stop()
        self._release_sink()
        self._refresh()

    def _release_sink(self) -> None:
        sink, self._sink, self._sink_io = self._sink, None, None
        if sink is not None:
            sink.stop()
            sink.deleteLater()

    @Slot(int, object)
    def _play_pcm(self, generation: int, data: bytes) -> None:
        if generation != self._audio_generation or self._sink is None or self._sink_io is None:
            return
        free = self._sink.bytesFree()
        if free <= 0:
            return  # the device is behind: drop rather than grow the delay
        self._sink_io.write(data[: free - free % 2])

    @Slot(int, str)
    def _on_audio_ended(self, generation: int, detail: str) -> None:
        if generation != self._audio_generation:
            return
        self._audio = None
        self._release_sink()
        self.audio_detail = detail
        self._refresh()

    # --- worker news (UI thread) ----------------------------------------------------------
    def _current(self, generation: int) -> _Worker | None:
        worker = self._worker
        if worker is None or worker.generation != generation or worker.cancelled:
            return None  # news from a stream we already left
        return worker

    @Slot(int, str, str)
    def _on_state(self, generation: int, state: str, detail: str) -> None:
        if self._current(generation) is None:
            return
        self._set_state(PaneState(state), detail)
        if self.state in (PaneState.ENDED, PaneState.ERROR):
            self._timer.stop()
        self._update_audio()

    @Slot(int)
    def _show(self, generation: int) -> None:
        worker = self._current(generation)
        if worker is None:
            return
        pending = worker.take()
        if pending is None:
            return
        frame, sent_at = pending
        self.video.videoSink().setVideoFrame(frame)
        if sent_at is not None:
            self.latencies_s.append(time.time() - sent_at)
        self.last_frame = frame
        self.frames_shown += 1
        self._shown_times.append(time.monotonic())
        self.frame_shown.emit()

    def _set_state(self, state: PaneState, detail: str) -> None:
        changed = state != self.state
        self.state, self.detail = state, detail
        self._refresh()
        if changed:
            self.state_changed.emit(state.value)

    # --- text -----------------------------------------------------------------------------
    def state_text(self) -> str:
        if self.state is PaneState.CONNECTING:
            return self.tr("连接中")
        if self.state is PaneState.PLAYING:
            return self.tr("播放中")
        if self.state is PaneState.ENDED:
            return self.tr("已断开")
        if self.state is PaneState.ERROR:
            return self.tr("错误: {0}").format(self.detail)
        return self.tr("无视频")

    def _refresh(self) -> None:
        if self.vehicle_id is None:
            self.header.setText(self.tr("无视频"))
        else:
            channel = self.tr("通道 {0}").format(self.channel)
            self.header.setText(f"{self.plate}  {channel}  {self.state_text()}")
        self.header.setToolTip(self.detail)
        self.mute_button.setText(self.tr("静音") if self.muted else self.tr("声音"))
        if not audio_output_available():
            tip = self.tr("没有音频输出设备")
        elif self.audio_detail:
            tip = self.audio_detail
        else:
            tip = self.tr("静音/取消静音")
        self.mute_button.setToolTip(tip)
        self.close_button.setEnabled(self.vehicle_id is not None)
        self._refresh_stats()

    @Slot()
    def _refresh_stats(self) -> None:
        stats = self.stats()
        if stats is None or self.state is not PaneState.PLAYING:
            self.stats_label.setText("")
            return
        size = f"{stats.width}×{stats.height}  " if stats.width else ""
        self.stats_label.setText(
            self.tr("{0}{1:.0f} fps  {2:.0f} kbps").format(
                size, self.displayed_fps(), stats.bitrate_bps / 1000
            )
        )

    # --- events ---------------------------------------------------------------------------
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.maximise_requested.emit()
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.focus_requested.emit()
        super().mousePressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Clicks on the picture land on the video widget, not on the pane.
        if watched is self.video:
            if event.type() == QEvent.Type.MouseButtonDblClick:
                self.maximise_requested.emit()
                return True
            if event.type() == QEvent.Type.MouseButtonPress:
                self.focus_requested.emit()
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)
