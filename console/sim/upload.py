"""Alarm evidence: the files (made with :mod:`console.media.evidence`) and the upload to the
attachment server (苏标 §4.6 / 粤标 §5.6) as a sans-I/O state machine.

:class:`AttachmentUpload` is given what the server sends and returns what to send: 0x1210
with the file list, then per file 0x1211, the ``30 31 63 64`` data packets and 0x1212; a
0x9212 asking for ranges again gets those ranges and another 0x1212, until the server says the
file is complete. Every 0x1210/0x1211/0x1212 waits for its answer and is sent again (waits
T, 2T, 6T, ... as JT/T 808 §5.4), ``retries`` times, before the upload counts as failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from console.protocol.binary import CHINA_TZ
from console.protocol.errors import RemoteProtocolError
from console.protocol.jt808.alarm_ident import TERMINAL_ID_SIZE
from console.protocol.jt808.attachment import (
    STREAM_NAME_SIZE,
    AlarmAttachmentInfo,
    AttachmentFile,
    AttachmentUploadRequest,
    FileInfo,
    FileUploadComplete,
    FileUploadCompleteResponse,
    InfoType,
    StreamPacket,
    SubiaoFileType,
    UploadResult,
    YuebiaoFileType,
)
from console.protocol.jt808.basic import PlatformResponse
from console.protocol.jt808.connection import Connection, MessageReceived
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import Dialect, Message
from console.sim.alarms import RaisedAlarm

log = logging.getLogger("truckwatch.sim")

CHUNK = 64 * 1024
PHOTOS = 3


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    name: str
    file_type: int
    data: bytes


def file_name(
    file_type: int, channel: int, type_label: str, serial: int, alarm_no: str, ext: str
) -> str:
    """``<type>_<channel>_<alarm type>_<serial>_<alarm number>.<ext>`` (苏标 §4.6.2), cut to
    fit the 50-byte name field of the data packets."""
    head = f"{file_type:02d}_{channel:02d}_{type_label}_{serial}_"
    tail = f".{ext}"
    number = alarm_no.strip("\x00")[: STREAM_NAME_SIZE - len(head) - len(tail)]
    return f"{head}{number}{tail}"


def make_evidence_files(
    *,
    plate: str,
    dialect: Dialect,
    request: AttachmentUploadRequest,
    alarm: RaisedAlarm | None,
    note: str = "",
    clip_seconds: float = 6.0,
    width: int = 640,
    height: int = 360,
) -> list[EvidenceFile]:
    """3 JPEG photos and one MP4 clip of the alarm (CPU heavy: run it off the event loop)."""
    from console.media.evidence import make_clip, make_photo

    ident = request.alarm_ident
    when = ident.time.to_datetime() or datetime.now(CHINA_TZ)
    if alarm is not None:
        zh, en = alarm.describe(dialect)
        text = f"{zh} / {en}"
        channel, label = alarm.channel, alarm.type_label
    else:
        text, channel, label = "alarm evidence", 0, "0000"
    picture, video = (
        (SubiaoFileType.PICTURE, SubiaoFileType.VIDEO)
        if dialect is Dialect.SUBIAO
        else (YuebiaoFileType.PICTURE, YuebiaoFileType.VIDEO)
    )
    note = f"TTS: {note}" if note else ""
    files = []
    for i in range(PHOTOS):
        data = make_photo(
            plate, when, text, note=note, index=i, width=width, height=height, label=f"CH{channel}"
        )
        files.append(
            EvidenceFile(
                file_name(picture, channel, label, i, request.alarm_no, "jpg"), picture, data
            )
        )
    clip = make_clip(
        plate,
        when,
        text,
        note=note,
        seconds=clip_seconds,
        width=width,
        height=height,
        label=f"CH{channel}",
    )
    files.append(
        EvidenceFile(file_name(video, channel, label, PHOTOS, request.alarm_no, "mp4"), video, clip)
    )
    return files


class UploadState(StrEnum):
    LISTING = "listing"  # 0x1210 sent, waiting for 0x8001
    ANNOUNCING = "announcing"  # 0x1211 sent, waiting for 0x8001
    FINISHING = "finishing"  # data and 0x1212 sent, waiting for 0x9212
    DONE = "done"
    FAILED = "failed"


@dataclass(slots=True)
class _Waiting:
    message_id: int
    serial: int
    frames: list[bytes]
    deadline: float
    timeout: float
    resends: int = 0


class AttachmentUpload:
    """One alarm's files to one attachment server (see the module docstring).

    ``skip`` leaves chunks out of the first pass (file index → chunk indexes), so that the
    server's 0x9212 retransmission request gets exercised.
    """

    def __init__(
        self,
        *,
        phone: str,
        edition: Edition,
        terminal_id: str,
        request: AttachmentUploadRequest,
        files: list[EvidenceFile],
        chunk: int = CHUNK,
        skip: dict[int, tuple[int, ...]] | None = None,
        ack_timeout_s: float = 10.0,
        retries: int = 3,
        max_rounds: int = 5,
        info_type: InfoType = InfoType.NORMAL,
    ) -> None:
        self.phone = phone
        self.edition = edition
        self.request = request
        self.files = files
        self.chunk = chunk
        self.skip = dict(skip or {})
        self.ack_timeout_s = ack_timeout_s
        self.retries = retries
        self.max_rounds = max_rounds
        self.info_type = info_type
        size = TERMINAL_ID_SIZE[request.alarm_ident.dialect]
        self.terminal_id = terminal_id[-size:]
        self.state = UploadState.LISTING
        self.index = 0  # the file being sent
        self.rounds = 0  # retransmission rounds, all files
        self.error: str | None = None
        self.sent_bytes = 0
        self._conn = Connection()
        self._waiting: _Waiting | None = None

    @property
    def done(self) -> bool:
        return self.state is UploadState.DONE

    @property
    def finished(self) -> bool:
        return self.state in (UploadState.DONE, UploadState.FAILED)

    def next_deadline(self) -> float | None:
        return None if self._waiting is None or self.finished else self._waiting.deadline

    # --- steps ------------------------------------------------------------------------------
    def start(self, now: float) -> list[bytes]:
        info = AlarmAttachmentInfo(
            self.terminal_id,
            self.request.alarm_ident,
            self.request.alarm_no,
            self.info_type,
            tuple(AttachmentFile(f.name, len(f.data)) for f in self.files),
        )
        self.state = UploadState.LISTING
        return self._send(info, now)

    def receive_data(self, data: bytes, now: float) -> list[bytes]:
        out: list[bytes] = []
        for event in self._conn.receive_data(data, now):
            if isinstance(event, MessageReceived):
                out += self._handle(event.message, now)
            elif isinstance(event, RemoteProtocolError):
                log.warning("attachment server sent bad data: %s", event)
        return out

    def poll(self, now: float) -> list[bytes]:
        waiting = self._waiting
        if waiting is None or self.finished or now < waiting.deadline:
            return []
        if waiting.resends >= self.retries:
            return self._fail(f"no answer to 0x{waiting.message_id:04X}")
        waiting.resends += 1
        waiting.timeout *= waiting.resends + 1  # JT/T 808 §5.4: T(N+1) = T(N) × (N+1)
        waiting.deadline = now + waiting.timeout
        return list(waiting.frames)

    def connection_lost(self) -> None:
        if not self.finished:
            self._fail("connection lost")

    # --- internals --------------------------------------------------------------------------
    def _fail(self, reason: str) -> list[bytes]:
        self.state = UploadState.FAILED
        self.error = reason
        self._waiting = None
        return []

    def _send(self, message: Message, now: float) -> list[bytes]:
        serial, frames = self._conn.send(message, phone=self.phone, edition=self.edition)
        self._waiting = _Waiting(
            message.message_id, serial, frames, now + self.ack_timeout_s, self.ack_timeout_s
        )
        return frames

    def _handle(self, message: Message, now: float) -> list[bytes]:
        waiting = self._waiting
        if waiting is None or self.finished:
            return []
        if isinstance(message, PlatformResponse):
            if message.reply_serial != waiting.serial or message.reply_id != waiting.message_id:
                return []
            if waiting.message_id == FileUploadComplete.MESSAGE_ID:
                return []  # 0x9212 is the answer that counts
            if message.result != 0:
                return self._fail(f"server refused 0x{message.reply_id:04X} ({message.result})")
            if self.state is UploadState.LISTING:
                return self._announce(now)
            if self.state is UploadState.ANNOUNCING:
                return self._send_file(now)
            return []
        if isinstance(message, FileUploadCompleteResponse):
            current = self.files[self.index]
            if self.state is not UploadState.FINISHING or message.name != current.name:
                return []
            if message.result == UploadResult.COMPLETE or not message.retransmit:
                self.index += 1
                if self.index >= len(self.files):
                    self.state = UploadState.DONE
                    self._waiting = None
                    return []
                return self._announce(now)
            self.rounds += 1
            if self.rounds > self.max_rounds * len(self.files):
                return self._fail(f"{current.name}: still incomplete after {self.rounds} rounds")
            out: list[bytes] = []
            for offset, length in message.retransmit:
                out += self._packets(current, offset, length)
            return out + self._complete(current, now)
        return []

    def _announce(self, now: float) -> list[bytes]:
        f = self.files[self.index]
        self.state = UploadState.ANNOUNCING
        return self._send(FileInfo(f.name, f.file_type, len(f.data)), now)

    def _send_file(self, now: float) -> list[bytes]:
        f = self.files[self.index]
        skipped = set(self.skip.pop(self.index, ()))
        out: list[bytes] = []
        for n, offset in enumerate(range(0, len(f.data), self.chunk)):
            if n not in skipped:
                out += self._packets(f, offset, self.chunk)
        return out + self._complete(f, now)

    def _packets(self, f: EvidenceFile, offset: int, length: int) -> list[bytes]:
        out = []
        end = min(len(f.data), offset + length)
        for start in range(offset, end, self.chunk):
            data = f.data[start : min(end, start + self.chunk)]
            self.sent_bytes += len(data)
            out.append(StreamPacket(f.name, start, data).encode())
        return out

    def _complete(self, f: EvidenceFile, now: float) -> list[bytes]:
        self.state = UploadState.FINISHING
        return self._send(FileUploadComplete(f.name, f.file_type, len(f.data)), now)


async def run_upload(
    upload: AttachmentUpload, host: str, port: int, *, connect_timeout: float = 15.0
) -> None:
    """Drive ``upload`` over a TCP connection to the attachment server until it is done or
    has failed (see :attr:`AttachmentUpload.state`). Connection errors are raised."""
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port), timeout=connect_timeout
    )
    try:
        writer.write(b"".join(upload.start(loop.time())))
        while not upload.finished:
            deadline = upload.next_deadline()
            timeout = 30.0 if deadline is None else max(0.01, deadline - loop.time())
            try:
                data = await asyncio.wait_for(reader.read(65536), timeout)
            except TimeoutError:
                out = upload.poll(loop.time())
            else:
                if not data:
                    upload.connection_lost()
                    break
                out = upload.receive_data(data, loop.time())
            if out:
                writer.write(b"".join(out))
                await writer.drain()
    except (OSError, ConnectionError) as exc:
        upload.connection_lost()
        log.warning("evidence upload to %s:%d broke off: %s", host, port, exc)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
