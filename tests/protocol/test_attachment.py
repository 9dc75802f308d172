"""Active-safety attachments: 0x9208, 0x1210, 0x1211, 0x1212, 0x9212, the 0x30316364 data
packet, the mixed attachment-connection stream and the received-ranges bookkeeping."""

from __future__ import annotations

import json
import random
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vectors import assert_matches, body_of

from console.protocol.binary import BcdTime, gbk_decode
from console.protocol.errors import BodyError, LocalProtocolError, StreamError
from console.protocol.jt808.alarm_ident import TERMINAL_ID_SIZE, AlarmIdentification
from console.protocol.jt808.attachment import (
    STREAM_HEADER_SIZE,
    AlarmAttachmentInfo,
    AttachmentFile,
    AttachmentStreamDecoder,
    AttachmentUploadRequest,
    ByteRange,
    FileInfo,
    FileUploadComplete,
    FileUploadCompleteResponse,
    InfoType,
    RawFrame,
    ReceivedRanges,
    StreamEvent,
    StreamFrameTooLongError,
    StreamGarbageError,
    StreamPacket,
    StreamPacketTooLargeError,
    StreamTruncatedError,
    SubiaoFileType,
    UploadResult,
    YuebiaoFileType,
    decode_stream_packet,
    file_type_code,
)
from console.protocol.jt808.framing import decode_frame
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import MESSAGES, DecodeContext, Dialect, Message

VECTORS_PATH = Path(__file__).resolve().parents[3] / "shared/protocol/vectors.json"


CLASSES: dict[str, type[Message]] = {
    "0x9208": AttachmentUploadRequest,
    "0x1210": AlarmAttachmentInfo,
    "0x1211": FileInfo,
    "0x1212": FileUploadComplete,
    "0x9212": FileUploadCompleteResponse,
}
OTHER = {Dialect.SUBIAO: Dialect.YUEBIAO, Dialect.YUEBIAO: Dialect.SUBIAO}


@cache
def _all_vectors() -> list[dict[str, Any]]:
    return json.loads(VECTORS_PATH.read_text(encoding="utf-8"))


def _vector(vector_id: str) -> dict[str, Any]:
    (vector,) = [v for v in _all_vectors() if v["id"] == vector_id]
    return vector


MESSAGE_VECTORS = [v for v in _all_vectors() if v["message_id"] in CLASSES]
PACKET_VECTORS = [v for v in _all_vectors() if v["framing"] == "attachment_stream_packet"]
DIALECT_VECTORS = [v for v in MESSAGE_VECTORS if "alarm_ident" in v["expected"]]


def _ids(vectors: list[dict[str, Any]]) -> list[str]:
    return [v["id"] for v in vectors]


def ctx_of(vector: dict[str, Any], dialect: Dialect | None = None) -> DecodeContext:
    edition = Edition.V2019 if vector["protocol_version"] == "2019" else Edition.V2013
    return DecodeContext(edition=edition, dialect=dialect)


def expected_dialect(vector: dict[str, Any]) -> Dialect:
    std = vector["expected"]["alarm_ident"]["std"]
    return Dialect.YUEBIAO if std.startswith("yuebiao") else Dialect.SUBIAO


# --- message vectors -------------------------------------------------------------------------


def test_vectors_present() -> None:
    counts: dict[str, int] = {}
    for v in MESSAGE_VECTORS:
        counts[v["message_id"]] = counts.get(v["message_id"], 0) + 1
    assert counts == {"0x9208": 2, "0x1210": 3, "0x1211": 1, "0x1212": 1, "0x9212": 2}
    assert len(PACKET_VECTORS) == 2


def test_registered() -> None:
    for mid, cls in CLASSES.items():
        assert MESSAGES[int(mid, 16)] is cls


