from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from strategies import bcd_times, u8, u16, u32
from vectors import wire

from console.protocol.jt808.codec import decode_message
from console.protocol.jt808.framing import decode_frame
from console.protocol.jt808.location import LocationReport
from console.protocol.jt808.multimedia import (
    MultimediaData,
    MultimediaEvent,
    MultimediaUploadResponse,
    TakePhoto,
    TakePhotoResponse,
)


def test_multimedia_data_carries_location_and_data() -> None:
    message = decode_message(decode_frame(wire("go_0801_2013")))
    assert message.location is not None and message.location.altitude == 312
    assert message.data == bytes.fromhex("0d7b0d7b7b")


def test_2011_multimedia_data_has_no_location_block() -> None:
    body = MultimediaData(1, 0, 0, 0, 1, None, b"\xff\xd8\xff\xe0" + bytes(40)).encode()
    message = MultimediaData.decode(body)
    assert message.location is None and message.data.startswith(b"\xff\xd8")


def test_take_photo_defaults_ask_for_one_uploaded_photo() -> None:
    body = TakePhoto(channel=0x65).encode()
    assert len(body) == 12 and body[:3] == b"\x65\x00\x01"


def test_photo_response_lists_media_ids_only_on_success() -> None:
    assert TakePhotoResponse(9, 1).encode() == b"\x00\x09\x01"
    assert TakePhotoResponse.decode(TakePhotoResponse(9, 0, (7,)).encode()).media_ids == (7,)


def test_upload_response_without_list_means_complete() -> None:
    assert MultimediaUploadResponse.decode(b"\x00\x00\x00\x07") == MultimediaUploadResponse(7)


@given(st.tuples(u32, u8, u8, u8, u8))
def test_event_round_trip(fields: tuple[int, ...]) -> None:
    message = MultimediaEvent(*fields)
    assert MultimediaEvent.decode(message.encode()) == message


@given(
    u32,
    u8,
    u8,
    u8,
    u8,
    st.builds(LocationReport, u32, u32, u32, u32, u16, u16, u16, bcd_times),
    st.binary(max_size=600),
)
def test_data_round_trip(media_id, media_type, fmt, event, channel, location, data) -> None:
    data = data if data[:2] != b"\xff\xd8" else b"\x00" + data  # keep the 2013 layout here
    message = MultimediaData(media_id, media_type, fmt, event, channel, location, data)
    assert MultimediaData.decode(message.encode()) == message


@given(st.tuples(u8, u16, u16, u8, u8, u8, u8, u8, u8, u8))
def test_take_photo_round_trip(fields) -> None:
    message = TakePhoto(*fields)
    assert TakePhoto.decode(message.encode()) == message


@given(u32, st.lists(u16, max_size=255).map(tuple))
def test_upload_response_round_trip(media_id, ids) -> None:
    message = MultimediaUploadResponse(media_id, ids)
    assert MultimediaUploadResponse.decode(message.encode()) == message


@given(u16, u8, st.lists(u32, max_size=50).map(tuple))
def test_photo_response_round_trip(serial, result, ids) -> None:
    message = TakePhotoResponse(serial, result, ids)
    assert TakePhotoResponse.decode(message.encode()) == message
