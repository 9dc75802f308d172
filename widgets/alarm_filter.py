"""Filtering the alarm queue: :class:`FilterState` (plain data, JSON for presets),
:class:`AlarmFilter` (the proxy model the table shows) and :class:`FilterPresets` (named
states in a ``QSettings``).

The proxy reads the model's row objects directly rather than through ``data()``: with 10⁵
rows a filter change runs the predicate 10⁵ times, and a role lookup per field would make
that several times slower.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    QSortFilterProxyModel,
    Signal,
)

from console.domain.alarm_types import AlarmFamily, Severity
from widgets.alarm_model import (
    CST,
    HANDLING_NAMES,
    SEVERITY_NAMES,
    AlarmModel,
    AlarmRow,
    alarm_type_of,
    translate,
)

FAMILY_NAMES = {
    AlarmFamily.ADAS: QT_TRANSLATE_NOOP("AlarmModel", "ADAS 报警"),
    AlarmFamily.DSM: QT_TRANSLATE_NOOP("AlarmModel", "DSM 报警"),
    AlarmFamily.BSD: QT_TRANSLATE_NOOP("AlarmModel", "盲区监测"),
    AlarmFamily.TPMS: QT_TRANSLATE_NOOP("AlarmModel", "胎压监测"),
    AlarmFamily.AGGRESSIVE_DRIVING: QT_TRANSLATE_NOOP("AlarmModel", "激烈驾驶"),
    AlarmFamily.JT808: QT_TRANSLATE_NOOP("AlarmModel", "终端报警"),
    AlarmFamily.VIDEO: QT_TRANSLATE_NOOP("AlarmModel", "视频报警"),
    AlarmFamily.PLATFORM: QT_TRANSLATE_NOOP("AlarmModel", "平台报警"),
}
_UNKNOWN_FAMILY = QT_TRANSLATE_NOOP("AlarmModel", "其他")


def family_name(family: str) -> str:
    try:
        return translate(FAMILY_NAMES[AlarmFamily(family)])
    except ValueError:
        return translate(_UNKNOWN_FAMILY)


@dataclass
class FilterState:
    """What the operator asked to see; empty fields do not filter. Times are aware
    datetimes and bound the rows' span (first to latest alarm) as [start, end)."""

    min_severity: int = 0
    families: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    counties: list[str] = field(default_factory=list)
    enterprises: list[str] = field(default_factory=list)
    handling: str = ""  # a Handling value, or "" for any
    start: datetime | None = None
    end: datetime | None = None
    recent_hours: int = 0  # only rows of the last N hours before the filter was applied
    plate: str = ""

    @property
    def empty(self) -> bool:
        return self == FilterState()

    def accepts(self, row: AlarmRow, applied_at: float = 0.0) -> bool:
        """``applied_at`` (epoch seconds) anchors ``recent_hours``: a preset saved as "last
        hour" means the hour before it is applied, not before it was saved."""
        if row.severity < self.min_severity:
            return False
        if self.families and row.family not in self.families:
            return False
        if self.types and row.type_code not in self.types:
            return False
        latest = row.latest
        if self.counties and latest.get("county_id") not in self.counties:
            return False
        if self.enterprises and latest.get("enterprise_id") not in self.enterprises:
            return False
        if self.handling and row.handling.value != self.handling:
            return False
        if self.start is not None and row.latest_ts < self.start.timestamp():
            return False
        if self.end is not None and row.first_ts >= self.end.timestamp():
            return False
        if self.recent_hours and row.latest_ts < applied_at - self.recent_hours * 3600:
            return False
        # Plates as the vehicle tree searches them: contains, case-insensitive.
        return not self.plate or self.plate.upper() in (latest.get("plate") or "").upper()

    def to_json(self) -> str:
        data = asdict(self)
        for name in ("start", "end"):
            if data[name] is not None:
                data[name] = data[name].isoformat()
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> FilterState:
        """Unknown keys (a newer console's) are dropped, bad times ignored."""
        raw = json.loads(text)
        known = {f.name for f in fields(cls)}
        data: dict[str, Any] = {k: v for k, v in raw.items() if k in known}
        for name in ("start", "end"):
            value = data.get(name)
            try:
                data[name] = datetime.fromisoformat(value) if value else None
            except (TypeError, ValueError):
                data[name] = None
        return cls(**data)


