"""The alarm queue's item model: the alarms in the user's scope, newest first, a burst from
one truck grouped into one row, with acknowledgement, flashing and waiting time.

It holds what it is given and does no I/O: :meth:`AlarmModel.add_alarms` takes live events
(new alarms, and ``alarm_updated`` in place), :meth:`add_page` older alarms from the API,
:meth:`clear` starts over. Time-dependent state (flash phase, waiting time) changes only
when the panel's timer calls :meth:`tick_flash` / :meth:`refresh_waiting`.

Scale: ~10⁵ alarms a day. Rows are kept oldest-first in a list sorted by ``AlarmRow.key``
and shown reversed, so a new alarm is an append and a batch of them is one
``beginInsertRows`` at the top; the row of any alarm is a bisection (O(log n)), so no
id → row map needs rebuilding. Rows never *move* (``beginMoveRows``): a
``QSortFilterProxyModel`` answers a move by filtering every row again, so a group that
jumps to the top is removed and inserted instead. For the same reason changes that only
touch the looks (flash, waiting time) are signalled for as few rows as possible.
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from functools import lru_cache
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

from console.domain.alarm_types import AlarmType, Severity, by_code
from widgets.beijing import CST

_ROOT = QModelIndex()
GROUP_WINDOW_S = 300.0  # a group spans at most this long (first to last alarm)
FLASH_S = 300.0  # an unacknowledged new row flashes this long...
MAX_FLASHING = 200  # ...and at most this many rows flash (a replay burst must not flash 10⁴)


class Column(IntEnum):
    TIME = 0
    SEVERITY = 1
    TYPE = 2
    PLATE = 3
    ENTERPRISE = 4
    COUNTY = 5
    SPEED = 6
    LOCATION = 7
    EVIDENCE = 8
    HANDLING = 9
    WAITING = 10


class Handling(StrEnum):
    """Where the operator is with a row (the case workflow will add its states)."""

    UNHANDLED = "unhandled"
    ACKNOWLEDGED = "acknowledged"


class Roles:
    ALARM = Qt.ItemDataRole.UserRole + 1  # the row's latest alarm (dict, the API's shape)
    ALARMS = Qt.ItemDataRole.UserRole + 2  # every alarm of the row, oldest first
    ALARM_ID = Qt.ItemDataRole.UserRole + 3  # of the latest alarm
    VEHICLE_ID = Qt.ItemDataRole.UserRole + 4
    SEVERITY = Qt.ItemDataRole.UserRole + 5  # int, the highest of the row
    TYPE_CODE = Qt.ItemDataRole.UserRole + 6
    FAMILY = Qt.ItemDataRole.UserRole + 7  # AlarmFamily value, or "" for an unknown code
    HANDLING = Qt.ItemDataRole.UserRole + 8  # Handling value
    FLASHING = Qt.ItemDataRole.UserRole + 9  # bool
    COUNT = Qt.ItemDataRole.UserRole + 10  # alarms in the row
    SORT = Qt.ItemDataRole.UserRole + 11  # the column's raw value (seconds, numbers)
    EXPORT = Qt.ItemDataRole.UserRole + 12  # the column's value for a spreadsheet


HEADERS = {
    Column.TIME: QT_TRANSLATE_NOOP("AlarmModel", "时间"),
    Column.SEVERITY: QT_TRANSLATE_NOOP("AlarmModel", "级别"),
    Column.TYPE: QT_TRANSLATE_NOOP("AlarmModel", "报警类型"),
    Column.PLATE: QT_TRANSLATE_NOOP("AlarmModel", "车牌"),
    Column.ENTERPRISE: QT_TRANSLATE_NOOP("AlarmModel", "企业"),
    Column.COUNTY: QT_TRANSLATE_NOOP("AlarmModel", "县区"),
    Column.SPEED: QT_TRANSLATE_NOOP("AlarmModel", "速度"),
    Column.LOCATION: QT_TRANSLATE_NOOP("AlarmModel", "位置"),
    Column.EVIDENCE: QT_TRANSLATE_NOOP("AlarmModel", "证据"),
    Column.HANDLING: QT_TRANSLATE_NOOP("AlarmModel", "处理状态"),
    Column.WAITING: QT_TRANSLATE_NOOP("AlarmModel", "等待时长"),
}
SEVERITY_NAMES = {
    Severity.LOW: QT_TRANSLATE_NOOP("AlarmModel", "低"),
    Severity.MEDIUM: QT_TRANSLATE_NOOP("AlarmModel", "中"),
    Severity.HIGH: QT_TRANSLATE_NOOP("AlarmModel", "高"),
    Severity.CRITICAL: QT_TRANSLATE_NOOP("AlarmModel", "严重"),
}
LEVEL_NAMES = {
    1: QT_TRANSLATE_NOOP("AlarmModel", "一级"),
    2: QT_TRANSLATE_NOOP("AlarmModel", "二级"),
}
EVIDENCE_NAMES = {
    "pending": QT_TRANSLATE_NOOP("AlarmModel", "待上传"),
    "complete": QT_TRANSLATE_NOOP("AlarmModel", "完整"),
    "incomplete": QT_TRANSLATE_NOOP("AlarmModel", "不完整"),
    "none": QT_TRANSLATE_NOOP("AlarmModel", "无"),
}
HANDLING_NAMES = {
    Handling.UNHANDLED: QT_TRANSLATE_NOOP("AlarmModel", "未处理"),
    Handling.ACKNOWLEDGED: QT_TRANSLATE_NOOP("AlarmModel", "已确认"),
}
# Flash colours: red for high and critical, amber below.
_FLASH = {True: QColor("#ffcdd2"), False: QColor("#ffe0b2")}
_SEVERITY_COLOUR = {
    Severity.LOW: QColor("#546e7a"),
    Severity.MEDIUM: QColor("#b26a00"),
    Severity.HIGH: QColor("#d84315"),
    Severity.CRITICAL: QColor("#b71c1c"),
}
_DONE_COLOUR = QColor("#9e9e9e")
_DAYS = QT_TRANSLATE_NOOP("AlarmModel", "{d}天")


def translate(text: str) -> str:
    return QCoreApplication.translate("AlarmModel", text)


@lru_cache(maxsize=1024)
def alarm_type_of(code: str) -> AlarmType | None:
    """The catalogue entry of a code; None for a code the catalogue cannot read (shown raw)."""
    try:
        return by_code(code)
    except KeyError:
        return None


def started_ts(alarm: dict[str, Any], default: float) -> float:
    """Epoch seconds of ``started_at`` (ISO 8601 with offset); ``default`` if unreadable."""
    try:
        return datetime.fromisoformat(alarm["started_at"]).timestamp()
    except (KeyError, TypeError, ValueError):
        return default


@dataclass(eq=False, slots=True)
class AlarmRow:
    """One row: a single alarm, or a burst of one vehicle's alarms of one type."""

    vehicle_id: str
    type_code: str
    alarms: list[dict[str, Any]]  # oldest first
    times: list[float]  # their start times, epoch seconds, same order
    key: tuple[float, int] = (0.0, 0)  # position in the model; updated only when placed
    handling: Handling = Handling.UNHANDLED
    acknowledged_at: float | None = None
    flash_until: float = 0.0
    severity: int = 0
    family: str = ""
    type_name: str = ""
    levelled: bool = False
    placed: bool = False

    @property
    def latest(self) -> dict[str, Any]:
        return self.alarms[-1]

    @property
    def first_ts(self) -> float:
        return self.times[0]

    @property
    def latest_ts(self) -> float:
        return self.times[-1]

    @property
    def count(self) -> int:
        return len(self.alarms)

    @property
    def ids(self) -> list[str]:
        return [a["id"] for a in self.alarms]

    @property
    def acknowledged(self) -> bool:
        return self.handling is Handling.ACKNOWLEDGED

    def fits(self, ts: float, window: float) -> bool:
        """Would an alarm at ``ts`` keep this group within the window?"""
        return not self.acknowledged and max(self.latest_ts, ts) - min(self.first_ts, ts) <= window

    def put(self, alarm: dict[str, Any], ts: float) -> None:
        at = bisect_right(self.times, ts)
        self.times.insert(at, ts)
        self.alarms.insert(at, alarm)
        self._derive()

    def replace(self, alarm: dict[str, Any]) -> None:
        for i, old in enumerate(self.alarms):
            if old["id"] == alarm["id"]:
                self.alarms[i] = alarm
                break
        self._derive()

    def _derive(self) -> None:
        kind = alarm_type_of(self.type_code)
        self.family = kind.family.value if kind else ""
        self.type_name = kind.name_zh if kind else self.type_code
        self.levelled = bool(kind and kind.levelled)
        self.severity = max(int(a.get("severity") or 0) for a in self.alarms)


