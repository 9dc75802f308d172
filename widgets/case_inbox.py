"""Case queues: the enterprise officer's 待处理通报 inbox (notified cases, returned ones
included, the most urgent first, deadlines counting down every second), the county's
待审核 review queue (cases with the enterprise's feedback) and its list of open cases
(未办结, newest first). One widget, three filters.

New cases arriving live (``case`` events routed here by the main window) sound (the alarm
sounds, at the case's severity) and raise :attr:`CaseInbox.count_changed`, which the main
window shows as a badge on the dock's title. Loading runs on :class:`widgets.tasks.Tasks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.client.api import PlatformClient
from console.client.cases import INBOX_STATES, OPEN_STATES, REVIEW_STATES
from widgets.alarm_sound import AlarmSounds
from widgets.case_model import CaseModel, Column, Roles
from widgets.case_panel import describe_error
from widgets.tasks import Tasks

INBOX, REVIEW, OPEN = "inbox", "review", "open"
PAGE = 500
COLUMN_WIDTHS = {
    Column.PLATE: 90,
    Column.TYPE: 150,
    Column.STATE: 70,
    Column.OPENED: 95,
    Column.DEADLINE: 95,
    Column.LEFT: 130,
    Column.ESCALATION: 90,
    Column.ALARMS: 55,
}


class _Table(QTableView):
    open_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.open_requested.emit()
            return
        super().keyPressEvent(event)


class CaseInbox(QWidget):
    count_changed = Signal(int)
    case_selected = Signal(str)
    case_opened = Signal(str)  # Enter / double-click: act on it
    loaded = Signal(int)
    new_case = Signal(dict)

    def __init__(
        self,
        client: PlatformClient,
        tasks: Tasks,
        parent: QWidget | None = None,
        *,
        mode: str = INBOX,
        sounds: AlarmSounds | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.tasks = tasks
        self.mode = mode
        self.sounds = sounds
        self.states = {INBOX: INBOX_STATES, REVIEW: REVIEW_STATES, OPEN: OPEN_STATES}[mode]
        self.model = CaseModel(self, states=self.states, by_deadline=mode != OPEN)
        self.error = ""
        self.title_label = QLabel(self)
        self.title_label.setStyleSheet("font-weight: bold;")
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        self.refresh_button.clicked.connect(self.load)
        self.open_button = QPushButton(
            {INBOX: self.tr("填写反馈…"), REVIEW: self.tr("审核…")}.get(mode, self.tr("处置…")),
            self,
        )
        self.open_button.clicked.connect(self.open_current)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.view = _Table(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in COLUMN_WIDTHS.items():
            self.view.setColumnWidth(column, width)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.doubleClicked.connect(lambda _i: self.open_current())
        self.view.open_requested.connect(self.open_current)

        bar = QHBoxLayout()
        bar.addWidget(self.title_label, 1)
        bar.addWidget(self.open_button)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.view, 1)

        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._count_changed)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.timer.start(1000)
        self._show_title()

    # --- feeding ----------------------------------------------------------------------------
    def load(self) -> None:
        """Fetch the queue's cases from the platform."""
        self.refresh_button.setEnabled(False)
        states = list(self.states)
        self.tasks.run(
            lambda: self.client.cases(state=states, limit=PAGE),
            self._arrived,
            self._failed,
        )

    def on_case_event(self, data: Mapping[str, Any]) -> None:
        """A live ``case`` event: the case joins, changes or leaves the queue; a new one
        sounds."""
        case = data.get("case") if isinstance(data, Mapping) else None
        if not isinstance(case, Mapping):
            return
        outcome = self.model.upsert(case)
        if outcome == "added":
            if self.sounds is not None:
                self.sounds.play(int(case.get("severity") or 2))
            self.new_case.emit(dict(case))

    def set_names(self, enterprises: dict[str, str]) -> None:
        self.model.set_names(enterprises)

    # --- reading ----------------------------------------------------------------------------
    @property
    def count(self) -> int:
        return self.model.rowCount()

    def current_case_id(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(Roles.CASE_ID) if index.isValid() else None

    def select_case(self, case_id: str) -> bool:
        row = self.model.row_of(case_id)
        if row < 0:
            return False
        self.view.setCurrentIndex(self.model.index(row, 0))
        return True

    def open_current(self) -> None:
        case_id = self.current_case_id()
        if case_id:
            self.case_opened.emit(case_id)

    def title_text(self) -> str:
        return self.title_label.text()

    # --- answers ----------------------------------------------------------------------------
    def _arrived(self, page: dict[str, Any]) -> None:
        self.refresh_button.setEnabled(True)
        self.error = ""
        self.error_label.hide()
        chosen = self.current_case_id()
        self.model.set_cases(page.get("items") or [])
        if chosen:
            self.select_case(chosen)
        self.loaded.emit(self.count)

    def _failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.error = describe_error(exc)
        self.error_label.setText(self.error)
        self.error_label.show()

    def tick(self) -> None:
        self.model.tick()
        self._show_title()

    def _count_changed(self, *_: Any) -> None:
        self._show_title()
        self.count_changed.emit(self.count)

    def _show_title(self) -> None:
        overdue = self.model.overdue_count()
        if self.mode == INBOX:
            text = self.tr("待处理通报 {n} 件").format(n=self.count)
        elif self.mode == REVIEW:
            text = self.tr("待审核反馈 {n} 件").format(n=self.count)
        else:
            text = self.tr("未办结工单 {n} 件").format(n=self.count)
        if overdue:
            text += self.tr("，其中逾期 {n} 件").format(n=overdue)
        if text != self.title_label.text():
            self.title_label.setText(text)
            self.title_label.setStyleSheet(
                "font-weight: bold; color: #c62828;" if overdue else "font-weight: bold;"
            )

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.case_selected.emit(current.data(Roles.CASE_ID))