@pytest.mark.parametrize("vector", MESSAGE_VECTORS, ids=_ids(MESSAGE_VECTORS))
def test_vector_decodes(vector: dict[str, Any]) -> None:
    message = CLASSES[vector["message_id"]].decode(body_of(vector), ctx_of(vector))
    assert_matches(vector["expected"], message.to_json())


@pytest.mark.parametrize("vector", MESSAGE_VECTORS, ids=_ids(MESSAGE_VECTORS))
def test_vector_round_trip(vector: dict[str, Any]) -> None:
    body = body_of(vector)
    message = CLASSES[vector["message_id"]].decode(body, ctx_of(vector))
    assert message.encode() == body
    assert type(message).decode(body, ctx_of(vector)) == message


@pytest.mark.parametrize("vector", DIALECT_VECTORS, ids=_ids(DIALECT_VECTORS))
@pytest.mark.parametrize("configured", [None, Dialect.SUBIAO, Dialect.YUEBIAO])
def test_dialect_from_length(vector: dict[str, Any], configured: Dialect | None) -> None:
    """Detected when not configured; the length wins over a contradicting configuration."""
    message = CLASSES[vector["message_id"]].decode(body_of(vector), ctx_of(vector, configured))
    assert isinstance(message, AttachmentUploadRequest | AlarmAttachmentInfo)
    assert message.dialect is expected_dialect(vector)
    body = body_of(vector)
    size = len(message.alarm_ident.raw)
    if isinstance(message, AttachmentUploadRequest):
        assert message.alarm_ident.raw == body[-size - 48 : -48]  # kept exactly as sent
    else:
        start = TERMINAL_ID_SIZE[message.dialect]
        assert message.alarm_ident.raw == body[start : start + size]
    assert_matches(vector["expected"], message.to_json())


@pytest.mark.parametrize("vector", PACKET_VECTORS, ids=_ids(PACKET_VECTORS))
def test_packet_vector(vector: dict[str, Any]) -> None:
    data = bytes.fromhex(vector["hex"])
    packet = decode_stream_packet(data)
    assert_matches(vector["expected"], packet.to_json())
    assert packet.encode() == data


def test_9208_fields() -> None:
    message = AttachmentUploadRequest.decode(body_of(_vector("go_9208_subiao")))
    assert message.alarm_ident.terminal_id == "7654321"
    assert message.alarm_ident.time == BcdTime("200707192359")
    assert message.reserved == bytes(16)
    built = AttachmentUploadRequest(
        message.ip, message.tcp_port, message.udp_port, message.alarm_ident, message.alarm_no
    )
    assert built == message


def test_9208_bad_lengths() -> None:
    body = body_of(_vector("go_9208_subiao"))
    with pytest.raises(BodyError, match="unexpected byte"):
        AttachmentUploadRequest.decode(body + b"\x00")
    with pytest.raises(BodyError, match="reserved"):
        AttachmentUploadRequest.decode(body[:-1])
    # Configured 粤标 and a length that fits neither: read as configured, fail on the length.
    with pytest.raises(BodyError, match="0x9208"):
        AttachmentUploadRequest.decode(body + bytes(10), DecodeContext(dialect=Dialect.YUEBIAO))


def test_1210_files_and_types() -> None:
    message = AlarmAttachmentInfo.decode(body_of(_vector("go_1210_subiao_short_ids")))
    assert message.files == (
        AttachmentFile("123_aaa.jpg", 1234),
        AttachmentFile("cd_aaa.mp4", 123456),
    )
    assert message.info_type is InfoType.NORMAL
    assert message.alarm_ident.reserved == b"\x01"


def test_1210_neither_layout() -> None:
    body = body_of(_vector("go_1210_subiao_flow"))
    with pytest.raises(BodyError, match="neither layout") as info:
        AlarmAttachmentInfo.decode(body[:-1])
    assert "subiao" in info.value.message and "yuebiao" in info.value.message
    with pytest.raises(BodyError, match="neither layout"):
        AlarmAttachmentInfo.decode(body + b"\x00")


