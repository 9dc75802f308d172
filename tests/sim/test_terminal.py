"""The virtual terminal's protocol state machine against a platform-side Connection (bytes in,
bytes out, time as an argument)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from console.protocol.binary import BcdTime
from console.protocol.errors import ChecksumError
from console.protocol.jt808.attachment import AttachmentUploadRequest
from console.protocol.jt808.basic import (
    Authenticate,
    Heartbeat,
    PlatformResponse,
    Register,
    RegisterResponse,
    ResendSubpackages,
    TerminalResponse,
)
from console.protocol.jt808.connection import Connection, MessageReceived, PacketReceived
from console.protocol.jt808.header import Edition, Header
from console.protocol.jt808.location import LocationBatch, LocationReport
from console.protocol.jt808.message import Dialect, Message, RawMessage
from console.protocol.jt808.multimedia import MultimediaData, TakePhoto, TakePhotoResponse
from console.protocol.jt808.text import TextMessage
from console.protocol.jt808.video import (
    LiveControlCommand,
    LiveVideoControl,
    LiveVideoRequest,
    QueryResources,
    ResourceList,
)
from console.sim.alarms import SafetyMonitor, kinds_for, location_report
from console.sim.driver import Driver, DriverProfile
from console.sim.terminal import (
    Close,
    LinkState,
    Speak,
    StartStream,
    StopStream,
    TakePhotos,
    Transmit,
    UploadEvidence,
    VirtualTerminal,
)
from console.sim.world import VehicleSpec

NOON = 1_740_024_000.0
T = 10.0
SPEC = VehicleSpec(
    plate="粤R12345",
    plate_color=2,
    phone="013912345678",
    terminal_id="T123456",
    edition=Edition.V2013,
    dialect=Dialect.SUBIAO,
)
SPEC_2019 = VehicleSpec(
    plate="粤R54321",
    plate_color=2,
    phone="00000001440459838935",
    terminal_id="YBHOWEP7764911770",
    edition=Edition.V2019,
    dialect=Dialect.YUEBIAO,
    channels=(1, 2, 3, 4, 5, 6),
)


class Platform:
    """The platform's side of the link, driven by the test."""

    def __init__(self) -> None:
        self.conn = Connection()
        self.errors: list[Exception] = []

    def take(self, actions: list[Any]) -> list[tuple[Header, Message]]:
        data = b"".join(a.data for a in actions if isinstance(a, Transmit))
        out = []
        for event in self.conn.receive_data(data, 0.0):
            if isinstance(event, MessageReceived):
                out.append((event.header, event.message))
            elif isinstance(event, Exception):
                self.errors.append(event)
            else:
                assert isinstance(event, PacketReceived)
        return out

    def send(self, message: Message, terminal: VirtualTerminal, now: float) -> list[Any]:
        _, frames = self.conn.send(message)
        return terminal.receive_data(b"".join(frames), now)

    def ack(self, header: Header, terminal: VirtualTerminal, now: float, result: int = 0) -> list:
        return self.send(PlatformResponse(header.serial, header.message_id, result), terminal, now)


def online(spec: VehicleSpec = SPEC, now: float = 0.0) -> tuple[VirtualTerminal, Platform]:
    terminal = VirtualTerminal(spec, ack_timeout_s=T, heartbeat_s=30.0)
    platform = Platform()
    ((header, register),) = platform.take(terminal.connected(now))
    assert isinstance(register, Register)
    actions = platform.send(RegisterResponse(header.serial, 0, "AUTH-1"), terminal, now)
    ((header, auth),) = platform.take(actions)
    assert isinstance(auth, Authenticate) and auth.auth_code == "AUTH-1"
    assert platform.take(platform.ack(header, terminal, now)) == []
    assert terminal.state is LinkState.ONLINE
    return terminal, platform


def a_report(t: float = NOON) -> LocationReport:
    driver = Driver(random.Random("r"), DriverProfile(), start_time=t)
    driver.advance(t + 60)
    return location_report(driver.sample())


