from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import headers
from vectors import wire

from console.protocol.errors import (
    ChecksumError,
    EscapeError,
    FrameTooLongError,
    FramingError,
    GarbageError,
    HeaderError,
)
from console.protocol.jt808.framing import (
    Frame,
    FrameDecoder,
    checksum,
    decode_frame,
    encode_frame,
    escape,
    unescape,
)
from console.protocol.jt808.header import Edition


def test_checksum_is_xor_of_all_bytes() -> None:
    for data in (b"", b"\x01", b"\x01\x02\x04", bytes(range(256)) * 5):
        expected = 0
        for byte in data:
            expected ^= byte
        assert checksum(data) == expected


def test_escape_examples_from_the_standard() -> None:
    assert escape(b"\x30\x7e\x08\x7d\x55") == b"\x30\x7d\x02\x08\x7d\x01\x55"
    assert unescape(b"\x30\x7d\x02\x08\x7d\x01\x55") == b"\x30\x7e\x08\x7d\x55"


@given(st.binary(max_size=300))
def test_unescape_inverts_escape(data: bytes) -> None:
    escaped = escape(data)
    assert b"\x7e" not in escaped
    assert unescape(escaped) == data


@pytest.mark.parametrize("bad", [b"\x7d", b"\x01\x7d\x03", b"\x7d\x7d\x01"])
def test_unescape_rejects_a_dangling_escape(bad: bytes) -> None:
    with pytest.raises(EscapeError) as info:
        unescape(bad)
    assert info.value.offset is not None


def test_decode_frame_reads_the_escaped_serial() -> None:
    frame = decode_frame(wire("sc_0200_escaped_serial_and_fuel"))
    assert frame.header.serial == 0x7E
    assert frame.escaped


def test_escaped_check_code_is_undone_before_checking() -> None:
    frame = decode_frame(wire("yzh_0800_2019_escaped_checksum"))
    assert frame.checksum_ok and frame.header.edition is Edition.V2019


def test_wrong_check_code_raises_in_strict_mode_and_is_flagged_in_lenient_mode() -> None:
    raw = bytearray(wire("sc_0001_2013"))
    raw[-2] ^= 0xFF
    with pytest.raises(ChecksumError):
        decode_frame(bytes(raw))
    assert decode_frame(bytes(raw), lenient=True).checksum_ok is False


def test_raw_flag_inside_a_frame_is_a_framing_error_in_strict_mode() -> None:
    content = bytearray(wire("sc_0001_2013")[1:-1])
    content[5] = 0x7E
    content[-1] = checksum(bytes(content[:-1]))
    with pytest.raises(FramingError):
        decode_frame(b"\x7e" + bytes(content) + b"\x7e")


def test_body_length_mismatch_is_a_header_error() -> None:
    raw = wire("sc_0001_2013")
    with pytest.raises(HeaderError):
        decode_frame(raw[:-3] + raw[-2:])


def test_short_frame_is_a_header_error() -> None:
    with pytest.raises(HeaderError):
        decode_frame(b"\x7e\x00\x01\x00\x7e")


@given(headers(), st.binary(max_size=1023))
def test_frame_round_trip(header, body: bytes) -> None:
    frame = decode_frame(encode_frame(header, body))
    assert frame.header == header
    assert frame.body == body


# --- the stream decoder -----------------------------------------------------------------
FRAMES = [wire("sc_0001_2013"), wire("sc_0200_escaped_serial_and_fuel"), wire("go_0002_2019")]


def frames_of(events) -> list[Frame]:
    return [e for e in events if isinstance(e, Frame)]


def test_stream_yields_frames_fed_one_byte_at_a_time() -> None:
    decoder = FrameDecoder()
    events = []
    for byte in b"".join(FRAMES):
        events += decoder.feed(bytes([byte]))
    assert [f.header.message_id for f in frames_of(events)] == [0x0001, 0x0200, 0x0002]
    assert len(events) == 3


def test_stream_yields_several_frames_from_one_chunk() -> None:
    events = FrameDecoder().feed(b"".join(FRAMES))
    assert len(frames_of(events)) == 3


@given(st.lists(st.integers(1, 40), min_size=1, max_size=60))
def test_stream_result_does_not_depend_on_chunking(cuts: list[int]) -> None:
    data = b"".join(FRAMES) * 2
    decoder = FrameDecoder()
    events, i = [], 0
    for size in cuts:
        events += decoder.feed(data[i : i + size])
        i += size
    events += decoder.feed(data[i:])
    assert [f.header for f in frames_of(events)] == [decode_frame(f).header for f in FRAMES * 2]


def test_garbage_between_frames_is_reported_and_skipped() -> None:
    events = FrameDecoder().feed(b"$$" + FRAMES[0] + b"junk" + FRAMES[1])
    assert [type(e) for e in events] == [GarbageError, Frame, GarbageError, Frame]
    assert "2 byte" in str(events[0]) and events[0].offset == 0


def test_back_to_back_flags_open_the_next_frame() -> None:
    events = FrameDecoder().feed(b"\x7e" + FRAMES[0] + FRAMES[1])
    assert len(frames_of(events)) == 2


def test_bad_frame_is_an_error_value_and_the_stream_goes_on() -> None:
    broken = bytearray(FRAMES[0])
    broken[-2] ^= 1
    events = FrameDecoder().feed(bytes(broken) + FRAMES[1])
    assert isinstance(events[0], ChecksumError)
    assert events[0].frame is not None  # kept for a hex excerpt in the log
    assert isinstance(events[1], Frame)


def test_ten_megabytes_without_a_flag_cost_bounded_memory() -> None:
    decoder = FrameDecoder(max_frame_size=4096)
    errors = decoder.feed(b"\x7e")
    chunk = b"\x55" * 65536
    for _ in range(160):  # 10 MiB
        errors += decoder.feed(chunk)
        assert decoder.buffered <= 4096
    assert [type(e) for e in errors] == [FrameTooLongError]
    after = decoder.feed(b"\x7e" + FRAMES[0])
    assert frames_of(after), "the decoder recovers at the next frame"
