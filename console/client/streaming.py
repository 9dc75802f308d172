"""A streaming response that another thread may cut short: what the event stream and live
video share. ``requests`` has no way to interrupt a blocked read, so :meth:`Interruptible.stop`
shuts the socket under the response down; the reading thread's ``recv`` returns at once."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

import requests


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
