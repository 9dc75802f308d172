"""A grid of live video panes (1, 4, 9 or 16), one focused, any one maximised.

``open`` puts a stream in the first free visible pane, else in the focused one (replacing
what it showed); a vehicle channel already on the wall is focused instead of opened twice.
Panes hidden by a smaller layout stop their streams: nobody sees them, and every stream
costs the terminal's uplink and a decoder here.

Sound follows the focus: only the focused pane plays its channel's audio (unless it is
muted), so focusing another pane moves the audio there (``widgets/video_pane.py``).
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.client.api import PlatformClient
from widgets.video_pane import VideoPane

LAYOUTS = (1, 4, 9, 16)


class VideoWall(QWidget):
    layout_changed = Signal(int)
    focus_changed = Signal(object)  # the focused VideoPane

    def __init__(self, client: PlatformClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.panes = [VideoPane(client, self) for _ in range(max(LAYOUTS))]
        self.pane_count = 4
        self.maximised: VideoPane | None = None
        self.focused: VideoPane | None = None
        for pane in self.panes:
            pane.maximise_requested.connect(self._on_maximise)
            pane.focus_requested.connect(self._on_focus)
            pane.close_requested.connect(self._on_close)
        self._build()
        self.set_layout(self.pane_count)
        self.focus(self.panes[0])

    def _build(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(QLabel(self.tr("画面："), self))
        self.layout_buttons = QButtonGroup(self)
        for n in LAYOUTS:
            button = QToolButton(self)
            button.setText(self.tr("{0} 画面").format(n))
            button.setCheckable(True)
            self.layout_buttons.addButton(button, n)
            bar.addWidget(button)
        self.layout_buttons.idClicked.connect(self.set_layout)
        bar.addStretch(1)
        self.close_all_button = QToolButton(self)
        self.close_all_button.setText(self.tr("全部关闭"))
        self.close_all_button.clicked.connect(self.close_all)
        bar.addWidget(self.close_all_button)
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(self.grid, 1)

    # --- layout ---------------------------------------------------------------------------
    @property
    def visible_panes(self) -> list[VideoPane]:
        return self.panes[: self.pane_count]

    @Slot(int)
    def set_layout(self, count: int) -> None:
        if count not in LAYOUTS:
            raise ValueError(f"layout of {count} panes: choose one of {LAYOUTS}")
        self.pane_count = count
        self.maximised = None
        for pane in self.panes[count:]:
            if not pane.free:
                pane.clear()
        if self.focused is not None and self.focused not in self.visible_panes:
            self.focus(self.panes[0])
        self.layout_buttons.button(count).setChecked(True)
        self._arrange()
        self.layout_changed.emit(count)

    def _arrange(self) -> None:
        for pane in self.panes:
            self.grid.removeWidget(pane)
            pane.hide()
        if self.maximised is not None:
            self.grid.addWidget(self.maximised, 0, 0)
            self.maximised.show()
            return
        side = math.isqrt(self.pane_count)
        for i, pane in enumerate(self.visible_panes):
            self.grid.addWidget(pane, i // side, i % side)
            pane.show()

    def maximise(self, pane: VideoPane | None) -> None:
        """Show ``pane`` alone (None: back to the grid)."""
        self.maximised = pane
        self._arrange()
        if pane is not None:
            self.focus(pane)

    # --- streams --------------------------------------------------------------------------
    def open(self, vehicle_id: str, plate: str, channel: int = 1) -> VideoPane:
        """Watch a vehicle channel in the next free pane (else the focused one)."""
        for pane in self.visible_panes:
            if pane.vehicle_id == vehicle_id and pane.channel == channel and pane.active:
                self.focus(pane)
                return pane
        pane = next((p for p in self.visible_panes if p.free), None)
        if pane is None:
            pane = self.focused or self.panes[0]
        pane.play(vehicle_id, plate, channel)
        self.focus(pane)
        return pane

    def close_pane(self, pane: VideoPane) -> None:
        if self.maximised is pane:
            self.maximise(None)
        pane.clear()

    @Slot()
    def close_all(self) -> None:
        """Stop every stream (the platform stops the terminals after its grace)."""
        if self.maximised is not None:
            self.maximise(None)
        for pane in self.panes:
            if not pane.free:
                pane.clear()

    def wait(self, timeout_s: float = 10.0) -> bool:
        """Join every pane's decoding thread (tests, shutdown)."""
        return all(pane.wait(timeout_s) for pane in self.panes)

    def focus(self, pane: VideoPane) -> None:
        """Focus ``pane``; its audio plays (unless muted) and every other pane goes silent."""
        if self.focused is pane:
            return
        # Silence the others first: never two panes' audio at once.
        for other in self.panes:
            if other is not pane:
                other.set_focused(False)
        pane.set_focused(True)
        self.focused = pane
        self.focus_changed.emit(pane)

    @property
    def audible(self) -> VideoPane | None:
        """The pane whose audio is being played (or, without a device, decoded)."""
        return next((p for p in self.panes if p.audio_active), None)

    # --- pane requests --------------------------------------------------------------------
    def _sender_pane(self) -> VideoPane | None:
        sender = self.sender()
        return sender if isinstance(sender, VideoPane) else None

    @Slot()
    def _on_maximise(self) -> None:
        pane = self._sender_pane()
        if pane is not None:
            self.maximise(None if self.maximised is pane else pane)

    @Slot()
    def _on_focus(self) -> None:
        pane = self._sender_pane()
        if pane is not None:
            self.focus(pane)

    @Slot()
    def _on_close(self) -> None:
        pane = self._sender_pane()
        if pane is not None:
            self.close_pane(pane)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_all()
        super().closeEvent(event)
