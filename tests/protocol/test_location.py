from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import bcd_times, u8, u16, u32
from vectors import wire

from console.protocol.binary import BcdTime
from console.protocol.errors import BodyError
from console.protocol.jt808 import standard_items as si
from console.protocol.jt808.codec import decode_message
from console.protocol.jt808.framing import decode_frame
from console.protocol.jt808.items import ITEMS, MalformedItem, RawItem
from console.protocol.jt808.location import BatchType, LocationBatch, LocationReport

T0 = BcdTime("240101080000")


def report(*items, status: int = 0b11) -> LocationReport:
    return LocationReport(0, status, 23_700_000, 113_000_000, 50, 655, 90, T0, tuple(items))


def test_units_and_signs() -> None:
    message = decode_message(decode_frame(wire("tr_0200_2013_plain_real")))
    assert message.latitude == pytest.approx(-19.591535)  # status bit 2: south
    assert message.longitude == pytest.approx(-46.912186)  # status bit 3: west
    assert report().speed_kmh == 65.5 and report().positioned


def test_standard_items_are_typed() -> None:
    message = decode_message(decode_frame(wire("sc_0200_2013")))
    assert message.items == (si.Mileage(100), si.Fuel(55))
    assert message.item(si.Mileage).km == 10.0


def test_unknown_vendor_items_are_kept_raw() -> None:
    message = decode_message(decode_frame(wire("yzh_0200_subiao_dsm_real")))
    raw = [i for i in message.items if isinstance(i, RawItem)]
    assert {i.id for i in raw} >= {0xB7, 0xB1, 0xB4, 0xB6, 0xBA, 0xBD}


def test_an_item_of_the_wrong_size_is_kept_with_the_reason() -> None:
    body = report().encode() + bytes([0x01, 3, 1, 2, 3])
    message = LocationReport.decode(body)
    assert message.items == (MalformedItem(0x01, b"\x01\x02\x03", message.items[0].reason),)
    assert "4" in message.items[0].reason
    assert message.latitude_e6 == 23_700_000  # the position survives


def test_a_truncated_last_item_keeps_the_position_and_says_why() -> None:
    body = report().encode() + bytes([0x01, 4, 0, 0])
    message = LocationReport.decode(body)
    assert message.issues and "declares 4 bytes" in message.issues[0]
    assert message.speed_x10 == 655


def test_a_dangling_byte_is_kept_and_reported() -> None:
    message = LocationReport.decode(report().encode() + b"\x30")
    assert message.items == (RawItem(0x30, b""),) and message.issues


def test_a_body_shorter_than_the_basic_block_is_an_error() -> None:
    with pytest.raises(BodyError, match="28"):
        LocationReport.decode(bytes(27))


def test_invalid_bcd_time_still_decodes() -> None:
    body = bytearray(report().encode())
    body[22:28] = bytes.fromhex("002002020100")
    message = LocationReport.decode(bytes(body))
    assert message.time.to_datetime() is None and str(message.time) == "2000-20-02 02:01:00"


def test_batch_holds_blind_area_backfill() -> None:
    message = decode_message(decode_frame(wire("yzh_0704_2019")))
    assert message.batch_type == BatchType.BLIND_AREA and len(message.locations) == 3


def test_batch_with_a_short_location_points_at_it() -> None:
    body = LocationBatch(0, (report(),)).encode()
    with pytest.raises(BodyError) as info:
        LocationBatch.decode(body[:-1])
    assert info.value.offset is not None


# --- round trips ------------------------------------------------------------------------
def scalar(cls) -> st.SearchStrategy:
    return st.integers(0, (1 << (8 * cls.SIZE)) - 1).map(cls)


STANDARD_ITEMS = st.one_of(
    *[
        scalar(cls)
        for cls in ITEMS.values()
        if issubclass(cls, si.UIntItem) and cls.__module__ == si.__name__
    ],
    st.binary(min_size=30, max_size=30).map(si.TyrePressure),
    st.builds(si.OverspeedDetail, u8, st.none() | u32),
    st.builds(si.AreaRouteAlarm, u8, u32, u8),
    st.builds(si.RouteDriveTime, u32, u16, u8),
    st.builds(si.AbnormalDriving, u16, st.none() | u8),
    st.builds(
        RawItem, st.sampled_from([i for i in range(256) if i not in ITEMS]), st.binary(max_size=255)
    ),
)

locations = st.builds(
    LocationReport,
    u32,
    u32,
    u32,
    u32,
    u16,
    u16,
    u16,
    bcd_times,
    st.lists(STANDARD_ITEMS, max_size=8).map(tuple),
)


@given(locations)
def test_location_round_trip(message: LocationReport) -> None:
    assert LocationReport.decode(message.encode()) == message


@given(st.lists(locations, max_size=5).map(tuple), u8)
def test_batch_round_trip(locs: tuple[LocationReport, ...], batch_type: int) -> None:
    message = LocationBatch(batch_type, locs)
    assert LocationBatch.decode(message.encode()) == message