def _ambiguous_1210() -> bytes:
    """A 粤标 0x1210 whose bytes also read as a 苏标 one."""
    yue = AlarmAttachmentInfo(
        "T", AlarmIdentification(bytes(40)), "", 0, (AttachmentFile("x" * 42, 0),)
    ).encode()
    # As 苏标 the count is byte 56 (inside the 粤标 identification); make it one file that
    # runs to the end: name length = len - 57 - 1 - 4.
    body = bytearray(yue)
    body[56] = 1
    body[57] = len(body) - 57 - 1 - 4
    return bytes(body)


def test_1210_ambiguous_prefers_subiao_unless_configured() -> None:
    body = _ambiguous_1210()
    assert AlarmAttachmentInfo.decode(body).dialect is Dialect.SUBIAO
    assert AlarmAttachmentInfo.decode(body, DecodeContext(dialect=Dialect.SUBIAO)).dialect is (
        Dialect.SUBIAO
    )
    yue = AlarmAttachmentInfo.decode(body, DecodeContext(dialect=Dialect.YUEBIAO))
    assert yue.dialect is Dialect.YUEBIAO
    assert yue.encode() == body


def test_file_types_per_dialect() -> None:
    assert file_type_code(4, Dialect.SUBIAO) is SubiaoFileType.OTHER
    assert file_type_code(4, Dialect.YUEBIAO) is YuebiaoFileType.FACE_PICTURE
    assert file_type_code(5, Dialect.YUEBIAO) is YuebiaoFileType.OTHER
    assert file_type_code(5, Dialect.SUBIAO) == 5
    assert FileInfo.decode(body_of(_vector("go_1211_subiao_flow"))).file_type == 4


def test_9212_unknown_result_kept() -> None:
    message = FileUploadCompleteResponse.decode(body_of(_vector("sc_9212_body")))
    assert message.result == 2 and not isinstance(message.result, UploadResult)
    assert message.retransmit == ((20, 10), (40, 30))
    assert message.retransmit[1].end == 70
    go = FileUploadCompleteResponse.decode(body_of(_vector("go_9212_2019_retransmit")))
    assert go.result is UploadResult.RETRANSMIT


@pytest.mark.parametrize(
    "vector",
    [v for v in MESSAGE_VECTORS if v["message_id"] in ("0x1211", "0x1212", "0x9212")],
    ids=_ids([v for v in MESSAGE_VECTORS if v["message_id"] in ("0x1211", "0x1212", "0x9212")]),
)
def test_truncated_and_extended_bodies_raise(vector: dict[str, Any]) -> None:
    cls = CLASSES[vector["message_id"]]
    body = body_of(vector)
    for cut in range(len(body)):
        with pytest.raises(BodyError, match="needs") as info:
            cls.decode(body[:cut])
        assert info.value.offset is not None
    with pytest.raises(BodyError, match="unexpected byte"):
        cls.decode(body + b"\x00")


def test_encode_rejects_values_that_do_not_fit() -> None:
    ident = AlarmIdentification(bytes(16))
    with pytest.raises(LocalProtocolError, match="alarm number"):
        AttachmentUploadRequest("h", 1, 2, ident, "x" * 33).encode()
    with pytest.raises(LocalProtocolError, match="reserved"):
        AttachmentUploadRequest("h", 1, 2, ident, "", b"\x00").encode()
    with pytest.raises(LocalProtocolError, match="terminal id"):
        AlarmAttachmentInfo("12345678", ident, "", 0).encode()
    with pytest.raises(LocalProtocolError, match="file name"):
        StreamPacket("n" * 51, 0, b"").encode()
    with pytest.raises(LocalProtocolError, match="retransmit count"):
        FileUploadCompleteResponse("f", 0, 1, tuple((i, 1) for i in range(256))).encode()


# --- the data packet -------------------------------------------------------------------------

