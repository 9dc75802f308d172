"""Case statistics (处置统计): for a chosen period, per county or per enterprise, 处置率
(handled alarms ÷ alarms requiring handling) and 处理率 (finished cases ÷ cases) as bars
(pyqtgraph), and a table with the counts, overdue cases and the median time to close;
exported to Excel like the alarm list.

:func:`stats_table` turns the API's stats JSON (``GET /cases/stats``) into headers and
rows (pure); :class:`CaseStats` fetches it through the worker pool.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.client.api import PlatformClient
from widgets.alarm_export import export_xlsx
from widgets.beijing import CST
from widgets.case_model import tr
from widgets.case_panel import describe_error
from widgets.tasks import Tasks

log = logging.getLogger(__name__)

COLUMNS = (
    ("name", QT_TRANSLATE_NOOP("Cases", "名称")),
    ("cases", QT_TRANSLATE_NOOP("Cases", "工单数")),
    ("alarms", QT_TRANSLATE_NOOP("Cases", "需处置报警")),
    ("handled_alarms", QT_TRANSLATE_NOOP("Cases", "已处置报警")),
    ("disposal_rate", QT_TRANSLATE_NOOP("Cases", "处置率")),
    ("finished_cases", QT_TRANSLATE_NOOP("Cases", "已办结")),
    ("handling_rate", QT_TRANSLATE_NOOP("Cases", "处理率")),
    ("overdue", QT_TRANSLATE_NOOP("Cases", "逾期")),
    ("median_close_min", QT_TRANSLATE_NOOP("Cases", "办结用时中位数（分钟）")),
)
RATES = ("disposal_rate", "handling_rate")
BAR_COLOURS = {"disposal_rate": "#1565c0", "handling_rate": "#2e7d32"}


def rate_text(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def stats_table(
    stats: Mapping[str, Any], *, for_export: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows (each row of ``rows``, then the total). Shown: rates as
    percentages, the median in whole minutes, "—" for none; exported: numbers as they are
    (rates as fractions 0…1, ``None`` left empty)."""
    headers = [tr(label) for _key, label in COLUMNS]
    rows: list[list[Any]] = []
    for row in [*(stats.get("rows") or []), stats.get("total") or {}]:
        if not row:
            continue
        cells: list[Any] = []
        for key, _label in COLUMNS:
            value = row.get(key)
            if key == "name":
                value = tr(value) if value == "合计" else (value or row.get("key") or "")
            elif for_export:
                pass  # numbers as they are
            elif key in RATES:
                value = rate_text(value)
            elif key == "median_close_min":
                value = "—" if value is None else f"{float(value):.0f}"
            else:
                value = "—" if value is None else str(value)
            cells.append(value)
        rows.append(cells)
    return headers, rows


