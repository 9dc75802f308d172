"""The real-time alarm queue panel: filter bar, counts, the table (newest first,
keyboard-driven), sound with mute, export, and "load earlier alarms".

It does no I/O. Live events come in through :meth:`AlarmQueue.on_event` (gathered
for a moment and inserted as a batch) or :meth:`on_events`; older alarms are
asked for with :attr:`more_wanted` (an API offset) and handed back through
:meth:`load_page` by the main window, which runs the API call on its tasks.

Keys in the table: arrows move, Enter opens (:attr:`alarm_opened`), Space acknowledges.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.client import StreamEvent
from console.domain.alarm_types import AlarmFamily, Severity, all_types
from widgets.alarm_export import export_xlsx, table_rows
from widgets.alarm_filter import (
    FAMILY_NAMES,
    AlarmFilter,
    FilterPresets,
    FilterState,
    family_name,
)
from widgets.alarm_model import (
    CST,
    HANDLING_NAMES,
    SEVERITY_NAMES,
    AlarmModel,
    AlarmRow,
    Column,
    Handling,
    Roles,
    translate,
)
from widgets.alarm_sound import AlarmSounds

log = logging.getLogger(__name__)

TICK_MS = 1000  # flash phase, waiting times, counts
FLUSH_MS = 100  # live events are gathered this long, then inserted as one batch
COLUMN_WIDTHS = {
    Column.TIME: 120,
    Column.SEVERITY: 80,
    Column.TYPE: 170,
    Column.PLATE: 90,
    Column.ENTERPRISE: 200,
    Column.COUNTY: 90,
    Column.SPEED: 70,
    Column.LOCATION: 150,
    Column.EVIDENCE: 60,
    Column.HANDLING: 70,
    Column.WAITING: 80,
}


class AlarmTable(QTableView):
    """The table, with the queue's keys: Enter opens, Space acknowledges."""

    open_requested = Signal()
    acknowledge_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit()
            return
        if key == Qt.Key.Key_Space:
            self.acknowledge_requested.emit()
            return
        super().keyPressEvent(event)


