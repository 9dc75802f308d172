"""A test terminal over real TCP, built on the protocol core: what the platform tests use
to play a truck. It answers commands the way a terminal does unless told otherwise."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from console.protocol.binary import BcdTime
from console.protocol.jt808.basic import (
    Authenticate,
    Heartbeat,
    PlatformResponse,
    Register,
    RegisterResponse,
    TerminalResponse,
)
from console.protocol.jt808.connection import Connection, MessageReceived
from console.protocol.jt808.header import Edition
from console.protocol.jt808.location import LocationReport
from console.protocol.jt808.message import Dialect, Message
from console.protocol.jt808.text import TextMessage

CST = timezone(timedelta(hours=8))


def report(
    when: datetime,
    *,
    lat: float = 23.68,
    lon: float = 113.05,
    speed: float = 50.0,
    alarm_flags: int = 0,
    items: tuple = (),
    direction: int = 90,
) -> LocationReport:
    return LocationReport(
        alarm_flags,
        0b11,
        round(lat * 1e6),
        round(lon * 1e6),
        30,
        round(speed * 10),
        direction,
        BcdTime.from_datetime(when),
        items,
    )


@dataclass
class TestTerminal:
    __test__ = False  # a helper, not a test class
    host: str
    port: int
    phone: str
    terminal_id: str
    plate: str
    plate_color: int = 2
    edition: Edition = Edition.V2019
    dialect: Dialect = Dialect.YUEBIAO
    answer_commands: bool = True
    texts: list[str] = field(default_factory=list)
    commands: list[Message] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.conn = Connection(dialect=self.dialect)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.replies: asyncio.Queue[tuple[int, Message]] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None
        self.auth_code: str | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.conn = Connection(dialect=self.dialect)
        self._pump = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        if self.writer is not None:
            self.writer.close()

    async def _read(self) -> None:
        assert self.reader is not None
        while data := await self.reader.read(65536):
            for event in self.conn.receive_data(data, 0.0):
                if not isinstance(event, MessageReceived):
                    continue
                message = event.message
                if isinstance(message, PlatformResponse | RegisterResponse):
                    await self.replies.put((message.reply_serial, message))
                else:
                    self.commands.append(message)
                    if isinstance(message, TextMessage):
                        self.texts.append(message.text)
                    if self.answer_commands:
                        self.send(TerminalResponse(event.header.serial, event.header.message_id, 0))

    def send(self, message: Message) -> int:
        assert self.writer is not None
        serial, frames = self.conn.send(message, phone=self.phone, edition=self.edition)
        for frame in frames:
            self.writer.write(frame)
        return serial

    def send_raw(self, data: bytes) -> None:
        assert self.writer is not None
        self.writer.write(data)

    async def request(self, message: Message, timeout: float = 5.0) -> Message:
        """Send and wait for the platform's answer to exactly this message."""
        serial = self.send(message)
        while True:
            reply_serial, reply = await asyncio.wait_for(self.replies.get(), timeout)
            if reply_serial == serial:
                return reply

    async def register(self) -> RegisterResponse:
        layout = self.edition
        reply = await self.request(
            Register(
                44, 1800, "TWSIM", "TW-9", self.terminal_id, self.plate_color, self.plate, layout
            )
        )
        assert isinstance(reply, RegisterResponse)
        if reply.result == 0:
            self.auth_code = reply.auth_code
        return reply

    async def authenticate(self, code: str | None = None) -> PlatformResponse:
        code = code if code is not None else (self.auth_code or "")
        imei = "86" + self.phone[-13:] if self.edition is Edition.V2019 else None
        message = Authenticate(code, imei, "1.0.0" if imei else None)
        reply = await self.request(message)
        assert isinstance(reply, PlatformResponse)
        return reply

    async def login(self) -> None:
        """Connect and authenticate, registering first unless the code is known."""
        await self.connect()
        if self.auth_code is None:
            assert (await self.register()).result == 0
        assert (await self.authenticate()).result == 0

    async def heartbeat(self) -> PlatformResponse:
        reply = await self.request(Heartbeat())
        assert isinstance(reply, PlatformResponse)
        return reply


def yuebiao_terminal(port: int, world: Any, vehicle_id: str) -> TestTerminal:
    """The 2019 粤标 terminal of a ``world`` vehicle (20-digit SIM, id T000001), for the
    end-to-end tests."""
    return TestTerminal(
        "127.0.0.1",
        port,
        world.phones[vehicle_id].rjust(20, "0"),
        "T000001",
        world.plates[vehicle_id],
        edition=Edition.V2019,
        dialect=Dialect.YUEBIAO,
    )