FILE_NAME = "2024-11-22_10_00_00_data.txt"
PACKET_1 = bytes.fromhex(_vector("go_stream_packet_1")["hex"])
PACKET_2 = bytes.fromhex(_vector("go_stream_packet_2")["hex"])
# The third packet of the same go-jt808 capture (offset 0 re-sent after 0x9212) is not in
# vectors.json; build it.
PACKET_3 = StreamPacket(FILE_NAME, 0, b"hell").encode()


def test_decode_stream_packet_errors() -> None:
    with pytest.raises(StreamError, match="30316364"):
        decode_stream_packet(b"\x7e" + PACKET_1[1:])
    with pytest.raises(StreamError, match="header needs"):
        decode_stream_packet(PACKET_1[: STREAM_HEADER_SIZE - 1])
    with pytest.raises(StreamError, match="declares 4 data byte") as info:
        decode_stream_packet(PACKET_1[:-1])
    assert info.value.offset == STREAM_HEADER_SIZE - 4
    with pytest.raises(StreamError, match="but 5 follow"):
        decode_stream_packet(PACKET_1 + b"!")


# --- the attachment connection stream --------------------------------------------------------

FRAME_1210 = bytes.fromhex(_vector("go_1210_subiao_flow")["hex"])
FRAME_1211 = bytes.fromhex(_vector("go_1211_subiao_flow")["hex"])
FRAME_1212 = bytes.fromhex(_vector("go_1212_subiao_flow")["hex"])
FRAME_ESCAPED = bytes.fromhex(_vector("yzh_1205_subpkg_18of18_escaped")["hex"])

FLOW = [FRAME_1210, FRAME_1211, PACKET_1, PACKET_2, FRAME_1212, PACKET_3, FRAME_1212]
FLOW_BYTES = b"".join(FLOW)


def describe(event: StreamEvent) -> tuple[Any, ...]:
    if isinstance(event, RawFrame):
        return ("frame", event.wire)
    if isinstance(event, StreamPacket):
        return ("packet", event)
    return (type(event).__name__, event.message, event.offset)


def run(data: bytes, cuts: list[int] | None = None, **options: int) -> list[tuple[Any, ...]]:
    """Feed ``data`` split at ``cuts`` (None: whole); check the bound after every call."""
    decoder = AttachmentStreamDecoder(**options)
    bounds = sorted({0, len(data), *(cuts or [])})
    events: list[tuple[Any, ...]] = []
    for a, b in pairwise(bounds):
        events += [describe(e) for e in decoder.feed(data[a:b])]
        assert decoder.buffered <= decoder.max_buffered
    assert decoder.position == len(data)
    events += [describe(e) for e in decoder.close()]
    assert decoder.buffered == 0
    return events


def expected_flow() -> list[tuple[Any, ...]]:
    return [("frame", p) if p[0] == 0x7E else ("packet", decode_stream_packet(p)) for p in FLOW]


def test_flow_whole() -> None:
    assert run(FLOW_BYTES) == expected_flow()


def test_flow_byte_by_byte() -> None:
    assert run(FLOW_BYTES, list(range(len(FLOW_BYTES)))) == expected_flow()


@given(st.lists(st.integers(0, len(FLOW_BYTES)), max_size=40))
def test_flow_random_chunks(cuts: list[int]) -> None:
    assert run(FLOW_BYTES, cuts) == expected_flow()


def test_flow_seeded_chunks() -> None:
    rng = random.Random(1078)
    for _ in range(50):
        cuts = [rng.randrange(len(FLOW_BYTES)) for _ in range(rng.randrange(1, 30))]
        assert run(FLOW_BYTES, cuts) == expected_flow()


