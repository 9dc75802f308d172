"""The case panel (处置工单) beside the alarm queue: one case with its header (plate, type,
state, deadline countdown, overdue, escalation), the evidence stills of its alarms, a small
track snippet around the first alarm, the audit timeline and the actions.

The action buttons follow the case's ``actions`` map (docs/cases.md): an action the caller
may not do now is disabled, with the reason (role, scope, state) as its tooltip. Each has a
shortcut (Ctrl+R 提醒, Ctrl+N 通报, Ctrl+Enter 办结 …) active while the panel has focus.
Every platform call runs on :class:`widgets.tasks.Tasks`; errors show under the buttons.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QKeySequence, QPainter, QPen, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.client.api import PlatformClient
from console.client.cases import ACTIONS, action_state, seconds_left
from console.client.errors import ClientError
from console.client.ranged import download_evidence
from widgets.beijing import beijing_time
from widgets.case_actions import ActionDialog
from widgets.case_model import (
    REASON_TEXT,
    REMINDER_STATUS,
    ROLE_NAMES,
    action_name,
    alarm_type_name,
    countdown_text,
    escalation_text,
    measure_name,
    state_name,
    tr,
)
from widgets.tasks import Tasks

log = logging.getLogger(__name__)

SHORTCUTS = {
    "remind": "Ctrl+R",
    "notify": "Ctrl+N",
    "feedback": "Ctrl+F",
    "close": "Ctrl+Return",
    "return": "Ctrl+B",
    "dismiss": "Ctrl+D",
    "reopen": "Ctrl+O",
    "escalate": "Ctrl+E",
}
MAX_STILLS = 6  # photos fetched per case
STILL_SIZE = QSize(160, 90)
TRACK_MARGIN = timedelta(minutes=1)  # either side of the first alarm


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        if exc.code == "invalid_state":
            return tr(QT_TRANSLATE_NOOP("Cases", "工单状态已变化，该操作当前不可执行。"))
        text = exc.describe()
        if exc.code == "validation_error" and exc.message and exc.message not in text:
            text = f"{text}（{exc.message}）"
        return text
    return str(exc)


class TrackSnippet(QWidget):
    """Positions as a polyline fitted to the widget (north up, equal scale), the alarm's
    place marked red; light on purpose (no second map page)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[float, float]] = []  # (lat, lon)
        self.mark: tuple[float, float] | None = None
        self.setMinimumSize(160, 70)
        self.message = self.tr("无轨迹")

    def set_track(
        self, points: Sequence[tuple[float, float]], mark: tuple[float, float] | None = None
    ) -> None:
        self.points = list(points)
        self.mark = mark
        self.message = self.tr("无轨迹") if not self.points else ""
        self.update()

    def set_message(self, text: str) -> None:
        self.points, self.mark, self.message = [], None, text
        self.update()

    def paintEvent(self, _event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#f5f7fa"))
        painter.setPen(QColor("#cfd8dc"))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        every = self.points + ([self.mark] if self.mark else [])
        if not every:
            painter.setPen(QColor("#757575"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
            return
        lats = [p[0] for p in every]
        lons = [p[1] for p in every]
        k = math.cos(math.radians(sum(lats) / len(lats)))
        span_x = max((max(lons) - min(lons)) * k, 1e-5)
        span_y = max(max(lats) - min(lats), 1e-5)
        area = QRectF(self.rect()).adjusted(14, 14, -14, -14)
        scale = min(area.width() / span_x, area.height() / span_y)
        cx = (max(lons) + min(lons)) / 2
        cy = (max(lats) + min(lats)) / 2

        def at(p: tuple[float, float]) -> QPointF:
            return QPointF(
                area.center().x() + (p[1] - cx) * k * scale,
                area.center().y() - (p[0] - cy) * scale,
            )

        if self.points:
            pen = QPen(QColor("#1565c0"), 2.5)
            painter.setPen(pen)
            shown = [at(p) for p in self.points]
            for a, b in itertools.pairwise(shown):
                painter.drawLine(a, b)
            painter.setBrush(QColor("#1565c0"))
            for point in shown:
                painter.drawEllipse(point, 2, 2)
            painter.setBrush(QColor("#2e7d32"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(shown[0], 4, 4)
            painter.setBrush(QColor("#455a64"))
            painter.drawEllipse(shown[-1], 4, 4)
        painter.setPen(QColor("#616161"))
        painter.drawText(
            self.rect().adjusted(6, 4, -6, -4),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            self.tr("{n} 个定位点").format(n=len(self.points)),
        )
        if self.mark:
            painter.setBrush(QColor("#c62828"))
            painter.setPen(QPen(QColor("white"), 1.5))
            painter.drawEllipse(at(self.mark), 6, 6)


class CasePanel(QWidget):
    case_loaded = Signal(dict)  # the detail shown (after a load or an action)
    action_done = Signal(str, dict)  # action, the updated detail
    action_failed = Signal(str, str)  # action, the message shown
    stills_loaded = Signal(int)  # how many photos
    track_loaded = Signal(int)  # how many positions
    alarm_opened = Signal(dict)  # a still or an alarm double-clicked: its alarm
    pdf_written = Signal(str)

    def __init__(
        self,
        client: PlatformClient,
        tasks: Tasks,
        parent: QWidget | None = None,
        *,
        supervisors: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.tasks = tasks
        self.supervisors = list(supervisors)
        self.detail: dict[str, Any] | None = None
        self.enterprises: dict[str, str] = {}
        self.case_id: str | None = None
        self.stills: list[dict[str, Any]] = []  # {"alarm_id", "evidence_id", "data", "image"}
        self.dialog: ActionDialog | None = None
        self.busy_action: str | None = None
        self._then: str | None = None
        self._token = 0
        self._build()
        self._shortcuts()
        self.show_empty()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.timer.start(1000)

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel(self)
        self.title.setObjectName("case_title")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("case_state")
        self.countdown_label = QLabel(self)
        self.countdown_label.setObjectName("case_countdown")
        self.escalation_label = QLabel(self)
        self.escalation_label.setStyleSheet("color: #6a1b9a; font-weight: bold;")
        self.refresh_button = QToolButton(self)
        self.refresh_button.setText(self.tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        self.pdf_button = QToolButton(self)
        self.pdf_button.setText(self.tr("导出处理单 PDF…"))
        self.pdf_button.clicked.connect(self.choose_pdf)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.state_label)
        header.addWidget(self.countdown_label)
        header.addWidget(self.escalation_label)
        header.addStretch(1)
        header.addWidget(self.pdf_button)
        header.addWidget(self.refresh_button)

        self.values: dict[str, QLabel] = {}
        info = QFormLayout()
        info.setVerticalSpacing(2)
        for key, label in (
            ("enterprise", self.tr("企业")),
            ("opened", self.tr("开单时间")),
            ("deadline", self.tr("处理期限")),
            ("alarms", self.tr("报警")),
            ("reminder", self.tr("提醒")),
            ("feedback", self.tr("企业反馈")),
        ):
            value = QLabel("—", self)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            info.addRow(label, value)

        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setSpacing(4)
        for i, action in enumerate(ACTIONS):
            button = QPushButton(f"{action_name(action)} ({_key_text(SHORTCUTS[action])})", self)
            button.setObjectName(f"action_{action}")
            button.clicked.connect(lambda _=False, a=action: self.open_action(a))
            self.buttons[action] = button
            grid.addWidget(button, i // 4, i % 4)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("case_error")
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.setWordWrap(True)
        self.info_label = QLabel(self)
        self.info_label.setWordWrap(True)
        self.info_label.setStyleSheet("color: #1e7d32;")

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(info)
        left_layout.addLayout(grid)
        left_layout.addWidget(self.error_label)
        left_layout.addWidget(self.info_label)
        left_layout.addStretch(1)

        self.stills_list = QListWidget(self)
        self.stills_list.setViewMode(QListView.ViewMode.IconMode)
        self.stills_list.setIconSize(STILL_SIZE)
        self.stills_list.setFlow(QListView.Flow.LeftToRight)
        self.stills_list.setWrapping(True)
        self.stills_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.stills_list.setMovement(QListView.Movement.Static)
        self.stills_list.itemDoubleClicked.connect(self._still_opened)
        self.stills_label = QLabel(self.tr("报警照片"), self)
        self.track = TrackSnippet(self)
        self.track_label = QLabel(self.tr("报警前后 2 分钟轨迹"), self)
        middle = QWidget(self)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.stills_label)
        middle_layout.addWidget(self.stills_list, 3)
        middle_layout.addWidget(self.track_label)
        middle_layout.addWidget(self.track, 2)

        self.timeline = QTreeWidget(self)
        self.timeline.setRootIsDecorated(False)
        self.timeline.setHeaderLabels(
            [self.tr("时间"), self.tr("操作"), self.tr("操作人"), self.tr("状态"), self.tr("说明")]
        )
        self.timeline.setColumnWidth(0, 130)
        self.timeline.setColumnWidth(1, 70)
        self.timeline.setColumnWidth(2, 140)
        self.timeline.setColumnWidth(3, 120)
        self.timeline_label = QLabel(self.tr("处置记录"), self)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.timeline_label)
        right_layout.addWidget(self.timeline, 1)

        self.splitter = QSplitter(self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 4)
        self.splitter.setSizes([520, 420, 620])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.splitter, 1)

    def _shortcuts(self) -> None:
        self.shortcuts: dict[str, QShortcut] = {}
        for action, keys in SHORTCUTS.items():
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda a=action: self.open_action(a))
            self.shortcuts[action] = shortcut
        # Ctrl+Enter on the keypad closes too.
        extra = QShortcut(QKeySequence("Ctrl+Enter"), self)
        extra.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        extra.activated.connect(lambda: self.open_action("close"))
        self.shortcuts["close_keypad"] = extra

    # --- public API -------------------------------------------------------------------------
    def show_empty(self) -> None:
        self.detail = None
        self.case_id = None
        self.title.setText(self.tr("未选择工单"))
        self.state_label.clear()
        self.countdown_label.clear()
        self.escalation_label.clear()
        for value in self.values.values():
            value.setText("—")
        self.timeline.clear()
        self.stills_list.clear()
        self.track.set_message(self.tr("选择报警或工单查看"))
        self.error_label.clear()
        self.info_label.clear()
        self._show_actions()

    def show_case(self, case_id: str, then: str | None = None) -> None:
        """Load and show a case (``GET /cases/{id}``); ``then``: open that action's form
        once loaded, if it is allowed."""
        self._then = then
        if case_id != self.case_id:
            self.stills = []
            self.stills_list.clear()
            self.track.set_message(self.tr("正在加载轨迹…"))
            self.error_label.clear()
            self.info_label.clear()
        self.case_id = case_id
        self._token += 1
        token = self._token
        self.tasks.run(
            lambda: self.client.case(case_id),
            lambda detail: self._arrived(token, detail, media=True),
            lambda exc: self._failed(token, exc),
        )

    def refresh(self) -> None:
        if self.case_id is None:
            return
        self._token += 1
        token, case_id = self._token, self.case_id
        self.tasks.run(
            lambda: self.client.case(case_id),
            lambda detail: self._arrived(token, detail, media=False),
            lambda exc: self._failed(token, exc),
        )

    def set_detail(self, detail: Mapping[str, Any]) -> None:
        """Show a case detail the caller already has (no media loaded)."""
        self.detail = dict(detail)
        self.case_id = self.detail.get("id")
        self._fill()

    def on_case_event(self, data: Mapping[str, Any]) -> None:
        """A live ``case`` event: the shown case changed, so load it again (the event has
        no ``actions``: what this user may do now comes only with the detail)."""
        case = data.get("case") if isinstance(data, Mapping) else None
        if isinstance(case, Mapping) and case.get("id") == self.case_id and not self.busy_action:
            self.refresh()

    def open_action(self, action: str) -> ActionDialog | None:
        """The form of ``action`` (non-modal ``open()``); sent when accepted."""
        if self.detail is None or not self.buttons[action].isEnabled():
            return None
        if self.dialog is not None:
            self.dialog.close()
        dialog = ActionDialog(
            action,
            self.detail,
            self,
            reminder_text=str(self.detail.get("reminder_text") or ""),
            supervisors=self.supervisors,
            client=self.client,
            tasks=self.tasks,
        )
        dialog.accepted.connect(lambda: self.run_action(action, dialog.body()))
        dialog.finished.connect(lambda _r: self._dialog_gone(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def run_action(self, action: str, body: Mapping[str, Any]) -> None:
        """Send an action now (``POST /cases/{id}/actions/{action}``)."""
        if self.case_id is None:
            return
        case_id, token = self.case_id, self._token
        self.busy_action = action
        self.error_label.clear()
        self.info_label.setText(
            self.tr("正在执行：{action}…").format(action=action_name(action))
            + (self.tr("（等待终端应答）") if action == "remind" else "")
        )
        self._show_actions()
        self.tasks.run(
            lambda: self.client.case_action(case_id, action, dict(body)),
            lambda detail: self._action_done(token, action, detail),
            lambda exc: self._action_failed(token, action, exc),
        )

    def set_names(self, enterprises: Mapping[str, str]) -> None:
        self.enterprises = dict(enterprises)
        if self.detail is not None:
            self._fill()

    def error_text(self) -> str:
        return self.error_label.text()

    # --- answers ----------------------------------------------------------------------------
    def _arrived(self, token: int, detail: dict[str, Any], *, media: bool) -> None:
        if token != self._token:
            return
        self.detail = detail
        self._fill()
        self.case_loaded.emit(detail)
        then, self._then = self._then, None
        if then is not None:
            self.open_action(then)
        if media:
            self._load_stills(detail)
            self._load_track(detail)

    def _failed(self, token: int, exc: BaseException) -> None:
        if token != self._token:
            return
        self.error_label.setText(describe_error(exc))

    def _action_done(self, token: int, action: str, detail: dict[str, Any]) -> None:
        self.busy_action = None
        if token != self._token or detail.get("id") != self.case_id:
            self._show_actions()
            return
        self.detail = detail
        self._fill()
        text = self.tr("{action}已完成。").format(action=action_name(action))
        if action == "remind":
            status = detail.get("reminder_status")
            shown = REMINDER_STATUS.get(status or "")
            text = self.tr("提醒已发送：{status}。").format(status=tr(shown) if shown else "—")
            if status != "acked":
                self.error_label.setText(text)
                text = ""
        self.info_label.setText(text)
        self.action_done.emit(action, detail)

    def _action_failed(self, token: int, action: str, exc: BaseException) -> None:
        self.busy_action = None
        self.info_label.clear()
        message = self.tr("{action}失败：{why}").format(
            action=action_name(action), why=describe_error(exc)
        )
        self.error_label.setText(message)
        self._show_actions()
        self.action_failed.emit(action, message)
        if isinstance(exc, ClientError) and exc.status in (403, 409):
            self.refresh()  # the state or the rights changed: show what is allowed now

    def _dialog_gone(self, dialog: ActionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    # --- showing ----------------------------------------------------------------------------
    def _fill(self) -> None:
        d = self.detail or {}
        self.title.setText(f"{d.get('plate') or ''}  {alarm_type_name(d.get('type_code'))}")
        self.state_label.setText(state_name(d.get("state")))
        self.state_label.setStyleSheet(
            "padding: 2px 8px; border-radius: 4px; color: white; background: "
            + _STATE_COLOURS.get(str(d.get("state")), "#607d8b")
        )
        self.escalation_label.setText(escalation_text(d))
        enterprise = str(d.get("enterprise_id") or "")
        self.values["enterprise"].setText(self.enterprises.get(enterprise, enterprise) or "—")
        self.values["opened"].setText(beijing_time(d.get("opened_at")))
        self.values["deadline"].setText(
            beijing_time(d.get("deadline"))
            if d.get("state") not in ("closed", "dismissed")
            else "—"
        )
        self.values["alarms"].setText(
            self.tr("{n} 次，最近 {t}").format(
                n=d.get("alarm_count") or 0, t=beijing_time(d.get("last_alarm_at"), "%H:%M:%S")
            )
        )
        status = REMINDER_STATUS.get(str(d.get("reminder_status") or ""))
        self.values["reminder"].setText(tr(status) if status else self.tr("未提醒"))
        measures = "、".join(measure_name(m) for m in d.get("measures") or [])
        note = str(d.get("feedback_note") or "")
        self.values["feedback"].setText(" — ".join(x for x in (measures, note) if x) or "—")
        self._fill_timeline(d.get("events") or [])
        self._show_actions()
        self.tick()

    def _fill_timeline(self, events: Sequence[Mapping[str, Any]]) -> None:
        self.timeline.clear()
        for event in events:
            who = str(event.get("username") or "")
            role = ROLE_NAMES.get(str(event.get("role") or ""))
            if role and who != "system":
                who = f"{who}（{tr(role)}）"
            elif who == "system":
                who = tr(ROLE_NAMES["system"])
            before, after = event.get("from_state"), event.get("to_state")
            states = (
                f"{state_name(before)} → {state_name(after)}"
                if before and before != after
                else state_name(after)
            )
            item = QTreeWidgetItem(
                [
                    beijing_time(event.get("at"), "%m-%d %H:%M:%S"),
                    action_name(str(event.get("action") or "")),
                    who,
                    states,
                    _event_text(event),
                ]
            )
            item.setToolTip(4, _event_text(event))
            item.setData(0, Qt.ItemDataRole.UserRole, event.get("id"))
            self.timeline.addTopLevelItem(item)
        if events:
            self.timeline.scrollToBottom()

    def _show_actions(self) -> None:
        for action, button in self.buttons.items():
            if self.detail is None:
                button.setEnabled(False)
                button.setToolTip(tr(REASON_TEXT["unknown"]) if self.case_id else "")
                continue
            state = action_state(self.detail, action)
            enabled = state.allowed and self.busy_action is None
            button.setEnabled(enabled)
            if state.allowed:
                button.setToolTip(
                    self.tr("{action}（{keys}）").format(
                        action=action_name(action), keys=_key_text(SHORTCUTS[action])
                    )
                )
            else:
                reason = tr(REASON_TEXT.get(state.reason or "state", REASON_TEXT["state"]))
                button.setToolTip(reason)

    def tick(self) -> None:
        if self.detail is None:
            return
        left = seconds_left(self.detail, datetime.now(UTC))
        self.countdown_label.setText(countdown_text(left))
        overdue = bool(self.detail.get("overdue")) or (left is not None and left < 0)
        self.countdown_label.setStyleSheet(
            "color: #c62828; font-weight: bold;" if overdue else "color: #37474f;"
        )

    # --- media ------------------------------------------------------------------------------
    def _load_stills(self, detail: Mapping[str, Any]) -> None:
        alarms = list(detail.get("alarms") or [])[:MAX_STILLS]
        client, token = self.client, self._token

        def fetch() -> list[dict[str, Any]]:
            return fetch_stills(client, alarms)

        self.tasks.run(
            fetch,
            lambda stills: self._stills_arrived(token, stills),
            lambda exc: self._stills_failed(token, exc),
        )

    def _stills_arrived(self, token: int, stills: list[dict[str, Any]]) -> None:
        if token != self._token:
            return
        self.stills = stills
        self.stills_list.clear()
        by_id = {a.get("id"): a for a in (self.detail or {}).get("alarms") or []}
        for still in stills:
            image: QImage = still["image"]
            icon = QIcon(
                QPixmap.fromImage(
                    image.scaled(
                        STILL_SIZE,
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
                )
            )
            alarm = by_id.get(still["alarm_id"], {})
            item = QListWidgetItem(icon, beijing_time(alarm.get("started_at"), "%H:%M:%S"))
            item.setData(Qt.ItemDataRole.UserRole, still["alarm_id"])
            self.stills_list.addItem(item)
        self.stills_label.setText(self.tr("报警照片（{n}）").format(n=len(stills)))
        self.stills_loaded.emit(len(stills))

    def _stills_failed(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            self.stills_label.setText(self.tr("报警照片：{why}").format(why=describe_error(exc)))
            self.stills_loaded.emit(0)

    def _still_opened(self, item: QListWidgetItem) -> None:
        alarm_id = item.data(Qt.ItemDataRole.UserRole)
        for alarm in (self.detail or {}).get("alarms") or []:
            if alarm.get("id") == alarm_id:
                self.alarm_opened.emit(alarm)
                return

    def _load_track(self, detail: Mapping[str, Any]) -> None:
        alarms = detail.get("alarms") or []
        first = next((a for a in alarms if a.get("id") == detail.get("first_alarm_id")), None)
        first = first or (alarms[0] if alarms else None)
        if not first:
            self.track.set_message(self.tr("无轨迹"))
            self.track_loaded.emit(0)
            return
        try:
            started = datetime.fromisoformat(first["started_at"])
        except (KeyError, ValueError):
            self.track.set_message(self.tr("无轨迹"))
            self.track_loaded.emit(0)
            return
        vehicle_id, token, client = detail.get("vehicle_id", ""), self._token, self.client
        mark = (first["lat"], first["lon"]) if first.get("lat") is not None else None
        self.tasks.run(
            lambda: client.track(vehicle_id, started - TRACK_MARGIN, started + TRACK_MARGIN),
            lambda positions: self._track_arrived(token, positions, mark),
            lambda exc: self._track_failed(token, exc),
        )

    def _track_arrived(
        self, token: int, positions: list[dict[str, Any]], mark: tuple[float, float] | None
    ) -> None:
        if token != self._token:
            return
        points = [(p["lat"], p["lon"]) for p in positions if p.get("valid", True)]
        self.track.set_track(points, mark)
        self.track_loaded.emit(len(points))

    def _track_failed(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            self.track.set_message(describe_error(exc))
            self.track_loaded.emit(0)

    # --- PDF --------------------------------------------------------------------------------
    def choose_pdf(self) -> None:
        if self.detail is None:
            return
        default = f"处理单_{self.detail.get('plate') or ''}_{self.detail.get('id', '')}.pdf"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出处理单"), default, self.tr("PDF 文件 (*.pdf)")
        )
        if path:
            self.write_pdf(path)

    def write_pdf(self, path: str | Path) -> Path:
        from widgets.case_pdf import write_case_pdf

        d = self.detail or {}
        target = write_case_pdf(
            path,
            d,
            [s["data"] for s in self.stills],
            enterprise=self.enterprises.get(str(d.get("enterprise_id") or ""), ""),
        )
        self.pdf_written.emit(str(target))
        return target


_STATE_COLOURS = {
    "new": "#d84315",
    "reminded": "#ef6c00",
    "notified": "#1565c0",
    "feedback": "#6a1b9a",
    "closed": "#2e7d32",
    "dismissed": "#757575",
}


def _key_text(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def _event_text(event: Mapping[str, Any]) -> str:
    """The note and the details worth reading of one audit event."""
    detail = event.get("detail") or {}
    parts: list[str] = []
    action = event.get("action")
    if action == "remind":
        status = REMINDER_STATUS.get(str(detail.get("command_status") or ""))
        if detail.get("text"):
            parts.append(f"「{detail['text']}」")
        if status:
            parts.append(tr(status))
    if action in ("notify", "return") and detail.get("deadline"):
        parts.append(
            tr(QT_TRANSLATE_NOOP("Cases", "期限 {t}")).format(
                t=beijing_time(detail["deadline"], "%m-%d %H:%M")
            )
        )
    if action == "feedback" and detail.get("measures"):
        parts.append("、".join(measure_name(m) for m in detail["measures"]))
    if action == "escalate":
        parts.append(tr(QT_TRANSLATE_NOOP("Cases", "{n}级督办")).format(n=detail.get("level", "")))
        if detail.get("supervisor"):
            parts.append(str(detail["supervisor"]))
        if detail.get("automatic"):
            parts.append(tr(QT_TRANSLATE_NOOP("Cases", "逾期自动督办")))
    if event.get("note"):
        parts.append(str(event["note"]))
    files = event.get("attachments") or []
    if files:
        parts.append(
            tr(QT_TRANSLATE_NOOP("Cases", "附件：{names}")).format(
                names="、".join(str(f.get("file_name")) for f in files)
            )
        )
    return "；".join(parts)


def fetch_stills(
    client: PlatformClient, alarms: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The complete photos of ``alarms`` (at most :data:`MAX_STILLS`), each with its bytes
    and decoded image; runs on a worker (QImage is fine off the UI thread)."""
    stills: list[dict[str, Any]] = []
    for alarm in alarms:
        if not alarm.get("attachment_count") and alarm.get("evidence_status") in (None, "none"):
            continue
        answer = client.alarm_evidence(str(alarm["id"]))
        for item in answer.get("items") or []:
            if item.get("file_kind") != "photo" or not item.get("complete"):
                continue
            data = download_evidence(client, item)
            image = QImage.fromData(data)
            if image.isNull():
                continue
            stills.append(
                {"alarm_id": alarm["id"], "evidence_id": item["id"], "data": data, "image": image}
            )
            if len(stills) >= MAX_STILLS:
                return stills
    return stills
