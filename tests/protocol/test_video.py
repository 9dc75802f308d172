"""JT/T 1078 signalling bodies: 0x9101, 0x9102, 0x9201, 0x9202, 0x9205, 0x1205."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vectors import assert_matches, body_of

from console.protocol.binary import BcdTime, Reader, gbk_decode
from console.protocol.errors import BodyError, LocalProtocolError
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import MESSAGES, DecodeContext, Message
from console.protocol.jt808.video import (
    RESOURCE_RECORD_SIZE,
    AvDataType,
    AvType,
    CloseType,
    LiveControlCommand,
    LiveStreamType,
    LiveVideoControl,
    LiveVideoRequest,
    PlaybackCommand,
    PlaybackControl,
    PlaybackMode,
    PlaybackRequest,
    PlaybackSpeed,
    QueryResources,
    RecordStream,
    ResourceList,
    ResourceRecord,
    StorageType,
    code,
)

VECTORS_PATH = Path(__file__).resolve().parents[3] / "shared/protocol/vectors.json"


CLASSES: dict[str, type[Message]] = {
    "0x9101": LiveVideoRequest,
    "0x9102": LiveVideoControl,
    "0x9201": PlaybackRequest,
    "0x9205": QueryResources,
    "0x1205": ResourceList,
}


@cache
def _all_vectors() -> list[dict[str, Any]]:
    return json.loads(VECTORS_PATH.read_text(encoding="utf-8"))


def _vectors() -> list[dict[str, Any]]:
    return [v for v in _all_vectors() if v["message_id"] in CLASSES]


def _ids(vectors: list[dict[str, Any]]) -> list[str]:
    return [v["id"] for v in vectors]


def ctx_of(vector: dict[str, Any]) -> DecodeContext:
    edition = Edition.V2019 if vector["protocol_version"] == "2019" else Edition.V2013
    return DecodeContext(edition=edition)


def _is_fragment(vector: dict[str, Any]) -> bool:
    return bool(vector["expected"].get("fragment"))


# --- vectors ---------------------------------------------------------------------------------


def test_vectors_present() -> None:
    counts: dict[str, int] = {}
    for v in _vectors():
        counts[v["message_id"]] = counts.get(v["message_id"], 0) + 1
    assert counts == {"0x9101": 1, "0x9102": 1, "0x9201": 2, "0x9205": 2, "0x1205": 3}


def test_registered() -> None:
    for mid, cls in CLASSES.items():
        assert MESSAGES[int(mid, 16)] is cls
    assert MESSAGES[0x9202] is PlaybackControl


@pytest.mark.parametrize("vector", _vectors(), ids=_ids(_vectors()))
def test_vector_decodes(vector: dict[str, Any]) -> None:
    body = body_of(vector)
    expected = vector["expected"]
    if _is_fragment(vector):
        # A continuation packet of a sub-packaged 0x1205 is raw records, not a 0x1205 body.
        records, tail = ResourceRecord.read_all(body)
        assert tail == b""
        assert_matches(expected, {"fragment": True, "fragment_len": len(body)})
        assert len(records) == len(body) // RESOURCE_RECORD_SIZE
        return
    message = CLASSES[vector["message_id"]].decode(body, ctx_of(vector))
    assert_matches(expected, message.to_json())


@pytest.mark.parametrize(
    "vector",
    [v for v in _vectors() if not _is_fragment(v)],
    ids=_ids([v for v in _vectors() if not _is_fragment(v)]),
)
def test_vector_round_trip(vector: dict[str, Any]) -> None:
    body = body_of(vector)
    message = CLASSES[vector["message_id"]].decode(body, ctx_of(vector))
    assert message.encode() == body
    assert type(message).decode(message.encode(), ctx_of(vector)) == message


def test_resource_list_first_packet_is_partial() -> None:
    (vector,) = [v for v in _vectors() if v["id"] == "sc_1205_subpkg_1of2"]
    message = ResourceList.decode(body_of(vector))
    assert message.total == 35
    assert len(message.records) == 33
    assert message.is_partial
    assert message.tail == b""
    first = message.records[0]
    assert first.stream_type is RecordStream.MAIN
    assert first.memory_type is StorageType.MAIN
    assert first.av_type is AvType.AUDIO_VIDEO
    assert first.start.to_datetime() is not None


def test_resource_list_cut_inside_a_record() -> None:
    (vector,) = [v for v in _vectors() if v["id"] == "yzh_1205_subpkg_1of18"]
    body = body_of(vector)[:-5]
    message = ResourceList.decode(body)
    assert len(message.records) == 9
    assert len(message.tail) == RESOURCE_RECORD_SIZE - 5
    assert message.to_json()["partial_record_bytes"] == RESOURCE_RECORD_SIZE - 5
    assert message.encode() == body


def test_resource_list_complete() -> None:
    record = ResourceRecord(1, BcdTime("200717000000"), BcdTime("200717000035"), 0, 0, 1, 1, 9)
    message = ResourceList.of(7, (record, record))
    assert not message.is_partial
    assert ResourceList.decode(message.encode()) == message
    assert ResourceList.of(7, ()).to_json()["first"] is None


def test_unknown_codes_survive() -> None:
    (vector,) = [v for v in _vectors() if v["id"] == "go_9205_2013"]
    message = QueryResources.decode(body_of(vector))
    assert message.av_type == 155 and not isinstance(message.av_type, AvType)
    assert message.memory_type is StorageType.ANY
    assert code(AvDataType, 1) is AvDataType.VIDEO
    assert code(AvDataType, 200) == 200


def test_live_request_enums() -> None:
    (vector,) = [v for v in _vectors() if v["id"] == "sc_9101_2013"]
    message = LiveVideoRequest.decode(body_of(vector))
    assert message.data_type is AvDataType.VIDEO
    assert message.stream_type is LiveStreamType.SUB
    control = LiveVideoControl.decode(bytes([1, 1, 0, 0]))
    assert control.control is LiveControlCommand.SWITCH_STREAM
    assert control.close_type is CloseType.AUDIO_VIDEO


# --- 0x9202 (no vector: from JT/T 1078 table 26) ---------------------------------------------


def test_playback_control_layout() -> None:
    message = PlaybackControl(2, PlaybackCommand.SEEK, PlaybackSpeed.NONE, BcdTime("190716101010"))
    body = message.encode()
    assert body == bytes.fromhex("020500190716101010")
    assert PlaybackControl.decode(body) == message
    assert message.to_json() == {
        "channel": 2,
        "control": 5,
        "speed": 0,
        "position": "2019-07-16 10:10:10",
    }
    fast = PlaybackControl.decode(bytes.fromhex("010304000000000000"))
    assert fast.control is PlaybackCommand.FAST_FORWARD
    assert fast.speed is PlaybackSpeed.X8
    assert fast.position.is_zero
    assert PlaybackControl(1, PlaybackCommand.PAUSE).encode() == bytes.fromhex("010100000000000000")


def test_playback_request_enums() -> None:
    (vector,) = [v for v in _vectors() if v["id"] == "go_9201_2013"]
    message = PlaybackRequest.decode(body_of(vector))
    assert message.playback_mode is PlaybackMode.NORMAL
    assert message.av_type is AvType.VIDEO
    assert message.stream_type is RecordStream.ANY


# --- errors ----------------------------------------------------------------------------------


FIXED_LAYOUTS = [v for v in _vectors() if v["message_id"] != "0x1205"]


@pytest.mark.parametrize("vector", FIXED_LAYOUTS, ids=_ids(FIXED_LAYOUTS))
def test_truncated_and_extended_bodies_raise(vector: dict[str, Any]) -> None:
    cls = CLASSES[vector["message_id"]]
    body = body_of(vector)
    for cut in range(len(body)):
        with pytest.raises(BodyError) as info:
            cls.decode(body[:cut])
        assert info.value.offset is not None
        assert "needs" in info.value.message
    with pytest.raises(BodyError, match="unexpected byte") as info:
        cls.decode(body + b"\x00")
    assert info.value.offset == len(body)


def test_error_names_the_field() -> None:
    with pytest.raises(BodyError, match="stream type") as info:
        LiveVideoRequest.decode(bytes.fromhex("093132372E302E302E31076000000101"))
    assert info.value.offset == 16
    with pytest.raises(BodyError, match="seek position"):
        PlaybackControl.decode(bytes.fromhex("010500"))
    with pytest.raises(BodyError, match="total"):
        ResourceList.decode(bytes.fromhex("0001000000"))


def test_encode_rejects_values_that_do_not_fit() -> None:
    with pytest.raises(LocalProtocolError, match="TCP port"):
        LiveVideoRequest("1.2.3.4", 70000, 0, 1).encode()
    with pytest.raises(LocalProtocolError, match="channel"):
        PlaybackControl(256, 0).encode()
    with pytest.raises(LocalProtocolError, match="alarm flags"):
        QueryResources(0, BcdTime.from_text("2020-01-01 00:00:00"), BcdTime("0" * 12), -1).encode()


# --- property tests --------------------------------------------------------------------------

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFF_FFFF)
u64 = st.integers(0, 0xFFFF_FFFF_FFFF_FFFF)
times = st.binary(min_size=6, max_size=6).map(lambda b: BcdTime(b.hex()))
# Any bytes make a string that re-encodes to them (undecodable bytes survive as surrogates).
prefixed_text = st.binary(max_size=255).map(gbk_decode)

live_requests = st.builds(LiveVideoRequest, prefixed_text, u16, u16, u8, u8, u8)
live_controls = st.builds(LiveVideoControl, u8, u8, u8, u8)
playback_requests = st.builds(
    PlaybackRequest, prefixed_text, u16, u16, u8, u8, u8, u8, u8, u8, times, times
)
playback_controls = st.builds(PlaybackControl, u8, u8, u8, times)
queries = st.builds(QueryResources, u8, times, times, u64, u8, u8, u8)
records = st.builds(ResourceRecord, u8, times, times, u64, u8, u8, u8, u32)
resource_lists = st.builds(
    ResourceList,
    u16,
    u32,
    st.lists(records, max_size=8).map(tuple),
    st.binary(max_size=RESOURCE_RECORD_SIZE - 1),
)
messages = st.one_of(
    live_requests, live_controls, playback_requests, playback_controls, queries, resource_lists
)


@given(messages)
def test_round_trip(message: Message) -> None:
    body = message.encode()
    decoded = type(message).decode(body, DecodeContext())
    assert decoded == message
    assert decoded.encode() == body
    assert type(message).decode(body, DecodeContext(edition=Edition.V2019)) == message
    json.dumps(decoded.to_json())


@given(st.sampled_from(sorted(CLASSES.values(), key=lambda c: c.MESSAGE_ID)), st.binary())
def test_arbitrary_bytes_decode_or_raise_body_error(cls: type[Message], body: bytes) -> None:
    try:
        message = cls.decode(body)
    except BodyError:
        return
    assert message.encode() == body
    json.dumps(message.to_json())


@given(st.binary())
def test_read_all_consumes_everything(data: bytes) -> None:
    found, tail = ResourceRecord.read_all(data)
    assert len(found) == len(data) // RESOURCE_RECORD_SIZE
    assert len(tail) == len(data) % RESOURCE_RECORD_SIZE
    r = Reader(data)
    assert all(ResourceRecord.read(r) == record for record in found)