def test_frames_go_to_the_frame_decoder() -> None:
    decoder = AttachmentStreamDecoder()
    events = decoder.feed(FLOW_BYTES)
    frames = [e for e in events if isinstance(e, RawFrame)]
    packets = [e for e in events if isinstance(e, StreamPacket)]
    ids = [decode_frame(f.wire).header.message_id for f in frames]
    assert ids == [0x1210, 0x1211, 0x1212, 0x1212]
    info = AlarmAttachmentInfo.decode(decode_frame(frames[0].wire).body)
    assert info.files == (AttachmentFile(FILE_NAME, 12),)

    # The go-jt808 flow: offsets 4 and 8 arrive, 0x1212 -> 0x9212 asks for (0, 4).
    ranges = ReceivedRanges()
    for packet in packets[:2]:
        ranges.add_packet(packet)
    assert ranges.missing(12) == [(0, 4)]
    assert not ranges.complete(12)
    reply = FileUploadCompleteResponse.for_file(FILE_NAME, 4, ranges, 12)
    assert reply.result is UploadResult.RETRANSMIT
    assert reply.retransmit == ((0, 4),)
    ranges.add_packet(packets[2])
    assert ranges.complete(12)
    done = FileUploadCompleteResponse.for_file(FILE_NAME, 4, ranges, 12)
    assert done.result is UploadResult.COMPLETE
    # go-jt808's platform answered that 0x1212 with exactly this body.
    assert done.encode() == bytes([28]) + FILE_NAME.encode() + b"\x04\x00\x00"
    data = bytearray(12)
    for packet in packets:
        data[packet.offset : packet.end] = packet.data
    assert data == b"helloword123"


def test_escaped_frame_passes_through_untouched() -> None:
    assert FRAME_ESCAPED.count(b"\x7d") > 0
    assert run(PACKET_1 + FRAME_ESCAPED + PACKET_2) == [
        ("packet", decode_stream_packet(PACKET_1)),
        ("frame", FRAME_ESCAPED),
        ("packet", decode_stream_packet(PACKET_2)),
    ]


def test_packet_data_is_not_scanned() -> None:
    packet = StreamPacket(FILE_NAME, 100, b"\x7e01cd\x7e" + FRAME_1211 + b"01c").encode()
    assert run(packet + FRAME_1212) == [
        ("packet", decode_stream_packet(packet)),
        ("frame", FRAME_1212),
    ]


def test_garbage_is_skipped_and_reported_once() -> None:
    data = b"$$" + FRAME_1210 + b"0" + b"01c" + b"xyz" + PACKET_1 + b"\x00" * 10
    skipped = "skipped {} byte(s) outside a frame or data packet".format
    after_frame = 2 + len(FRAME_1210)
    assert run(data) == [
        ("StreamGarbageError", skipped(2), 0),
        ("frame", FRAME_1210),
        ("StreamGarbageError", skipped(7), after_frame),
        ("packet", decode_stream_packet(PACKET_1)),
        ("StreamGarbageError", skipped(10), after_frame + 7 + len(PACKET_1)),
    ]


def test_doubled_flag_and_stray_flag() -> None:
    assert run(b"\x7e" + FRAME_1211 + b"\x7e" + PACKET_1) == [
        ("frame", FRAME_1211),
        ("StreamGarbageError", "skipped 1 byte(s) outside a frame or data packet", 1 + 49),
        ("packet", decode_stream_packet(PACKET_1)),
    ]


def test_oversized_packet_resynchronises() -> None:
    huge = b"01cd" + FILE_NAME.encode().ljust(50, b"\x00") + (0).to_bytes(4, "big")
    huge += (2 << 20).to_bytes(4, "big") + b"\x11" * 100
    decoder = AttachmentStreamDecoder()
    error, *_ = decoder.feed(huge)
    assert isinstance(error, StreamPacketTooLargeError)
    events = run(huge + FRAME_1212)
    assert events[0][0] == "StreamPacketTooLargeError"
    assert events[0][2] == STREAM_HEADER_SIZE - 4
    assert "2097152" in events[0][1]
    assert events[1][0] == "StreamGarbageError"
    assert events[2:] == [("frame", FRAME_1212)]
    assert run(huge + FRAME_1212, list(range(len(huge) + len(FRAME_1212)))) == events


