from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.protocol.errors import ReassemblyError
from console.protocol.jt808.codec import encode_packets
from console.protocol.jt808.framing import Frame, decode_frame
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import RawMessage
from console.protocol.jt808.subpackage import MissingPackets, Reassembler

PHONE = "013912345678"


def packets(
    body: bytes, *, first_serial: int = 100, size: int = 100, msg_id: int = 0x0801
) -> list[Frame]:
    wires = encode_packets(
        RawMessage(msg_id, body), phone=PHONE, first_serial=first_serial, packet_size=size
    )
    return [decode_frame(w) for w in wires]


def test_packets_in_order_give_the_whole_body() -> None:
    body = bytes(range(256)) * 3
    parts = packets(body)
    r = Reassembler()
    results = [r.add(p, now=0.0) for p in parts]
    assert results[:-1] == [None] * (len(parts) - 1)
    whole = results[-1]
    assert whole.body == body
    assert whole.header.serial == 100 and not whole.header.is_subpackage


@given(st.permutations(range(8)))
def test_packets_in_any_order_give_the_whole_body(order: list[int]) -> None:
    body = bytes(range(250)) * 3
    parts = packets(body)
    r = Reassembler()
    results = [r.add(parts[i], now=0.0) for i in order]
    assert next(x for x in results if x is not None).body == body


def test_missing_packets_are_reported_after_a_quiet_period() -> None:
    parts = packets(bytes(500))
    r = Reassembler(retry_after=5.0)
    for p in parts:
        if p.header.package_index not in (2, 4):
            r.add(p, now=0.0)
    assert r.poll(now=4.9) == []
    assert r.next_deadline() == 5.0
    assert r.poll(now=5.0) == [MissingPackets(0x0801, 100, 5, (2, 4))]


def test_resent_packets_complete_the_message() -> None:
    parts = packets(bytes(range(200)) * 2)
    r = Reassembler(retry_after=1.0)
    r.add(parts[0], now=0.0)
    r.add(parts[3], now=0.0)
    assert isinstance(r.poll(now=2.0)[0], MissingPackets)
    r.add(parts[1], now=3.0)
    assert r.add(parts[2], now=3.0).body == bytes(range(200)) * 2


def test_gives_up_after_the_last_request() -> None:
    parts = packets(bytes(300))
    r = Reassembler(retry_after=1.0, give_up_after=100.0, max_requests=2)
    r.add(parts[0], now=0.0)
    assert isinstance(r.poll(now=1.0)[0], MissingPackets)
    assert isinstance(r.poll(now=2.0)[0], MissingPackets)
    (error,) = r.poll(now=3.0)
    assert isinstance(error, ReassemblyError) and "1 of 3" in str(error)
    assert r.next_deadline() is None


def test_too_many_packets_are_refused() -> None:
    r = Reassembler(max_packets=10)
    with pytest.raises(ReassemblyError, match="limit"):
        r.add(packets(bytes(2000), size=100)[0], now=0.0)


def test_buffered_bytes_stay_within_the_bound() -> None:
    r = Reassembler(max_bytes=1000, max_messages=100)
    for msg_id in range(20):
        for p in packets(bytes(900), msg_id=0x0900 + msg_id, size=100)[:-1]:
            r.add(p, now=float(msg_id))
            assert r.buffered_bytes <= 1000
    dropped = r.poll(now=20.0)
    assert dropped and all(isinstance(e, ReassemblyError) for e in dropped)


def test_a_new_transfer_replaces_an_abandoned_one() -> None:
    old = packets(bytes(300), first_serial=10)
    new = packets(b"\x01" * 300, first_serial=50)
    r = Reassembler()
    r.add(old[0], now=0.0)
    r.add(old[1], now=0.0)
    for p in new[:-1]:
        assert r.add(p, now=1.0) is None
    assert r.add(new[-1], now=1.0).body == b"\x01" * 300


def test_encode_packets_uses_consecutive_serials_and_2019_headers() -> None:
    wires = encode_packets(
        RawMessage(0x1205, bytes(2500)),
        phone="1" * 20,
        first_serial=0xFFFF,
        edition=Edition.V2019,
    )
    headers = [decode_frame(w).header for w in wires]
    assert [h.serial for h in headers] == [0xFFFF, 0, 1]
    assert [h.package_index for h in headers] == [1, 2, 3]
    assert all(h.edition is Edition.V2019 and h.package_total == 3 for h in headers)