class AlarmFilter(QSortFilterProxyModel):
    """The rows of an :class:`AlarmModel` that :attr:`state` accepts, in the model's order
    (newest first; the proxy does not sort)."""

    state_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = FilterState()
        self._everything = True  # no criterion: skip the predicate (10⁵ calls per change)
        self.applied_at = 0.0
        self._counts: dict[str, Any] | None = None
        self._source: AlarmModel | None = None
        self.setDynamicSortFilter(True)

    def setSourceModel(self, model: AlarmModel) -> None:  # type: ignore[override]
        super().setSourceModel(model)
        self._source = model
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._forget_counts)
        model.dataChanged.connect(self._data_changed)

    # --- the state --------------------------------------------------------------------------
    def set_state(self, state: FilterState) -> None:
        self.beginFilterChange()
        self.state = state
        self._everything = state.empty
        self.applied_at = self._source.clock() if self._source is not None else 0.0
        self.endFilterChange()
        self._forget_counts()
        self.state_changed.emit()

    def update(self, **changes: Any) -> None:
        """Change some fields: ``update(min_severity=3, plate="粤R")``."""
        values = asdict(self.state)
        values.update(changes)
        self.set_state(FilterState(**values))

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self._source is None:
            return True
        if self._everything:
            return True
        row = self._source.row_at(source_row)
        return row is not None and self.state.accepts(row, self.applied_at)

    # --- figures for the panel --------------------------------------------------------------
    def counts(self) -> dict[str, Any]:
        """Under the current filter: ``rows``, ``alarms`` (a group counts each alarm), and
        alarms per ``family`` and per ``severity``. Cached until rows or filter change."""
        if self._counts is None:
            self._counts = self._count(self._source.rows() if self._source else ())
        return self._counts

    def _count(self, rows: Iterable[AlarmRow]) -> dict[str, Any]:
        families: dict[str, int] = {}
        severities: dict[int, int] = {}
        n_rows = n_alarms = 0
        state, everything, at = self.state, self.state.empty, self.applied_at
        for row in rows:
            if not everything and not state.accepts(row, at):
                continue
            n_rows += 1
            n_alarms += row.count
            families[row.family] = families.get(row.family, 0) + row.count
            severities[row.severity] = severities.get(row.severity, 0) + row.count
        return {"rows": n_rows, "alarms": n_alarms, "family": families, "severity": severities}

    @property
    def counts_stale(self) -> bool:
        return self._counts is None

    def _forget_counts(self, *_: Any) -> None:
        self._counts = None

    def _data_changed(self, _first: QModelIndex, _last: QModelIndex, roles: list[int]) -> None:
        # Flash and waiting time name their roles; content changes name none.
        if not roles:
            self._counts = None

    # --- words for people -------------------------------------------------------------------
    def describe(self, counties: dict[str, str], enterprises: dict[str, str]) -> str:
        """The filter in a line, for the export's title: "级别 ≥ 高；类型：DSM 报警…"."""
        s = self.state
        parts: list[str] = []
        if s.min_severity:
            name = translate(SEVERITY_NAMES.get(Severity(s.min_severity), str(s.min_severity)))
            parts.append(self.tr("级别 ≥ {name}").format(name=name))
        if s.families:
            names = "、".join(family_name(f) for f in s.families)
            parts.append(self.tr("类别：{names}").format(names=names))
        if s.types:
            names = "、".join(_type_name(code) for code in s.types)
            parts.append(self.tr("类型：{names}").format(names=names))
        if s.counties:
            names = "、".join(counties.get(c, c) for c in s.counties)
            parts.append(self.tr("县区：{names}").format(names=names))
        if s.enterprises:
            names = "、".join(enterprises.get(e, e) for e in s.enterprises)
            parts.append(self.tr("企业：{names}").format(names=names))
        if s.handling:
            handled = translate(HANDLING_NAMES.get(s.handling, s.handling))
            parts.append(self.tr("处理状态：{state}").format(state=handled))
        if s.start or s.end:
            parts.append(
                self.tr("时间：{start} 至 {end}").format(
                    start=_beijing(s.start) or "…", end=_beijing(s.end) or "…"
                )
            )
        if s.recent_hours:
            parts.append(self.tr("最近 {n} 小时").format(n=s.recent_hours))
        if s.plate:
            parts.append(self.tr("车牌含“{plate}”").format(plate=s.plate))
        return "；".join(parts) if parts else self.tr("全部报警")


class FilterPresets:
    """Named filter states, kept as one JSON object under ``key`` of ``settings`` (names are
    free text, Chinese included, so they are not used as settings keys)."""

    def __init__(self, settings: QSettings, key: str = "alarm_queue/presets") -> None:
        self.settings = settings
        self.key = key

    def names(self) -> list[str]:
        return sorted(self._all())

    def save(self, name: str, state: FilterState) -> None:
        presets = self._all()
        presets[name] = json.loads(state.to_json())
        self._store(presets)

    def load(self, name: str) -> FilterState | None:
        found = self._all().get(name)
        return FilterState.from_json(json.dumps(found)) if found is not None else None

    def delete(self, name: str) -> None:
        presets = self._all()
        if presets.pop(name, None) is not None:
            self._store(presets)

    def _all(self) -> dict[str, Any]:
        text = self.settings.value(self.key, "")
        try:
            data = json.loads(str(text)) if text else {}
        except ValueError:  # a damaged settings file must not stop the console
            return {}
        return data if isinstance(data, dict) else {}

    def _store(self, presets: dict[str, Any]) -> None:
        self.settings.setValue(self.key, json.dumps(presets, ensure_ascii=False, sort_keys=True))


def _type_name(code: str) -> str:
    kind = alarm_type_of(code)
    return kind.name_zh if kind else code


def _beijing(value: datetime | None) -> str:
    return value.astimezone(CST).strftime("%Y-%m-%d %H:%M") if value else ""
