"""Stream side of JT/T 1078: TCP chunks in, whole media frames (and errors, as values) out.

:class:`FrameAssembler` finds packets by their magic, resynchronises past garbage, works out
the SIM length once when it was not told, and joins first/middle.../last sub-packages into one
:class:`MediaFrame`. A frame with a missing or out-of-order piece is dropped and reported, never
emitted half-built: a truncated access unit looks valid to a decoder and corrupts the picture
silently, whereas a dropped frame is counted and shows up in the log.

Memory is bounded: the byte buffer never exceeds ``max_buffer`` between calls, and a frame in
progress never exceeds ``max_frame_size`` (there is one in progress at most per channel and
audio/video/transparent class, so 768 at worst).
"""

from __future__ import annotations

from dataclasses import dataclass

from console.protocol.errors import StreamError
from console.protocol.jt1078.packet import (
    MAGIC,
    MAX_PACKET_SIZE,
    SIM_LENGTHS,
    DataType,
    Jt1078Packet,
    PayloadType,
    Subpackage,
    decode_at,
    probe_length,
)

DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024
#: Room for the largest possible packet plus the magic of the next one, twice over, so that
#: a whole packet can always be looked at before any of it must be thrown away.
DEFAULT_MAX_BUFFER = 2 * (MAX_PACKET_SIZE + len(MAGIC))
#: Below this, not even the largest header and the next magic fit.
MIN_MAX_BUFFER = 64

_EXCERPT = 64  # bytes of an offending packet or garbage run kept on the error, for logs


@dataclass(frozen=True, slots=True)
class MediaFrame:
    """One reassembled frame; header fields are the first packet's."""

    sim: str
    channel: int
    payload_type: PayloadType | int
    data_type: DataType
    timestamp: int | None
    last_i_interval: int | None
    last_interval: int | None
    first_seq: int
    payload: bytes


class _Partial:
    """A frame whose first packet arrived and whose last one has not."""

    __slots__ = ("first", "last_channel_count", "last_link_count", "last_seq", "parts", "size")

    def __init__(self, first: Jt1078Packet, channel_count: int, link_count: int) -> None:
        self.first = first
        self.parts = [first.body]
        self.size = len(first.body)
        self.last_seq = first.seq
        self.last_channel_count = channel_count
        self.last_link_count = link_count


# Stream state after a damaged frame: drop its remaining pieces quietly until the next frame.
_DISCARD = "discard"

# How a candidate SIM layout looks at the start of the buffer (auto-detection only).
_INVALID = 0  # impossible header, or cut off by the end of the stream
_UNFOLLOWED = 1  # a whole packet, but the bytes after it are not a magic
_PENDING = 2  # more bytes are needed to judge
_AT_END = 3  # ends exactly where the data received so far ends
_CONFIRMED = 4  # the next magic follows right after it

_STATUS_TEXT = {
    _INVALID: "has an impossible header or is cut off",
    _UNFOLLOWED: "is not followed by another packet",
}


def _kind(data_type: DataType) -> int:
    """Reassembly class: video (0), audio (1), transparent (2)."""
    return 0 if data_type.is_video else data_type - 2


