"""JT/T 808 framing (§4.4): 0x7E delimiters, 0x7D escapes, the XOR check code.

:class:`FrameDecoder` is the stream side: feed it whatever TCP delivered (one
byte, many frames, garbage in between) and it returns the complete frames and
the errors it met, as values. Its buffer is bounded, so a peer that never sends
a closing 0x7E costs at most ``max_frame_size`` bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.protocol._fast import fast_constructor
from console.protocol.errors import (
    ChecksumError,
    EscapeError,
    FrameTooLongError,
    FramingError,
    GarbageError,
    RemoteProtocolError,
)
from console.protocol.jt808.header import Header, parse_header

FLAG = 0x7E
ESC = 0x7D
_FLAG_B = b"\x7e"
_ESC_B = b"\x7d"

#: A legal frame is at most 21 + 1023 + 1 bytes before escaping, 2x that after.
DEFAULT_MAX_FRAME_SIZE = 4096

_FOLDS: dict[int, tuple[int, ...]] = {}


def checksum(data: bytes) -> int:
    """XOR of all bytes, computed as one big integer folded onto itself.

    Folding by halves of a power-of-two width leaves garbage only in the half that the
    next fold discards, so no masking is needed; this runs about twice as fast as a loop
    over the bytes, and the check code is computed for every frame.
    """
    x = int.from_bytes(data, "little")
    shifts = _FOLDS.get(len(data))
    if shifts is None:
        width, steps = 1, []
        while width < len(data):
            width <<= 1
        while width > 1:
            width >>= 1
            steps.append(8 * width)
        shifts = _FOLDS[len(data)] = tuple(steps)
    for shift in shifts:
        x ^= x >> shift
    return x & 0xFF


def escape(data: bytes) -> bytes:
    if b"\x7d" in data:
        data = data.replace(b"\x7d", b"\x7d\x01")
    if b"\x7e" in data:
        data = data.replace(b"\x7e", b"\x7d\x02")
    return data


def unescape(data: bytes, offset: int = 0) -> bytes:
    """Undo escaping; 0x7D must be followed by 0x01 or 0x02."""
    if _ESC_B not in data:
        return data
    pairs = data.count(b"\x7d\x01") + data.count(b"\x7d\x02")
    if data.count(_ESC_B) != pairs:
        at = next(
            i
            for i in range(len(data))
            if data[i] == ESC and data[i + 1 : i + 2] not in (b"\x01", b"\x02")
        )
        raise EscapeError(
            f"0x7D followed by {data[at + 1 : at + 2].hex() or 'end of frame'}", offset + at
        )
    return data.replace(b"\x7d\x02", b"\x7e").replace(b"\x7d\x01", b"\x7d")


@dataclass(frozen=True, slots=True)
class Frame:
    """One delimited frame: its header, the (possibly partial) body, and how it looked."""

    header: Header
    body: bytes
    checksum_ok: bool = True
    escaped: bool = False  # the wire form contained 0x7D escapes
    declared_body_length: int | None = None  # when it differs from len(body) (lenient mode)

    @property
    def body_length(self) -> int:
        return len(self.body) if self.declared_body_length is None else self.declared_body_length


def decode_frame(wire: bytes, *, lenient: bool = False, offset: int = 0) -> Frame:
    """Decode one frame given with or without its 0x7E delimiters.

    Strict mode rejects a wrong check code and a raw 0x7E inside the frame.
    Lenient mode accepts both (captures that were already de-escaped, devices
    with broken check codes) and a body length that disagrees with the header;
    what it accepted stays visible on the returned :class:`Frame`.
    """
    if wire[0:1] == _FLAG_B:
        wire, offset = wire[1:-1] if wire[-1:] == _FLAG_B else wire[1:], offset + 1
    elif wire[-1:] == _FLAG_B:
        wire = wire[:-1]
    escaped = _ESC_B in wire
    content = unescape(wire, offset) if escaped else wire
    header, body_start, declared = parse_header(content, lenient=lenient)
    body = content[body_start:-1]
    ok = checksum(content) == 0  # the check code XORed with what it covers gives zero
    if not ok and not lenient:
        expected = checksum(content[:-1])
        raise ChecksumError(
            f"check code is 0x{content[-1]:02x}, header and body give 0x{expected:02x}",
            offset + len(wire) - 1,
        )
    if _FLAG_B in wire and not lenient:
        # Checked after the check code: a capture that was de-escaped by a tool fails both,
        # and the check code is the more telling of the two.
        raise FramingError("raw 0x7E inside a frame", offset + wire.index(_FLAG_B))
    return _make_frame(header, body, ok, escaped, declared if declared != len(body) else None)


_make_frame = fast_constructor(Frame)


def encode_frame(header: Header, body: bytes) -> bytes:
    content = header.encode(len(body)) + body
    content += bytes((checksum(content),))
    return b"\x7e" + escape(content) + b"\x7e"


class FrameDecoder:
    """Splits a byte stream into frames; errors come back as values, the stream goes on."""

    def __init__(
        self, *, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE, lenient: bool = False
    ) -> None:
        self.max_frame_size = max_frame_size
        self.lenient = lenient
        self._buf = bytearray()
        self._in_frame = False
        self._discarding = False  # inside an over-long frame, waiting for the next 0x7E
        self._frame_start = 0
        self._position = 0  # stream offset of the next byte fed
        self._garbage_start: int | None = None
        self._garbage = 0

    @property
    def buffered(self) -> int:
        """Bytes held for an unfinished frame (bounded by ``max_frame_size``)."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame | RemoteProtocolError]:
        out: list[Frame | RemoteProtocolError] = []
        i, n = 0, len(data)
        base = self._position
        while i < n:
            j = data.find(_FLAG_B, i)
            end = n if j < 0 else j
            if end > i:
                self._take(data, i, end, base, out)
            if j < 0:
                break
            self._delimiter(base + j, out)
            i = j + 1
        self._position = base + n
        return out

    def _take(self, data: bytes, i: int, end: int, base: int, out: list) -> None:
        if not self._in_frame:
            if self._garbage_start is None:
                self._garbage_start = base + i
            self._garbage += end - i
            return
        if self._discarding:
            return
        self._buf += data[i:end]
        if len(self._buf) > self.max_frame_size:
            out.append(
                FrameTooLongError(
                    f"no closing 0x7E within {self.max_frame_size} bytes; "
                    "discarding up to the next one",
                    self._frame_start,
                )
            )
            self._buf.clear()
            self._discarding = True

    def _delimiter(self, at: int, out: list) -> None:
        if self._garbage:
            out.append(
                GarbageError(
                    f"skipped {self._garbage} byte(s) outside a frame", self._garbage_start
                )
            )
            self._garbage, self._garbage_start = 0, None
        if self._in_frame and (self._buf or self._discarding):
            if not self._discarding:
                wire = bytes(self._buf)
                try:
                    out.append(
                        decode_frame(wire, lenient=self.lenient, offset=self._frame_start + 1)
                    )
                except RemoteProtocolError as exc:
                    exc.frame = wire  # keep the bytes for a hex excerpt in the log
                    out.append(exc)
            self._buf.clear()
            self._discarding = False
            self._in_frame = False
            return
        # An opening flag (or 7E 7E: the second one opens the next frame).
        self._in_frame = True
        self._frame_start = at
