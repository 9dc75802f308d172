"""One JT/T 1078 media packet ([1078] table 19, [GDRTA] table 5-36), and frame packetizing.

The packet looks like RTP but is not: a fixed ``30 31 63 64`` magic, a BCD SIM, and a header
whose length depends on the data type (transparent data has no timestamp, audio has no frame
intervals). Nothing in the packet says whether the SIM is BCD[6] (JT/T 1078-2016) or BCD[10]
(2019 / 粤标), so :func:`decode_packet` either gets told or picks the layout whose lengths add
up to exactly the bytes given.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from console.protocol.errors import LocalProtocolError, StreamError

MAGIC = b"\x30\x31\x63\x64"
SIM_LENGTHS = (6, 10)
#: The standard caps a packet body at 950 bytes; we only enforce it when we packetize, because
#: the 16-bit length field allows more and some devices send it.
MAX_BODY_SIZE = 950
MAX_BODY_LENGTH = 0xFFFF
#: Largest header (video, BCD[10] SIM) plus the largest body the length field can express.
MAX_PACKET_SIZE = 34 + MAX_BODY_LENGTH

_PREFIX = struct.Struct(">4sBBH")  # magic, V/P/X/CC, M/PT, sequence
_U16 = struct.Struct(">H")
_U64 = struct.Struct(">Q")


class PayloadType(IntEnum):
    """[1078] table 12. Values outside this enum stay plain ints (111-127 are custom)."""

    G721 = 1
    G722 = 2
    G723 = 3
    G728 = 4
    G729 = 5
    G711A = 6
    G711U = 7
    G726 = 8
    G729A = 9
    DVI4_3 = 10
    DVI4_4 = 11
    DVI4_8K = 12
    DVI4_16K = 13
    LPC = 14
    S16BE_STEREO = 15
    S16BE_MONO = 16
    MPEG_AUDIO = 17
    LPCM = 18
    AAC = 19
    WMA9STD = 20
    HE_AAC = 21
    PCM_VOICE = 22
    PCM_AUDIO = 23
    AAC_LC = 24
    MP3 = 25
    ADPCMA = 26
    MP4_AUDIO = 27
    AMR = 28
    TRANSPARENT = 91
    H264 = 98
    H265 = 99
    AVS = 100
    SVAC = 101


PT_NAMES: dict[int, str] = {
    1: "G.721",
    2: "G.722",
    3: "G.723",
    4: "G.728",
    5: "G.729",
    6: "G.711A",
    7: "G.711U",
    8: "G.726",
    9: "G.729A",
    10: "DVI4 3bit",
    11: "DVI4 4bit",
    12: "DVI4 8K",
    13: "DVI4 16K",
    14: "LPC",
    15: "S16BE stereo",
    16: "S16BE mono",
    17: "MPEG audio",
    18: "LPCM",
    19: "AAC",
    20: "WMA9STD",
    21: "HE-AAC",
    22: "PCM voice",
    23: "PCM audio",
    24: "AAC-LC",
    25: "MP3",
    26: "ADPCMA",
    27: "MP4 audio",
    28: "AMR",
    91: "transparent",
    98: "H.264",
    99: "H.265",
    100: "AVS",
    101: "SVAC",
}


class DataType(IntEnum):
    """High nibble of the type byte; it decides which header fields exist."""

    VIDEO_I = 0
    VIDEO_P = 1
    VIDEO_B = 2
    AUDIO = 3
    TRANSPARENT = 4

    @property
    def is_video(self) -> bool:
        return self <= DataType.VIDEO_B

    @property
    def label(self) -> str:
        return _DATA_TYPE_NAMES[self]


_DATA_TYPE_NAMES = {
    DataType.VIDEO_I: "video I",
    DataType.VIDEO_P: "video P",
    DataType.VIDEO_B: "video B",
    DataType.AUDIO: "audio",
    DataType.TRANSPARENT: "transparent",
}


class Subpackage(IntEnum):
    """Low nibble of the type byte. Note the wire order: last (2) comes before middle (3)."""

    ATOMIC = 0
    FIRST = 1
    LAST = 2
    MIDDLE = 3

    @property
    def label(self) -> str:
        return self.name.lower()


_PT_BY_VALUE: dict[int, PayloadType] = {m.value: m for m in PayloadType}
_DATA_TYPES: dict[int, DataType] = {m.value: m for m in DataType}
_SUBPACKAGES: dict[int, Subpackage] = {m.value: m for m in Subpackage}


def payload_type_of(value: int) -> PayloadType | int:
    """The enum member when the value is known; an unknown PT is data, not an error."""
    return _PT_BY_VALUE.get(value, value)


def header_length(sim_len: int, data_type: int) -> int:
    """Bytes before the body: 18/22 transparent, 26/30 audio, 30/34 video (BCD[6]/BCD[10])."""
    n = 10 + sim_len  # magic, V/P/X/CC, M/PT, seq, SIM, channel, type
    if data_type != DataType.TRANSPARENT:
        n += 8
        if data_type <= DataType.VIDEO_B:
            n += 4
    return n + 2


def probe_length(data: bytes | bytearray, start: int, sim_len: int) -> int | None:
    """Total packet length at ``data[start]`` (magic already checked) under one SIM layout.

    None when more bytes are needed to know; StreamError when the type byte is impossible
    (which is also how a wrong SIM layout usually gives itself away).
    """
    type_at = start + 9 + sim_len
    if len(data) <= type_at:
        return None
    type_byte = data[type_at]
    if type_byte >> 4 not in _DATA_TYPES:
        raise StreamError(f"data type {type_byte >> 4} is not 0-4 (BCD[{sim_len}] SIM)", type_at)
    if type_byte & 0x0F not in _SUBPACKAGES:
        raise StreamError(
            f"sub-package flag {type_byte & 0x0F} is not 0-3 (BCD[{sim_len}] SIM)", type_at
        )
    hlen = header_length(sim_len, type_byte >> 4)
    if len(data) < start + hlen:
        return None
    return hlen + _U16.unpack_from(data, start + hlen - 2)[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class Jt1078Packet:
    """One packet, every header bit kept so that :meth:`encode` gives back the wire bytes."""

    version: int = 2  # V
    padding: bool = False  # P
    extension: bool = False  # X
    csrc_count: int = 1  # CC; no CSRC list follows in JT/T 1078 whatever its value
    marker: bool = False  # M: last packet of a frame
    payload_type: PayloadType | int
    seq: int = 0
    sim: str  # 12 or 20 lower-case BCD digits, leading zeros kept
    channel: int
    data_type: DataType
    subpackage: Subpackage = Subpackage.ATOMIC
    timestamp: int | None = None  # ms; absent on the wire for transparent data
    last_i_interval: int | None = None  # ms since the last I-frame; video only
    last_interval: int | None = None  # ms since the last frame; video only
    body: bytes = b""

    @property
    def sim_len(self) -> int:
        return len(self.sim) // 2

    @property
    def header_len(self) -> int:
        return header_length(self.sim_len, self.data_type)

    @property
    def total_len(self) -> int:
        return self.header_len + len(self.body)

    def check(self) -> None:
        """Raise LocalProtocolError for anything :meth:`encode` could not put on the wire."""

        def bits(name: str, value: int, width: int) -> None:
            if not 0 <= value < (1 << width):
                raise LocalProtocolError(
                    f"JT/T 1078 packet: {name}={value} does not fit in {width} bits"
                )

        bits("V", self.version, 2)
        bits("CC", self.csrc_count, 4)
        bits("PT", self.payload_type, 7)
        bits("seq", self.seq, 16)
        bits("channel", self.channel, 8)
        if len(self.sim) not in (12, 20):
            raise LocalProtocolError(
                f"JT/T 1078 packet: SIM {self.sim!r} has {len(self.sim)} digits, need 12 or 20"
            )
        try:
            bytes.fromhex(self.sim)
        except ValueError:
            raise LocalProtocolError(f"JT/T 1078 packet: SIM {self.sim!r} is not BCD") from None
        if not isinstance(self.data_type, int) or self.data_type not in _DATA_TYPES:
            raise LocalProtocolError(f"JT/T 1078 packet: data type {self.data_type!r} is not 0-4")
        if not isinstance(self.subpackage, int) or self.subpackage not in _SUBPACKAGES:
            raise LocalProtocolError(
                f"JT/T 1078 packet: sub-package flag {self.subpackage!r} is not 0-3"
            )
        data_type = _DATA_TYPES[self.data_type]
        # A field the layout has no room for would be silently lost, so both ways are misuse.
        if data_type == DataType.TRANSPARENT:
            if self.timestamp is not None:
                raise LocalProtocolError("JT/T 1078 packet: transparent data carries no timestamp")
        elif self.timestamp is None:
            raise LocalProtocolError(f"JT/T 1078 packet: {data_type.label} needs a timestamp")
        else:
            bits("timestamp", self.timestamp, 64)
        for name in ("last_i_interval", "last_interval"):
            value = getattr(self, name)
            if data_type.is_video:
                if value is None:
                    raise LocalProtocolError(f"JT/T 1078 packet: {data_type.label} needs {name}")
                bits(name, value, 16)
            elif value is not None:
                raise LocalProtocolError(f"JT/T 1078 packet: {data_type.label} carries no {name}")
        if len(self.body) > MAX_BODY_LENGTH:
            raise LocalProtocolError(
                f"JT/T 1078 packet: body of {len(self.body)} bytes, the length field holds "
                f"at most {MAX_BODY_LENGTH}"
            )

    def encode(self) -> bytes:
        self.check()
        out = bytearray(
            _PREFIX.pack(
                MAGIC,
                self.version << 6 | self.padding << 5 | self.extension << 4 | self.csrc_count,
                self.marker << 7 | self.payload_type,
                self.seq,
            )
        )
        out += bytes.fromhex(self.sim)
        out.append(self.channel)
        out.append(self.data_type << 4 | self.subpackage)
        if self.timestamp is not None:
            out += _U64.pack(self.timestamp)
        if self.last_i_interval is not None and self.last_interval is not None:
            out += _U16.pack(self.last_i_interval) + _U16.pack(self.last_interval)
        out += _U16.pack(len(self.body))
        out += self.body
        return bytes(out)

    def to_json(self) -> dict[str, Any]:
        """The decoded view used by ``vectors.json`` ``expected`` objects (no body bytes)."""
        out: dict[str, Any] = {
            "sim_len": self.sim_len,
            "V": self.version,
            "P": int(self.padding),
            "X": int(self.extension),
            "CC": self.csrc_count,
            "M": int(self.marker),
            "PT": int(self.payload_type),
            "seq": self.seq,
            "sim": self.sim,
            "channel": self.channel,
            "data_type": int(self.data_type),
            "subpackage": int(self.subpackage),
        }
        if self.timestamp is not None:
            out["timestamp"] = self.timestamp
        if self.last_i_interval is not None:
            out["last_i_interval"] = self.last_i_interval
        if self.last_interval is not None:
            out["last_interval"] = self.last_interval
        out["body_len"] = len(self.body)
        out["header_len"] = self.header_len
        out["total_len"] = self.total_len
        out["consistent"] = self.header_len + len(self.body) == self.total_len
        out["PT_name"] = PT_NAMES.get(self.payload_type, f"PT {int(self.payload_type)}")
        out["data_type_name"] = _DATA_TYPES[self.data_type].label
        out["subpackage_name"] = _SUBPACKAGES[self.subpackage].label
        return out


def decode_at(data: bytes | bytearray, start: int, sim_len: int, total: int) -> Jt1078Packet:
    """Fields of a packet whose layout and length :func:`probe_length` already checked."""
    _, vpxcc, mpt, seq = _PREFIX.unpack_from(data, start)
    pos = start + 8
    sim = bytes(data[pos : pos + sim_len]).hex()
    pos += sim_len
    channel, type_byte = data[pos], data[pos + 1]
    pos += 2
    data_type = _DATA_TYPES[type_byte >> 4]
    timestamp = last_i = last = None
    if data_type != DataType.TRANSPARENT:
        timestamp = _U64.unpack_from(data, pos)[0]
        pos += 8
        if data_type.is_video:
            last_i, last = _U16.unpack_from(data, pos)[0], _U16.unpack_from(data, pos + 2)[0]
            pos += 4
    pos += 2  # body length, already part of ``total``
    return Jt1078Packet(
        version=vpxcc >> 6,
        padding=bool(vpxcc & 0x20),
        extension=bool(vpxcc & 0x10),
        csrc_count=vpxcc & 0x0F,
        marker=bool(mpt & 0x80),
        payload_type=payload_type_of(mpt & 0x7F),
        seq=seq,
        sim=sim,
        channel=channel,
        data_type=data_type,
        subpackage=_SUBPACKAGES[type_byte & 0x0F],
        timestamp=timestamp,
        last_i_interval=last_i,
        last_interval=last,
        body=bytes(data[pos : start + total]),
    )


def _fit(data: bytes, sim_len: int) -> int | StreamError:
    """The packet length under one layout when it is exactly ``len(data)``, else why not."""
    try:
        total = probe_length(data, 0, sim_len)
    except StreamError as exc:
        return exc
    if total is None:
        return StreamError(
            f"truncated: {len(data)} bytes is shorter than the BCD[{sim_len}] header", len(data)
        )
    if total > len(data):
        return StreamError(
            f"truncated: BCD[{sim_len}] header and body need {total} bytes, got {len(data)}",
            len(data),
        )
    if total < len(data):
        return StreamError(
            f"{len(data) - total} trailing byte(s) after the BCD[{sim_len}] packet", total
        )
    return total


def decode_packet(data: bytes, sim_len: int | None = None) -> Jt1078Packet:
    """Decode exactly one packet; raise StreamError when ``data`` is anything else.

    ``sim_len`` is 6 (JT/T 1078-2016) or 10 (2019 / 粤标); None tries both and keeps the layout
    whose header and body length add up to ``len(data)``. Should both fit, BCD[6] wins: it is
    the national standard, and "00 00 at offset 8" (traccar's test) is no evidence either way,
    since 2016 SIMs such as ``000000001003`` start with zeros too.
    """
    if sim_len is not None and sim_len not in SIM_LENGTHS:
        raise ValueError(f"sim_len must be 6, 10 or None, not {sim_len!r}")
    if data[:4] != MAGIC:
        raise StreamError(f"packet starts with {bytes(data[:4]).hex()!r}, not 30316364", 0)
    fits = [(n, _fit(data, n)) for n in ((sim_len,) if sim_len else SIM_LENGTHS)]
    for n, total in fits:
        if isinstance(total, int):
            return decode_at(data, 0, n, total)
    if len(fits) == 1:
        raise fits[0][1]
    raise StreamError(
        f"no SIM layout fits the {len(data)} bytes: "
        + "; ".join(f"{exc.message} (at offset {exc.offset})" for _, exc in fits),
        0,
    )


def packetize(
    payload: bytes,
    *,
    sim: str,
    channel: int,
    payload_type: int,
    data_type: DataType,
    timestamp: int | None = None,
    last_i_interval: int | None = None,
    last_interval: int | None = None,
    seq: int = 0,
    max_body: int = MAX_BODY_SIZE,
) -> tuple[list[Jt1078Packet], int]:
    """Split one media frame into packets; return them and the sequence number to use next.

    A frame that fits is one atomic packet (an empty frame too); otherwise first, middle...,
    last. Only the last packet of the frame has the marker bit. Video frames default their
    intervals to 0; audio and transparent frames must not be given intervals, and transparent
    frames no timestamp (LocalProtocolError, as :meth:`Jt1078Packet.encode` would raise).
    """
    if not 1 <= max_body <= MAX_BODY_LENGTH:
        raise LocalProtocolError(f"packetize: max_body={max_body} is not 1-{MAX_BODY_LENGTH}")
    if data_type in _DATA_TYPES and _DATA_TYPES[data_type].is_video:
        last_i_interval = 0 if last_i_interval is None else last_i_interval
        last_interval = 0 if last_interval is None else last_interval
    template = Jt1078Packet(
        marker=True,
        payload_type=payload_type_of(payload_type),
        seq=seq,
        sim=sim,
        channel=channel,
        data_type=data_type,
        timestamp=timestamp,
        last_i_interval=last_i_interval,
        last_interval=last_interval,
    )
    template.check()  # one check covers every packet: only body, seq and flags differ
    chunks = [payload[i : i + max_body] for i in range(0, len(payload), max_body)] or [b""]
    if len(chunks) == 1:
        return [replace(template, body=chunks[0])], (seq + 1) & 0xFFFF
    packets = []
    for i, chunk in enumerate(chunks):
        if i == 0:
            flag = Subpackage.FIRST
        elif i == len(chunks) - 1:
            flag = Subpackage.LAST
        else:
            flag = Subpackage.MIDDLE
        packets.append(
            replace(
                template,
                marker=flag == Subpackage.LAST,
                seq=(seq + i) & 0xFFFF,
                subpackage=flag,
                body=chunk,
            )
        )
    return packets, (seq + len(chunks)) & 0xFFFF
