"""Evidence upload to an attachment server: a tiny in-test server built on the protocol
core's AttachmentStreamDecoder, over real loopback TCP."""

from __future__ import annotations

import asyncio
import io
import random
from dataclasses import dataclass, field

import av
import pytest

from console.protocol.jt808.alarm_ident import AlarmIdentification
from console.protocol.jt808.attachment import (
    AlarmAttachmentInfo,
    AttachmentStreamDecoder,
    AttachmentUploadRequest,
    FileInfo,
    FileUploadComplete,
    FileUploadCompleteResponse,
    RawFrame,
    ReceivedRanges,
    StreamPacket,
)
from console.protocol.jt808.basic import PlatformResponse
from console.protocol.jt808.codec import decode_message
from console.protocol.jt808.connection import Connection
from console.protocol.jt808.framing import decode_frame
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import Dialect
from console.sim.alarms import SafetyMonitor, bcd_time, kinds_for
from console.sim.upload import (
    AttachmentUpload,
    EvidenceFile,
    UploadState,
    file_name,
    make_evidence_files,
    run_upload,
)

NOON = 1_740_024_000.0


@dataclass
class Received:
    info: AlarmAttachmentInfo | None = None
    sizes: dict[str, int] = field(default_factory=dict)
    data: dict[str, bytearray] = field(default_factory=dict)
    ranges: dict[str, ReceivedRanges] = field(default_factory=dict)
    retransmissions: int = 0
    complete: list[str] = field(default_factory=list)


class AttachmentServer:
    """Answers 0x1210/0x1211 with 0x8001 and 0x1212 with 0x9212 (exact missing ranges)."""

    def __init__(self, *, ack: bool = True) -> None:
        self.received = Received()
        self.ack = ack
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> AttachmentServer:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        decoder = AttachmentStreamDecoder()
        conn = Connection()
        got = self.received
        while data := await reader.read(65536):
            for event in decoder.feed(data):
                if isinstance(event, StreamPacket):
                    buf = got.data.setdefault(event.file_name, bytearray())
                    if len(buf) < event.end:
                        buf.extend(bytes(event.end - len(buf)))
                    buf[event.offset : event.end] = event.data
                    got.ranges.setdefault(event.file_name, ReceivedRanges()).add_packet(event)
                    continue
                assert isinstance(event, RawFrame), event
                frame = decode_frame(event.wire)
                message = decode_message(frame)
                header = frame.header
                if isinstance(message, FileUploadComplete):
                    ranges = got.ranges.setdefault(message.name, ReceivedRanges())
                    answer = FileUploadCompleteResponse.for_file(
                        message.name, message.file_type, ranges, message.size
                    )
                    if answer.retransmit:
                        got.retransmissions += 1
                    else:
                        got.complete.append(message.name)
                    _, frames = conn.send(answer, phone=header.phone, edition=header.edition)
                else:
                    if isinstance(message, AlarmAttachmentInfo):
                        got.info = message
                    elif isinstance(message, FileInfo):
                        got.sizes[message.name] = message.size
                    if not self.ack:
                        continue
                    _, frames = conn.send(
                        PlatformResponse(header.serial, header.message_id, 0),
                        phone=header.phone,
                        edition=header.edition,
                    )
                writer.write(b"".join(frames))
                await writer.drain()
        writer.close()


def a_request(dialect: Dialect, terminal_id: str = "T123456") -> AttachmentUploadRequest:
    ident = AlarmIdentification.build(terminal_id, bcd_time(NOON), 0, 4, dialect)
    return AttachmentUploadRequest("127.0.0.1", 0, 0, ident, "ALM0000000000000000000000000001")


def some_files(dialect: Dialect) -> list[EvidenceFile]:
    rng = random.Random(3)
    return [
        EvidenceFile(f"00_65_6501_{i}_ALM1.jpg", 0, rng.randbytes(size))
        for i, size in enumerate((1000, 70_000, 5))
    ] + [EvidenceFile("02_65_6501_3_ALM1.mp4", 2, rng.randbytes(200_000))]


def upload_for(dialect: Dialect, files: list[EvidenceFile], **kw: object) -> AttachmentUpload:
    edition = Edition.V2019 if dialect is Dialect.YUEBIAO else Edition.V2013
    phone = "00000001440459838935" if edition is Edition.V2019 else "013912345678"
    return AttachmentUpload(
        phone=phone,
        edition=edition,
        terminal_id="YB0001" if dialect is Dialect.YUEBIAO else "T123456",
        request=a_request(dialect),
        files=files,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.anyio
@pytest.mark.parametrize("dialect", list(Dialect))
async def test_files_arrive_whole_and_are_listed_first(dialect: Dialect) -> None:
    files = some_files(dialect)
    upload = upload_for(dialect, files)
    async with AttachmentServer() as server:
        await asyncio.wait_for(run_upload(upload, "127.0.0.1", server.port), 30)
    assert upload.state is UploadState.DONE and upload.rounds == 0
    got = server.received
    assert got.info is not None and got.info.dialect is dialect
    assert [(f.name, f.size) for f in got.info.files] == [(f.name, len(f.data)) for f in files]
    assert got.complete == [f.name for f in files]
    for f in files:
        assert bytes(got.data[f.name]) == f.data


@pytest.mark.anyio
async def test_a_lost_chunk_is_sent_again_after_9212() -> None:
    files = some_files(Dialect.SUBIAO)
    upload = upload_for(Dialect.SUBIAO, files, skip={3: (1,), 1: (0,)}, chunk=65536)
    async with AttachmentServer() as server:
        await asyncio.wait_for(run_upload(upload, "127.0.0.1", server.port), 30)
    assert upload.done and upload.rounds == 2
    assert server.received.retransmissions == 2
    for f in files:
        assert bytes(server.received.data[f.name]) == f.data


@pytest.mark.anyio
async def test_an_upload_without_answers_fails_after_the_retries() -> None:
    upload = upload_for(Dialect.SUBIAO, some_files(Dialect.SUBIAO), ack_timeout_s=0.05, retries=2)
    async with AttachmentServer(ack=False) as server:
        await asyncio.wait_for(run_upload(upload, "127.0.0.1", server.port), 30)
    assert upload.state is UploadState.FAILED and "0x1210" in (upload.error or "")


def test_the_evidence_is_three_photos_and_a_clip_showing_the_alarm() -> None:
    safety = SafetyMonitor(random.Random(1), Dialect.YUEBIAO, "YB0001")
    kind = next(k for k in kinds_for(Dialect.YUEBIAO) if (k.family, k.type_code) == ("dsm", 1))
    alarm = safety.raise_alarm(kind, NOON).alarm
    assert alarm.ident is not None
    request = AttachmentUploadRequest("127.0.0.1", 1, 0, alarm.ident, "ALM42")
    files = make_evidence_files(
        plate="粤R12345",
        dialect=Dialect.YUEBIAO,
        request=request,
        alarm=alarm,
        clip_seconds=1.0,
        width=320,
        height=180,
    )
    assert [f.file_type for f in files] == [0, 0, 0, 2]
    assert files[0].name == "00_65_6501_0_ALM42.jpg"
    assert files[3].name.endswith(".mp4")
    assert all(f.data[:2] == b"\xff\xd8" for f in files[:3])
    with av.open(io.BytesIO(files[3].data)) as container:
        assert container.streams.video[0].codec_context.name == "h264"


def test_file_names_fit_the_50_byte_field() -> None:
    name = file_name(2, 65, "6501", 3, "X" * 32, "mp4")
    assert len(name.encode()) <= 50 and name.startswith("02_65_6501_3_X")
