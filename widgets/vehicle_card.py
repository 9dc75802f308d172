"""The selected vehicle's detail card: who and where it is, its terminal, and today's
alarms. Filled by the main window from the tree model (live) and the API (alarms)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.alarm_types import by_code
from widgets.beijing import beijing_time
from widgets.map.markers import MarkerStatus
from widgets.vehicle_tree_model import VehicleItem

STATUS_TEXT = {
    MarkerStatus.MOVING: QT_TRANSLATE_NOOP("VehicleCard", "行驶中"),
    MarkerStatus.STOPPED: QT_TRANSLATE_NOOP("VehicleCard", "停车"),
    MarkerStatus.OFFLINE: QT_TRANSLATE_NOOP("VehicleCard", "离线"),
    MarkerStatus.ALARM: QT_TRANSLATE_NOOP("VehicleCard", "报警中"),
}
DIRECTIONS = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")


def heading_text(direction: int | None) -> str:
    if direction is None:
        return "—"
    return f"{DIRECTIONS[round((direction % 360) / 45) % 8]} {direction}°"


def alarm_name(code: str) -> str:
    try:
        return by_code(code).name_zh
    except KeyError:
        return code


class VehicleCard(QWidget):
    live_video_wanted = Signal(str, str, int)  # vehicle id, plate, channel
    FIELDS = (
        ("plate", QT_TRANSLATE_NOOP("VehicleCard", "车牌")),
        ("status", QT_TRANSLATE_NOOP("VehicleCard", "状态")),
        ("enterprise", QT_TRANSLATE_NOOP("VehicleCard", "企业")),
        ("county", QT_TRANSLATE_NOOP("VehicleCard", "县区")),
        ("driver", QT_TRANSLATE_NOOP("VehicleCard", "驾驶员")),
        ("speed", QT_TRANSLATE_NOOP("VehicleCard", "速度")),
        ("heading", QT_TRANSLATE_NOOP("VehicleCard", "方向")),
        ("time", QT_TRANSLATE_NOOP("VehicleCard", "最后定位")),
        ("terminal", QT_TRANSLATE_NOOP("VehicleCard", "终端号")),
        ("protocol", QT_TRANSLATE_NOOP("VehicleCard", "协议")),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vehicle_id: str | None = None
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.values: dict[str, QLabel] = {}
        for key, label in self.FIELDS:
            value = QLabel("—", self)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setObjectName(f"card_{key}")
            self.values[key] = value
            form.addRow(self.tr(label) + "：", value)
        self.values["plate"].setStyleSheet("font-weight: bold; font-size: 15pt;")
        self.alarms_title = QLabel(self.tr("今日报警"), self)
        self.alarms = QListWidget(self)
        self.channel = QComboBox(self)
        self.live_button = QPushButton(self.tr("实时视频"), self)
        self.live_button.setEnabled(False)
        self.live_button.clicked.connect(self._live_clicked)
        video = QHBoxLayout()
        video.addWidget(self.channel)
        video.addWidget(self.live_button, 1)
        self.plate = ""
        self.placeholder = QLabel(self.tr("在左侧车辆树中选择一辆车"), self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.placeholder)
        layout.addLayout(form)
        layout.addLayout(video)
        layout.addWidget(self.alarms_title)
        layout.addWidget(self.alarms, 1)

    def show_vehicle(self, item: VehicleItem, status: MarkerStatus) -> None:
        if item.id != self.vehicle_id:
            self.alarms.clear()
            self.alarms_title.setText(self.tr("今日报警"))
        self.vehicle_id, self.plate = item.id, item.plate
        self.placeholder.hide()
        terminal = item.terminal or {}
        channels = int(terminal.get("channels") or 1)
        if self.channel.count() != channels:
            self.channel.clear()
            self.channel.addItems([self.tr("通道 {n}").format(n=n) for n in range(1, channels + 1)])
        self.live_button.setEnabled(status is not MarkerStatus.OFFLINE)
        speed = "—" if item.speed_kmh is None else f"{item.speed_kmh:.0f} km/h"
        if item.speed_limit_kmh:
            speed += self.tr("（限速 {n}）").format(n=item.speed_limit_kmh)
        protocol = "—"
        if terminal:
            protocol = f"JT/T 808-{terminal.get('edition', '?')} · {_dialect(terminal)}"
        shown = {
            "plate": item.plate,
            "status": self.tr(STATUS_TEXT[status]),
            "enterprise": item.enterprise_name,
            "county": item.county_name,
            "driver": item.driver_name or self.tr("未登记"),
            "speed": speed,
            "heading": heading_text(item.direction),
            "time": beijing_time(item.time),
            "terminal": terminal.get("terminal_id") or "—",
            "protocol": protocol,
        }
        for key, text in shown.items():
            self.values[key].setText(text)

    def _live_clicked(self) -> None:
        if self.vehicle_id is not None:
            self.live_video_wanted.emit(
                self.vehicle_id, self.plate, self.channel.currentIndex() + 1
            )

    def set_alarms(self, vehicle_id: str, page: dict[str, Any]) -> None:
        if vehicle_id != self.vehicle_id:
            return  # an answer for a vehicle no longer shown
        self.alarms.clear()
        items = page.get("items", [])
        self.alarms_title.setText(self.tr("今日报警（{n}）").format(n=page.get("total", 0)))
        for alarm in items:
            started = beijing_time(alarm.get("started_at"))[11:]
            self.alarms.addItem(f"{started}  {alarm_name(alarm.get('type_code', ''))}")
        if not items:
            self.alarms.addItem(self.tr("无"))

    def note_alarm(self, alarm: dict[str, Any]) -> None:
        """A live alarm of the shown vehicle goes on top of the list."""
        if alarm.get("vehicle_id") != self.vehicle_id:
            return
        if self.alarms.count() == 1 and self.alarms.item(0).text() == self.tr("无"):
            self.alarms.clear()
        started = beijing_time(alarm.get("started_at"))[11:]
        self.alarms.insertItem(0, f"{started}  {alarm_name(alarm.get('type_code', ''))}")


def _dialect(terminal: dict[str, Any]) -> str:
    return {"subiao": "苏标", "yuebiao": "粤标"}.get(terminal.get("dialect", ""), "—")