# --- registration and authentication --------------------------------------------------------


def test_first_connection_registers_then_authenticates() -> None:
    terminal, platform = online()
    assert terminal.auth_code == "AUTH-1"
    assert platform.conn.phone == "013912345678"


def test_the_auth_code_is_remembered_across_connections() -> None:
    terminal, _ = online()
    terminal.connection_lost(5.0)
    assert terminal.state is LinkState.OFFLINE
    platform = Platform()
    ((_, message),) = platform.take(terminal.connected(6.0))
    assert message == Authenticate("AUTH-1")


def test_a_2019_terminal_registers_with_the_2019_layout_and_sends_its_imei() -> None:
    terminal = VirtualTerminal(SPEC_2019)
    platform = Platform()
    ((header, register),) = platform.take(terminal.connected(0.0))
    assert header.edition is Edition.V2019 and header.phone == SPEC_2019.phone
    assert register.layout is Edition.V2019 and register.terminal_id == SPEC_2019.terminal_id
    assert (register.province, register.city) == (44, 1800)
    ((_, auth),) = platform.take(
        platform.send(RegisterResponse(header.serial, 0, "C"), terminal, 0)
    )
    assert auth.imei is not None and len(auth.imei) == 15


def test_a_refused_authentication_registers_again() -> None:
    terminal, _ = online()
    terminal.connection_lost(1.0)
    platform = Platform()
    ((header, _),) = platform.take(terminal.connected(2.0))
    ((_, again),) = platform.take(platform.ack(header, terminal, 2.0, result=1))
    assert isinstance(again, Register) and terminal.auth_code is None


def test_a_refused_registration_closes_and_waits() -> None:
    terminal = VirtualTerminal(SPEC)
    platform = Platform()
    ((header, _),) = platform.take(terminal.connected(0.0))
    actions = platform.send(RegisterResponse(header.serial, 2), terminal, 0.0)
    (close,) = [a for a in actions if isinstance(a, Close)]
    assert close.retry_after_s and close.retry_after_s >= 30


# --- acknowledgements, resends, blind area --------------------------------------------------


def test_a_position_is_acknowledged_and_forgotten() -> None:
    terminal, platform = online()
    ((header, report),) = platform.take(terminal.report(a_report(), 1.0))
    assert isinstance(report, LocationReport)
    assert terminal.pending == 1
    platform.ack(header, terminal, 1.5)
    assert terminal.pending == 0
    assert platform.take(terminal.poll(100.0)) != []  # only a heartbeat now
    assert terminal.pending == 1


def test_unanswered_positions_are_resent_after_t_2t_6t_then_the_link_is_closed() -> None:
    terminal, platform = online()
    terminal.heartbeat_s = 1e9  # only the resends here
    ((first, _),) = platform.take(terminal.report(a_report(), 0.0))
    assert terminal.poll(T - 0.1) == []
    resend_times = []
    now = 0.0
    for wait in (T, 2 * T, 6 * T):
        now += wait
        assert terminal.poll(now - 0.01) == []
        ((header, again),) = platform.take(terminal.poll(now))
        assert header.serial == first.serial and isinstance(again, LocationReport)
        resend_times.append(now)
    assert resend_times == [10.0, 30.0, 90.0]
    (close,) = terminal.poll(now + 24 * T)
    assert isinstance(close, Close)
    terminal.connection_lost(now + 24 * T)
    assert terminal.blind_buffered == 1  # the unanswered position is kept for later


def test_a_late_ack_after_a_resend_settles_the_message() -> None:
    terminal, platform = online()
    ((header, _),) = platform.take(terminal.report(a_report(), 0.0))
    platform.take(terminal.poll(T))
    platform.ack(header, terminal, T + 1)
    assert terminal.pending == 0
    platform.ack(header, terminal, T + 2)  # the second ack of the resent copy: ignored
    assert terminal.pending == 0


