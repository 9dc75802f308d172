"""The vehicle tree's item model: county → enterprise → vehicle, with online/total counts
on every group and a status per vehicle (moving / stopped / offline / in alarm).

It holds what it is given and does no I/O: :meth:`VehicleTreeModel.load` takes the API's
vehicle tree, :meth:`apply_positions`, :meth:`set_online` and :meth:`note_alarm` take the
live events. Position batches of thousands of vehicles cost one ``dataChanged`` per
touched enterprise, not one per vehicle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from widgets.icons import status_icon
from widgets.map.markers import MarkerStatus

_ROOT = QModelIndex()  # the invisible root, as Qt's default argument
ALARM_HOLD_S = 180.0  # a vehicle shows "in alarm" this long after its last alarm event


class Roles:
    KIND = Qt.ItemDataRole.UserRole + 1  # "county" | "enterprise" | "vehicle"
    ID = Qt.ItemDataRole.UserRole + 2
    STATUS = Qt.ItemDataRole.UserRole + 3  # MarkerStatus of a vehicle
    ONLINE = Qt.ItemDataRole.UserRole + 4  # bool, or online count of a group
    PLATE = Qt.ItemDataRole.UserRole + 5


@dataclass(eq=False)
class VehicleItem:
    """One vehicle as the console knows it: registry data + its latest live state."""

    id: str
    plate: str
    county_id: str
    county_name: str
    enterprise_id: str
    enterprise_name: str
    driver_name: str = ""
    speed_limit_kmh: int = 0
    terminal: dict[str, Any] | None = None
    online: bool = False
    moving: bool = False
    lat: float | None = None
    lon: float | None = None
    speed_kmh: float | None = None
    direction: int | None = None
    time: str | None = None  # of the last position, ISO 8601
    alarm_flags: int = 0
    alarm_until: float = 0.0  # monotonic seconds
    parent: GroupItem | None = None
    row: int = 0  # under its parent; rows never move after a load

    def status(self, now: float) -> MarkerStatus:
        if not self.online:
            return MarkerStatus.OFFLINE
        if self.alarm_flags or self.alarm_until > now:
            return MarkerStatus.ALARM
        return MarkerStatus.MOVING if self.moving else MarkerStatus.STOPPED

    @classmethod
    def of(cls, v: dict[str, Any]) -> VehicleItem:
        """From the API's vehicle (``VehicleOut``)."""
        state = v.get("state") or {}
        return cls(
            id=v["id"],
            plate=v["plate"],
            county_id=v["county_id"],
            county_name=v["county_name"],
            enterprise_id=v["enterprise_id"],
            enterprise_name=v["enterprise_name"],
            driver_name=v.get("driver_name") or "",
            speed_limit_kmh=v.get("speed_limit_kmh") or 0,
            terminal=v.get("terminal"),
            online=v.get("status", "offline") != "offline",
            moving=v.get("status") == "moving",
            lat=state.get("lat"),
            lon=state.get("lon"),
            speed_kmh=state.get("speed_kmh"),
            direction=state.get("direction"),
            time=_iso(state.get("time")),
            alarm_flags=state.get("alarm_flags") or 0,
        )


@dataclass(eq=False)
class GroupItem:
    """A county or an enterprise."""

    kind: str
    id: str
    name: str
    children: list[Any] = field(default_factory=list)
    parent: GroupItem | None = None
    row: int = 0

    def vehicles(self) -> list[VehicleItem]:
        if self.kind == "enterprise":
            return self.children
        return [v for e in self.children for v in e.children]

    def counts(self) -> tuple[int, int]:
        vehicles = self.vehicles()
        return sum(v.online for v in vehicles), len(vehicles)


class VehicleTreeModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None, *, clock: Any = None) -> None:
        super().__init__(parent)
        import time

        self.clock = clock or time.monotonic
        self.counties: list[GroupItem] = []
        self.vehicles: dict[str, VehicleItem] = {}
        self.online = 0
        self.total = 0

    # --- feeding ----------------------------------------------------------------------------
    def load(self, tree: dict[str, Any]) -> None:
        """Replace everything with the API's vehicle tree (``GET /vehicles?tree=1``)."""
        self.beginResetModel()
        self.counties = []
        self.vehicles = {}
        for c in tree.get("counties", []):
            county = GroupItem("county", c["id"], c["name"], row=len(self.counties))
            for e in c.get("enterprises", []):
                enterprise = GroupItem(
                    "enterprise", e["id"], e["name"], parent=county, row=len(county.children)
                )
                for v in e.get("vehicles", []):
                    item = VehicleItem.of(v)
                    item.parent, item.row = enterprise, len(enterprise.children)
                    enterprise.children.append(item)
                    self.vehicles[item.id] = item
                county.children.append(enterprise)
            self.counties.append(county)
        self._recount()
        self.endResetModel()

    def apply_positions(self, positions: list[dict[str, Any]]) -> list[VehicleItem]:
        """A ``positions`` event: update the vehicles named; returns those it knew."""
        touched: list[VehicleItem] = []
        for p in positions:
            item = self.vehicles.get(p.get("vehicle_id", ""))
            if item is None:
                continue
            item.online = True
            item.lat, item.lon = p.get("lat"), p.get("lon")
            item.speed_kmh = p.get("speed_kmh")
            item.direction = p.get("direction")
            item.time = p.get("time")
            item.moving = bool(p.get("moving"))
            item.alarm_flags = p.get("alarm_flags") or 0
            touched.append(item)
        self._changed(touched)
        return touched

    def set_online(self, vehicle_id: str, online: bool) -> VehicleItem | None:
        item = self.vehicles.get(vehicle_id)
        if item is not None and item.online != online:
            item.online = online
            if not online:
                item.moving = False
            self._changed([item])
        return item

    def note_alarm(self, vehicle_id: str) -> VehicleItem | None:
        """A new alarm of this vehicle: it shows "in alarm" for a while."""
        item = self.vehicles.get(vehicle_id)
        if item is not None:
            item.alarm_until = self.clock() + ALARM_HOLD_S
            self._changed([item])
        return item

    def refresh_alarm_states(self) -> None:
        """Let "in alarm" expire (called by a timer)."""
        now = self.clock()
        expired = [v for v in self.vehicles.values() if 0 < v.alarm_until <= now]
        for v in expired:
            v.alarm_until = 0.0
        self._changed(expired)

    # --- lookup -----------------------------------------------------------------------------
    def index_of(self, vehicle_id: str) -> QModelIndex:
        item = self.vehicles.get(vehicle_id)
        if item is None or item.parent is None:
            return QModelIndex()
        return self.createIndex(item.row, 0, item)

    def item(self, index: QModelIndex | QPersistentModelIndex) -> Any:
        return index.internalPointer() if index.isValid() else None

    def status_counts(self) -> dict[MarkerStatus, int]:
        now = self.clock()
        counts = dict.fromkeys(MarkerStatus, 0)
        for v in self.vehicles.values():
            counts[v.status(now)] += 1
        return counts

    # --- Qt model ---------------------------------------------------------------------------
    def index(
        self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = _ROOT
    ) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        children = self._children(parent)
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, 0, children[row])

    def parent(self, index: QModelIndex | QPersistentModelIndex = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        up = index.internalPointer().parent
        if up is None:
            return QModelIndex()
        return self.createIndex(up.row, 0, up)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(parent))

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        node = index.internalPointer()
        if isinstance(node, VehicleItem):
            return self._vehicle_data(node, role)
        return self._group_data(node, role)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr("车辆")
        return None

    # --- internals --------------------------------------------------------------------------
    def _children(self, parent: QModelIndex | QPersistentModelIndex) -> list[Any]:
        if not parent.isValid():
            return self.counties
        node = parent.internalPointer()
        return node.children if isinstance(node, GroupItem) else []

    def _vehicle_data(self, v: VehicleItem, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return v.plate
        status = v.status(self.clock())
        if role == Qt.ItemDataRole.DecorationRole:
            return status_icon(status.value)
        if role == Qt.ItemDataRole.ToolTipRole:
            speed = f"{v.speed_kmh:.0f} km/h" if v.speed_kmh is not None else "—"
            return f"{v.plate} · {v.enterprise_name} · {_STATUS_ZH[status]} · {speed}"
        if role == Roles.KIND:
            return "vehicle"
        if role == Roles.ID:
            return v.id
        if role == Roles.STATUS:
            return status.value
        if role == Roles.ONLINE:
            return v.online
        if role == Roles.PLATE:
            return v.plate
        return None

    def _group_data(self, g: GroupItem, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            online, total = g.counts()
            return f"{g.name}  ({online}/{total})"
        if role == Qt.ItemDataRole.ToolTipRole:
            online, total = g.counts()
            return self.tr("{name}：在线 {online} / 共 {total} 辆").format(
                name=g.name, online=online, total=total
            )
        if role == Roles.KIND:
            return g.kind
        if role == Roles.ID:
            return g.id
        if role == Roles.ONLINE:
            return g.counts()[0]
        return None

    def _recount(self) -> None:
        self.total = len(self.vehicles)
        self.online = sum(v.online for v in self.vehicles.values())

    def _changed(self, items: list[VehicleItem]) -> None:
        """One dataChanged per enterprise touched (its vehicle rows), and the groups above
        it for their counts."""
        if not items:
            return
        self._recount()
        by_enterprise: dict[int, tuple[GroupItem, list[int]]] = {}
        for v in items:
            enterprise = v.parent
            if enterprise is None:
                continue
            rows = by_enterprise.setdefault(id(enterprise), (enterprise, []))[1]
            rows.append(v.row)
        counties: dict[int, GroupItem] = {}
        for enterprise, rows in by_enterprise.values():
            self.dataChanged.emit(
                self.createIndex(min(rows), 0, enterprise.children[min(rows)]),
                self.createIndex(max(rows), 0, enterprise.children[max(rows)]),
            )
            county = enterprise.parent
            assert county is not None
            here = self.createIndex(enterprise.row, 0, enterprise)
            self.dataChanged.emit(here, here)
            counties[id(county)] = county
        for county in counties.values():
            here = self.createIndex(county.row, 0, county)
            self.dataChanged.emit(here, here)


_STATUS_ZH = {
    MarkerStatus.MOVING: "行驶",
    MarkerStatus.STOPPED: "停车",
    MarkerStatus.OFFLINE: "离线",
    MarkerStatus.ALARM: "报警",
}


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else datetime.isoformat(value)
