"""The live map widget: Leaflet in a QWebEngineView, fed over one QWebChannel bridge.

Python holds the truth (latest marker per vehicle, trails, followed vehicle); the page is a
projection of it. Whatever is pushed before the page is ready is kept and sent when the page
says ready, and sent again if the page ever has to be reloaded (e.g. its renderer process
died), so callers never need to know the page's state.

Positions go to the page as one JSON batch per :meth:`MapView.push_positions` call (see
:mod:`widgets.map.markers`), never one JavaScript call per vehicle. The page converts
WGS-84 to GCJ-02 itself when the base map needs it (``truckwatch-map.js``, a port of
:mod:`console.domain.geo`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from widgets.map.basemaps import BaseMap, openstreetmap
from widgets.map.bridge import MapBridge
from widgets.map.markers import BatchEncoder, Marker
from widgets.map.page import build_page_html, page_base_url

__all__ = ["MapView"]

log = logging.getLogger(__name__)
_vehicle_id = attrgetter("vehicle_id")
js_log = logging.getLogger("widgets.map.js")

_Level = QWebEnginePage.JavaScriptConsoleMessageLevel
_LEVELS = {
    _Level.InfoMessageLevel: ("info", logging.INFO),
    _Level.WarningMessageLevel: ("warning", logging.WARNING),
    _Level.ErrorMessageLevel: ("error", logging.ERROR),
}


class _MapPage(QWebEnginePage):
    """Routes the page's console to Python logging and keeps the map from navigating away."""

    console_message = Signal(str, str)  # level, text

    def javaScriptConsoleMessage(
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        name, py_level = _LEVELS.get(level, ("info", logging.INFO))
        where = QUrl(source).fileName() if source else ""
        text = f"{message} ({where}:{line})" if where else message
        js_log.log(py_level, "%s", text)
        self.console_message.emit(name, text)

    def acceptNavigationRequest(
        self, url: QUrl, navigation_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        # Attribution links would otherwise replace the map with a web site.
        if navigation_type == QWebEnginePage.NavigationType.NavigationTypeLinkClicked:
            QDesktopServices.openUrl(url)
            return False
        return super().acceptNavigationRequest(url, navigation_type, is_main_frame)


class MapView(QWebEngineView):
    """The live map of vehicles. All positions given to it are WGS-84.

    ``ready`` is emitted whenever the page has loaded and connected its bridge (once after
    construction; again only if the page had to be reloaded), after everything pushed so far
    has been sent to it.
    """

    ready = Signal()
    vehicle_clicked = Signal(str)  # vehicle_id
    js_message = Signal(str, str)  # level ("info" | "warning" | "error"), text

    def __init__(self, parent: QWidget | None = None, *, base_map: BaseMap | None = None) -> None:
        super().__init__(parent)
        self._base_map = base_map or openstreetmap()
        self._page_base_map = self._base_map  # what the loaded HTML was built with
        self._markers: dict[str, Marker] = {}
        self._encoder = BatchEncoder()  # the page's slots for vehicles
        self._trails: dict[str, list[list[float]]] = {}
        self._followed: str | None = None
        self._queued: list[str] = []  # one-shot commands (centre, fit) waiting for ready
        self._is_ready = False

        page = _MapPage(self)
        settings = page.settings()
        # The page has a file: origin (vendored assets, offline tiles) and loads remote tiles.
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
        self._bridge = MapBridge(self)
        channel = QWebChannel(page)
        channel.registerObject("bridge", self._bridge)
        page.setWebChannel(channel)
        page.console_message.connect(self.js_message)
        page.loadFinished.connect(self._on_load_finished)
        page.renderProcessTerminated.connect(self._on_render_process_terminated)
        self._bridge.page_ready.connect(self._on_page_ready)
        self._bridge.vehicle_clicked.connect(self.vehicle_clicked)
        self.setPage(page)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)  # no Back/Reload menu
        self._load()

    # ---- public API ---------------------------------------------------------------------------
    def push_positions(self, markers: Sequence[Marker]) -> None:
        """Add or move vehicles (one bridge call for the whole batch)."""
        if not markers:
            return
        self._markers.update(zip(map(_vehicle_id, markers), markers, strict=True))
        if self._is_ready:
            self._bridge.positions.emit(self._encoder.encode(markers))

    def remove_vehicles(self, vehicle_ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(v for v in vehicle_ids if v in self._markers))
        if not ids:
            return
        for vehicle_id in ids:
            del self._markers[vehicle_id]
            self._trails.pop(vehicle_id, None)
        self._encoder.remove(ids)
        if self._followed in ids:
            self._followed = None
        self._send({"op": "remove", "ids": ids}, restored_on_ready=True)

    def clear(self) -> None:
        self._markers.clear()
        self._encoder.reset()
        self._trails.clear()
        self._followed = None
        self._queued.clear()
        self._send({"op": "clear"}, restored_on_ready=True)

    def centre_on(self, vehicle_id: str, zoom: int | None = None) -> None:
        self._send({"op": "centre", "id": vehicle_id, "zoom": zoom})

    def follow(self, vehicle_id: str | None) -> None:
        """Keep ``vehicle_id`` in the centre as its positions arrive; ``None`` stops."""
        self._followed = vehicle_id
        self._send({"op": "follow", "id": vehicle_id}, restored_on_ready=True)

    def show_trail(self, vehicle_id: str, points: Sequence[tuple[float, float]]) -> None:
        """Draw a vehicle's track, WGS-84 ``(lat, lon)`` points; an empty list removes it."""
        pts = [[float(lat), float(lon)] for lat, lon in points]
        if pts:
            self._trails[vehicle_id] = pts
        else:
            self._trails.pop(vehicle_id, None)
        self._send({"op": "trail", "id": vehicle_id, "points": pts}, restored_on_ready=True)

    def fit_all(self) -> None:
        self._send({"op": "fit"})

    def set_base_map(self, base_map: BaseMap) -> None:
        """Switch tiles; markers stay, and are re-projected if the datum changes."""
        self._base_map = base_map
        self._send({"op": "baseMap", "spec": base_map.to_json()}, restored_on_ready=True)

    def marker_count(self, callback: Callable[[int], None]) -> None:
        """Ask the page how many vehicle markers it holds (0 before the page is up)."""
        self.run_js(
            "window.truckwatch ? truckwatch.count() : 0",
            lambda value: callback(int(value or 0)),
        )

    def run_js(self, script: str, callback: Callable[[Any], None] | None = None) -> None:
        """Run JavaScript in the page; ``callback`` gets its (JSON-convertible) result."""
        if callback is None:
            self.page().runJavaScript(script)
        else:
            self.page().runJavaScript(script, 0, callback)

    # ---- page life ----------------------------------------------------------------------------
    def _load(self) -> None:
        self._is_ready = False
        self._page_base_map = self._base_map
        self.page().setHtml(build_page_html(self._base_map), QUrl(page_base_url()))

    def _send(self, command: dict[str, Any], *, restored_on_ready: bool = False) -> None:
        if self._is_ready:
            self._bridge.command.emit(json.dumps(command, ensure_ascii=False))
        elif not restored_on_ready:
            # State-like commands are rebuilt from Python's state on ready; the rest wait.
            self._queued.append(json.dumps(command, ensure_ascii=False))

    def _on_page_ready(self) -> None:
        self._is_ready = True
        self._encoder.reset()  # a (re)loaded page holds no vehicles
        if self._base_map != self._page_base_map:
            self._send({"op": "baseMap", "spec": self._base_map.to_json()})
            self._page_base_map = self._base_map
        if self._markers:
            self._bridge.positions.emit(self._encoder.encode(list(self._markers.values())))
        for vehicle_id, points in self._trails.items():
            self._send({"op": "trail", "id": vehicle_id, "points": points})
        if self._followed is not None:
            self._send({"op": "follow", "id": self._followed})
        queued, self._queued = self._queued, []
        for text in queued:
            self._bridge.command.emit(text)
        log.debug("map page ready with %d vehicles", len(self._markers))
        self.ready.emit()

    def _on_load_finished(self, ok: bool) -> None:
        if not ok:
            log.error("the map page failed to load")

    def _on_render_process_terminated(
        self, status: QWebEnginePage.RenderProcessTerminationStatus, exit_code: int
    ) -> None:
        log.warning("map renderer process ended (%s, exit code %d); reloading", status, exit_code)
        self._load()