def test_positions_taken_offline_are_backfilled_as_blind_area_batches() -> None:
    terminal, _ = online()
    terminal.connection_lost(1.0)
    reports = [a_report(NOON + 30 * i) for i in range(40)]
    for report in reports:
        assert terminal.report(report, 2.0) == []
    assert terminal.blind_buffered == 40
    platform = Platform()
    ((header, _),) = platform.take(terminal.connected(3.0))
    batches: list[LocationReport] = []
    sent = platform.take(platform.ack(header, terminal, 3.0))
    while sent:
        ((header, batch),) = sent
        assert isinstance(batch, LocationBatch) and batch.batch_type == 1
        assert len(batch.encode()) <= 1023  # one frame each
        batches += batch.locations
        sent = platform.take(platform.ack(header, terminal, 4.0))
    assert batches == reports


def test_heartbeats_when_nothing_else_was_sent() -> None:
    terminal, platform = online(now=0.0)
    assert terminal.next_deadline() == pytest.approx(30.0)
    ((header, heartbeat),) = platform.take(terminal.poll(30.0))
    assert isinstance(heartbeat, Heartbeat)
    platform.ack(header, terminal, 30.1)
    assert terminal.next_deadline() == pytest.approx(60.0)


# --- commands -------------------------------------------------------------------------------


def test_tts_text_is_acknowledged_spoken_and_kept_for_the_overlay() -> None:
    terminal, platform = online()
    actions = platform.send(TextMessage.tts("请停车休息"), terminal, 1.0)
    ((_, answer),) = platform.take(actions)
    assert isinstance(answer, TerminalResponse) and answer.reply_id == 0x8300
    assert answer.result == 0
    assert Speak("请停车休息") in actions and terminal.tts_text == "请停车休息"


def test_take_photo_answers_0805_and_uploads_the_jpeg_in_packets() -> None:
    terminal, platform = online()
    actions = platform.send(TakePhoto(channel=1, command=2), terminal, 1.0)
    ((_, answer),) = platform.take(actions)
    assert isinstance(answer, TakePhotoResponse) and answer.result == 0
    (take,) = [a for a in actions if isinstance(a, TakePhotos)]
    assert take.media_ids == answer.media_ids and len(take.media_ids) == 2
    jpeg = b"\xff\xd8" + bytes(range(256)) * 12 + b"\xff\xd9"
    sent = platform.take(terminal.upload_photos([(take.media_ids[0], 1, jpeg)], a_report(), 2.0))
    ((_, data),) = sent
    assert isinstance(data, MultimediaData) and data.data == jpeg
    assert data.location is not None


def test_missing_photo_packets_are_sent_again() -> None:
    terminal, platform = online()
    jpeg = b"\xff\xd8" + bytes(3000) + b"\xff\xd9"
    actions = terminal.upload_photos([(7, 1, jpeg)], None, 1.0)
    frames = [a.data for a in actions if isinstance(a, Transmit)]
    assert len(frames) == 3
    assert platform.send(ResendSubpackages(999, (2,)), terminal, 2.0) == []  # not ours
    assert platform.take([Transmit(frames[0])]) == []  # packet 1 only: incomplete
    again = platform.send(ResendSubpackages(_first_serial(frames[0]), (2, 3)), terminal, 2.0)
    ((_, data),) = platform.take(again)
    assert data.data == jpeg


def _first_serial(frame: bytes) -> int:
    return int.from_bytes(frame[11:13], "big")


def test_live_video_request_and_control() -> None:
    terminal, platform = online()
    request = LiveVideoRequest("127.0.0.1", 6000, 0, 2)
    actions = platform.send(request, terminal, 1.0)
    ((_, ack),) = platform.take(actions)
    assert ack == TerminalResponse(ack.reply_serial, 0x9101, 0)
    assert StartStream(request) in actions
    actions = platform.send(LiveVideoControl(2, LiveControlCommand.CLOSE), terminal, 2.0)
    assert StopStream(2) in actions


