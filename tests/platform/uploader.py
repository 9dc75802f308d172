"""A terminal's attachment connection for tests: 0x7E frames and stream packets on one
socket, built on the protocol core (what a terminal does after 0x9208)."""

from __future__ import annotations

import asyncio
import contextlib

from console.protocol.jt808.alarm_ident import AlarmIdentification
from console.protocol.jt808.attachment import (
    AlarmAttachmentInfo,
    AttachmentFile,
    ByteRange,
    FileInfo,
    FileUploadComplete,
    FileUploadCompleteResponse,
    InfoType,
    StreamPacket,
)
from console.protocol.jt808.basic import PlatformResponse, ResponseResult
from console.protocol.jt808.codec import decode_message, encode_message
from console.protocol.jt808.framing import FrameDecoder
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import Message

CHUNK = 64 * 1024


class Uploader:
    """A terminal's attachment connection: 7E frames and stream packets on one socket."""

    def __init__(self, port: int, phone: str, edition: Edition) -> None:
        self.port, self.phone, self.edition = port, phone, edition
        self.serial = 0
        self.frames = FrameDecoder()
        self.pending: list = []
        self.reader: asyncio.StreamReader
        self.writer: asyncio.StreamWriter

    async def __aenter__(self) -> Uploader:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()

    def send(self, message: Message) -> int:
        serial = self.serial
        self.serial += 1
        self.writer.write(
            encode_message(message, phone=self.phone, serial=serial, edition=self.edition)
        )
        return serial

    def send_packet(self, name: str, offset: int, data: bytes) -> None:
        self.writer.write(StreamPacket(name, offset, data).encode())

    def send_file_data(
        self, name: str, data: bytes, *, chunk: int = CHUNK, skip: set[int] = frozenset()
    ) -> list[ByteRange]:
        """All chunks except the indexes in ``skip``; returns the skipped ranges."""
        skipped = []
        for i, offset in enumerate(range(0, len(data), chunk)):
            piece = data[offset : offset + chunk]
            if i in skip:
                skipped.append(ByteRange(offset, len(piece)))
            else:
                self.send_packet(name, offset, piece)
        return skipped

    async def receive(self, timeout: float = 5.0):
        """The next frame from the server as (header, message)."""
        while not self.pending:
            data = await asyncio.wait_for(self.reader.read(65536), timeout)
            if not data:
                raise ConnectionError("the server closed the connection")
            self.pending.extend(self.frames.feed(data))
        frame = self.pending.pop(0)
        return frame.header, decode_message(frame)

    async def request(self, message: Message) -> tuple:
        serial = self.send(message)
        await self.writer.drain()
        header, reply = await self.receive()
        if isinstance(reply, PlatformResponse):
            assert reply.reply_serial == serial
            assert reply.reply_id == message.message_id
        return header, reply

    async def announce(self, info: AlarmAttachmentInfo) -> PlatformResponse:
        _, reply = await self.request(info)
        assert isinstance(reply, PlatformResponse)
        return reply

    async def upload(
        self, name: str, data: bytes, file_type: int, *, skip: set[int] = frozenset()
    ) -> FileUploadCompleteResponse:
        _, ack = await self.request(FileInfo(name, file_type, len(data)))
        assert ack == PlatformResponse(ack.reply_serial, 0x1211, ResponseResult.SUCCESS)
        self.send_file_data(name, data, skip=skip)
        return await self.finish(name, file_type, len(data))

    async def finish(self, name: str, file_type: int, size: int) -> FileUploadCompleteResponse:
        _, reply = await self.request(FileUploadComplete(name, file_type, size))
        assert isinstance(reply, FileUploadCompleteResponse)
        return reply

    async def closed_by_server(self, timeout: float = 5.0) -> bool:
        try:
            while await asyncio.wait_for(self.reader.read(65536), timeout):
                pass
        except ConnectionError:
            pass
        return True


def info_for(
    ident: AlarmIdentification,
    alarm_no: str,
    files: dict[str, tuple[int, bytes]],
    info_type: InfoType = InfoType.NORMAL,
) -> AlarmAttachmentInfo:
    terminal_id = ident.terminal_id
    listed = tuple(AttachmentFile(name, len(data)) for name, (_, data) in files.items())
    return AlarmAttachmentInfo(terminal_id, ident, alarm_no, info_type, listed)
