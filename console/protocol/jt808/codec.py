"""From frames to messages and back: the entry points most callers need."""

from __future__ import annotations

from console.protocol.errors import BodyError, LocalProtocolError

# Imported for their registrations in MESSAGES: every layout is known once codec is.
from console.protocol.jt808 import (  # noqa: F401
    attachment,
    basic,
    location,
    multimedia,
    text,
    video,
)
from console.protocol.jt808.framing import Frame, checksum, encode_frame, escape
from console.protocol.jt808.header import MAX_BODY_LENGTH, Edition, Header, make_header
from console.protocol.jt808.message import MESSAGES, DecodeContext, Dialect, Message, RawMessage


def decode_body(
    message_id: int, body: bytes, edition: Edition = Edition.V2013, dialect: Dialect | None = None
) -> Message:
    """Decode a bare body; unknown ids give :class:`RawMessage`."""
    cls = MESSAGES.get(message_id)
    if cls is None:
        return RawMessage(message_id, body)
    # By the members' ids: hashing an enum member runs Python code, this runs per message.
    ctx = _CONTEXTS_BY_ID.get((id(edition), id(dialect)))
    if ctx is None:
        ctx = _CONTEXTS[edition, dialect]
    return cls.decode(body, ctx)


# Contexts are immutable and few: build them once instead of once per message.
_CONTEXTS = {(e, d): DecodeContext(e, d) for e in Edition for d in (None, *Dialect)}
_CONTEXTS_BY_ID = {(id(e), id(d)): ctx for (e, d), ctx in _CONTEXTS.items()}


def decode_message(frame: Frame, dialect: Dialect | None = None) -> Message:
    """Decode a complete (not sub-packaged, or reassembled) frame's body.

    Raises :class:`BodyError` with the message id in its text when the body
    does not fit the layout.
    """
    header = frame.header
    try:
        return decode_body(header.message_id, frame.body, header.edition, dialect)
    except BodyError as exc:
        raise BodyError(f"0x{header.message_id:04X}: {exc.message}", exc.offset) from None


def encode_message(
    message: Message,
    *,
    phone: str,
    serial: int,
    edition: Edition = Edition.V2013,
    protocol_version: int = 1,
) -> bytes:
    """One frame; a body over 1023 bytes needs :func:`encode_packets`."""
    return _encode_single(message, message.encode(), phone, serial, edition, protocol_version)


def _encode_single(
    message: Message,
    body: bytes,
    phone: str,
    serial: int,
    edition: Edition,
    protocol_version: int,
) -> bytes:
    # A platform answers every message with a frame whose header differs from the last
    # one to that terminal only in the serial: the header bytes before the serial, and
    # their share of the check code (an XOR), are kept per (id, length, phone, edition).
    key = (message.message_id, len(body), phone, id(edition), protocol_version)
    cached = _HEADER_PREFIXES.get(key)
    if cached is not None and 0 <= serial <= 0xFFFF:
        prefix, prefix_check = cached
        tail = serial.to_bytes(2, "big") + body
        check = prefix_check ^ checksum(tail)
        return b"\x7e" + escape(prefix + tail + bytes((check,))) + b"\x7e"
    header = make_header(
        message.message_id, phone, serial, edition, protocol_version, None, 0, False, None, None
    )
    frame = encode_frame(header, body)  # validates everything (raises for what is wrong)
    if edition.__class__ is not Edition:  # (keyed by the member's id: members only)
        return frame
    if len(_HEADER_PREFIXES) >= 65536:
        _HEADER_PREFIXES.clear()
    prefix = header.encode(len(body))[:-2]  # all but the serial
    _HEADER_PREFIXES[key] = (prefix, checksum(prefix))
    return frame


_HEADER_PREFIXES: dict[tuple[int, int, str, int, int], tuple[bytes, int]] = {}


def encode_packets(
    message: Message,
    *,
    phone: str,
    first_serial: int,
    edition: Edition = Edition.V2013,
    protocol_version: int = 1,
    packet_size: int = MAX_BODY_LENGTH,
) -> list[bytes]:
    """The message as one frame, or as sub-packages of at most ``packet_size`` body bytes
    with consecutive serials (wrapping at 65536) when it is longer."""
    body = message.encode()
    if len(body) <= packet_size:  # (the body is encoded once)
        return [_encode_single(message, body, phone, first_serial, edition, protocol_version)]
    if not 1 <= packet_size <= MAX_BODY_LENGTH:
        raise LocalProtocolError(f"packet size {packet_size} outside 1..{MAX_BODY_LENGTH}")
    chunks = [body[i : i + packet_size] for i in range(0, len(body), packet_size)]
    if len(chunks) > 0xFFFF:
        raise LocalProtocolError(f"message of {len(body)} bytes needs more than 65535 packets")
    frames = []
    for index, chunk in enumerate(chunks, start=1):
        header = Header(
            message.message_id,
            phone,
            (first_serial + index - 1) & 0xFFFF,
            edition,
            protocol_version,
            package_total=len(chunks),
            package_index=index,
        )
        frames.append(encode_frame(header, chunk))
    return frames