TOTAL_NAME = QT_TRANSLATE_NOOP("Cases", "合计")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class CaseStats(QWidget):
    loaded = Signal(dict)

    def __init__(self, client: PlatformClient, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.tasks = tasks
        self.stats: dict[str, Any] | None = None
        today = datetime.now(CST).date()
        self.start_edit = QDateEdit(self)
        self.end_edit = QDateEdit(self)
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.start_edit.setDate(QDate(today.year, today.month, 1))
        self.end_edit.setDate(QDate(today.year, today.month, today.day))
        self.period_combo = QComboBox(self)
        for label, days in (
            (self.tr("自定义"), 0),
            (self.tr("今天"), 1),
            (self.tr("最近 7 天"), 7),
            (self.tr("最近 30 天"), 30),
        ):
            self.period_combo.addItem(label, days)
        self.period_combo.activated.connect(self._period_chosen)
        self.by_combo = QComboBox(self)
        self.by_combo.addItem(self.tr("按县区"), "county")
        self.by_combo.addItem(self.tr("按企业"), "enterprise")
        self.query_button = QPushButton(self.tr("统计"), self)
        self.query_button.clicked.connect(self.load)
        self.export_button = QPushButton(self.tr("导出 Excel…"), self)
        self.export_button.clicked.connect(self.choose_export)
        self.export_button.setEnabled(False)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet("color: #b91c1c;")
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("开单日期"), self))
        bar.addWidget(self.start_edit)
        bar.addWidget(QLabel("—", self))
        bar.addWidget(self.end_edit)
        bar.addWidget(self.period_combo)
        bar.addWidget(self.by_combo)
        bar.addWidget(self.query_button)
        bar.addStretch(1)
        bar.addWidget(self.export_button)

        import pyqtgraph as pg  # only the statistics need it

        self.plot = pg.PlotWidget(self, background="w")
        self.plot.setMinimumHeight(220)
        self.plot.setYRange(0, 100)
        self.plot.setLabel("left", "%")
        self.plot.addLegend(offset=(-10, 10))
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.plot)
        splitter.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error_label)
        layout.addWidget(splitter, 1)

    # --- period -----------------------------------------------------------------------------
    def period(self) -> tuple[datetime, datetime]:
        """``[start, end)`` in UTC: from the start day's Beijing midnight to the day after
        the end day's."""
        s, e = self.start_edit.date(), self.end_edit.date()
        start = datetime(s.year(), s.month(), s.day(), tzinfo=CST)
        end = datetime(e.year(), e.month(), e.day(), tzinfo=CST) + timedelta(days=1)
        return start.astimezone(UTC), end.astimezone(UTC)

    def _period_chosen(self, *_: Any) -> None:
        days = int(self.period_combo.currentData() or 0)
        if not days:
            return
        today = datetime.now(CST).date()
        first = today - timedelta(days=days - 1)
        self.start_edit.setDate(QDate(first.year, first.month, first.day))
        self.end_edit.setDate(QDate(today.year, today.month, today.day))
        self.load()

    # --- data -------------------------------------------------------------------------------
    def load(self) -> None:
        start, end = self.period()
        by = str(self.by_combo.currentData())
        self.query_button.setEnabled(False)
        self.error_label.clear()
        self.tasks.run(
            lambda: self.client.case_stats(start, end, by),
            self.show_stats,
            self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self.query_button.setEnabled(True)
        self.error_label.setText(describe_error(exc))

    def show_stats(self, stats: dict[str, Any]) -> None:
        import pyqtgraph as pg

        self.query_button.setEnabled(True)
        self.stats = stats
        headers, rows = stats_table(stats)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                item = QTableWidgetItem(str(value))
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self.plot.clear()
        items = list(stats.get("rows") or [])
        names = [str(row.get("name") or row.get("key") or "") for row in items]
        width = 0.38
        for offset, key, label in (
            (-width / 2, "disposal_rate", self.tr("处置率")),
            (width / 2, "handling_rate", self.tr("处理率")),
        ):
            heights = [float(row.get(key) or 0.0) * 100 for row in items]
            bars = pg.BarGraphItem(
                x=[i + offset for i in range(len(items))],
                height=heights,
                width=width,
                brush=BAR_COLOURS[key],
                name=label,
            )
            self.plot.addItem(bars)
        axis = self.plot.getAxis("bottom")
        axis.setTicks([list(enumerate(names))])
        self.plot.setXRange(-0.6, max(len(items), 1) - 0.4)
        self.export_button.setEnabled(True)
        self.loaded.emit(stats)

    # --- export -----------------------------------------------------------------------------
    def export(self, path: str | Path) -> Path:
        if self.stats is None:
            raise ValueError("no statistics loaded")
        headers, rows = stats_table(self.stats, for_export=True)
        start, end = self.period()
        by = self.by_combo.currentText()
        title = self.tr("TruckWatch 违规处置统计（{by}，{start} 至 {end}，北京时间）").format(
            by=by,
            start=start.astimezone(CST).strftime("%Y-%m-%d"),
            end=(end.astimezone(CST) - timedelta(days=1)).strftime("%Y-%m-%d"),
        )
        target = export_xlsx(path, rows, headers=headers, title=title, sheet="处置统计")
        from openpyxl import load_workbook

        book = load_workbook(target)
        ws = book.active
        for c, (key, _label) in enumerate(COLUMNS, start=1):
            if key in RATES:
                for r in range(3, ws.max_row + 1):
                    ws.cell(row=r, column=c).number_format = "0.0%"
        book.save(target)
        return target

    def choose_export(self) -> None:
        default = f"处置统计_{datetime.now(CST):%Y%m%d_%H%M}.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出统计"), default, self.tr("Excel 工作簿 (*.xlsx)")
        )
        if not path:
            return
        try:
            self.export(path)
        except OSError as exc:
            log.warning("stats export to %s failed: %s", path, exc)
            QMessageBox.warning(self, self.tr("导出统计"), str(exc))


class CaseStatsDialog(QDialog):
    def __init__(self, client: PlatformClient, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("处置统计"))
        self.resize(1100, 700)
        self.stats = CaseStats(client, tasks, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stats)
