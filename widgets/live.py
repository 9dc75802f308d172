"""The live event stream on a worker thread, as Qt signals on the UI thread.

:class:`LiveFeed` owns one :class:`console.client.EventStream`; events and connection states
arrive through queued signals, so handlers run on the UI thread and may touch widgets.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from console.client import EventStream, PlatformClient, StreamEvent, StreamState


class LiveFeed(QObject):
    event = Signal(object)  # StreamEvent
    state_changed = Signal(str, str)  # StreamState value, detail for people

    def __init__(self, client: PlatformClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.state = StreamState.STOPPED
        self.stream: EventStream | None = None
        self.thread: threading.Thread | None = None
        self.state_changed.connect(self._remember_state)

    def start(self, last_event_id: int | None = None) -> None:
        if self.thread is not None and self.thread.is_alive():
            return
        self.stream = EventStream(
            self.client, self.event.emit, self._emit_state, last_event_id=last_event_id
        )
        self.thread = threading.Thread(target=self.stream.run, name="event-stream", daemon=True)
        self.thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        if self.stream is not None:
            self.stream.stop()
        if self.thread is not None:
            self.thread.join(timeout_s)
        self.thread = None

    @property
    def last_event_id(self) -> int | None:
        return self.stream.last_event_id if self.stream is not None else None

    def _emit_state(self, state: StreamState, detail: str) -> None:
        self.state_changed.emit(state.value, detail)

    def _remember_state(self, state: str, detail: str) -> None:
        self.state = StreamState(state)


__all__ = ["LiveFeed", "StreamEvent"]
