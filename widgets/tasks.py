"""Slow work off the UI thread: run a callable on the thread pool, get its result or its
error back on the UI thread through a signal.

Every call to the platform (``console.client`` is synchronous) goes through here, so the
window never freezes on a slow network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the UI thread; its signals carry the outcome back there."""

    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.work = work
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # handed to the caller's on_error, never lost
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


class Tasks(QObject):
    """Runs jobs on its own pool; ``wait`` lets tests and shutdown drain it."""

    def __init__(self, parent: QObject | None = None, *, threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relays: set[_Relay] = set()

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        relay = _Relay()
        self._relays.add(relay)

        @Slot(object)
        def done(result: Any) -> None:
            self._relays.discard(relay)
            if on_done is not None:
                on_done(result)

        @Slot(object)
        def failed(exc: BaseException) -> None:
            self._relays.discard(relay)
            if on_error is not None:
                on_error(exc)
            else:
                log.error("background task failed: %s", exc, exc_info=exc)

        relay.done.connect(done)
        relay.failed.connect(failed)
        self.pool.start(_Job(work, relay))

    def wait(self, timeout_ms: int = 30_000) -> bool:
        return self.pool.waitForDone(timeout_ms)

    @property
    def busy(self) -> bool:
        return bool(self._relays)
