"""Status icons drawn in code (crisp at any scale, nothing to ship): a coloured disc per
vehicle status, the same colours as the map's markers."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF

#: status → colour, shared with the map page (resources/map/truckwatch-map.js).
STATUS_COLOURS = {
    "moving": "#1f9d55",
    "stopped": "#2563eb",
    "offline": "#8b939c",
    "alarm": "#dc2626",
}


@cache
def status_icon(status: str, size: int = 32) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(STATUS_COLOURS.get(status, "#9aa0a6"))
    painter.setPen(QPen(colour.darker(130), size / 16))
    painter.setBrush(colour)
    margin = size * 0.12
    painter.drawEllipse(QPointF(size / 2, size / 2), size / 2 - margin, size / 2 - margin)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("white"))
    c = size / 2
    if status == "moving":  # an arrow: on the road
        painter.drawPolygon(
            QPolygonF(
                [
                    QPointF(c, c - size * 0.24),
                    QPointF(c + size * 0.17, c + size * 0.18),
                    QPointF(c, c + size * 0.08),
                    QPointF(c - size * 0.17, c + size * 0.18),
                ]
            )
        )
    elif status == "stopped":  # a square: standing
        s = size * 0.15
        painter.drawRect(int(c - s), int(c - s), int(2 * s), int(2 * s))
    elif status == "alarm":  # an exclamation mark
        painter.drawRect(
            int(c - size * 0.05), int(c - size * 0.24), int(size * 0.1), int(size * 0.3)
        )
        painter.drawEllipse(QPointF(c, c + size * 0.18), size * 0.06, size * 0.06)
    painter.end()
    return QIcon(pixmap)