class FrameAssembler:
    """Feed it TCP chunks of one JT/T 1078 media link; get frames and errors back.

    ``sim_len`` is 6 or 10 when the terminal's edition is known. Left as None, the first
    packet settles it: the layout after which the next magic follows (or the data received so
    far ends) while the other layout is impossible; until then the assembler waits for more
    bytes. Once settled it stays (exposed as the ``sim_len`` attribute).

    Counters for metrics: ``packets`` decoded, ``frames`` emitted, ``bytes`` fed, ``errors``
    reported.
    """

    def __init__(
        self,
        sim_len: int | None = None,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        max_buffer: int = DEFAULT_MAX_BUFFER,
    ) -> None:
        if sim_len is not None and sim_len not in SIM_LENGTHS:
            raise ValueError(f"sim_len must be 6, 10 or None, not {sim_len!r}")
        if max_buffer < MIN_MAX_BUFFER:
            raise ValueError(f"max_buffer must be at least {MIN_MAX_BUFFER}, not {max_buffer}")
        self.sim_len = sim_len
        self.max_frame_size = max_frame_size
        self.max_buffer = max_buffer
        self.packets = 0
        self.frames = 0
        self.bytes = 0
        self.errors = 0
        self._buf = bytearray()
        self._base = 0  # stream offset of _buf[0]
        self._streams: dict[tuple[int, int], _Partial | str] = {}
        self._channel_counts: dict[int, int] = {}
        self._garbage = 0
        self._garbage_start = 0
        self._garbage_head = b""

    @property
    def buffered(self) -> int:
        """Bytes held for an unfinished packet (at most ``max_buffer``)."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[MediaFrame | StreamError]:
        out: list[MediaFrame | StreamError] = []
        self.bytes += len(data)
        pos, n = 0, len(data)
        # Take the chunk in slices so that even a huge one never grows the buffer past the
        # bound; each pass leaves at most one unfinished packet behind, so room always comes back.
        while True:
            take = min(self.max_buffer - len(self._buf), n - pos)
            if take > 0:
                self._buf += data[pos : pos + take]
                pos += take
            self._parse(out, final=False)
            if pos >= n:
                return out

    def close(self) -> list[MediaFrame | StreamError]:
        """End of stream: settle what is buffered and report every unfinished packet or frame."""
        out: list[MediaFrame | StreamError] = []
        self._parse(out, final=True)
        for (channel, _), state in sorted(self._streams.items()):
            if isinstance(state, _Partial):
                self._error(
                    out,
                    f"stream ended inside the frame from seq {state.first.seq} on channel "
                    f"{channel} ({len(state.parts)} packet(s), {state.size} bytes); dropped",
                    self._base,
                )
        self._streams.clear()
        return out

    # --- packets ---------------------------------------------------------------------------

    def _error(
        self, out: list, message: str, offset: int | None, excerpt: bytes | None = None
    ) -> None:
        err = StreamError(message, offset)
        err.frame = excerpt
        out.append(err)
        self.errors += 1

    def _excerpt(self, i: int) -> bytes:
        return bytes(self._buf[i : i + _EXCERPT])

    def _skip(self, start: int, end: int) -> None:
        if not self._garbage:
            self._garbage_start = self._base + start
            self._garbage_head = bytes(self._buf[start : min(end, start + _EXCERPT)])
        self._garbage += end - start

    def _flush_garbage(self, out: list) -> None:
        if self._garbage:
            self._error(
                out,
                f"skipped {self._garbage} byte(s) that are not a JT/T 1078 packet",
                self._garbage_start,
                self._garbage_head,
            )
            self._garbage = 0

    def _parse(self, out: list, final: bool) -> None:
        buf = self._buf
        i = 0
        while True:
            j = buf.find(MAGIC, i)
            if j < 0:
                # The tail may be the start of a magic split across chunks: keep it.
                keep = 0
                if not final:
                    keep = next(
                        (k for k in (3, 2, 1) if k <= len(buf) - i and buf.endswith(MAGIC[:k])), 0
                    )
                if len(buf) - keep > i:
                    self._skip(i, len(buf) - keep)
                i = len(buf) - keep
                break
            if j > i:
                self._skip(i, j)
            self._flush_garbage(out)
            i = j
            used = self._packet_at(i, final, out)
            if not used:
                break
            i += used
        if i:
            del buf[:i]
            self._base += i
        # A long run of garbage is reported as it goes, not only when a magic finally shows up.
        if self._garbage >= self.max_buffer or (final and self._garbage):
            self._flush_garbage(out)

    def _packet_at(self, i: int, final: bool, out: list) -> int:
        """Handle the packet whose magic is at ``_buf[i]``; return bytes used, 0 to wait."""
        buf = self._buf
        avail = len(buf) - i
        # A full buffer cannot grow, so whatever is still undecided must be decided now.
        force = final or avail >= self.max_buffer
        sim_len = self.sim_len
        if sim_len is None:
            statuses = [self._status(i, n, force) for n in SIM_LENGTHS]
            sim_len = _choose(statuses)
            if sim_len is None:
                return 0
            if not sim_len:
                self._error(
                    out,
                    "cannot tell the SIM length: "
                    + ", ".join(
                        f"the BCD[{n}] layout {_STATUS_TEXT[s]}"
                        for n, s in zip(SIM_LENGTHS, statuses, strict=True)
                    ),
                    self._base + i,
                    self._excerpt(i),
                )
                return 1
            self.sim_len = sim_len
        try:
            total = probe_length(buf, i, sim_len)
        except StreamError as exc:
            self._error(
                out,
                exc.message,
                self._base + (i if exc.offset is None else exc.offset),
                self._excerpt(i),
            )
            return 1
        if total is not None and total > self.max_buffer:
            self._error(
                out,
                f"packet claims {total} bytes, more than the {self.max_buffer}-byte buffer",
                self._base + i,
                self._excerpt(i),
            )
            return 1
        if total is None or total > avail:
            if not force:
                return 0
            # Only the end of the stream gets here; skipping just the magic lets a packet
            # hidden behind a false magic with a huge length still be found.
            need = "" if total is None else f" of {total}"
            self._error(
                out,
                f"stream ended after {avail}{need} byte(s) of a packet",
                self._base + i,
                self._excerpt(i),
            )
            return 1
        packet = decode_at(buf, i, sim_len, total)
        self.packets += 1
        self._assemble(packet, self._base + i, out)
        return total

    def _status(self, i: int, sim_len: int, force: bool) -> int:
        buf = self._buf
        try:
            total = probe_length(buf, i, sim_len)
        except StreamError:
            return _INVALID
        if total is not None and total > self.max_buffer:
            return _INVALID
        if total is None or i + total > len(buf):
            return _INVALID if force else _PENDING
        tail = bytes(buf[i + total : i + total + len(MAGIC)])
        if tail == MAGIC:
            return _CONFIRMED
        if not tail:
            return _AT_END
        if MAGIC.startswith(tail):
            return _AT_END if force else _PENDING
        return _UNFOLLOWED

    # --- frames ----------------------------------------------------------------------------

    def _emit(self, first: Jt1078Packet, payload: bytes, out: list) -> None:
        out.append(
            MediaFrame(
                sim=first.sim,
                channel=first.channel,
                payload_type=first.payload_type,
                data_type=first.data_type,
                timestamp=first.timestamp,
                last_i_interval=first.last_i_interval,
                last_interval=first.last_interval,
                first_seq=first.seq,
                payload=payload,
            )
        )
        self.frames += 1

    def _assemble(self, p: Jt1078Packet, offset: int, out: list) -> None:
        key = (p.channel, _kind(p.data_type))
        channel_count = self._channel_counts.get(p.channel, 0)
        self._channel_counts[p.channel] = channel_count + 1
        link_count = self.packets - 1
        state = self._streams.get(key)
        flag = p.subpackage
        where = f"on channel {p.channel}"

        if flag in (Subpackage.ATOMIC, Subpackage.FIRST):
            if isinstance(state, _Partial):
                self._error(
                    out,
                    f"frame from seq {state.first.seq} {where} never got its last packet "
                    f"({flag.label} packet seq {p.seq} came first); dropped",
                    offset,
                )
            self._streams.pop(key, None)
            if len(p.body) > self.max_frame_size:
                self._too_big(out, p.seq, where, len(p.body), offset)
                if flag == Subpackage.FIRST:
                    self._streams[key] = _DISCARD
            elif flag == Subpackage.ATOMIC:
                self._emit(p, p.body, out)
            else:
                self._streams[key] = _Partial(p, channel_count, link_count)
            return

        if state is None:
            self._error(
                out,
                f"{flag.label} packet seq {p.seq} {where} without a first packet; dropped",
                offset,
            )
            if flag == Subpackage.MIDDLE:
                self._streams[key] = _DISCARD
            return
        if state == _DISCARD:
            if flag == Subpackage.LAST:
                del self._streams[key]
            return
        assert isinstance(state, _Partial)
        # Devices number packets per class, per channel or per link; a gap is only a gap if
        # none of these explain it (other traffic legitimately sits between two pieces).
        delta = (p.seq - state.last_seq) & 0xFFFF
        if delta not in (
            1,
            channel_count - state.last_channel_count,
            link_count - state.last_link_count,
        ):
            self._error(
                out,
                f"frame from seq {state.first.seq} {where} dropped: {flag.label} packet has seq "
                f"{p.seq}, expected {(state.last_seq + 1) & 0xFFFF}",
                offset,
            )
        elif state.size + len(p.body) > self.max_frame_size:
            self._too_big(out, state.first.seq, where, state.size + len(p.body), offset)
        else:
            state.parts.append(p.body)
            state.size += len(p.body)
            state.last_seq = p.seq
            state.last_channel_count = channel_count
            state.last_link_count = link_count
            if flag == Subpackage.LAST:
                del self._streams[key]
                self._emit(state.first, b"".join(state.parts), out)
            return
        if flag == Subpackage.LAST:
            del self._streams[key]
        else:
            self._streams[key] = _DISCARD

    def _too_big(self, out: list, seq: int, where: str, size: int, offset: int) -> None:
        self._error(
            out,
            f"frame from seq {seq} {where} reached {size} bytes, more than max_frame_size "
            f"{self.max_frame_size}; dropped",
            offset,
        )


def _choose(statuses: list[int]) -> int | None:
    """SIM length from the two layouts' statuses: 6 or 10, None to wait, 0 when neither fits."""
    s6, s10 = statuses
    if s6 == _CONFIRMED:  # both confirmed is a coincidence; BCD[6] is the national standard
        return 6
    if s10 == _CONFIRMED:
        return 10
    if _PENDING in statuses:
        return None
    if s6 == _AT_END:
        return 6
    if s10 == _AT_END:
        return 10
    return 0
