"""A simulated terminal and a platform, each a Connection, talking over bytes."""

from __future__ import annotations

from console.protocol.binary import BcdTime
from console.protocol.errors import ChecksumError
from console.protocol.jt808.basic import Authenticate, PlatformResponse, Register, RegisterResponse
from console.protocol.jt808.codec import encode_message
from console.protocol.jt808.connection import (
    BadMessage,
    Connection,
    MessageReceived,
    PacketReceived,
)
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import RawMessage
from console.protocol.jt808.subpackage import MissingPackets
from console.protocol.jt808.video import ResourceList, ResourceRecord

PHONE = "00000000013912345678"


def pair() -> tuple[Connection, Connection]:
    return Connection(), Connection()


def deliver(frames: list[bytes], to: Connection, now: float = 0.0) -> list:
    return to.receive_data(b"".join(frames), now)


def test_register_and_answer_with_the_terminals_own_phone_and_edition() -> None:
    terminal, platform = pair()
    _, frames = terminal.send(
        Register(44, 1800, "TW", "TW-1", "T0001", 2, "粤R12345", Edition.V2019),
        phone=PHONE,
        edition=Edition.V2019,
    )
    (event,) = deliver(frames, platform)
    assert isinstance(event, MessageReceived) and event.message.plate_number == "粤R12345"
    serial, answer = platform.send(RegisterResponse(event.header.serial, 0, "AUTH"))
    (reply,) = deliver(answer, terminal)
    assert reply.header.phone == PHONE and reply.header.edition is Edition.V2019
    assert reply.message == RegisterResponse(0, 0, "AUTH") and reply.header.serial == serial


def test_serial_numbers_increase_and_wrap() -> None:
    terminal = Connection()
    terminal._next_serial = 0xFFFF
    first, _ = terminal.send(Authenticate("x"), phone="013912345678")
    second, _ = terminal.send(Authenticate("x"), phone="013912345678")
    assert (first, second) == (0xFFFF, 0)


def test_a_long_message_goes_in_packets_and_comes_back_whole() -> None:
    day = BcdTime("240101000000")
    records = tuple(ResourceRecord(1, day, day, 0, 0, 1, 1, 1000 + i) for i in range(80))
    message = ResourceList(7, len(records), records)
    terminal, platform = pair()
    _, frames = terminal.send(message, phone="013912345678")
    assert len(frames) == 3
    events = deliver(frames, platform)
    assert [type(e) for e in events] == [PacketReceived] * 3 + [MessageReceived]
    assert events[-1].message == message


def test_a_missing_packet_is_asked_for() -> None:
    terminal, platform = pair()
    first, frames = terminal.send(RawMessage(0x0901, bytes(3000)), phone="013912345678")
    deliver([frames[0], frames[2]], platform, now=0.0)
    assert platform.next_deadline() == 10.0
    (request,) = platform.poll(now=10.0)
    assert request == MissingPackets(0x0901, first, 3, (2,))


def test_a_body_that_does_not_decode_is_a_bad_message_with_its_header() -> None:
    frame = encode_message(RawMessage(0x0001, b"\x00"), phone="013912345678", serial=5)
    (event,) = Connection().receive_data(frame, 0.0)
    assert isinstance(event, BadMessage) and event.header.serial == 5


def test_frame_errors_are_events_and_the_link_goes_on() -> None:
    good = encode_message(PlatformResponse(1, 2, 0), phone="013912345678", serial=1)
    bad = bytearray(good)
    bad[-2] ^= 0x55
    events = Connection().receive_data(bytes(bad) + good, 0.0)
    assert isinstance(events[0], ChecksumError) and isinstance(events[1], MessageReceived)
