"""Server-Sent Events parsing, sans-I/O: bytes in, :class:`StreamEvent` values out.

Follows the WHATWG event-stream rules that matter here: lines end in LF, CRLF or CR;
``id``, ``event``, ``data`` (joined with LF when repeated) and ``retry`` fields; comment
lines start with ``:``; an event is dispatched at a blank line; an event with no data is
not dispatched, but its ``id`` still moves the last event id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One event of the platform's live stream: its id, kind (``positions``, ``alarm``,
    ...; ``reset`` when the stream cannot resume) and JSON payload."""

    id: int | None
    kind: str
    data: Any


class SSEParser:
    MAX_LINE = 8 * 1024 * 1024  # one positions batch of a big fleet fits; a runaway does not

    def __init__(self) -> None:
        self._buffer = b""
        self._after_cr = False
        self._data: list[str] = []
        self._kind = ""
        self._id: str | None = None
        self.last_event_id: str | None = None
        self.retry_ms: int | None = None

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        if self._after_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]  # the LF of a CRLF split between two chunks
        self._after_cr = False
        self._buffer += chunk
        events: list[StreamEvent] = []
        while True:
            cut = _line_end(self._buffer)
            if cut is None:
                if len(self._buffer) > self.MAX_LINE:
                    raise ValueError(f"event-stream line longer than {self.MAX_LINE} bytes")
                return events
            end, skip = cut
            if skip == 1 and self._buffer[end : end + 1] == b"\r" and end + 1 == len(self._buffer):
                self._after_cr = True
            line = self._buffer[:end].decode("utf-8", errors="replace")
            self._buffer = self._buffer[end + skip :]
            event = self._line(line)
            if event is not None:
                events.append(event)

    def _line(self, line: str) -> StreamEvent | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._kind = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self.retry_ms = int(value)
        return None

    def _dispatch(self) -> StreamEvent | None:
        if self._id is not None:
            self.last_event_id = self._id
        data, kind, ident = self._data, self._kind or "message", self._id
        self._data, self._kind, self._id = [], "", None
        if not data:
            return None
        text = "\n".join(data)
        try:
            payload: Any = json.loads(text)
        except ValueError:
            payload = text
        number = int(ident) if ident is not None and ident.isdigit() else None
        return StreamEvent(number, kind, payload)


def _line_end(buffer: bytes) -> tuple[int, int] | None:
    """Where the first line ends and how many bytes its end takes, or None."""
    lf, cr = buffer.find(b"\n"), buffer.find(b"\r")
    if cr == -1 and lf == -1:
        return None
    if cr == -1 or (lf != -1 and lf < cr):
        return lf, 1
    return (cr, 2) if buffer[cr + 1 : cr + 2] == b"\n" else (cr, 1)
