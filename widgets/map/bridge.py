"""The one object the map page and Python share over ``QWebChannel`` (registered as
``bridge``).

Python → page: the signals ``positions`` (a batch, see :mod:`widgets.map.markers`) and
``command`` (a JSON ``{"op": ...}``); the page connects to both. Page → Python: the slots
``pageReady`` and ``vehicleClicked``, re-emitted as Python-side signals for the view.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

__all__ = ["MapBridge"]


class MapBridge(QObject):
    positions = Signal(str)
    command = Signal(str)

    page_ready = Signal()
    vehicle_clicked = Signal(str)

    # camelCase: these names are what the page's JavaScript calls.
    @Slot()
    def pageReady(self) -> None:
        self.page_ready.emit()

    @Slot(str)
    def vehicleClicked(self, vehicle_id: str) -> None:
        self.vehicle_clicked.emit(vehicle_id)