class AlarmModel(QAbstractTableModel):
    def __init__(
        self,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.time,
        group_window_s: float = GROUP_WINDOW_S,
        flash_s: float = FLASH_S,
        max_flashing: int = MAX_FLASHING,
    ) -> None:
        super().__init__(parent)
        self.clock = clock  # wall clock, epoch seconds (waiting time is against started_at)
        self.group_window_s = group_window_s
        self.flash_s = flash_s
        self.max_flashing = max_flashing
        self.flash_phase = False
        self.counties: dict[str, str] = {}
        self.enterprises: dict[str, str] = {}
        self._rows: list[AlarmRow] = []  # oldest first, sorted by key
        self._by_id: dict[str, AlarmRow] = {}
        # Per (vehicle, type): the newest and the oldest group, the ones a new live alarm or
        # an older page's alarm can join.
        self._ends: dict[tuple[str, str], list[AlarmRow]] = {}
        self._flashing: dict[AlarmRow, None] = {}  # insertion-ordered: oldest flash first
        self._seq_up = 0  # tie-breaks of keys: live rows count up, page rows count down
        self._seq_down = 0
        self._names = {
            "severity": {k: translate(v) for k, v in SEVERITY_NAMES.items()},
            "level": {k: translate(v) for k, v in LEVEL_NAMES.items()},
            "evidence": {k: translate(v) for k, v in EVIDENCE_NAMES.items()},
            "handling": {k: translate(v) for k, v in HANDLING_NAMES.items()},
        }

    # --- feeding ----------------------------------------------------------------------------
    def add_alarms(self, alarms: Iterable[dict[str, Any]]) -> list[AlarmRow]:
        """Live alarms (``alarm`` and ``alarm_updated`` events): a known id updates its row
        in place, a new one joins its group or makes a new row, which flashes. Returns the
        new rows (the panel sounds for those, not for alarms joining a group)."""
        return self._merge(alarms, live=True)

    def update_alarms(self, alarms: Iterable[dict[str, Any]]) -> int:
        """Updates of alarms already shown; others are ignored. Returns how many applied."""
        known = [a for a in alarms if a.get("id") in self._by_id]
        self._merge(known, live=True)
        return len(known)

    def add_page(self, items: Iterable[dict[str, Any]]) -> list[AlarmRow]:
        """Older alarms from the API (a page, newest first): they go below and do not flash;
        alarms already known are skipped (the stream's updates are newer than a page)."""
        return self._merge(items, live=False)

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._by_id = {}
        self._ends = {}
        self._flashing = {}
        self.endResetModel()

    def set_names(self, counties: dict[str, str], enterprises: dict[str, str]) -> None:
        """Names of counties and enterprises by id (the caller has them from the tree)."""
        self.counties = dict(counties)
        self.enterprises = dict(enterprises)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Column.ENTERPRISE),
                self.index(len(self._rows) - 1, Column.COUNTY),
                [Qt.ItemDataRole.DisplayRole],
            )

    # --- operator actions and the panel's timer ---------------------------------------------
    def acknowledge(self, row: int) -> list[str]:
        """Acknowledge a row: it stops flashing and takes no more alarms into its group.
        Returns the ids of its alarms (to tell the platform, once it has the call)."""
        item = self.row_at(row)
        if item is None or item.acknowledged:
            return []
        item.handling = Handling.ACKNOWLEDGED
        item.acknowledged_at = self.clock()
        self._flashing.pop(item, None)
        self._row_changed(row)
        return item.ids

    def tick_flash(self) -> None:
        """Toggle the flash phase; rows whose flash time is over stop. One ``dataChanged``
        per run of adjacent flashing rows, for the background only."""
        self.flash_phase = not self.flash_phase
        now = self.clock()
        rows = [self.row_of(r) for r in self._flashing]
        for item in [r for r in self._flashing if r.flash_until <= now]:
            del self._flashing[item]
        self._emit_runs(rows, 0, len(Column) - 1, [Qt.ItemDataRole.BackgroundRole, Roles.FLASHING])

    def refresh_waiting(self, rows: Iterable[int]) -> None:
        """The waiting time of these rows (the visible ones) has changed."""
        count = len(self._rows)
        self._emit_runs(
            [r for r in rows if 0 <= r < count],
            Column.WAITING,
            Column.WAITING,
            [Qt.ItemDataRole.DisplayRole],
        )

    # --- lookup -----------------------------------------------------------------------------
    def row_at(self, row: int) -> AlarmRow | None:
        if 0 <= row < len(self._rows):
            return self._rows[len(self._rows) - 1 - row]
        return None

    def row_of(self, item: AlarmRow) -> int:
        """The row showing ``item`` (which must be placed)."""
        at = bisect_left(self._rows, item.key, key=_key)
        return len(self._rows) - 1 - at

    def row_of_alarm(self, alarm_id: str) -> int:
        item = self._by_id.get(alarm_id)
        return self.row_of(item) if item is not None and item.placed else -1

    def alarms_in_row(self, row: int) -> list[dict[str, Any]]:
        item = self.row_at(row)
        return list(item.alarms) if item is not None else []

    def rows(self) -> Iterable[AlarmRow]:
        """Every row, newest first."""
        return reversed(self._rows)

    @property
    def alarm_count(self) -> int:
        return len(self._by_id)

    def is_flashing(self, item: AlarmRow) -> bool:
        return item in self._flashing

    # --- Qt model ---------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return translate(HEADERS[Column(section)])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        item = self.row_at(index.row())
        if item is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            if self.flash_phase and item in self._flashing:
                return _FLASH[item.severity >= Severity.HIGH]
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if item.acknowledged:
                return _DONE_COLOUR
            return _SEVERITY_COLOUR.get(item.severity) if column == Column.SEVERITY else None
        if role == Qt.ItemDataRole.FontRole:
            if not item.acknowledged:  # what still waits for someone stands out
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (Column.SPEED, Column.WAITING):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        return self._user_data(item, column, role)

    # --- internals --------------------------------------------------------------------------
    def _user_data(self, item: AlarmRow, column: int, role: int) -> Any:
        if role == Roles.ALARM:
            return item.latest
        if role == Roles.ALARMS:
            return list(item.alarms)
        if role == Roles.ALARM_ID:
            return item.latest["id"]
        if role == Roles.VEHICLE_ID:
            return item.vehicle_id
        if role == Roles.SEVERITY:
            return item.severity
        if role == Roles.TYPE_CODE:
            return item.type_code
        if role == Roles.FAMILY:
            return item.family
        if role == Roles.HANDLING:
            return item.handling.value
        if role == Roles.FLASHING:
            return item in self._flashing
        if role == Roles.COUNT:
            return item.count
        if role == Roles.SORT:
            return self._raw(item, column)
        if role == Roles.EXPORT:
            return self._export(item, column)
        return None

    def _text(self, item: AlarmRow, column: int) -> str:
        a = item.latest
        if column == Column.TIME:
            return datetime.fromtimestamp(item.latest_ts, CST).strftime("%m-%d %H:%M:%S")
        if column == Column.SEVERITY:
            return self._severity_text(item)
        if column == Column.TYPE:
            return f"{item.type_name} ×{item.count}" if item.count > 1 else item.type_name
        if column == Column.PLATE:
            return a.get("plate") or ""
        if column == Column.ENTERPRISE:
            eid = a.get("enterprise_id") or ""
            return self.enterprises.get(eid, eid)
        if column == Column.COUNTY:
            cid = a.get("county_id") or ""
            return self.counties.get(cid, cid)
        if column == Column.SPEED:
            speed = a.get("speed_kmh")
            return f"{speed:.0f} km/h" if speed is not None else "—"
        if column == Column.LOCATION:
            lat, lon = a.get("lat"), a.get("lon")
            return f"{lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else "—"
        if column == Column.EVIDENCE:
            status = a.get("evidence_status") or "none"
            return self._names["evidence"].get(status, status)
        if column == Column.HANDLING:
            return self._names["handling"][item.handling]
        if column == Column.WAITING:
            return format_duration(self._waiting(item))
        return ""

    def _severity_text(self, item: AlarmRow) -> str:
        name = self._names["severity"].get(item.severity, str(item.severity))
        level = item.latest.get("level")
        if item.levelled and level in self._names["level"]:
            return f"{self._names['level'][level]} · {name}"
        return name

    def _raw(self, item: AlarmRow, column: int) -> Any:
        if column == Column.TIME:
            return item.latest_ts
        if column == Column.SEVERITY:
            return item.severity
        if column == Column.SPEED:
            return item.latest.get("speed_kmh")
        if column == Column.WAITING:
            return self._waiting(item)
        return self._text(item, column)

    def _export(self, item: AlarmRow, column: int) -> Any:
        """Spreadsheet cells: real times (Beijing, no tz: Excel has none) and numbers."""
        if column == Column.TIME:
            return datetime.fromtimestamp(item.latest_ts, CST).replace(tzinfo=None)
        if column == Column.SPEED:
            return item.latest.get("speed_kmh")
        return self._text(item, column)

    def _tooltip(self, item: AlarmRow) -> str:
        first = datetime.fromtimestamp(item.first_ts, CST).strftime("%Y-%m-%d %H:%M:%S")
        last = datetime.fromtimestamp(item.latest_ts, CST).strftime("%Y-%m-%d %H:%M:%S")
        text = f"{item.latest.get('plate') or ''} · {item.type_name} ({item.type_code})"
        if item.count > 1:
            return (
                text
                + "\n"
                + self.tr("{n} 次报警：{first} 至 {last}").format(
                    n=item.count, first=first, last=last
                )
            )
        return text + "\n" + last

    def _waiting(self, item: AlarmRow) -> float:
        until = item.acknowledged_at if item.acknowledged_at is not None else self.clock()
        return max(0.0, until - item.first_ts)

    def _merge(self, alarms: Iterable[dict[str, Any]], *, live: bool) -> list[AlarmRow]:
        now = self.clock()
        new: list[AlarmRow] = []
        touched: dict[AlarmRow, None] = {}  # placed rows whose content changed
        for alarm in alarms:
            alarm_id = alarm.get("id")
            if not alarm_id:
                continue
            known = self._by_id.get(alarm_id)
            if known is not None and not live:
                continue  # a page may be older than the live updates already applied
            if known is not None:
                known.replace(alarm)
                if known.placed:
                    touched[known] = None
                continue
            ts = started_ts(alarm, now)
            group_key = (alarm.get("vehicle_id") or "", alarm.get("type_code") or "")
            item = self._joinable(group_key, ts)
            if item is None:
                item = AlarmRow(group_key[0], group_key[1], [alarm], [ts])
                item._derive()
                new.append(item)
            else:
                item.put(alarm, ts)
                if item.placed:
                    touched[item] = None
            self._by_id[alarm_id] = item
            self._note_end(group_key, item)
            if live and not item.acknowledged and now - ts <= self.flash_s:
                item.flash_until = now + self.flash_s
                self._flashing.pop(item, None)  # to the newest end
                self._flashing[item] = None
        while len(self._flashing) > self.max_flashing:
            del self._flashing[next(iter(self._flashing))]
        self._place(new, touched, live=live)
        return new

    def _joinable(self, group_key: tuple[str, str], ts: float) -> AlarmRow | None:
        for item in self._ends.get(group_key, ()):
            if item.fits(ts, self.group_window_s):
                return item
        return None

    def _note_end(self, group_key: tuple[str, str], item: AlarmRow) -> None:
        ends = self._ends.get(group_key)
        if ends is None:
            self._ends[group_key] = [item, item]
            return
        newest, oldest = ends
        if item.latest_ts >= newest.latest_ts:
            ends[0] = item
        if item.first_ts <= oldest.first_ts:
            ends[1] = item

    def _place(self, new: list[AlarmRow], touched: dict[AlarmRow, None], *, live: bool) -> None:
        """Put new rows in, and rows whose latest time changed where they now belong:
        updated in place when they still sort there, else removed and inserted again."""
        moving: list[AlarmRow] = []
        for item in touched:
            row = self.row_of(item)
            wanted = (item.latest_ts, item.key[1])
            if wanted == item.key or self._still_sorted(len(self._rows) - 1 - row, wanted):
                item.key = wanted
                self._row_changed(row)
                continue
            self.beginRemoveRows(_ROOT, row, row)
            del self._rows[len(self._rows) - 1 - row]
            item.placed = False
            self.endRemoveRows()
            moving.append(item)
        incoming = new + moving
        if not incoming:
            return
        for item in incoming:
            item.key = (item.latest_ts, self._next_seq(live))
            item.placed = True
        incoming.sort(key=_key)
        # Runs of incoming rows that land between the same two existing rows: one insert
        # each, done from the newest end so earlier positions stay right.
        runs: list[tuple[int, list[AlarmRow]]] = []
        for item in incoming:
            at = bisect_right(self._rows, item.key, key=_key)
            if runs and runs[-1][0] == at:
                runs[-1][1].append(item)
            else:
                runs.append((at, [item]))
        for at, items in reversed(runs):
            count = len(self._rows)
            first = count - at
            self.beginInsertRows(_ROOT, first, first + len(items) - 1)
            self._rows[at:at] = items
            self.endInsertRows()

    def _still_sorted(self, at: int, key: tuple[float, int]) -> bool:
        before = self._rows[at - 1].key if at > 0 else None
        after = self._rows[at + 1].key if at + 1 < len(self._rows) else None
        return (before is None or before < key) and (after is None or key < after)

    def _next_seq(self, live: bool) -> int:
        if live:
            self._seq_up += 1
            return self._seq_up
        self._seq_down -= 1
        return self._seq_down

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def _emit_runs(self, rows: list[int], first_col: int, last_col: int, roles: list) -> None:
        """One dataChanged per run of adjacent rows."""
        ordered = sorted(set(rows))
        start = prev = None
        for row in [*ordered, None]:
            if row is not None and prev is not None and row == prev + 1:
                prev = row
                continue
            if start is not None and prev is not None:
                self.dataChanged.emit(
                    self.index(start, first_col), self.index(prev, last_col), roles
                )
            start = prev = row


def _key(item: AlarmRow) -> tuple[float, int]:
    return item.key


def format_duration(seconds: float) -> str:
    """``12:34``, ``1:02:03``, ``2天03:04:05`` (days for alarms left over from yesterday)."""
    total = int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return translate(_DAYS).format(d=days) + f"{hours:02d}:{minutes:02d}:{secs:02d}"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


__all__ = [
    "AlarmModel",
    "AlarmRow",
    "Column",
    "Handling",
    "Roles",
    "alarm_type_of",
    "format_duration",
    "translate",
]