def test_packet_bound_is_configurable() -> None:
    events = run(PACKET_2 + PACKET_1, max_packet_data=3)
    assert [e[0] for e in events] == [
        "StreamPacketTooLargeError",
        "StreamGarbageError",
        "StreamPacketTooLargeError",
        "StreamGarbageError",
    ]
    decoder = AttachmentStreamDecoder(max_packet_data=3)
    decoder.feed(PACKET_1)
    assert decoder.buffered <= decoder.max_buffered == 4096 + 1


def test_frame_without_closing_flag() -> None:
    runaway = b"\x7e" + b"\x01" * 5000
    data = runaway + b"\x7e" + FRAME_1211
    events = run(data)
    assert events == [
        ("StreamFrameTooLongError", "no closing 0x7E within 4096 bytes; rescanning", 0),
        ("StreamGarbageError", "skipped 5000 byte(s) outside a frame or data packet", 1),
        ("frame", FRAME_1211),
    ]
    assert run(data, list(range(0, len(data), 7))) == events
    decoder = AttachmentStreamDecoder()
    for i in range(0, 200_000, 1000):
        decoder.feed(b"\x7e" + bytes([i % 0x7E]) * 999)
        assert decoder.buffered <= 4097


def test_runaway_frame_recovers_a_packet_inside() -> None:
    data = b"\x7e" + b"\x02" * 4100 + PACKET_1 + FRAME_1212
    assert run(data, max_frame_size=4096) == [
        ("StreamFrameTooLongError", "no closing 0x7E within 4096 bytes; rescanning", 0),
        ("StreamGarbageError", "skipped 4100 byte(s) outside a frame or data packet", 1),
        ("packet", decode_stream_packet(PACKET_1)),
        ("frame", FRAME_1212),
    ]


def test_frame_bound_is_configurable() -> None:
    decoder = AttachmentStreamDecoder(max_frame_size=60)
    assert isinstance(decoder.feed(FRAME_1210)[0], StreamFrameTooLongError)
    events = run(FRAME_1210 + FRAME_1211, max_frame_size=60)
    assert events[0][0] == "StreamFrameTooLongError"
    assert events[-1] == ("frame", FRAME_1211)


def test_close_reports_unfinished() -> None:
    decoder = AttachmentStreamDecoder()
    assert decoder.feed(FRAME_1211 + PACKET_1[:30]) == [RawFrame(FRAME_1211)]
    (error,) = decoder.close()
    assert isinstance(error, StreamTruncatedError)
    assert error.offset == len(FRAME_1211)
    assert "data packet" in error.message
    assert decoder.feed(FRAME_1212) == [RawFrame(FRAME_1212)]
    decoder.feed(b"\x7e\x12")
    assert "inside a frame" in decoder.close()[0].message
    decoder.feed(b"zz01")
    (garbage,) = decoder.close()
    assert isinstance(garbage, StreamGarbageError)
    assert decoder.close() == []
    assert decoder.feed(b"") == []


def test_memory_stays_bounded_under_flood() -> None:
    rng = random.Random(808)
    decoder = AttachmentStreamDecoder(max_packet_data=1 << 16)
    pieces = [b"\x7e", b"01cd", b"\x00\x01\x00\x00", FRAME_1211, PACKET_1[:40]]
    for _ in range(2000):
        chunk = rng.choice(pieces) if rng.random() < 0.3 else rng.randbytes(rng.randrange(1, 700))
        for event in decoder.feed(chunk):
            assert isinstance(event, RawFrame | StreamPacket | StreamError)
        assert decoder.buffered <= decoder.max_buffered


PIECES = [FRAME_1210, FRAME_1211, FRAME_ESCAPED, PACKET_1, PACKET_2, PACKET_3]