def test_resource_query_lists_synthetic_recordings() -> None:
    terminal, platform = online(SPEC_2019)
    day = BcdTime("250220080000")
    end = BcdTime("250220100000")
    _, frames = platform.conn.send(QueryResources(0, day, end))
    actions = terminal.receive_data(b"".join(frames), 1.0)
    ((_, listing),) = platform.take(actions)
    assert isinstance(listing, ResourceList) and listing.total == len(listing.records) > 0
    assert {r.channel for r in listing.records} <= set(SPEC_2019.channels)
    assert all(str(day) <= str(r.start) < str(end) for r in listing.records)


def test_attachment_request_names_the_alarm_that_was_raised() -> None:
    terminal, platform = online()
    safety = SafetyMonitor(random.Random(1), Dialect.SUBIAO, "T123456")
    kind = next(k for k in kinds_for(Dialect.SUBIAO) if k.family == "dsm")
    event = safety.raise_alarm(kind, NOON)
    terminal.remember_alarm(event.alarm)
    assert event.alarm.ident is not None
    request = AttachmentUploadRequest("127.0.0.1", 7000, 0, event.alarm.ident, "ALARM-1")
    actions = platform.send(request, terminal, 1.0)
    ((_, ack),) = platform.take(actions)
    assert ack.reply_id == 0x9208 and ack.result == 0
    (upload,) = [a for a in actions if isinstance(a, UploadEvidence)]
    assert upload.alarm is event.alarm and upload.request == request


def test_unknown_commands_are_unsupported() -> None:
    terminal, platform = online()
    ((_, answer),) = platform.take(platform.send(RawMessage(0x8104, b""), terminal, 1.0))
    assert answer.reply_id == 0x8104 and answer.result == 3


# --- faults ---------------------------------------------------------------------------------


def test_a_corrupt_frame_is_rejected_by_the_platform_and_resent_intact() -> None:
    terminal, platform = online()
    terminal.faults.corrupt_frames = 1
    assert platform.take(terminal.report(a_report(), 0.0)) == []
    assert any(isinstance(e, ChecksumError) for e in platform.errors)
    ((_, again),) = platform.take(terminal.poll(T))
    assert isinstance(again, LocationReport)


def test_a_terminal_that_stops_acking_answers_nothing() -> None:
    terminal, platform = online()
    terminal.faults.stop_acking = True
    assert platform.send(TextMessage.tts("hello"), terminal, 1.0) == []
    terminal.faults.stop_acking = False
    assert platform.take(platform.send(TextMessage.tts("hello"), terminal, 2.0))


def test_playback_lists_the_recordings_then_streams() -> None:
    from console.protocol.jt808.video import PlaybackRequest

    terminal, platform = online()
    start, end = BcdTime("250220080000"), BcdTime("250220083000")
    request = PlaybackRequest("127.0.0.1", 6001, 0, 1, 0, 0, 0, 0, 0, start, end)
    actions = platform.send(request, terminal, 1.0)
    ((_, listing),) = platform.take(actions)
    assert isinstance(listing, ResourceList) and listing.total == 3
    assert {r.channel for r in listing.records} == {1}
    assert StartStream(request) in actions


def test_positions_taken_during_a_backfill_queue_behind_it_in_time_order() -> None:
    terminal, _ = online()
    terminal.connection_lost(1.0)
    old = [a_report(NOON + 30 * i) for i in range(30)]
    terminal.buffer(tuple(old))
    platform = Platform()
    ((header, _),) = platform.take(terminal.connected(2.0))
    ((header, first),) = platform.take(platform.ack(header, terminal, 2.0))
    new = a_report(NOON + 3600)
    assert platform.take(terminal.report(new, 2.5)) == []  # waits for the back-fill
    received = list(first.locations)
    sent = platform.take(platform.ack(header, terminal, 3.0))
    while sent:
        ((header, batch),) = sent
        received += batch.locations
        sent = platform.take(platform.ack(header, terminal, 3.0))
    assert received == [*old, new]
    ((_, live),) = platform.take(terminal.report(a_report(NOON + 3630), 4.0))
    assert isinstance(live, LocationReport)  # back to plain 0x0200
