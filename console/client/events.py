"""The live event stream with reconnect and ``Last-Event-ID`` resume.

:class:`EventStream` runs on a worker thread (``run`` blocks until ``stop``): it opens
``GET /events``, hands every event to ``on_event`` and, when the connection drops, waits
(1 s, 2 s, 5 s, ... 30 s) and reconnects with the id of the last event it delivered, so the
platform replays what was missed. A ``reset`` event means the platform no longer holds
that far back: the caller reloads its state. A refused token ends the stream
(``StreamState.UNAUTHORIZED``): only a new login helps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

import requests

from console.client.api import PlatformClient
from console.client.errors import AuthFailure, ClientError
from console.client.sse import SSEParser, StreamEvent
from console.client.streaming import Interruptible

log = logging.getLogger(__name__)

BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0)
READ_TIMEOUT_S = 45.0  # the platform sends a keep-alive comment every 15 s


class StreamState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"  # dropped; waiting before the next attempt
    UNAUTHORIZED = "unauthorized"  # the token was refused: log in again
    STOPPED = "stopped"


class EventStream:
    def __init__(
        self,
        client: PlatformClient,
        on_event: Callable[[StreamEvent], None],
        on_state: Callable[[StreamState, str], None] = lambda state, detail: None,
        *,
        last_event_id: int | None = None,
        backoff_s: tuple[float, ...] = BACKOFF_S,
    ) -> None:
        self.client = client
        self.on_event = on_event
        self.on_state = on_state
        self.last_event_id = last_event_id
        self.backoff_s = backoff_s
        self.reconnects = 0
        self._cut = Interruptible()
        self._connected = False  # the current attempt got as far as an open stream

    def stop(self) -> None:
        """Ask ``run`` to return; unblocks a read in progress (safe from any thread)."""
        self._cut.stop()

    @property
    def stopped(self) -> bool:
        return self._cut.stopped

    def run(self) -> None:
        failures = 0
        while not self._cut.stopped:
            self.on_state(StreamState.CONNECTING, "")
            try:
                self._session()
                detail = "stream ended"
            except AuthFailure as exc:
                self.on_state(StreamState.UNAUTHORIZED, exc.describe())
                return
            except (ClientError, requests.exceptions.RequestException, ValueError) as exc:
                detail = exc.describe() if isinstance(exc, ClientError) else str(exc)
            if self._cut.stopped:
                break
            if self._connected:
                failures = 0
            delay = self.backoff_s[min(failures, len(self.backoff_s) - 1)]
            failures += 1
            self.reconnects += 1
            log.info("event stream dropped (%s); reconnecting in %.0f s", detail, delay)
            self.on_state(StreamState.RECONNECTING, detail)
            self._cut.wait(delay)
        self.on_state(StreamState.STOPPED, "")

    def _session(self) -> None:
        self._connected = False
        headers = {"Accept": "text/event-stream"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        response = self.client.request(
            "GET",
            "/events",
            headers=headers,
            stream=True,
            timeout_s=(self.client.timeout_s, READ_TIMEOUT_S),  # type: ignore[arg-type]
        )
        self._cut.hold(response)
        try:
            self._connected = True
            self.on_state(StreamState.CONNECTED, "")
            parser = SSEParser()
            for chunk in response.iter_content(chunk_size=None):
                for event in parser.feed(chunk):
                    self._deliver(event)
                if self._cut.stopped:
                    return
        finally:
            self._cut.release()
            response.close()

    def _deliver(self, event: StreamEvent) -> None:
        try:
            self.on_event(event)
        except Exception:  # one bad handler must not end the stream
            log.exception("event handler failed for %s %s", event.kind, event.id)
        if event.id is not None:
            self.last_event_id = event.id