@settings(max_examples=300)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([*PIECES, b"\x7e", b"01cd", b"01", b"\x7e\x7e", b"\xff" * 70]),
            st.binary(max_size=40),
            st.sampled_from(PIECES).map(lambda p: p[: len(p) // 2]),
        ),
        max_size=12,
    ).map(b"".join),
    st.lists(st.integers(0, 2000), max_size=20),
)
def test_any_stream_any_chunking_same_events(data: bytes, cuts: list[int]) -> None:
    options = {"max_packet_data": 64, "max_frame_size": 120}
    whole = run(data, None, **options)
    assert run(data, [c for c in cuts if c < len(data)], **options) == whole
    # The decoder never fell back on its "internal failure" path (a plain StreamError).
    assert all(e[0] != "StreamError" for e in whole)


def test_whole_flow_survives_any_single_byte_prefix() -> None:
    for n in range(1, 40):
        events = run(b"\xaa" * n + FLOW_BYTES)
        assert events[0] == (
            "StreamGarbageError",
            f"skipped {n} byte(s) outside a frame or data packet",
            0,
        )
        assert events[1:] == expected_flow()


# --- ReceivedRanges --------------------------------------------------------------------------


def test_ranges_merge() -> None:
    r = ReceivedRanges()
    assert r.missing(10) == [(0, 10)]
    assert not r.complete(10)
    assert r.complete(0)
    r.add(8, 4)
    r.add(4, 4)  # adjacent: joins
    assert r.ranges == [(4, 8)]
    r.add(20, 5)
    r.add(30, 0)  # empty: ignored
    assert r.ranges == [(4, 8), (20, 5)]
    assert r.missing(40) == [(0, 4), (12, 8), (25, 15)]
    assert r.missing(22) == [(0, 4), (12, 8)]
    assert r.missing(3) == [(0, 3)]
    r.add(10, 12)  # overlaps both
    assert r.ranges == [ByteRange(4, 21)]
    r.add(0, 2)
    r.add(5, 3)  # contained
    assert r.ranges == [(0, 2), (4, 21)]
    assert r.received_bytes == 23
    r.add(1, 4)
    assert r.complete(25) and not r.complete(26)
    assert r.missing(25) == []
    assert "ReceivedRanges" in repr(r)
    with pytest.raises(ValueError):
        r.add(-1, 3)
    with pytest.raises(ValueError):
        r.add(1, -3)


def test_response_caps_the_range_count() -> None:
    r = ReceivedRanges()
    for i in range(400):
        r.add(2 * i + 1, 1)  # gaps at every even offset
    reply = FileUploadCompleteResponse.for_file("f", 0, r, 800)
    assert len(reply.retransmit) == 255
    assert reply.retransmit[:254] == tuple((2 * i, 1) for i in range(254))
    assert reply.retransmit[254] == (508, 799 - 508)  # the last gap is (798, 1)
    assert FileUploadCompleteResponse.decode(reply.encode()) == reply


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 15)), max_size=25), st.integers(0, 70))
def test_ranges_against_a_bitmap(adds: list[tuple[int, int]], size: int) -> None:
    r = ReceivedRanges()
    have = set()
    for offset, length in adds:
        r.add(offset, length)
        have.update(range(offset, offset + length))
    # Stored ranges: sorted, disjoint, not touching, covering exactly what arrived.
    ranges = r.ranges
    assert all(a.end < b.offset for a, b in pairwise(ranges))
    assert {i for o, n in ranges for i in range(o, o + n)} == have
    assert r.received_bytes == len(have)
    missing = r.missing(size)
    assert {i for o, n in missing for i in range(o, o + n)} == set(range(size)) - have
    assert all(n > 0 for _, n in missing)
    assert all(a.end < b.offset for a, b in pairwise(missing))
    assert r.complete(size) == (not missing)


# --- property round trips --------------------------------------------------------------------

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFF_FFFF)
prefixed_text = st.binary(max_size=255).map(gbk_decode)


