"""JT/T 1078 media stream: the RTP-like packet codec and the frame assembler (sans-I/O)."""

from console.protocol.jt1078.assembler import (
    DEFAULT_MAX_BUFFER,
    DEFAULT_MAX_FRAME_SIZE,
    FrameAssembler,
    MediaFrame,
)
from console.protocol.jt1078.packet import (
    MAGIC,
    MAX_BODY_SIZE,
    MAX_PACKET_SIZE,
    PT_NAMES,
    DataType,
    Jt1078Packet,
    PayloadType,
    Subpackage,
    decode_packet,
    header_length,
    packetize,
    payload_type_of,
)

__all__ = [
    "DEFAULT_MAX_BUFFER",
    "DEFAULT_MAX_FRAME_SIZE",
    "MAGIC",
    "MAX_BODY_SIZE",
    "MAX_PACKET_SIZE",
    "PT_NAMES",
    "DataType",
    "FrameAssembler",
    "Jt1078Packet",
    "MediaFrame",
    "PayloadType",
    "Subpackage",
    "decode_packet",
    "header_length",
    "packetize",
    "payload_type_of",
]