class AlarmQueue(QWidget):
    alarm_selected = Signal(dict)  # the latest alarm of the current row
    alarm_opened = Signal(dict)
    acknowledged = Signal(list)  # ids of the alarms of an acknowledged row
    more_wanted = Signal(int)  # API offset of the next older page
    mute_changed = Signal(bool)

    def __init__(
        self,
        settings: QSettings,
        username: str,
        parent: QWidget | None = None,
        *,
        model: AlarmModel | None = None,
        sounds: AlarmSounds | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.username = username
        self.model = model or AlarmModel(self)
        self.proxy = AlarmFilter(self)
        # Before the proxy hears of it: the proxy drops its rows (and the view moves the
        # current row) while the model is still *about* to remove them.
        self.model.rowsAboutToBeRemoved.connect(self._rows_leaving)
        self.proxy.setSourceModel(self.model)
        self.sounds = sounds or AlarmSounds(settings, username, self)
        self.presets = FilterPresets(settings, f"alarm_queue/{username}/presets")
        self.next_offset = 0  # of the API's list (newest first) for the next older page
        self.total: int | None = None
        self._moving: AlarmRow | None = None  # the current row while its group is re-placed

        self._filter_bar()
        self.counts_label = QLabel(self)
        self.view = AlarmTable(self)
        self._table()
        self._bottom_bar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.filters)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.view, 1)
        layout.addLayout(self.bottom)

        self.model.rowsInserted.connect(self._rows_arrived)
        self.model.modelReset.connect(self._forget_moving)
        self.sounds.mute_changed.connect(self._mute_changed)
        self._pending: list[StreamEvent] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.timer.start(TICK_MS)
        self._show_counts()

    # --- building ---------------------------------------------------------------------------
    def _filter_bar(self) -> None:
        self.severity_combo = QComboBox(self)
        self.severity_combo.addItem(self.tr("全部级别"), 0)
        for severity, label in (
            (Severity.MEDIUM, self.tr("中及以上")),
            (Severity.HIGH, self.tr("高及以上")),
            (Severity.CRITICAL, self.tr("仅严重")),
        ):
            self.severity_combo.addItem(label, int(severity))
        self.family_combo = QComboBox(self)
        self.family_combo.addItem(self.tr("全部类别"), "")
        for family in FAMILY_NAMES:
            self.family_combo.addItem(family_name(family), family.value)
        self.type_combo = QComboBox(self)
        self._fill_types("")
        self.county_combo = QComboBox(self)
        self.enterprise_combo = QComboBox(self)
        self._fill_names(self.county_combo, self.tr("全部县区"), {})
        self._fill_names(self.enterprise_combo, self.tr("全部企业"), {})
        self.handling_combo = QComboBox(self)
        self.handling_combo.addItem(self.tr("全部状态"), "")
        for handling in Handling:
            self.handling_combo.addItem(translate(HANDLING_NAMES[handling]), handling.value)
        self.time_combo = QComboBox(self)
        for label, hours in (
            (self.tr("全部时间"), 0),
            (self.tr("最近 1 小时"), 1),
            (self.tr("最近 4 小时"), 4),
            (self.tr("最近 24 小时"), 24),
        ):
            self.time_combo.addItem(label, hours)
        self.plate_edit = QLineEdit(self)
        self.plate_edit.setPlaceholderText(self.tr("车牌…"))
        self.plate_edit.setClearButtonEnabled(True)
        self.presets_button = QToolButton(self)
        self.presets_button.setText(self.tr("预设"))
        self.presets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets_menu = QMenu(self)
        self.presets_menu.aboutToShow.connect(self._fill_presets_menu)
        self.presets_button.setMenu(self.presets_menu)

        for combo in (
            self.severity_combo,
            self.family_combo,
            self.type_combo,
            self.county_combo,
            self.enterprise_combo,
            self.handling_combo,
            self.time_combo,
        ):
            combo.activated.connect(self._widgets_changed)
        self.family_combo.activated.connect(self._family_chosen)
        self.plate_edit.textChanged.connect(self._widgets_changed)

        self.filters = QHBoxLayout()
        for w in (
            self.severity_combo,
            self.family_combo,
            self.type_combo,
            self.county_combo,
            self.enterprise_combo,
            self.handling_combo,
            self.time_combo,
        ):
            self.filters.addWidget(w)
        self.filters.addWidget(self.plate_edit, 1)
        self.filters.addWidget(self.presets_button)

    def _table(self) -> None:
        view = self.view
        view.setModel(self.proxy)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSortingEnabled(False)  # the model keeps newest first; see the module doc
        view.setWordWrap(False)
        view.setAlternatingRowColors(False)  # the background is the flash
        vertical = view.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # 10⁵ rows: no measuring
        vertical.setDefaultSectionSize(24)
        header = view.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in COLUMN_WIDTHS.items():
            view.setColumnWidth(column, width)
        view.selectionModel().currentRowChanged.connect(self._current_changed)
        view.open_requested.connect(self.open_current)
        view.acknowledge_requested.connect(self.acknowledge_current)
        view.doubleClicked.connect(lambda _index: self.open_current())

    def _bottom_bar(self) -> None:
        self.more_button = QPushButton(self.tr("加载更早的报警"), self)
        self.more_button.clicked.connect(self.request_more)
        self.mute_button = QToolButton(self)
        self.mute_button.setCheckable(True)
        self.mute_button.setChecked(self.sounds.muted)
        self.mute_button.toggled.connect(self.sounds.set_muted)
        self._show_mute(self.sounds.muted)
        self.export_button = QPushButton(self.tr("导出 Excel…"), self)
        self.export_button.clicked.connect(self.choose_export)
        self.bottom = QHBoxLayout()
        self.bottom.addWidget(self.more_button)
        self.bottom.addStretch(1)
        self.bottom.addWidget(self.mute_button)
        self.bottom.addWidget(self.export_button)

    # --- feeding ----------------------------------------------------------------------------
    def on_event(self, event: StreamEvent) -> None:
        """Queue one live event; queued events are handled together within
        :data:`FLUSH_MS`. A burst (a replay after a reconnect) is then a few inserts
        instead of one per alarm, each of which costs the table O(rows)."""
        if event.kind not in ("alarm", "alarm_updated", "reset"):
            return
        self._pending.append(event)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Handle the queued events now."""
        self._flush_timer.stop()
        pending, self._pending = self._pending, []
        if pending:
            self.on_events(pending)

    def on_events(self, events: Iterable[StreamEvent]) -> None:
        """Handle ``alarm``, ``alarm_updated`` and ``reset`` (others are ignored).
        Consecutive events of one kind go to the model as one batch, and a batch sounds
        once, at the highest severity of the new rows (alarms joining a group do not sound
        again)."""
        new: list[AlarmRow] = []
        batch: list[dict[str, Any]] = []
        kind = ""
        for event in [*events, StreamEvent(None, "", None)]:
            if event.kind != kind and batch:
                if kind == "alarm":
                    new += self.model.add_alarms(batch)
                else:
                    self.model.update_alarms(batch)
                batch = []
            kind = event.kind
            if kind in ("alarm", "alarm_updated") and isinstance(event.data, dict):
                batch.append(event.data)
            elif kind == "reset":  # the stream could not resume: fetch the newest page again
                self.more_wanted.emit(0)
        if new:
            self.sounds.play(max(row.severity for row in new))

    def load_page(self, page: dict[str, Any]) -> None:
        """A page of older alarms (``PlatformClient.alarms``), asked for by ``more_wanted``."""
        items = page.get("items") or []
        self.model.add_page(items)
        self.next_offset = max(self.next_offset, int(page.get("offset") or 0) + len(items))
        self.total = page.get("total")
        self._show_more()

    def request_more(self) -> None:
        self.more_wanted.emit(self.next_offset)

    def set_names(self, counties: dict[str, str], enterprises: dict[str, str]) -> None:
        self.model.set_names(counties, enterprises)
        self._fill_names(self.county_combo, self.tr("全部县区"), counties)
        self._fill_names(self.enterprise_combo, self.tr("全部企业"), enterprises)

    def clear(self) -> None:
        self.model.clear()
        self.next_offset = 0
        self.total = None
        self._show_more()

    # --- operator actions -------------------------------------------------------------------
    def current_source_row(self) -> int:
        index = self.view.currentIndex()
        if not index.isValid():
            return -1
        return self.proxy.mapToSource(index).row()

    def current_alarm(self) -> dict[str, Any] | None:
        index = self.view.currentIndex()
        return index.data(Roles.ALARM) if index.isValid() else None

    def open_current(self) -> None:
        alarm = self.current_alarm()
        if alarm is not None:
            self.alarm_opened.emit(alarm)

    def acknowledge_current(self) -> None:
        row = self.current_source_row()
        if row < 0:
            return
        ids = self.model.acknowledge(row)
        if ids:
            self.acknowledged.emit(ids)

    def select_alarm(self, alarm_id: str) -> bool:
        row = self.model.row_of_alarm(alarm_id)
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else QModelIndex()
        if not index.isValid():
            return False
        self.view.scrollTo(index)
        self.view.setCurrentIndex(index)
        return True

    # --- filter -----------------------------------------------------------------------------
    def filter_state(self) -> FilterState:
        """The state the filter bar shows."""
        return FilterState(
            min_severity=self.severity_combo.currentData() or 0,
            families=_one(self.family_combo.currentData()),
            types=_one(self.type_combo.currentData()),
            counties=_one(self.county_combo.currentData()),
            enterprises=_one(self.enterprise_combo.currentData()),
            handling=self.handling_combo.currentData() or "",
            recent_hours=self.time_combo.currentData() or 0,
            plate=self.plate_edit.text().strip(),
        )

    def apply_filter(self, state: FilterState) -> None:
        """Filter by ``state`` and show it in the bar (lists show their first entry)."""
        combos = (
            (self.severity_combo, state.min_severity),
            (self.family_combo, state.families[0] if state.families else ""),
            (self.county_combo, state.counties[0] if state.counties else ""),
            (self.enterprise_combo, state.enterprises[0] if state.enterprises else ""),
            (self.handling_combo, state.handling),
            (self.time_combo, state.recent_hours),
        )
        for combo, value in combos:
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self._fill_types(state.families[0] if state.families else "")
        self.type_combo.setCurrentIndex(
            max(0, self.type_combo.findData(state.types[0] if state.types else ""))
        )
        self.plate_edit.blockSignals(True)
        self.plate_edit.setText(state.plate)
        self.plate_edit.blockSignals(False)
        self.proxy.set_state(state)
        self._show_counts()

    def save_preset(self, name: str) -> None:
        self.presets.save(name, self.proxy.state)

    def apply_preset(self, name: str) -> bool:
        state = self.presets.load(name)
        if state is None:
            return False
        self.apply_filter(state)
        return True

    def _widgets_changed(self, *_: Any) -> None:
        self.proxy.set_state(self.filter_state())
        self._show_counts()

    def _family_chosen(self, *_: Any) -> None:
        self._fill_types(self.family_combo.currentData() or "")
        self._widgets_changed()

    def _fill_types(self, family: str) -> None:
        self.type_combo.clear()
        self.type_combo.addItem(self.tr("全部类型"), "")
        for kind in all_types():
            if kind.event or (family and kind.family != AlarmFamily(family)):
                continue
            self.type_combo.addItem(kind.name_zh, kind.code)

    def _fill_names(self, combo: QComboBox, everything: str, names: dict[str, str]) -> None:
        chosen = combo.currentData()
        combo.clear()
        combo.addItem(everything, "")
        for key, name in sorted(names.items(), key=lambda kv: kv[1]):
            combo.addItem(name, key)
        combo.setCurrentIndex(max(0, combo.findData(chosen)))

    def _fill_presets_menu(self) -> None:
        menu = self.presets_menu
        menu.clear()
        for name in self.presets.names():
            menu.addAction(name, lambda n=name: self.apply_preset(n))
        if self.presets.names():
            menu.addSeparator()
        menu.addAction(self.tr("保存当前筛选…"), self._ask_preset_name)
        delete = menu.addMenu(self.tr("删除"))
        delete.setEnabled(bool(self.presets.names()))
        for name in self.presets.names():
            delete.addAction(name, lambda n=name: self.presets.delete(n))

    def _ask_preset_name(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("保存筛选"), self.tr("名称："))
        if ok and name.strip():
            self.save_preset(name.strip())

    # --- export -----------------------------------------------------------------------------
    def export(self, path: str | Path) -> Path:
        """The filtered list, as shown, to an .xlsx file."""
        headers, rows = table_rows(self.proxy)
        title = self.tr("TruckWatch 报警列表（{filter}）导出于 {time}（北京时间）").format(
            filter=self.proxy.describe(self.model.counties, self.model.enterprises),
            time=datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S"),
        )
        return export_xlsx(path, rows, headers=headers, title=title)

    def choose_export(self) -> None:
        default = f"报警_{datetime.now(CST):%Y%m%d_%H%M}.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出报警"), default, self.tr("Excel 工作簿 (*.xlsx)")
        )
        if not path:
            return
        try:
            self.export(path)
        except OSError as exc:
            log.warning("alarm export to %s failed: %s", path, exc)
            QMessageBox.warning(self, self.tr("导出报警"), str(exc))

    # --- the timer --------------------------------------------------------------------------
    def tick(self) -> None:
        """Once a second: flash phase, the waiting time of the rows on screen, counts."""
        self.model.tick_flash()
        self.model.refresh_waiting(self._visible_source_rows())
        if self.proxy.counts_stale:
            self._show_counts()

    def _visible_source_rows(self) -> list[int]:
        count = self.proxy.rowCount()
        if not count:
            return []
        top = self.view.rowAt(0)
        if top < 0:
            return []
        bottom = self.view.rowAt(self.view.viewport().height() - 1)
        bottom = count - 1 if bottom < 0 else bottom
        proxy = self.proxy
        return [proxy.mapToSource(proxy.index(r, 0)).row() for r in range(top, bottom + 1)]

    # --- showing ----------------------------------------------------------------------------
    def _show_counts(self) -> None:
        counts = self.proxy.counts()
        parts = [
            self.tr("{rows} 行 · {alarms} 条报警").format(
                rows=counts["rows"], alarms=counts["alarms"]
            )
        ]
        by_severity = counts["severity"]
        for severity in sorted(by_severity, reverse=True):
            name = SEVERITY_NAMES.get(severity)
            label = translate(name) if name else str(severity)
            parts.append(f"{label} {by_severity[severity]}")
        by_family = counts["family"]
        order = [f.value for f in FAMILY_NAMES]
        for family in sorted(by_family, key=lambda f: order.index(f) if f in order else 99):
            parts.append(f"{family_name(family)} {by_family[family]}")
        text = parts[0] if len(parts) == 1 else f"{parts[0]}  |  {' · '.join(parts[1:])}"
        self.counts_label.setText(text)

    def _show_more(self) -> None:
        loaded = self.model.alarm_count
        if self.total is None:
            self.more_button.setText(self.tr("加载更早的报警"))
            self.more_button.setEnabled(True)
            return
        self.more_button.setText(
            self.tr("加载更早的报警（已载入 {loaded}，共 {total}）").format(
                loaded=loaded, total=self.total
            )
        )
        self.more_button.setEnabled(self.next_offset < self.total)

    def _mute_changed(self, muted: bool) -> None:
        self._show_mute(muted)
        if self.mute_button.isChecked() != muted:
            self.mute_button.setChecked(muted)
        self.mute_changed.emit(muted)

    def _show_mute(self, muted: bool) -> None:
        self.mute_button.setText(self.tr("已静音") if muted else self.tr("声音开"))
        self.mute_button.setToolTip(self.tr("报警提示音（静音会被记录）"))

    # --- selection --------------------------------------------------------------------------
    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._moving is not None or not current.isValid():
            return  # a group being re-placed: its row comes back, see _rows_arrived
        alarm = current.data(Roles.ALARM)
        if alarm is not None:
            self.alarm_selected.emit(alarm)

    def _rows_leaving(self, _parent: QModelIndex, first: int, last: int) -> None:
        row = self.current_source_row()
        if first <= row <= last:
            self._moving = self.model.row_at(row)

    def _rows_arrived(self, *_: Any) -> None:
        item = self._moving
        if item is None:
            return
        row = self.model.row_of(item)
        if self.model.row_at(row) is not item:
            return  # inserted elsewhere first; the model puts it back in the same batch
        self._moving = None
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.view.setCurrentIndex(index)

    def _forget_moving(self) -> None:
        self._moving = None


def _one(value: Any) -> list[str]:
    return [value] if value else []