def fixed_text(size: int) -> st.SearchStrategy[str]:
    """Text for a NUL-padded BYTE[size] field (trailing NULs are padding, not value)."""
    return st.binary(max_size=size).map(lambda b: gbk_decode(b.rstrip(b"\x00")))


def idents(dialect: Dialect) -> st.SearchStrategy[AlarmIdentification]:
    size = 16 if dialect is Dialect.SUBIAO else 40
    return st.binary(min_size=size, max_size=size).map(AlarmIdentification)


def upload_requests(dialect: Dialect) -> st.SearchStrategy[AttachmentUploadRequest]:
    return st.builds(
        AttachmentUploadRequest,
        prefixed_text,
        u16,
        u16,
        idents(dialect),
        fixed_text(32),
        st.binary(min_size=16, max_size=16),
    )


def attachment_infos(dialect: Dialect) -> st.SearchStrategy[AlarmAttachmentInfo]:
    files = st.lists(st.builds(AttachmentFile, prefixed_text, u32), max_size=6).map(tuple)
    return st.builds(
        AlarmAttachmentInfo,
        fixed_text(TERMINAL_ID_SIZE[dialect]),
        idents(dialect),
        fixed_text(32),
        u8,
        files,
    )


dialects = st.sampled_from(list(Dialect))
ranges = st.lists(st.tuples(u32, u32), max_size=20).map(tuple)
simple_messages = st.one_of(
    st.builds(FileInfo, prefixed_text, u8, u32),
    st.builds(FileUploadComplete, prefixed_text, u8, u32),
    st.builds(FileUploadCompleteResponse, prefixed_text, u8, u8, ranges),
)


@given(simple_messages)
def test_round_trip_file_messages(message: Message) -> None:
    body = message.encode()
    assert type(message).decode(body) == message
    json.dumps(message.to_json())


@given(dialects.flatmap(upload_requests), st.sampled_from([None, *Dialect]))
def test_round_trip_9208(message: AttachmentUploadRequest, configured: Dialect | None) -> None:
    body = message.encode()
    decoded = AttachmentUploadRequest.decode(body, DecodeContext(dialect=configured))
    assert decoded == message
    assert decoded.dialect is message.dialect
    assert decoded.encode() == body
    json.dumps(decoded.to_json())


@given(dialects.flatmap(attachment_infos))
def test_round_trip_1210(message: AlarmAttachmentInfo) -> None:
    body = message.encode()
    assert AlarmAttachmentInfo.decode(body, DecodeContext(dialect=message.dialect)) == message
    detected = AlarmAttachmentInfo.decode(body)
    # Undirected, 苏标 wins only when the bytes really read both ways.
    assert detected == message or (
        message.dialect is Dialect.YUEBIAO and detected.dialect is Dialect.SUBIAO
    )
    assert detected.encode() == body
    contradicted = AlarmAttachmentInfo.decode(body, DecodeContext(dialect=OTHER[message.dialect]))
    assert contradicted.encode() == body
    json.dumps(message.to_json())


@given(st.builds(StreamPacket, fixed_text(50), u32, st.binary(max_size=300)))
def test_round_trip_stream_packet(packet: StreamPacket) -> None:
    data = packet.encode()
    assert decode_stream_packet(data) == packet
    assert AttachmentStreamDecoder().feed(data) == [packet]
    json.dumps(packet.to_json())


@given(st.sampled_from(sorted(CLASSES.values(), key=lambda c: c.MESSAGE_ID)), st.binary())
def test_arbitrary_bytes_decode_or_raise_body_error(cls: type[Message], body: bytes) -> None:
    try:
        message = cls.decode(body)
    except BodyError:
        return
    assert message.encode() == body
    json.dumps(message.to_json())


@given(st.binary(max_size=200))
def test_arbitrary_packets_decode_or_raise_stream_error(data: bytes) -> None:
    try:
        packet = decode_stream_packet(b"01cd" + data)
    except StreamError:
        return
    assert packet.encode() == b"01cd" + data
