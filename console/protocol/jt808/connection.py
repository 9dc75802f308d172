"""One JT/T 808 link's protocol state, without I/O (after h11's Connection).

Feed it what the socket delivered with :meth:`Connection.receive_data`; it
returns events: a decoded :class:`MessageReceived`, a :class:`PacketReceived`
for each sub-package that still waits for its siblings (the platform acks each
one), a :class:`BadMessage` when a body does not decode (the header is known, so
the caller can answer 0x8001 "bad message"), :class:`MissingPackets` asking for
a 0x8003, and :class:`RemoteProtocolError` values for frame-level trouble.
:meth:`send` turns a message into wire bytes with this link's serial numbers,
phone and edition. Time is an argument: :meth:`poll` and :meth:`next_deadline`.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.protocol.errors import BodyError, ReassemblyError, RemoteProtocolError
from console.protocol.jt808.codec import decode_message, encode_packets
from console.protocol.jt808.framing import DEFAULT_MAX_FRAME_SIZE, Frame, FrameDecoder
from console.protocol.jt808.header import Edition, Header
from console.protocol.jt808.message import Dialect, Message
from console.protocol.jt808.subpackage import MissingPackets, Reassembler


@dataclass(frozen=True, slots=True)
class MessageReceived:
    header: Header
    message: Message
    frame: Frame


@dataclass(frozen=True, slots=True)
class PacketReceived:
    """A sub-package was stored; the whole message is not complete yet."""

    header: Header


@dataclass(frozen=True, slots=True)
class BadMessage:
    header: Header
    error: BodyError
    frame: Frame


Event = MessageReceived | PacketReceived | BadMessage | MissingPackets | RemoteProtocolError


class Connection:
    def __init__(
        self,
        *,
        dialect: Dialect | None = None,
        lenient: bool = False,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        reassembler: Reassembler | None = None,
    ) -> None:
        self.dialect = dialect
        self._frames = FrameDecoder(max_frame_size=max_frame_size, lenient=lenient)
        self._reassembler = reassembler or Reassembler()
        self._next_serial = 0
        #: Learned from the peer's first frame, used for what we send back.
        self.phone: str | None = None
        self.edition: Edition | None = None
        self.protocol_version = 1

    # --- receiving ----------------------------------------------------------------------
    def receive_data(self, data: bytes, now: float) -> list[Event]:
        events: list[Event] = []
        for item in self._frames.feed(data):
            if isinstance(item, RemoteProtocolError):
                events.append(item)
                continue
            self._learn(item.header)
            if item.header.is_subpackage:
                try:
                    whole = self._reassembler.add(item, now)
                except ReassemblyError as exc:
                    events.append(exc)
                    continue
                if whole is None:
                    events.append(PacketReceived(item.header))
                    continue
                events.append(PacketReceived(item.header))
                item = whole
            events.append(self._decode(item))
        return events

    def _decode(self, frame: Frame) -> MessageReceived | BadMessage:
        try:
            return MessageReceived(frame.header, decode_message(frame, self.dialect), frame)
        except BodyError as exc:
            return BadMessage(frame.header, exc, frame)

    def _learn(self, header: Header) -> None:
        if self.phone is None:
            self.phone = header.phone
            self.edition = header.edition
            self.protocol_version = header.protocol_version

    @property
    def buffered(self) -> int:
        """Bytes held for unfinished frames and messages (both bounded)."""
        return self._frames.buffered + self._reassembler.buffered_bytes

    # --- time ---------------------------------------------------------------------------
    def poll(self, now: float) -> list[Event]:
        return list(self._reassembler.poll(now))

    def next_deadline(self) -> float | None:
        return self._reassembler.next_deadline()

    # --- sending ------------------------------------------------------------------------
    def next_serial(self) -> int:
        serial = self._next_serial
        self._next_serial = (serial + 1) & 0xFFFF
        return serial

    def send(
        self, message: Message, *, phone: str | None = None, edition: Edition | None = None
    ) -> tuple[int, list[bytes]]:
        """Encode ``message`` for this link: returns (serial of its first frame, frames)."""
        phone = phone or self.phone
        if phone is None:
            raise ValueError("no phone number yet: pass phone= or receive a frame first")
        edition = edition or self.edition or Edition.V2013
        first = self._next_serial
        frames = encode_packets(
            message,
            phone=phone,
            first_serial=first,
            edition=edition,
            protocol_version=self.protocol_version,
        )
        self._next_serial = (first + len(frames)) & 0xFFFF
        return first, frames
