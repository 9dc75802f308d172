"""The vehicle tree panel: plate search (type-ahead), "online only", and the tree.

Selecting a vehicle emits :attr:`VehicleTree.vehicle_selected`; the main window centres the
map and fills the detail card.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from widgets.vehicle_tree_model import Roles, VehicleTreeModel


class VehicleFilter(QSortFilterProxyModel):
    """Vehicles whose plate contains the search text (case-insensitive, 粤 optional) and,
    with ``online_only``, that are online; groups stay while a vehicle in them matches."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.text = ""
        self.online_only = False

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.text = text.strip().upper()
        self.endFilterChange()

    def set_online_only(self, online_only: bool) -> None:
        self.beginFilterChange()
        self.online_only = online_only
        self.endFilterChange()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        index = self.sourceModel().index(source_row, 0, source_parent)
        if index.data(Roles.KIND) != "vehicle":
            # A group is shown through its vehicles (recursive filtering), or on its own
            # when nothing filters.
            return not self.text and not self.online_only
        if self.online_only and not index.data(Roles.ONLINE):
            return False
        return not self.text or self.text in (index.data(Roles.PLATE) or "").upper()


class VehicleTree(QWidget):
    vehicle_selected = Signal(str)  # vehicle id

    def __init__(self, model: VehicleTreeModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = VehicleFilter(self)
        self.proxy.setSourceModel(model)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("搜索车牌…"))
        self.search.setClearButtonEnabled(True)
        self.plates = QStringListModel(self)
        completer = QCompleter(self.plates, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self.select_plate)
        self.search.setCompleter(completer)
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(lambda: self.select_plate(self.search.text()))

        self.online_only = QCheckBox(self.tr("仅在线"), self)
        self.online_only.toggled.connect(self.proxy.set_online_only)

        self.view = QTreeView(self)
        self.view.setModel(self.proxy)
        self.view.setHeaderHidden(True)
        self.view.setUniformRowHeights(True)
        self.view.setAnimated(False)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.activated.connect(self._current_changed)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.online_only)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        model.modelReset.connect(self._reloaded)

    def _reloaded(self) -> None:
        self.plates.setStringList(sorted(v.plate for v in self.model.vehicles.values()))
        self.view.expandToDepth(0)

    def _search_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        if text.strip():
            self.view.expandAll()

    def select_plate(self, plate: str) -> bool:
        """Select the vehicle with this plate (exact, else the only one containing it)."""
        wanted = plate.strip().upper()
        if not wanted:
            return False
        matches = [v for v in self.model.vehicles.values() if wanted in v.plate.upper()]
        exact = [v for v in matches if v.plate.upper() == wanted]
        chosen = exact or (matches if len(matches) == 1 else [])
        if not chosen:
            return False
        self.select_vehicle(chosen[0].id)
        return True

    def select_vehicle(self, vehicle_id: str) -> None:
        source = self.model.index_of(vehicle_id)
        index = self.proxy.mapFromSource(source)
        if not index.isValid():  # filtered out: show it anyway
            self.search.clear()
            self.online_only.setChecked(False)
            index = self.proxy.mapFromSource(source)
        self.view.scrollTo(index)
        self.view.setCurrentIndex(index)

    def _current_changed(self, index: QModelIndex) -> None:
        if index.isValid() and index.data(Roles.KIND) == "vehicle":
            self.vehicle_selected.emit(index.data(Roles.ID))
