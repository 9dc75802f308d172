"""The cases (违规处置工单) as a Qt table model, and the words the case widgets share.

:class:`CaseModel` holds what it is given (the API's Case JSON, docs/cases.md) and does no
I/O: :meth:`CaseModel.set_cases` a page from ``GET /cases``, :meth:`CaseModel.upsert` a case
from a live ``case`` event or an action's answer. With ``states`` set it keeps only the
cases in those states (an inbox: a case that moves on leaves it). The deadline countdown
changes only when the owner's timer calls :meth:`CaseModel.tick`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from console.client.cases import merge_event_case, seconds_left
from console.domain.alarm_types import by_code
from console.domain.times import parse_time
from widgets.beijing import beijing_time

CONTEXT = "Cases"
_ROOT = QModelIndex()
SOON_S = 3600.0  # a deadline this close is shown amber

STATE_NAMES = {
    "new": QT_TRANSLATE_NOOP("Cases", "待处置"),
    "reminded": QT_TRANSLATE_NOOP("Cases", "已提醒"),
    "notified": QT_TRANSLATE_NOOP("Cases", "已通报"),
    "feedback": QT_TRANSLATE_NOOP("Cases", "待审核"),
    "closed": QT_TRANSLATE_NOOP("Cases", "已办结"),
    "dismissed": QT_TRANSLATE_NOOP("Cases", "误报"),
}
ACTION_NAMES = {
    "open": QT_TRANSLATE_NOOP("Cases", "开单"),
    "attach": QT_TRANSLATE_NOOP("Cases", "追加报警"),
    "remind": QT_TRANSLATE_NOOP("Cases", "提醒"),
    "notify": QT_TRANSLATE_NOOP("Cases", "通报"),
    "feedback": QT_TRANSLATE_NOOP("Cases", "企业反馈"),
    "close": QT_TRANSLATE_NOOP("Cases", "办结"),
    "return": QT_TRANSLATE_NOOP("Cases", "退回"),
    "dismiss": QT_TRANSLATE_NOOP("Cases", "误报"),
    "reopen": QT_TRANSLATE_NOOP("Cases", "重新打开"),
    "escalate": QT_TRANSLATE_NOOP("Cases", "督办"),
}
MEASURE_NAMES = {
    "criticism": QT_TRANSLATE_NOOP("Cases", "批评教育"),
    "training": QT_TRANSLATE_NOOP("Cases", "安全培训"),
    "suspension": QT_TRANSLATE_NOOP("Cases", "停岗"),
    "fine": QT_TRANSLATE_NOOP("Cases", "罚款"),
    "appeal": QT_TRANSLATE_NOOP("Cases", "申诉误报"),
}
REASON_TEXT = {
    "role": QT_TRANSLATE_NOOP("Cases", "您的角色不能执行此操作"),
    "scope": QT_TRANSLATE_NOOP("Cases", "该工单不在您的管辖范围内"),
    "state": QT_TRANSLATE_NOOP("Cases", "工单当前状态不允许此操作"),
    "unknown": QT_TRANSLATE_NOOP("Cases", "正在加载工单…"),
}
REMINDER_STATUS = {
    "acked": QT_TRANSLATE_NOOP("Cases", "终端已确认"),
    "failed": QT_TRANSLATE_NOOP("Cases", "终端拒绝"),
    "timed_out": QT_TRANSLATE_NOOP("Cases", "终端未应答"),
    "offline": QT_TRANSLATE_NOOP("Cases", "终端离线"),
}
ROLE_NAMES = {
    "admin": QT_TRANSLATE_NOOP("Cases", "管理员"),
    "county_operator": QT_TRANSLATE_NOOP("Cases", "县区值班员"),
    "enterprise_officer": QT_TRANSLATE_NOOP("Cases", "企业安全员"),
    "system": QT_TRANSLATE_NOOP("Cases", "平台"),
}
_LEFT = QT_TRANSLATE_NOOP("Cases", "剩余 {t}")
_OVER = QT_TRANSLATE_NOOP("Cases", "已逾期 {t}")
_DAYS = QT_TRANSLATE_NOOP("Cases", "{d}天{h}小时")
_HOURS = QT_TRANSLATE_NOOP("Cases", "{h}小时{m:02d}分")
_MINUTES = QT_TRANSLATE_NOOP("Cases", "{m}分{s:02d}秒")
_LEVEL = QT_TRANSLATE_NOOP("Cases", "{n}级督办")


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def state_name(state: str | None) -> str:
    name = STATE_NAMES.get(state or "")
    return tr(name) if name else (state or "—")


def action_name(action: str) -> str:
    name = ACTION_NAMES.get(action)
    return tr(name) if name else action


def measure_name(measure: str) -> str:
    name = MEASURE_NAMES.get(measure)
    return tr(name) if name else measure


def alarm_type_name(code: str | None) -> str:
    try:
        return by_code(code or "").name_zh
    except KeyError:
        return code or "—"


def duration_text(seconds: float) -> str:
    """``2天3小时``, ``1小时05分``, ``4分09秒`` (whole seconds, no sign)."""
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return tr(_DAYS).format(d=days, h=hours)
    if hours:
        return tr(_HOURS).format(h=hours, m=minutes)
    return tr(_MINUTES).format(m=minutes, s=secs)


def countdown_text(left_s: float | None) -> str:
    """What the deadline column and the panel header say: ``剩余 …`` / ``已逾期 …``;
    "—" for a case without a running deadline."""
    if left_s is None:
        return "—"
    if left_s >= 0:
        return tr(_LEFT).format(t=duration_text(left_s))
    return tr(_OVER).format(t=duration_text(left_s))


def escalation_text(case: Mapping[str, Any]) -> str:
    level = int(case.get("escalation_level") or 0)
    if not level:
        return ""
    text = tr(_LEVEL).format(n=level)
    supervisor = case.get("supervisor") or ""
    return f"{text}（{supervisor}）" if supervisor else text


class Column(IntEnum):
    PLATE = 0
    TYPE = 1
    STATE = 2
    OPENED = 3
    DEADLINE = 4
    LEFT = 5
    ESCALATION = 6
    ALARMS = 7
    ENTERPRISE = 8


HEADERS = {
    Column.PLATE: QT_TRANSLATE_NOOP("Cases", "车牌"),
    Column.TYPE: QT_TRANSLATE_NOOP("Cases", "违规类型"),
    Column.STATE: QT_TRANSLATE_NOOP("Cases", "状态"),
    Column.OPENED: QT_TRANSLATE_NOOP("Cases", "开单时间"),
    Column.DEADLINE: QT_TRANSLATE_NOOP("Cases", "处理期限"),
    Column.LEFT: QT_TRANSLATE_NOOP("Cases", "剩余时间"),
    Column.ESCALATION: QT_TRANSLATE_NOOP("Cases", "督办"),
    Column.ALARMS: QT_TRANSLATE_NOOP("Cases", "报警数"),
    Column.ENTERPRISE: QT_TRANSLATE_NOOP("Cases", "企业"),
}


class Roles:
    CASE = Qt.ItemDataRole.UserRole + 1  # the case dict
    CASE_ID = Qt.ItemDataRole.UserRole + 2
    SECONDS_LEFT = Qt.ItemDataRole.UserRole + 3  # float | None
    OVERDUE = Qt.ItemDataRole.UserRole + 4  # bool: flagged by the platform or past deadline


_OVERDUE_BG = QColor("#ffcdd2")
_SOON_BG = QColor("#ffe0b2")
_DONE = QColor("#9e9e9e")


class CaseModel(QAbstractTableModel):
    """Cases, newest first (or, with ``by_deadline``, the most urgent first)."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        states: Iterable[str] | None = None,
        by_deadline: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.states = frozenset(states) if states is not None else None
        self.by_deadline = by_deadline
        self.clock = clock or (lambda: datetime.now(UTC))
        self.cases: list[dict[str, Any]] = []
        self.enterprises: dict[str, str] = {}
        self.now = self.clock()

    # --- feeding ----------------------------------------------------------------------------
    def accepts(self, case: Mapping[str, Any]) -> bool:
        return self.states is None or case.get("state") in self.states

    def set_cases(self, cases: Iterable[Mapping[str, Any]]) -> None:
        self.beginResetModel()
        self.now = self.clock()
        self.cases = sorted((dict(c) for c in cases if self.accepts(c)), key=self._key)
        self.endResetModel()

    def upsert(self, case: Mapping[str, Any]) -> str:
        """Add or update one case; answers ``added``, ``updated``, ``removed`` (it left
        the filter) or ``ignored``."""
        row = self.row_of(str(case.get("id", "")))
        if row < 0:
            if not self.accepts(case):
                return "ignored"
            item = merge_event_case(None, case)
            at = self._place(item)
            self.beginInsertRows(_ROOT, at, at)
            self.cases.insert(at, item)
            self.endInsertRows()
            return "added"
        if not self.accepts(case):
            self.remove_row(row)
            return "removed"
        item = merge_event_case(self.cases[row], case)
        if self._key(item) == self._key(self.cases[row]):
            self.cases[row] = item
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))
            return "updated"
        self.remove_row(row)
        at = self._place(item)
        self.beginInsertRows(_ROOT, at, at)
        self.cases.insert(at, item)
        self.endInsertRows()
        return "updated"

    def remove_row(self, row: int) -> None:
        self.beginRemoveRows(_ROOT, row, row)
        del self.cases[row]
        self.endRemoveRows()

    def clear(self) -> None:
        self.set_cases([])

    def set_names(self, enterprises: dict[str, str]) -> None:
        self.enterprises = dict(enterprises)
        if self.cases:
            self.dataChanged.emit(
                self.index(0, Column.ENTERPRISE), self.index(len(self.cases) - 1, Column.ENTERPRISE)
            )

    def tick(self) -> None:
        """Once a second: the countdown and the colours that follow it."""
        self.now = self.clock()
        if self.cases:
            self.dataChanged.emit(
                self.index(0, Column.LEFT),
                self.index(len(self.cases) - 1, Column.LEFT),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, Roles.SECONDS_LEFT],
            )

    # --- reading ----------------------------------------------------------------------------
    def row_of(self, case_id: str) -> int:
        for row, case in enumerate(self.cases):
            if case.get("id") == case_id:
                return row
        return -1

    def case_at(self, row: int) -> dict[str, Any]:
        return self.cases[row]

    def overdue_count(self) -> int:
        return sum(1 for c in self.cases if _overdue(c, self.now))

    # --- Qt ---------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.cases)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(HEADERS[Column(section)])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.cases):
            return None
        case = self.cases[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(case, column)
        if role == Roles.CASE:
            return case
        if role == Roles.CASE_ID:
            return case.get("id")
        if role == Roles.SECONDS_LEFT:
            return seconds_left(case, self.now)
        if role == Roles.OVERDUE:
            return _overdue(case, self.now)
        if role == Qt.ItemDataRole.BackgroundRole and column in (Column.LEFT, Column.STATE):
            left = seconds_left(case, self.now)
            if _overdue(case, self.now):
                return _OVERDUE_BG
            if left is not None and left < SOON_S:
                return _SOON_BG
            return None
        if role == Qt.ItemDataRole.ForegroundRole and case.get("state") in ("closed", "dismissed"):
            return _DONE
        if role == Qt.ItemDataRole.FontRole and column == Column.LEFT and _overdue(case, self.now):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.ESCALATION:
            return escalation_text(case) or None
        return None

    def _display(self, case: Mapping[str, Any], column: Column) -> str:
        if column == Column.PLATE:
            return str(case.get("plate") or case.get("vehicle_id") or "")
        if column == Column.TYPE:
            return alarm_type_name(case.get("type_code"))
        if column == Column.STATE:
            return state_name(case.get("state"))
        if column == Column.OPENED:
            return beijing_time(case.get("opened_at"), "%m-%d %H:%M")
        if column == Column.DEADLINE:
            if case.get("state") in ("closed", "dismissed"):
                return "—"
            return beijing_time(case.get("deadline"), "%m-%d %H:%M")
        if column == Column.LEFT:
            return countdown_text(seconds_left(case, self.now))
        if column == Column.ESCALATION:
            return escalation_text(case)
        if column == Column.ALARMS:
            return str(case.get("alarm_count") or 0)
        enterprise = str(case.get("enterprise_id") or "")
        return self.enterprises.get(enterprise, enterprise)

    def _key(self, case: Mapping[str, Any]) -> tuple[Any, ...]:
        if self.by_deadline:
            deadline = parse_time(case.get("deadline"))
            return (deadline is None, deadline.timestamp() if deadline else 0.0, case.get("id"))
        opened = parse_time(case.get("opened_at"))
        return (-(opened.timestamp() if opened else 0.0), case.get("id"))

    def _place(self, case: Mapping[str, Any]) -> int:
        key = self._key(case)
        for row, other in enumerate(self.cases):
            if key < self._key(other):
                return row
        return len(self.cases)


def _overdue(case: Mapping[str, Any], now: datetime) -> bool:
    if case.get("state") not in STATE_NAMES or case.get("state") in ("closed", "dismissed"):
        return False
    if case.get("overdue"):
        return True
    left = seconds_left(case, now)
    return left is not None and left < 0
