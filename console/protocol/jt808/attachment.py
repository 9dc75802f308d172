"""Active-safety alarm attachments (报警附件): 苏标 T/JSATL 12-2017 §4.5-4.6 and
粤标 T/GDRTA 002-2020 §5.5-5.6.

The platform asks for the files of an alarm with 0x9208 on the JT/T 808 link; the
terminal then opens a TCP connection to the attachment server and sends, on that one
socket, 0x7E-framed JT/T 808 messages (0x1210 list, 0x1211 per file, 0x1212 when a file is
sent) interleaved with raw ``30 31 63 64`` data packets (no framing, no escaping). The
server answers 0x1212 with 0x9212, listing the byte ranges that must be sent again.

Here: the message bodies, the data packet, :class:`AttachmentStreamDecoder` that splits
that mixed byte stream (sans-I/O: bytes in, values out, bounded memory, never raises) and
:class:`ReceivedRanges` that tracks which bytes of a file arrived.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, NamedTuple, Self

from console.protocol.binary import Reader, Writer, display_text, gbk_decode
from console.protocol.errors import BodyError, StreamError
from console.protocol.jt808.alarm_ident import IDENT_SIZE, TERMINAL_ID_SIZE, AlarmIdentification
from console.protocol.jt808.message import (
    DEFAULT_CONTEXT,
    DecodeContext,
    Dialect,
    Message,
    register,
)
from console.protocol.jt808.video import code

ALARM_NO_SIZE = 32  # 报警编号 BYTE[32], assigned by the platform
RESERVED_9208_SIZE = 16


class InfoType(IntEnum):
    """0x1210 information type (信息类型)."""

    NORMAL = 0  # 正常报警文件信息
    REUPLOAD = 1  # 补传报警文件信息 (after a broken connection: only unfinished files)


class SubiaoFileType(IntEnum):
    """File type (文件类型) of 0x1211 / 0x1212 / 0x9212 in 苏标 ([JSATL] table 4-24)."""

    PICTURE = 0
    AUDIO = 1
    VIDEO = 2  # .h264
    TEXT = 3
    OTHER = 4


class YuebiaoFileType(IntEnum):
    """File type (文件类型) in 粤标 ([GDRTA] table 5-24): face pictures got their own code."""

    PICTURE = 0  # panorama picture
    AUDIO = 1
    VIDEO = 2  # .mp4
    TEXT = 3
    FACE_PICTURE = 4
    OTHER = 5


def file_type_code(value: int, dialect: Dialect) -> SubiaoFileType | YuebiaoFileType | int:
    """The file type in the terminal's dialect; the plain int when it is not documented.

    The byte alone cannot tell the dialect (4 is "other" in 苏标, "face picture" in 粤标),
    so the messages keep the int and the caller, who knows the terminal, interprets it.
    """
    return code(SubiaoFileType if dialect is Dialect.SUBIAO else YuebiaoFileType, value)


class UploadResult(IntEnum):
    """0x9212 upload result (上传结果)."""

    COMPLETE = 0
    RETRANSMIT = 1  # 需要补传: ``retransmit`` lists the ranges


class ByteRange(NamedTuple):
    """``(offset, length)`` of a piece of a file; equal to the plain tuple."""

    offset: int
    length: int

    @property
    def end(self) -> int:
        return self.offset + self.length


# --- 0x9208 ----------------------------------------------------------------------------------


@register
@dataclass(frozen=True, slots=True)
class AttachmentUploadRequest(Message):
    """0x9208 报警附件上传指令: tells the terminal where to upload an alarm's files.

    ``alarm_ident`` is echoed exactly as the terminal reported it (16 bytes 苏标, 40 粤标);
    ``alarm_no`` is the platform's unique number for the alarm (BYTE[32], NUL padded).
    """

    MESSAGE_ID = 0x9208
    ip: str
    tcp_port: int
    udp_port: int
    alarm_ident: AlarmIdentification
    alarm_no: str
    reserved: bytes = bytes(RESERVED_9208_SIZE)

    @property
    def dialect(self) -> Dialect:
        return self.alarm_ident.dialect

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x9208")
        ip = r.text_u8("attachment server IP")
        tcp_port = r.u16("TCP port")
        udp_port = r.u16("UDP port")
        # What follows is ident + alarm number + reserved, so its length names the dialect.
        # A length that fits one dialect wins over ctx.dialect: the per-terminal setting is
        # configuration and gets out of date, the bytes are what the sender actually wrote.
        sizes = {IDENT_SIZE[d] + ALARM_NO_SIZE + RESERVED_9208_SIZE: d for d in Dialect}
        dialect = sizes.get(r.remaining) or ctx.dialect or Dialect.SUBIAO
        ident = AlarmIdentification.read(r, dialect)
        value = cls(
            ip=ip,
            tcp_port=tcp_port,
            udp_port=udp_port,
            alarm_ident=ident,
            alarm_no=r.text(ALARM_NO_SIZE, "alarm number"),
            reserved=r.raw(RESERVED_9208_SIZE, "reserved"),
        )
        r.end()
        return value

    def encode(self) -> bytes:
        w = Writer("0x9208").text_u8(self.ip, "attachment server IP")
        w.u16(self.tcp_port, "TCP port").u16(self.udp_port, "UDP port")
        w.raw(self.alarm_ident.raw).text(self.alarm_no, ALARM_NO_SIZE, "alarm number")
        return w.raw(self.reserved, RESERVED_9208_SIZE, "reserved").getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "ip": display_text(self.ip),
            "tcp_port": self.tcp_port,
            "udp_port": self.udp_port,
            "alarm_ident": self.alarm_ident.to_json(),
            "alarm_no": display_text(self.alarm_no),
            "reserved_len": len(self.reserved),
        }


# --- 0x1210 ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttachmentFile:
    """One entry of the 0x1210 list: file name and size in bytes."""

    name: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"name": display_text(self.name), "size": self.size}


@register
@dataclass(frozen=True, slots=True)
class AlarmAttachmentInfo(Message):
    """0x1210 报警附件信息消息, the first message on the attachment connection.

    The terminal id is BYTE[7] in 苏标 and BYTE[30] in 粤标, matching the size of
    ``alarm_ident``; :attr:`dialect` follows the identification.
    """

    MESSAGE_ID = 0x1210
    terminal_id: str
    alarm_ident: AlarmIdentification
    alarm_no: str
    info_type: InfoType | int
    files: tuple[AttachmentFile, ...] = ()

    @property
    def dialect(self) -> Dialect:
        return self.alarm_ident.dialect

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        # Both layouts are tried; a layout fits when its file list ends exactly at the end of
        # the body. If only one fits it wins, even over ctx.dialect (the configured dialect
        # can be stale; the terminal's own bytes cannot). If both fit, ctx.dialect decides,
        # else 苏标 (by far the more common).
        preferred = ctx.dialect or Dialect.SUBIAO
        other = Dialect.YUEBIAO if preferred is Dialect.SUBIAO else Dialect.SUBIAO
        try:
            return cls._decode_as(body, preferred)
        except BodyError as first:
            try:
                return cls._decode_as(body, other)
            except BodyError as second:
                raise BodyError(
                    f"0x1210 fits neither layout: as {preferred}: {first.message}; "
                    f"as {other}: {second.message}",
                    first.offset,
                ) from None

    @classmethod
    def _decode_as(cls, body: bytes, dialect: Dialect) -> Self:
        r = Reader(body, f"0x1210 ({dialect})")
        terminal_id = r.text(TERMINAL_ID_SIZE[dialect], "terminal id")
        ident = AlarmIdentification.read(r, dialect)
        alarm_no = r.text(ALARM_NO_SIZE, "alarm number")
        info_type = code(InfoType, r.u8("info type"))
        count = r.u8("attachment count")
        files = tuple(
            AttachmentFile(r.text_u8(f"file {i + 1} name"), r.u32(f"file {i + 1} size"))
            for i in range(count)
        )
        r.end()
        return cls(terminal_id, ident, alarm_no, info_type, files)

    def encode(self) -> bytes:
        w = Writer("0x1210")
        w.text(self.terminal_id, TERMINAL_ID_SIZE[self.dialect], "terminal id")
        w.raw(self.alarm_ident.raw).text(self.alarm_no, ALARM_NO_SIZE, "alarm number")
        w.u8(self.info_type, "info type").u8(len(self.files), "attachment count")
        for f in self.files:
            w.text_u8(f.name, "file name").u32(f.size, "file size")
        return w.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "terminal_id": display_text(self.terminal_id),
            "alarm_ident": self.alarm_ident.to_json(),
            "alarm_no": display_text(self.alarm_no),
            "info_type": int(self.info_type),
            "count": len(self.files),
            "files": [f.to_json() for f in self.files],
        }


# --- 0x1211 / 0x1212 / 0x9212 ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FileMessage(Message):
    """``name length BYTE | name | file type BYTE | size DWORD``."""

    name: str
    file_type: int  # see file_type_code(): the meaning of 4 depends on the dialect
    size: int

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, f"0x{cls.MESSAGE_ID:04X}")
        value = cls(r.text_u8("file name"), r.u8("file type"), r.u32("file size"))
        r.end()
        return value

    def encode(self) -> bytes:
        w = Writer(f"0x{self.MESSAGE_ID:04X}").text_u8(self.name, "file name")
        return w.u8(self.file_type, "file type").u32(self.size, "file size").getvalue()

    def to_json(self) -> dict[str, Any]:
        return {"name": display_text(self.name), "file_type": self.file_type, "size": self.size}


@register
@dataclass(frozen=True, slots=True)
class FileInfo(_FileMessage):
    """0x1211 文件信息上传: announced before the data packets of one file."""

    MESSAGE_ID = 0x1211


@register
@dataclass(frozen=True, slots=True)
class FileUploadComplete(_FileMessage):
    """0x1212 文件上传完成消息: the terminal has sent every packet of the file."""

    MESSAGE_ID = 0x1212


MAX_RETRANSMIT_RANGES = 255  # the count is a BYTE


@register
@dataclass(frozen=True, slots=True)
class FileUploadCompleteResponse(Message):
    """0x9212 文件上传完成消息应答: result and the ranges to send again.

    The ranges are two DWORDs each (offset, length), as in [GDRTA] table 5-29; [JSATL]
    table 4-29 misprints their offsets.
    """

    MESSAGE_ID = 0x9212
    name: str
    file_type: int
    result: UploadResult | int
    retransmit: tuple[ByteRange, ...] = ()

    @classmethod
    def for_file(
        cls, name: str, file_type: int, received: ReceivedRanges, size: int
    ) -> FileUploadCompleteResponse:
        """The answer to a 0x1212: complete, or the missing ranges of a ``size``-byte file.

        The count is one byte, so beyond 255 gaps the last range spans all remaining gaps
        (re-sending bytes already held is harmless, leaving a gap unrequested is not).
        """
        missing = received.missing(size)
        if len(missing) > MAX_RETRANSMIT_RANGES:
            head = missing[: MAX_RETRANSMIT_RANGES - 1]
            last_start = missing[MAX_RETRANSMIT_RANGES - 1].offset
            missing = [*head, ByteRange(last_start, missing[-1].end - last_start)]
        result = UploadResult.RETRANSMIT if missing else UploadResult.COMPLETE
        return cls(name, file_type, result, tuple(missing))

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x9212")
        name = r.text_u8("file name")
        file_type = r.u8("file type")
        result = code(UploadResult, r.u8("result"))
        count = r.u8("retransmit count")
        ranges = tuple(
            ByteRange(r.u32(f"range {i + 1} offset"), r.u32(f"range {i + 1} length"))
            for i in range(count)
        )
        r.end()
        return cls(name, file_type, result, ranges)

    def encode(self) -> bytes:
        w = Writer("0x9212").text_u8(self.name, "file name").u8(self.file_type, "file type")
        w.u8(self.result, "result").u8(len(self.retransmit), "retransmit count")
        for offset, length in self.retransmit:
            w.u32(offset, "range offset").u32(length, "range length")
        return w.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": display_text(self.name),
            "file_type": self.file_type,
            "result": int(self.result),
            "count": len(self.retransmit),
            "retransmit": [{"offset": o, "length": n} for o, n in self.retransmit],
        }


# --- the 0x30316364 data packet --------------------------------------------------------------

STREAM_MAGIC = b"01cd"  # 30 31 63 64
STREAM_NAME_SIZE = 50
STREAM_HEADER_SIZE = 4 + STREAM_NAME_SIZE + 4 + 4  # magic, name, offset, length
_LENGTH_AT = STREAM_HEADER_SIZE - 4


@dataclass(frozen=True, slots=True)
class StreamPacket:
    """One attachment data packet: ``magic | file name BYTE[50] | offset DWORD | length
    DWORD | data`` (苏标 table 4-26, 粤标 table 5-26)."""

    file_name: str
    offset: int
    data: bytes

    @property
    def end(self) -> int:
        return self.offset + len(self.data)

    def encode(self) -> bytes:
        w = Writer("stream packet").raw(STREAM_MAGIC)
        w.text(self.file_name, STREAM_NAME_SIZE, "file name")
        w.u32(self.offset, "data offset").u32(len(self.data), "data length")
        return w.raw(self.data).getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "magic": STREAM_MAGIC.hex(),
            "file_name": display_text(self.file_name),
            "offset": self.offset,
            "length": len(self.data),
            "data_len": len(self.data),
            "data_ascii": self.data.decode("latin-1"),
        }


def _packet_head(header: bytes | bytearray) -> tuple[str, int, int]:
    """File name, offset and declared data length from the 62 header bytes."""
    name = gbk_decode(bytes(header[4 : 4 + STREAM_NAME_SIZE]).rstrip(b"\x00"))
    offset = int.from_bytes(header[_LENGTH_AT - 4 : _LENGTH_AT], "big")
    length = int.from_bytes(header[_LENGTH_AT:STREAM_HEADER_SIZE], "big")
    return name, offset, length


def decode_stream_packet(data: bytes) -> StreamPacket:
    """Decode exactly one data packet; raise :class:`StreamError` when it is not one."""
    if data[:4] != STREAM_MAGIC:
        raise StreamError(f"stream packet starts with {data[:4].hex()!r}, not 30316364", 0)
    if len(data) < STREAM_HEADER_SIZE:
        raise StreamError(
            f"stream packet header needs {STREAM_HEADER_SIZE} bytes, only {len(data)} given",
            len(data),
        )
    name, offset, length = _packet_head(data)
    available = len(data) - STREAM_HEADER_SIZE
    if available != length:
        raise StreamError(
            f"stream packet declares {length} data byte(s) but {available} follow the header",
            _LENGTH_AT,
        )
    return StreamPacket(name, offset, bytes(data[STREAM_HEADER_SIZE:]))


# --- the attachment connection's byte stream -------------------------------------------------


class StreamGarbageError(StreamError):
    """Bytes that were neither a 0x7E frame nor a data packet were skipped."""


class StreamFrameTooLongError(StreamError):
    """A 0x7E frame went on past the bound without its closing 0x7E."""


class StreamPacketTooLargeError(StreamError):
    """A data packet declared more data than the decoder accepts."""


class StreamTruncatedError(StreamError):
    """The connection ended inside a frame or a data packet."""


@dataclass(frozen=True, slots=True)
class RawFrame:
    """A JT/T 808 frame as on the wire, 0x7E to 0x7E inclusive, still escaped: give it to
    the frame decoder."""

    wire: bytes


StreamEvent = RawFrame | StreamPacket | StreamError

DEFAULT_MAX_PACKET_DATA = 1 << 20  # the standard's default chunk is 64 KiB
DEFAULT_MAX_FRAME_SIZE = 4096  # as the JT/T 808 frame decoder: bytes between the flags

_FLAG = 0x7E
_FLAG_B = b"\x7e"
_SYNC, _FRAME, _PACKET = range(3)


def _magic_prefix_len(buf: bytearray) -> int:
    """Length of the longest tail of ``buf`` that could be the start of the magic."""
    for n in range(min(len(STREAM_MAGIC) - 1, len(buf)), 0, -1):
        if buf.endswith(STREAM_MAGIC[:n]):
            return n
    return 0


class AttachmentStreamDecoder:
    """Splits the attachment connection into :class:`RawFrame`, :class:`StreamPacket` and
    :class:`StreamError` events.

    ``feed()`` accepts any slicing of the stream and returns the same events for any
    slicing; it never raises. Memory is bounded: between calls at most
    :attr:`max_buffered` bytes are held (an unfinished frame or packet), whatever the peer
    sends. Recovery rules:

    * bytes before a 0x7E or a ``30 31 63 64`` are skipped and reported once, when the
      next event is emitted;
    * ``7E 7E``: the second flag opens the frame (as in the JT/T 808 frame decoder);
    * a 0x7E immediately followed by the magic is a stray flag: no JT/T 808 message id is
      0x3031, so the packet wins;
    * a frame with no closing 0x7E within ``max_frame_size`` bytes, or a packet declaring
      more than ``max_packet_data`` bytes, is reported and its bytes are rescanned for the
      next frame or packet (skipping a bogus 4 GiB length would lose the connection).
    """

    def __init__(
        self,
        *,
        max_packet_data: int = DEFAULT_MAX_PACKET_DATA,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
    ) -> None:
        if max_packet_data < 0 or max_frame_size < 1:
            raise ValueError("max_packet_data must be >= 0 and max_frame_size >= 1")
        self.max_packet_data = max_packet_data
        self.max_frame_size = max_frame_size
        self._buf = bytearray()
        self._base = 0  # stream offset of _buf[0]
        self._state = _SYNC
        self._scan = 1  # in _FRAME: where to look for the closing flag next
        self._garbage = 0
        self._garbage_start = 0

    @property
    def buffered(self) -> int:
        """Bytes held for an unfinished frame or packet."""
        return len(self._buf)

    @property
    def max_buffered(self) -> int:
        """Upper bound of :attr:`buffered` between calls."""
        return max(self.max_frame_size + 1, STREAM_HEADER_SIZE + self.max_packet_data - 1)

    @property
    def position(self) -> int:
        """Stream offset of the next byte to be fed."""
        return self._base + len(self._buf)

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        if not chunk:
            return out
        self._buf += chunk
        try:
            self._run(out)
        except Exception as exc:  # a bug here must cost the buffer, not the connection
            self._emit(out, StreamError(f"attachment stream decoder failed: {exc!r}", self._base))
            self._discard(len(self._buf))
            self._state = _SYNC
        return out

    def close(self) -> list[StreamError]:
        """The peer closed: report what was left unfinished and start afresh."""
        out: list[StreamEvent] = []
        if self._buf and self._state != _SYNC:
            what = "frame" if self._state == _FRAME else "data packet"
            self._emit(
                out,
                StreamTruncatedError(
                    f"connection closed inside a {what} ({len(self._buf)} byte(s) held)",
                    self._base,
                ),
            )
        elif self._buf:
            self._skip(len(self._buf))
        self._flush_garbage(out)
        self._discard(len(self._buf))
        self._state = _SYNC
        return [e for e in out if isinstance(e, StreamError)]

    # -- internals --

    def _run(self, out: list[StreamEvent]) -> None:
        buf = self._buf
        while buf:
            if self._state == _SYNC:
                flag = buf.find(_FLAG_B)
                magic = buf.find(STREAM_MAGIC, 0, len(buf) if flag < 0 else flag)
                if flag < 0 and magic < 0:
                    self._skip(len(buf) - _magic_prefix_len(buf))
                    return
                at = flag if magic < 0 else magic
                self._skip(at)
                self._state = _FRAME if buf[0] == _FLAG else _PACKET
                self._scan = 1
            elif self._state == _FRAME:
                if not self._step_frame(out):
                    return
            elif not self._step_packet(out):
                return

    def _step_frame(self, out: list[StreamEvent]) -> bool:
        buf = self._buf
        head = buf[1:5]
        if STREAM_MAGIC.startswith(head):
            if len(head) < len(STREAM_MAGIC):
                return False  # a data packet may be following a stray flag: wait and see
            self._skip(1)
            self._state = _PACKET
            return True
        limit = self.max_frame_size + 2  # the closing flag may be at index max_frame_size + 1
        end = buf.find(_FLAG_B, self._scan, limit)
        if end < 0:
            if len(buf) < limit:
                self._scan = len(buf)
                return False
            self._emit(
                out,
                StreamFrameTooLongError(
                    f"no closing 0x7E within {self.max_frame_size} bytes; rescanning",
                    self._base,
                ),
            )
            self._discard(1)
            self._state = _SYNC
            return True
        if end == 1:  # 7E 7E: the second flag opens the frame
            self._discard(1)
            self._scan = 1
            return True
        self._emit(out, RawFrame(bytes(buf[: end + 1])))
        self._discard(end + 1)
        self._state = _SYNC
        return True

    def _step_packet(self, out: list[StreamEvent]) -> bool:
        buf = self._buf
        if len(buf) < STREAM_HEADER_SIZE:
            return False
        name, offset, length = _packet_head(buf)
        if length > self.max_packet_data:
            self._emit(
                out,
                StreamPacketTooLargeError(
                    f"data packet for {display_text(name)!r} declares {length} bytes, "
                    f"more than {self.max_packet_data}; rescanning",
                    self._base + _LENGTH_AT,
                ),
            )
            self._discard(len(STREAM_MAGIC))
            self._state = _SYNC
            return True
        total = STREAM_HEADER_SIZE + length
        if len(buf) < total:
            return False
        self._emit(out, StreamPacket(name, offset, bytes(buf[STREAM_HEADER_SIZE:total])))
        self._discard(total)
        self._state = _SYNC
        return True

    def _discard(self, n: int) -> None:
        del self._buf[:n]
        self._base += n

    def _skip(self, n: int) -> None:
        if n <= 0:
            return
        if not self._garbage:
            self._garbage_start = self._base
        self._garbage += n
        self._discard(n)

    def _flush_garbage(self, out: list[StreamEvent]) -> None:
        if self._garbage:
            out.append(
                StreamGarbageError(
                    f"skipped {self._garbage} byte(s) outside a frame or data packet",
                    self._garbage_start,
                )
            )
            self._garbage = 0

    def _emit(self, out: list[StreamEvent], event: StreamEvent) -> None:
        self._flush_garbage(out)
        out.append(event)


# --- which bytes of a file arrived -----------------------------------------------------------


class ReceivedRanges:
    """The byte ranges of one file received so far, kept merged and sorted.

    Overlaps and re-sent pieces merge; adjacent pieces join. ``missing(size)`` is what
    0x9212 asks for again.
    """

    __slots__ = ("_ends", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []  # exclusive

    def add(self, offset: int, length: int) -> None:
        if offset < 0 or length < 0:
            raise ValueError(f"range ({offset}, {length}) is negative")
        if length == 0:
            return
        start, end = offset, offset + length
        first = bisect_left(self._ends, start)  # first range that ends at or after start
        stop = bisect_right(self._starts, end)  # ranges before stop start at or before end
        if first < stop:
            start = min(start, self._starts[first])
            end = max(end, self._ends[stop - 1])
        self._starts[first:stop] = [start]
        self._ends[first:stop] = [end]

    def add_packet(self, packet: StreamPacket) -> None:
        self.add(packet.offset, len(packet.data))

    @property
    def ranges(self) -> list[ByteRange]:
        return [ByteRange(s, e - s) for s, e in zip(self._starts, self._ends, strict=True)]

    @property
    def received_bytes(self) -> int:
        return sum(e - s for s, e in zip(self._starts, self._ends, strict=True))

    def missing(self, total_size: int) -> list[ByteRange]:
        """The gaps in ``[0, total_size)``, in order; bytes past the end are ignored."""
        gaps: list[ByteRange] = []
        cursor = 0
        for start, end in zip(self._starts, self._ends, strict=True):
            if start >= total_size:
                break
            if start > cursor:
                gaps.append(ByteRange(cursor, start - cursor))
            cursor = max(cursor, end)
        if cursor < total_size:
            gaps.append(ByteRange(cursor, total_size - cursor))
        return gaps

    def complete(self, total_size: int) -> bool:
        if total_size <= 0:
            return True
        return bool(self._starts) and self._starts[0] == 0 and self._ends[0] >= total_size

    def __repr__(self) -> str:
        return f"ReceivedRanges({self.ranges!r})"
