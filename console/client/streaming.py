"""A streaming response that another thread may cut short: what the event stream, live
video and live audio share. ``requests`` has no way to interrupt a blocked read, so
:meth:`Interruptible.stop` shuts the socket under the response down; the reading thread's
``recv`` returns at once. :class:`MeteredStream` adds the chunk loop and the figures
(chunks, bytes, bit rate over a window) that live video and audio report."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

from console.client.errors import ClientError

RATE_WINDOW_S = 2.0


class Interruptible:
    def __init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._response: requests.Response | None = None

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def response(self) -> requests.Response | None:
        return self._response

    def stop(self) -> None:
        """Safe from any thread: later reads and a read in progress end at once."""
        self._stop.set()
        with self._lock:
            response = self._response
        if response is not None:
            shutdown(response)

    def hold(self, response: requests.Response) -> None:
        """The response now being read; cut at once if stop() came while connecting."""
        with self._lock:
            self._response = response
        if self._stop.is_set():
            shutdown(response)

    def release(self) -> requests.Response | None:
        with self._lock:
            response, self._response = self._response, None
        return response

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, or less when stopped; True if stopped."""
        return self._stop.wait(seconds)


def shutdown(response: requests.Response) -> None:
    """Shut the socket under a streaming response: a blocked read returns at once."""
    raw: Any = response.raw
    sock = getattr(getattr(raw, "_connection", None), "sock", None)
    if sock is None:
        with contextlib.suppress(AttributeError):
            sock = raw._fp.fp.raw._sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


@dataclass(frozen=True, slots=True)
class StreamFigures:
    chunks: int
    bytes: int
    bitrate_bps: float
    chunks_per_s: float  # over the window: frames per second for a video stream


class MeteredStream:
    """One streaming response read on a worker thread, stoppable from any thread.

    ``lock`` also guards what the owner counts beside the chunks (decode time, the last
    frame), so one snapshot sees them together. ``end_reason`` is "stopped", "ended", or
    the code of what went wrong.
    """

    def __init__(self, error: type[ClientError]) -> None:
        self.error = error
        self.cut = Interruptible()
        self.lock = threading.Lock()
        self.end_reason: str | None = None
        self.chunks = 0
        self.bytes = 0
        self._window: deque[tuple[float, int]] = deque()

    @property
    def stopped(self) -> bool:
        return self.cut.stopped

    def read(self) -> Iterator[bytes]:
        """The chunks as they arrive, until the stream ends or :meth:`stop`; a broken
        stream raises ``error("stream_broken")``."""
        response = self.cut.response
        if response is None:
            raise RuntimeError("open() first")
        try:
            for chunk in response.iter_content(chunk_size=None):
                if self.cut.stopped:
                    break
                if not chunk:
                    continue
                now = time.monotonic()
                with self.lock:
                    self.chunks += 1
                    self.bytes += len(chunk)
                    self._window.append((now, len(chunk)))
                    self._trim(now)
                yield chunk
            else:
                self.end_reason = self.end_reason or "ended"
        except (requests.exceptions.RequestException, OSError, ValueError) as exc:
            if not self.cut.stopped:
                self.end_reason = "stream_broken"
                raise self.error("stream_broken", str(exc)) from exc
        finally:
            if self.cut.stopped:
                self.end_reason = "stopped"

    def stop(self) -> None:
        self.cut.stop()

    def close(self) -> None:
        self.stop()
        response = self.cut.release()
        if response is not None:
            with contextlib.suppress(Exception):
                response.close()

    def figures(self) -> StreamFigures:
        """Counts and rates now; call with :attr:`lock` held."""
        now = time.monotonic()
        self._trim(now)
        window = self._window
        span = min(RATE_WINDOW_S, now - window[0][0]) if len(window) > 1 else 0.0
        if span <= 0:
            return StreamFigures(self.chunks, self.bytes, 0.0, 0.0)
        sent = sum(n for _, n in list(window)[1:])
        return StreamFigures(self.chunks, self.bytes, 8 * sent / span, (len(window) - 1) / span)

    def _trim(self, now: float) -> None:
        horizon = now - RATE_WINDOW_S
        while self._window and self._window[0][0] < horizon:
            self._window.popleft()
