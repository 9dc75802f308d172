"""The live event stream inside one platform process.

Stored events are the truth (table ``events``); the bus only wakes up the live readers
after a commit. A reader (an SSE response) keeps the last id it delivered and, when woken,
reads what is newer from the store, filtered by its scope. A reader that was away (a
reconnecting console) does the same from its Last-Event-ID, so nothing is missed.
Publishing is thread-safe: ingest commits on a worker thread.
"""

from __future__ import annotations

import asyncio
import threading


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.last_id = 0

    def published(self, last_id: int) -> None:
        """Events up to ``last_id`` are committed: wake every reader."""
        with self._lock:
            if last_id > self.last_id:
                self.last_id = last_id
            waiters = list(self._waiters)
        for loop, flag in waiters:
            try:
                loop.call_soon_threadsafe(flag.set)
            except RuntimeError:  # that reader's loop is gone
                self._discard(loop, flag)

    async def wait(self, after: int, timeout: float) -> bool:
        """Wait until an event newer than ``after`` is committed, or ``timeout`` passes."""
        if self.last_id > after:
            return True
        flag = asyncio.Event()
        entry = (asyncio.get_running_loop(), flag)
        with self._lock:
            self._waiters.add(entry)
        try:
            if self.last_id > after:
                return True
            try:
                await asyncio.wait_for(flag.wait(), timeout)
            except TimeoutError:
                return False
            return True
        finally:
            self._discard(*entry)

    def _discard(self, loop: asyncio.AbstractEventLoop, flag: asyncio.Event) -> None:
        with self._lock:
            self._waiters.discard((loop, flag))
