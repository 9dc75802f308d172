"""One virtual terminal's JT/T 808 protocol state, without I/O (after h11 / aioquic).

The asyncio shell (:mod:`console.sim.fleet`) tells a :class:`VirtualTerminal` what happened --
:meth:`~VirtualTerminal.connected`, :meth:`~VirtualTerminal.receive_data`,
:meth:`~VirtualTerminal.connection_lost`, :meth:`~VirtualTerminal.poll` -- and what the truck
did (:meth:`~VirtualTerminal.report`); every call returns a list of actions for the shell:
:class:`Transmit` bytes on the JT/T 808 link, :class:`Close` the link, :class:`UploadEvidence`
(after 0x9208), :class:`StartStream` / :class:`StopStream` (0x9101/0x9201, 0x9102/0x9202),
:class:`TakePhotos` (0x8801) and :class:`Speak` (0x8300). Time is an argument and
:meth:`~VirtualTerminal.next_deadline` says when to call :meth:`~VirtualTerminal.poll`.

Behaviour:

* registers once (0x0100) and remembers the auth code, authenticates (0x0102) on every
  connection; a refused authentication forgets the code and registers again;
* heartbeat (0x0002) when nothing was sent for ``heartbeat_s``;
* 0x0200 / 0x0704 / 0x0002 / 0x0102 / 0x0100 wait for their answer and are sent again when
  it does not come, up to ``retries`` times; the wait after the N-th resend is
  ``T(N) = T(N-1) × (N+1)`` with ``T(0)`` = ``ack_timeout_s`` (JT/T 808-2013 §5.4, parameters
  0x0002/0x0003: T, 2T, 6T, 24T). Then the link counts as broken: it is closed and
  unanswered positions go back into the blind-area buffer;
* while offline, positions are buffered (bounded) and sent after the next authentication as
  0x0704 type 1 (盲区补报) batches that each fit one frame, one batch in flight at a time;
  positions taken while a back-fill runs queue behind it, so the track arrives in time order;
* commands are answered: 0x8300 → 0x0001 (and the text is kept for the next video/evidence
  overlay), 0x8801 → 0x0805, 0x9101/0x9102/0x9202/0x9208 → 0x0001, 0x9205/0x9201 → 0x1205,
  0x8003/0x8800 → the packets asked for again, unknown commands → 0x0001 "unsupported", a body
  that does not decode → 0x0001 "bad message";
* faults on demand (:class:`Faults`): stop answering commands, corrupt the next frames' check
  code, delay what is sent (the shell honours :attr:`Faults.delay_s`), drop the link.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from console.protocol.binary import CHINA_TZ, BcdTime
from console.protocol.errors import RemoteProtocolError
from console.protocol.jt808.attachment import AttachmentUploadRequest
from console.protocol.jt808.basic import (
    Authenticate,
    Heartbeat,
    Logout,
    PlatformResponse,
    Register,
    RegisterResponse,
    RegisterResult,
    ResendSubpackages,
    ResponseResult,
    TerminalResponse,
)
from console.protocol.jt808.connection import BadMessage, Connection, MessageReceived
from console.protocol.jt808.header import Edition
from console.protocol.jt808.location import BatchType, LocationBatch, LocationReport
from console.protocol.jt808.message import Message, RawMessage
from console.protocol.jt808.multimedia import (
    MediaEvent,
    MediaFormat,
    MediaType,
    MultimediaData,
    MultimediaUploadResponse,
    TakePhoto,
    TakePhotoResponse,
)
from console.protocol.jt808.text import TextFlag, TextMessage
from console.protocol.jt808.video import (
    AvType,
    LiveControlCommand,
    LiveVideoControl,
    LiveVideoRequest,
    PlaybackCommand,
    PlaybackControl,
    PlaybackRequest,
    QueryResources,
    RecordStream,
    ResourceList,
    ResourceRecord,
    StorageType,
)
from console.sim.alarms import RaisedAlarm
from console.sim.world import VehicleSpec

log = logging.getLogger("truckwatch.sim")

MAKER = "TWSIM"
MODEL = "TW-SIM-1"
SOFTWARE_VERSION = "truckwatch-sim 0.1"
MAX_FRAME_BODY = 1023


class LinkState(StrEnum):
    OFFLINE = "offline"
    REGISTERING = "registering"
    AUTHENTICATING = "authenticating"
    ONLINE = "online"


# --- actions for the shell ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Transmit:
    data: bytes


@dataclass(frozen=True, slots=True)
class Close:
    reason: str
    retry_after_s: float | None = None  # do not reconnect before this long (refusals)


@dataclass(frozen=True, slots=True)
class UploadEvidence:
    request: AttachmentUploadRequest
    alarm: RaisedAlarm | None  # None when the identification is not one this terminal raised


@dataclass(frozen=True, slots=True)
class StartStream:
    request: LiveVideoRequest | PlaybackRequest


@dataclass(frozen=True, slots=True)
class StopStream:
    channel: int
    pause: bool = False  # pause (resume later) rather than close
    resume: bool = False


@dataclass(frozen=True, slots=True)
class TakePhotos:
    request: TakePhoto
    media_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Speak:
    text: str


Action = Transmit | Close | UploadEvidence | StartStream | StopStream | TakePhotos | Speak


@dataclass(slots=True)
class Faults:
    """Misbehaviour on demand, for reliability tests."""

    stop_acking: bool = False  # ignore the platform's commands (no 0x0001 / answers)
    corrupt_frames: int = 0  # this many next frames go out with a wrong check code
    delay_s: float = 0.0  # the shell holds outgoing bytes this long


@dataclass(slots=True)
class _Pending:
    message_id: int
    frames: list[bytes]
    deadline: float
    timeout: float
    resends: int = 0
    locations: tuple[LocationReport, ...] = ()  # what to buffer if it is never answered


@dataclass(slots=True)
class Counters:
    sent: int = 0  # messages (not frames) sent
    frames: int = 0
    resent: int = 0
    acked: int = 0
    positions: int = 0
    backfilled: int = 0
    commands: int = 0
    registrations: int = 0
    authentications: int = 0
    given_up: int = 0


class VirtualTerminal:
    """The protocol side of one simulated terminal (see the module docstring)."""

    __slots__ = (
        "_blind",
        "_conn",
        "_next_media_id",
        "_pending",
        "_recent",
        "_register_serial",
        "ack_timeout_s",
        "alarms",
        "auth_code",
        "blind_capacity",
        "counters",
        "faults",
        "heartbeat_s",
        "last_sent",
        "last_time",
        "retries",
        "spec",
        "state",
        "tts_text",
    )

    def __init__(
        self,
        spec: VehicleSpec,
        *,
        ack_timeout_s: float = 10.0,
        retries: int = 3,
        heartbeat_s: float = 30.0,
        blind_capacity: int = 5000,
        auth_code: str | None = None,
    ) -> None:
        self.spec = spec
        self.ack_timeout_s = ack_timeout_s
        self.retries = retries
        self.heartbeat_s = heartbeat_s
        self.blind_capacity = blind_capacity
        self.auth_code = auth_code
        self.state = LinkState.OFFLINE
        self.faults = Faults()
        self.counters = Counters()
        self.tts_text = ""
        self.last_sent = 0.0
        self.last_time: BcdTime | None = None  # the truck's clock, from its latest position
        self.alarms: dict[bytes, RaisedAlarm] = {}  # by identification, the most recent ones
        self._conn: Connection | None = None
        self._pending: dict[int, _Pending] = {}
        self._blind: deque[LocationReport] = deque()
        self._recent: dict[int, list[bytes]] = {}  # first serial → frames (0x8003 / 0x8800)
        self._register_serial: int | None = None
        self._next_media_id = 1

    # --- properties -----------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self.state is LinkState.ONLINE

    @property
    def blind_buffered(self) -> int:
        return len(self._blind)

    @property
    def pending(self) -> int:
        return len(self._pending)

    # --- link events ----------------------------------------------------------------------
    def connected(self, now: float) -> list[Action]:
        """The TCP link is up: register (first time) or authenticate."""
        self._conn = Connection(dialect=self.spec.dialect)
        self._pending.clear()
        self._recent.clear()
        if self.auth_code is None:
            return self._register(now)
        return self._authenticate(now)

    def connection_lost(self, now: float) -> None:
        """The link went down: keep unanswered positions for the blind-area upload."""
        for pending in self._pending.values():
            self._buffer(pending.locations)
        self._pending.clear()
        self._recent.clear()
        self._conn = None
        self._register_serial = None
        self.state = LinkState.OFFLINE

    def receive_data(self, data: bytes, now: float) -> list[Action]:
        if self._conn is None:
            return []
        actions: list[Action] = []
        for event in self._conn.receive_data(data, now):
            if isinstance(event, MessageReceived):
                actions += self._handle(event.header.serial, event.message, now)
            elif isinstance(event, BadMessage):
                log.warning("%s: bad message from the platform: %s", self.spec.plate, event.error)
                if not self.faults.stop_acking:
                    actions += self._answer(
                        event.header.serial,
                        event.header.message_id,
                        ResponseResult.BAD_MESSAGE,
                        now,
                    )
            elif isinstance(event, RemoteProtocolError):
                log.warning("%s: %s", self.spec.plate, event)
        return actions

    # --- time -----------------------------------------------------------------------------
    def next_deadline(self) -> float | None:
        if self._conn is None:
            return None
        deadlines = [p.deadline for p in self._pending.values()]
        if self.state is LinkState.ONLINE:
            deadlines.append(self.last_sent + self.heartbeat_s)
        return min(deadlines) if deadlines else None

    def poll(self, now: float) -> list[Action]:
        """Resend what is due, give up on what was resent enough, send a heartbeat."""
        if self._conn is None:
            return []
        actions: list[Action] = []
        for serial, pending in list(self._pending.items()):
            if now < pending.deadline:
                continue
            if pending.resends >= self.retries:
                self.counters.given_up += 1
                log.info(
                    "%s: 0x%04X serial %d never answered after %d resends; reconnecting",
                    self.spec.plate,
                    pending.message_id,
                    serial,
                    pending.resends,
                )
                return [Close("no answer from the platform")]
            pending.resends += 1
            pending.timeout *= pending.resends + 1  # T(N+1) = T(N) × (N+1)
            pending.deadline = now + pending.timeout
            self.counters.resent += 1
            actions += self._emit(pending.frames, now)
        if self.state is LinkState.ONLINE and now >= self.last_sent + self.heartbeat_s:
            actions += self._send(Heartbeat(), now, track=True)
        return actions

    # --- what the truck does --------------------------------------------------------------
    def report(self, location: LocationReport, now: float) -> list[Action]:
        """A 0x0200 now, or into the blind-area buffer while offline."""
        self.last_time = location.time
        if self.state is not LinkState.ONLINE or self._blind:
            # Offline, or a back-fill still running: queue behind it, so that the platform
            # gets the track in time order (its rules only move forward along a track).
            self._buffer((location,))
            return self._backfill(now) if self.state is LinkState.ONLINE else []
        self.counters.positions += 1
        return self._send(location, now, track=True, locations=(location,))

    def remember_alarm(self, alarm: RaisedAlarm) -> None:
        if alarm.ident is None:
            return
        self.alarms[alarm.ident.raw] = alarm
        while len(self.alarms) > 64:
            del self.alarms[next(iter(self.alarms))]

    def buffer(self, locations: tuple[LocationReport, ...]) -> None:
        """Positions recorded while the terminal could not send (blind area)."""
        self._buffer(locations)

    def upload_photos(
        self, photos: list[tuple[int, int, bytes]], location: LocationReport | None, now: float
    ) -> list[Action]:
        """0x0801 for each ``(media id, channel, jpeg)`` (sub-packaged by the codec)."""
        actions: list[Action] = []
        if self._conn is None:
            return actions
        for media_id, channel, jpeg in photos:
            basic = None
            if location is not None and self.spec.edition is not Edition.V2011:
                basic = LocationReport(
                    location.alarm_flags,
                    location.status,
                    location.latitude_e6,
                    location.longitude_e6,
                    location.altitude,
                    location.speed_x10,
                    location.direction,
                    location.time,
                )
            message = MultimediaData(
                media_id,
                MediaType.IMAGE,
                MediaFormat.JPEG,
                MediaEvent.PLATFORM_COMMAND,
                channel,
                location=basic,
                data=jpeg,
            )
            actions += self._send(message, now, keep_for_media=media_id)
        return actions

    # --- sending --------------------------------------------------------------------------
    def _send(
        self,
        message: Message,
        now: float,
        *,
        track: bool = False,
        locations: tuple[LocationReport, ...] = (),
        keep_for_media: int | None = None,
    ) -> list[Action]:
        return self._send_serial(
            message, now, track=track, locations=locations, keep_for_media=keep_for_media
        )[1]

    def _send_serial(
        self,
        message: Message,
        now: float,
        *,
        track: bool = False,
        locations: tuple[LocationReport, ...] = (),
        keep_for_media: int | None = None,
    ) -> tuple[int, list[Action]]:
        assert self._conn is not None
        body_id = message.message_id
        if isinstance(message, LocationReport | LocationBatch):
            message = RawMessage(body_id, message.encode())  # encoded once, not twice
        serial, frames = self._conn.send(
            message, phone=self.spec.phone_digits, edition=self.spec.edition
        )
        self.counters.sent += 1
        if track:
            self._pending[serial] = _Pending(
                body_id,
                frames,
                now + self.ack_timeout_s,
                self.ack_timeout_s,
                locations=locations,
            )
        if len(frames) > 1:
            self._recent[serial] = frames
            if keep_for_media is not None:
                self._recent[-keep_for_media] = frames  # 0x8800 names the media id
            while len(self._recent) > 8:
                del self._recent[next(iter(self._recent))]
        return serial, self._emit(frames, now)

    def _emit(self, frames: list[bytes], now: float) -> list[Action]:
        self.last_sent = now
        self.counters.frames += len(frames)
        out: list[Action] = []
        for frame in frames:
            if self.faults.corrupt_frames > 0:
                self.faults.corrupt_frames -= 1
                frame = _corrupt(frame)
            out.append(Transmit(frame))
        return out

    def _answer(self, serial: int, message_id: int, result: int, now: float) -> list[Action]:
        return self._send(TerminalResponse(serial, message_id, result), now)

    def _buffer(self, locations: tuple[LocationReport, ...]) -> None:
        self._blind.extend(locations)
        while len(self._blind) > self.blind_capacity:
            self._blind.popleft()  # the oldest go first, as on a full flash

    def _register(self, now: float) -> list[Action]:
        spec = self.spec
        self.state = LinkState.REGISTERING
        self.counters.registrations += 1
        layout = Edition.V2019 if spec.edition is Edition.V2019 else Edition.V2013
        message = Register(
            spec.province,
            spec.city,
            MAKER,
            MODEL,
            spec.terminal_id[-(30 if layout is Edition.V2019 else 7) :],
            spec.plate_color,
            spec.plate,
            layout,
        )
        self._register_serial, actions = self._send_serial(message, now, track=True)
        return actions

    def _authenticate(self, now: float) -> list[Action]:
        assert self.auth_code is not None
        self.state = LinkState.AUTHENTICATING
        self.counters.authentications += 1
        if self.spec.edition is Edition.V2019:
            imei = ("86" + self.spec.phone_digits)[-15:]
            message = Authenticate(self.auth_code, imei, SOFTWARE_VERSION)
        else:
            message = Authenticate(self.auth_code)
        return self._send(message, now, track=True)

    def _backfill(self, now: float) -> list[Action]:
        """The next 0x0704 type 1 batch of the blind-area buffer, sized to fit one frame.
        One batch is in flight at a time (the next goes when this one is answered), so a
        long back-fill does not flood a busy platform."""
        if not self._blind or self.state is not LinkState.ONLINE:
            return []
        if any(p.message_id == LocationBatch.MESSAGE_ID for p in self._pending.values()):
            return []
        batch: list[LocationReport] = []
        size = 3
        while self._blind and len(batch) < 0xFFFF:
            body = len(self._blind[0].encode()) + 2
            if batch and size + body > MAX_FRAME_BODY:
                break
            batch.append(self._blind.popleft())
            size += body
        locations = tuple(batch)
        self.counters.backfilled += len(locations)
        return self._send(
            LocationBatch(BatchType.BLIND_AREA, locations), now, track=True, locations=locations
        )

    # --- receiving ------------------------------------------------------------------------
    def _handle(self, serial: int, message: Message, now: float) -> list[Action]:
        if isinstance(message, PlatformResponse):
            return self._on_response(message, now)
        if isinstance(message, RegisterResponse):
            return self._on_register(message, now)
        self.counters.commands += 1
        if self.faults.stop_acking:
            return []
        if isinstance(message, TextMessage):
            return self._on_text(serial, message, now)
        if isinstance(message, TakePhoto):
            return self._on_photo(serial, message, now)
        if isinstance(message, LiveVideoRequest):
            actions = self._answer(serial, message.message_id, ResponseResult.SUCCESS, now)
            return [*actions, StartStream(message)]
        if isinstance(message, LiveVideoControl):
            actions = self._answer(serial, message.message_id, ResponseResult.SUCCESS, now)
            control = message.control
            if control == LiveControlCommand.CLOSE:
                actions.append(StopStream(message.channel))
            elif control == LiveControlCommand.PAUSE:
                actions.append(StopStream(message.channel, pause=True))
            elif control == LiveControlCommand.RESUME:
                actions.append(StopStream(message.channel, resume=True))
            return actions
        if isinstance(message, QueryResources):
            return self._send(ResourceList.of(serial, self._recordings(message)), now)
        if isinstance(message, PlaybackRequest):
            query = QueryResources(message.channel, message.start, message.end)
            actions = self._send(ResourceList.of(serial, self._recordings(query)), now)
            return [*actions, StartStream(message)]
        if isinstance(message, PlaybackControl):
            actions = self._answer(serial, message.message_id, ResponseResult.SUCCESS, now)
            if message.control == PlaybackCommand.STOP:
                actions.append(StopStream(message.channel))
            elif message.control == PlaybackCommand.PAUSE:
                actions.append(StopStream(message.channel, pause=True))
            elif message.control == PlaybackCommand.START:
                actions.append(StopStream(message.channel, resume=True))
            return actions
        if isinstance(message, AttachmentUploadRequest):
            actions = self._answer(serial, message.message_id, ResponseResult.SUCCESS, now)
            alarm = self.alarms.get(message.alarm_ident.raw)
            return [*actions, UploadEvidence(message, alarm)]
        if isinstance(message, ResendSubpackages):
            frames = self._recent.get(message.original_serial, [])
            wanted = [frames[i - 1] for i in message.package_indexes if 0 < i <= len(frames)]
            return self._emit(wanted, now)
        if isinstance(message, MultimediaUploadResponse):
            frames = self._recent.get(-message.media_id, [])
            wanted = [frames[i - 1] for i in message.retransmit_ids if 0 < i <= len(frames)]
            return self._emit(wanted, now)
        if message.message_id & 0x8000:
            return self._answer(serial, message.message_id, ResponseResult.UNSUPPORTED, now)
        return []  # a terminal-side id sent to us: nothing sensible to answer

    def _on_response(self, message: PlatformResponse, now: float) -> list[Action]:
        pending = self._pending.get(message.reply_serial)
        if pending is None or pending.message_id != message.reply_id:
            return []  # late (already settled) or not about anything we wait for
        del self._pending[message.reply_serial]
        self.counters.acked += 1
        if message.reply_id == Authenticate.MESSAGE_ID:
            if message.result == ResponseResult.SUCCESS:
                self.state = LinkState.ONLINE
                log.debug("%s online", self.spec.plate)
                return self._backfill(now)
            log.info(
                "%s: authentication refused (%d); registering again",
                self.spec.plate,
                message.result,
            )
            self.auth_code = None
            return self._register(now)
        if message.reply_id == LocationBatch.MESSAGE_ID:
            return self._backfill(now)
        if message.result not in (ResponseResult.SUCCESS, ResponseResult.ALARM_CONFIRMED):
            log.info(
                "%s: platform answered 0x%04X with result %d",
                self.spec.plate,
                message.reply_id,
                message.result,
            )
        return []

    def _on_register(self, message: RegisterResponse, now: float) -> list[Action]:
        serial = self._register_serial
        if serial is None or message.reply_serial != serial:
            return []
        self._pending.pop(serial, None)
        self._register_serial = None
        self.counters.acked += 1
        if message.result == 0 and message.auth_code:
            self.auth_code = message.auth_code
            return self._authenticate(now)
        if message.result == RegisterResult.TERMINAL_ALREADY_REGISTERED:
            # We lost our code (a restarted simulator, like a reset terminal): deregister
            # with 0x0003, which also ends the link, then register again (JT/T 808 §8.7).
            log.info("%s: registered before; deregistering to register again", self.spec.plate)
            self.auth_code = None
            return [*self._send(Logout(), now), Close("deregistered", retry_after_s=1.0)]
        log.warning(
            "%s (%s): registration refused with result %d",
            self.spec.plate,
            self.spec.phone,
            message.result,
        )
        return [Close(f"registration refused ({message.result})", retry_after_s=60.0)]

    def _on_text(self, serial: int, message: TextMessage, now: float) -> list[Action]:
        actions = self._answer(serial, message.message_id, ResponseResult.SUCCESS, now)
        self.tts_text = message.text
        spoken = "TTS" if message.flags & TextFlag.TTS else "text"
        log.info("%s %s: %s", self.spec.plate, spoken, message.text)
        return [*actions, Speak(message.text)]

    def _on_photo(self, serial: int, message: TakePhoto, now: float) -> list[Action]:
        if message.command == 0 or message.command == 0xFFFF:  # stop / record video
            return self._send(TakePhotoResponse(serial, 0, ()), now)
        count = min(message.command, 5)
        ids = tuple((self._next_media_id + i) & 0xFFFFFFFF for i in range(count))
        self._next_media_id = (self._next_media_id + count) & 0xFFFFFFFF or 1
        actions = self._send(TakePhotoResponse(serial, 0, ids), now)
        return [*actions, TakePhotos(message, ids)]

    def _recordings(self, query: QueryResources) -> tuple[ResourceRecord, ...]:
        """Synthetic recordings: 10-minute files per channel over the last two hours (or in
        the window asked for), at most 24."""
        end = query.end.to_datetime() if not query.end.is_zero else None
        start = query.start.to_datetime() if not query.start.is_zero else None
        if end is None:
            known = self.last_time.to_datetime() if self.last_time is not None else None
            end = (known or datetime.now(CHINA_TZ)).replace(second=0, microsecond=0)
        start = start or end - timedelta(hours=2)
        channels = (query.channel,) if query.channel else self.spec.channels
        records: list[ResourceRecord] = []
        segment = timedelta(minutes=10)
        moment = start - timedelta(minutes=start.minute % 10, seconds=start.second)
        while moment < end and len(records) < 24:
            for channel in channels:
                if channel not in self.spec.channels and query.channel:
                    continue
                records.append(
                    ResourceRecord(
                        channel=channel,
                        start=BcdTime.from_datetime(max(moment, start)),
                        end=BcdTime.from_datetime(min(moment + segment, end)),
                        alarm_flags=0,
                        av_type=AvType.AUDIO_VIDEO,
                        stream_type=RecordStream.MAIN,
                        memory_type=StorageType.MAIN,
                        size=48_000_000 + 1000 * channel,
                    )
                )
            moment += segment
        return tuple(records[:24])


def _corrupt(frame: bytes) -> bytes:
    """The same frame with a wrong check code (the byte before the closing 0x7E)."""
    if frame[-3] == 0x7D:  # the check code went out escaped (7D 01 / 7D 02): any plain byte
        return frame[:-3] + b"\x00" + frame[-1:]
    value = frame[-2] ^ 0x5A
    if value in (0x7E, 0x7D):
        value = 0x00 if frame[-2] else 0x01
    return frame[:-2] + bytes((value,)) + frame[-1:]
