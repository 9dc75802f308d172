"""History playback (录像回放): pick a vehicle, a channel and a time range (Beijing time, the
last two hours by default), ask the terminal for its recordings (0x9205, through
:func:`console.client.playback.query_recordings` on a worker), see them on a timeline, click
one to play it (0x9201) in an embedded :class:`~widgets.video_pane.VideoPane`.

The query runs through :class:`widgets.tasks.Tasks`; the playback's reading and decoding run
on the pane's own thread. Stopping, closing the panel or playing another recording hangs up,
and the platform sends the terminal 0x9202 "stop".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, QRectF, Qt, QTimeZone, Signal, Slot
from PySide6.QtGui import QCloseEvent, QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.client.api import PlatformClient
from console.client.errors import ClientError
from console.client.playback import BEIJING, Playback, Recording, query_recordings
from widgets.tasks import Tasks
from widgets.video_pane import VideoPane

DEFAULT_SPAN = timedelta(hours=2)
MAX_CHANNEL = 16
_QT_BEIJING = QTimeZone(8 * 3600)
_LANE_COLOURS = ("#2f80ed", "#27ae60", "#f2994a", "#9b51e0", "#eb5757", "#00a3a3")


class RecordingTimeline(QWidget):
    """The recordings over a time range as bars, one lane per channel; click one to pick it."""

    recording_clicked = Signal(object)  # Recording

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordingTimeline")
        self.setMinimumHeight(48)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.start: datetime | None = None
        self.end: datetime | None = None
        self.recordings: list[Recording] = []
        self.selected: Recording | None = None
        self._lanes: list[int] = []

    def set_recordings(self, start: datetime, end: datetime, recordings: list[Recording]) -> None:
        self.start, self.end = start, end
        self.recordings = list(recordings)
        self._lanes = sorted({r.channel for r in recordings})
        self.selected = None
        self.setFixedHeight(24 + 22 * max(1, len(self._lanes)))
        self.update()

    def select(self, recording: Recording | None) -> None:
        self.selected = recording
        self.update()

    # --- geometry -------------------------------------------------------------------------
    def x_of(self, moment: datetime) -> float:
        """Where ``moment`` is on the strip, in widget pixels."""
        if self.start is None or self.end is None:
            return 0.0
        span = max(1.0, (self.end - self.start).total_seconds())
        share = (moment - self.start).total_seconds() / span
        return 4 + max(0.0, min(1.0, share)) * max(1, self.width() - 8)

    def rect_of(self, recording: Recording) -> QRectF:
        lane = self._lanes.index(recording.channel) if recording.channel in self._lanes else 0
        left, right = self.x_of(recording.start), self.x_of(recording.end)
        return QRectF(left, 4 + 22 * lane, max(2.0, right - left - 1), 18)

    def recording_at(self, x: float, y: float) -> Recording | None:
        for recording in self.recordings:
            if self.rect_of(recording).contains(x, y):
                return recording
        return None

    # --- painting and clicks --------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#f4f5f7"))
        if self.start is None or self.end is None:
            return
        axis = self.height() - 16
        painter.setPen(QPen(QColor("#999999")))
        painter.drawLine(4, axis, self.width() - 4, axis)
        for moment, align in (
            (self.start, Qt.AlignmentFlag.AlignLeft),
            (self.end, Qt.AlignmentFlag.AlignRight),
        ):
            text = moment.astimezone(BEIJING).strftime("%m-%d %H:%M")
            box = QRectF(4, axis + 1, self.width() - 8, 14)
            painter.drawText(box, int(align | Qt.AlignmentFlag.AlignVCenter), text)
        for recording in self.recordings:
            lane = self._lanes.index(recording.channel)
            colour = QColor(_LANE_COLOURS[lane % len(_LANE_COLOURS)])
            if recording == self.selected:
                colour = colour.darker(150)
            rect = self.rect_of(recording)
            painter.fillRect(rect, colour)
            if rect.width() > 30:
                painter.setPen(QPen(QColor("white")))
                label = self.tr("通道{0}").format(recording.channel)
                painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), label)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        position = event.position()
        recording = self.recording_at(position.x(), position.y())
        if recording is not None and event.button() == Qt.MouseButton.LeftButton:
            self.select(recording)
            self.recording_clicked.emit(recording)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        position = event.position()
        recording = self.recording_at(position.x(), position.y())
        if recording is None:
            self.setToolTip("")
        else:
            self.setToolTip(
                self.tr("通道{0}  {1} – {2}").format(
                    recording.channel,
                    recording.start.strftime("%H:%M:%S"),
                    recording.end.strftime("%H:%M:%S"),
                )
            )
        super().mouseMoveEvent(event)


class PlaybackPanel(QWidget):
    """Vehicle, channel, time range, "查询录像", the timeline and a pane that plays."""

    recordings_loaded = Signal(int)  # how many recordings the last query found
    query_failed = Signal(str)

    def __init__(self, client: PlatformClient, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.tasks = tasks
        self.recordings: list[Recording] = []
        self.playing: Recording | None = None
        self._query_generation = 0
        self._build()
        self.reset_range()
        self.reload_vehicles()

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.vehicle_box = QComboBox(self)
        self.vehicle_box.setMinimumContentsLength(10)
        self.channel_box = QSpinBox(self)
        self.channel_box.setRange(0, MAX_CHANNEL)
        self.channel_box.setValue(1)
        self.channel_box.setSpecialValueText(self.tr("全部"))
        self.start_edit = self._time_edit()
        self.end_edit = self._time_edit()
        self.query_button = QPushButton(self.tr("查询录像"), self)
        self.query_button.clicked.connect(self.query)
        self.stop_button = QPushButton(self.tr("停止回放"), self)
        self.stop_button.clicked.connect(self.stop)
        self.status_label = QLabel(self)
        self.timeline = RecordingTimeline(self)
        self.timeline.recording_clicked.connect(self.play)
        self.pane = VideoPane(self.client, self)
        self.pane.close_requested.connect(self.stop)
        self.pane.state_changed.connect(self._refresh_buttons)

        form = QHBoxLayout()
        form.addWidget(QLabel(self.tr("车辆"), self))
        form.addWidget(self.vehicle_box, 1)
        form.addWidget(QLabel(self.tr("通道"), self))
        form.addWidget(self.channel_box)
        form.addWidget(QLabel(self.tr("开始"), self))
        form.addWidget(self.start_edit)
        form.addWidget(QLabel(self.tr("结束"), self))
        form.addWidget(self.end_edit)
        form.addWidget(self.query_button)
        form.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.timeline)
        layout.addWidget(self.status_label)
        layout.addWidget(self.pane, 1)
        self._refresh_buttons()

    def _time_edit(self) -> QDateTimeEdit:
        edit = QDateTimeEdit(self)
        edit.setTimeZone(_QT_BEIJING)  # what the trucks record in, whatever this PC's zone
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.setCalendarPopup(True)
        return edit

    # --- inputs ---------------------------------------------------------------------------
    def reset_range(self, now: datetime | None = None) -> None:
        """The last two hours up to ``now`` (default: this minute)."""
        end = (now or datetime.now(BEIJING)).astimezone(BEIJING).replace(second=0, microsecond=0)
        self.set_range(end - DEFAULT_SPAN, end)

    def set_range(self, start: datetime, end: datetime) -> None:
        for edit, moment in ((self.start_edit, start), (self.end_edit, end)):
            edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), _QT_BEIJING))

    def time_range(self) -> tuple[datetime, datetime]:
        """The chosen range as aware Beijing times."""
        start = self.start_edit.dateTime().toSecsSinceEpoch()
        end = self.end_edit.dateTime().toSecsSinceEpoch()
        return datetime.fromtimestamp(start, BEIJING), datetime.fromtimestamp(end, BEIJING)

    def reload_vehicles(self) -> None:
        self.tasks.run(self.client.vehicles, self.set_vehicles, self._vehicles_failed)

    @Slot(object)
    def set_vehicles(self, vehicles: list[dict[str, Any]]) -> None:
        current = self.vehicle_id()
        self.vehicle_box.clear()
        for vehicle in sorted(vehicles, key=lambda v: v.get("plate") or ""):
            label = vehicle.get("plate") or vehicle["id"]
            if vehicle.get("status") == "offline":
                label = self.tr("{0}（离线）").format(label)
            self.vehicle_box.addItem(label, vehicle["id"])
        if current is not None:
            self.select_vehicle(current)

    def select_vehicle(self, vehicle_id: str) -> bool:
        index = self.vehicle_box.findData(vehicle_id)
        if index >= 0:
            self.vehicle_box.setCurrentIndex(index)
        return index >= 0

    def vehicle_id(self) -> str | None:
        data = self.vehicle_box.currentData()
        return str(data) if data is not None else None

    def plate(self) -> str:
        return self.vehicle_box.currentText().split("（")[0]

    def _vehicles_failed(self, exc: BaseException) -> None:
        self._set_status(self.tr("无法加载车辆: {0}").format(_describe(exc)))

    # --- query ----------------------------------------------------------------------------
    @Slot()
    def query(self) -> None:
        """Ask the terminal for its recordings of the chosen channel and range (worker)."""
        vehicle_id = self.vehicle_id()
        if vehicle_id is None:
            self._set_status(self.tr("请选择车辆"))
            return
        start, end = self.time_range()
        if end <= start:
            self._set_status(self.tr("结束时间须晚于开始时间"))
            return
        channel = self.channel_box.value()
        self._query_generation += 1
        generation = self._query_generation
        self.query_button.setEnabled(False)
        self._set_status(self.tr("正在查询录像…"))

        def done(recordings: list[Recording]) -> None:
            if generation == self._query_generation:
                self._show_recordings(start, end, recordings)

        def failed(exc: BaseException) -> None:
            if generation == self._query_generation:
                self.query_button.setEnabled(True)
                message = _describe(exc)
                self._set_status(self.tr("查询失败: {0}").format(message))
                self.query_failed.emit(message)

        self.tasks.run(
            lambda: query_recordings(self.client, vehicle_id, channel, start, end), done, failed
        )

    def _show_recordings(self, start: datetime, end: datetime, recordings: list[Recording]) -> None:
        self.query_button.setEnabled(True)
        self.recordings = recordings
        self.timeline.set_recordings(start, end, recordings)
        if recordings:
            self._set_status(self.tr("找到 {0} 段录像，点击时间轴播放").format(len(recordings)))
        else:
            self._set_status(self.tr("该时间段没有录像"))
        self.recordings_loaded.emit(len(recordings))

    # --- playing --------------------------------------------------------------------------
    @Slot(object)
    def play(self, recording: Recording) -> None:
        """Play ``recording`` of the chosen vehicle in the pane (ending what played)."""
        vehicle_id = self.vehicle_id()
        if vehicle_id is None:
            return
        self.playing = recording
        self.timeline.select(recording)
        self.pane.play_video(Playback.of(self.client, vehicle_id, recording), self.plate())
        self._set_status(
            self.tr("回放 通道{0}  {1} – {2}").format(
                recording.channel,
                recording.start.strftime("%Y-%m-%d %H:%M:%S"),
                recording.end.strftime("%H:%M:%S"),
            )
        )
        self._refresh_buttons()

    @Slot()
    def stop(self) -> None:
        """Hang up the playback (the platform sends the terminal 0x9202 stop)."""
        self.pane.stop()
        self.playing = None
        self.timeline.select(None)
        self._refresh_buttons()

    def wait(self, timeout_s: float = 10.0) -> bool:
        """Join the pane's decoding thread (tests, shutdown)."""
        return self.pane.wait(timeout_s)

    @Slot()
    def _refresh_buttons(self) -> None:
        self.stop_button.setEnabled(self.pane.active)

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return exc.describe()
    return str(exc) or type(exc).__name__
