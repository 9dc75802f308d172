"""The terminal gateway: asyncio TCP for JT/T 808 terminals.

Each connection is a thin loop (read, feed the sans-I/O :class:`Connection`, handle its
events, write replies). Location messages go to ingest and are acknowledged only after
their transaction committed: the consecutive location messages of one read go to ingest
as one job and their acknowledgements leave in one write, in the order of the messages
(any other message first waits for them, so replies never overtake each other). The
gateway is also the :class:`Commander`: it sends commands with the link's serial numbers
and matches answers by ``reply_serial``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from console.domain.model import Command, CommandKind, CommandStatus, EventKind
from console.platform.ids import new_id
from console.platform.store import StoreUnavailable
from console.platform.store.commands import insert_command, update_command
from console.platform.store.events import append_event
from console.platform.store.registration import (
    TerminalRecord,
    deregister,
    record_outcome,
    register_terminal,
    terminal_by_phone,
)
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
from console.protocol.jt808.connection import (
    BadMessage,
    Connection,
    MessageReceived,
    PacketReceived,
)
from console.protocol.jt808.header import Edition, Header
from console.protocol.jt808.location import LocationBatch, LocationReport
from console.protocol.jt808.message import Dialect, Message, RawMessage
from console.protocol.jt808.multimedia import (
    MultimediaData,
    MultimediaEvent,
    MultimediaUploadResponse,
    TakePhotoResponse,
)
from console.protocol.jt808.subpackage import MissingPackets
from console.protocol.jt808.text import TextMessage, TextType
from console.protocol.jt808.video import ResourceList

log = logging.getLogger(__name__)

#: Answers that carry the serial of the command they answer.
_ANSWERS = (TerminalResponse, TakePhotoResponse, ResourceList)
_MAX_WRITE_BUFFER = 1024 * 1024  # a terminal that does not read its replies is cut off


def _now(clock: Any) -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


class Session:
    """One terminal connection."""

    def __init__(
        self, gateway: Gateway, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.gateway = gateway
        self.reader, self.writer = reader, writer
        self.peer = writer.get_extra_info("peername")
        config = gateway.config
        self.conn = Connection(lenient=config.lenient, max_frame_size=config.max_frame_size)
        self.terminal: TerminalRecord | None = None
        self.authenticated = False
        self.pending: dict[int, asyncio.Future[Message]] = {}
        self.closed = False
        self.failed_auth = 0
        # Location messages of the current read, waiting to go to ingest together.
        self._locations: list[tuple[Header, LocationReport | LocationBatch]] = []
        self._uncounted = 0
        # Idle detection: one timer per idle period, not one per read.
        self._loop = asyncio.get_running_loop()
        self._read_since: float | None = None  # loop time the pending read began
        self._idle_timer: asyncio.TimerHandle | None = None
        self._idled_out = False

    @property
    def vehicle_id(self) -> str | None:
        return (
            self.terminal.vehicle_id if self.terminal is not None and self.authenticated else None
        )

    # --- the loop ---------------------------------------------------------------------------
    async def run(self) -> None:
        clock = self.gateway.clock
        loop = self._loop
        reader = self.reader
        try:
            self._arm_idle_timer(self.gateway.config.idle_timeout)
            while not self.closed:
                self._read_since = loop.time()
                data = await reader.read(65536)
                self._read_since = None
                if not data or self._idled_out:
                    break
                self.gateway.metrics.inc("bytes_in", len(data))
                for event in self.conn.receive_data(data, clock()):
                    await self._handle(event)
                    if self.closed:
                        break
                await self._store_locations()
                for event in self.conn.poll(clock()):
                    await self._handle(event)
                await self._store_locations()
        except (ConnectionError, OSError) as exc:
            log.info("terminal %s connection lost: %s", self.name, exc)
        finally:
            if self._idle_timer is not None:
                self._idle_timer.cancel()
            await self.close()

    def _arm_idle_timer(self, delay: float) -> None:
        self._idle_timer = self._loop.call_later(delay, self._idle_check)

    def _idle_check(self) -> None:
        """Close the link once a read has waited ``idle_timeout`` for data (time spent
        storing what arrived does not count)."""
        if self.closed:
            return
        timeout = self.gateway.config.idle_timeout
        since = self._read_since
        remaining = timeout if since is None else since + timeout - self._loop.time()
        if remaining > 0:
            self._arm_idle_timer(remaining)
            return
        log.info("terminal %s idle for %.0f s: closing", self.name, timeout)
        self.gateway.metrics.inc("sessions_idle_closed")
        self._idled_out = True
        self.writer.close()  # the pending read returns b"": run() ends and cleans up

    @property
    def name(self) -> str:
        return self.conn.phone or str(self.peer)

    async def close(self) -> None:
        if self.closed and self.writer.is_closing():
            return
        self.closed = True
        for future in self.pending.values():
            if not future.done():
                future.set_exception(ConnectionError("terminal disconnected"))
        with contextlib.suppress(Exception):
            self.writer.close()
        await self.gateway._session_closed(self)

    def write(self, frames: list[bytes]) -> None:
        if self.closed or self.writer.transport.is_closing():
            return  # the terminal has gone: an ack for it helps nobody
        if self.writer.transport.get_write_buffer_size() > _MAX_WRITE_BUFFER:
            log.warning("terminal %s does not read its replies: closing", self.name)
            self.gateway.metrics.inc("sessions_slow_closed")
            self.closed = True
            self.writer.transport.abort()
            return
        self.writer.write(frames[0] if len(frames) == 1 else b"".join(frames))

    def reply(self, header: Header, result: int) -> None:
        _, frames = self.conn.send(
            PlatformResponse(header.serial, header.message_id, result),
            phone=header.phone,
            edition=header.edition,
        )
        self.write(frames)

    # --- events -----------------------------------------------------------------------------
    async def _handle(self, event: Any) -> None:
        metrics = self.gateway.metrics
        if event.__class__ is MessageReceived:
            message = event.message
            if (
                message.__class__ is LocationReport or message.__class__ is LocationBatch
            ) and self.authenticated:
                self._locations.append((event.header, message))  # stored with the others
                self._uncounted += 1  # (counted in messages_in with them: one lock)
                return
        if self._locations:  # replies keep the order of the messages
            await self._store_locations()
        if isinstance(event, RemoteProtocolError):
            metrics.inc("frames_bad")
            excerpt = (event.frame or b"")[:48].hex()
            log.warning("terminal %s sent a bad frame: %s [%s]", self.name, event, excerpt)
            return
        if isinstance(event, BadMessage):
            metrics.inc("messages_bad")
            log.warning(
                "terminal %s: 0x%04X does not decode: %s [%s]",
                self.name,
                event.header.message_id,
                event.error,
                event.frame.body[:48].hex(),
            )
            self.reply(event.header, ResponseResult.BAD_MESSAGE)
            return
        if isinstance(event, PacketReceived):
            self.reply(event.header, ResponseResult.SUCCESS)
            return
        if isinstance(event, MissingPackets):
            self._ask_again(event)
            return
        assert isinstance(event, MessageReceived)
        metrics.inc("messages_in")
        await self._message(event.header, event.message)

    def _ask_again(self, missing: MissingPackets) -> None:
        if missing.message_id == MultimediaData.MESSAGE_ID:
            return  # 0x0801 is asked again with 0x8800 once the upload ends
        _, frames = self.conn.send(ResendSubpackages(missing.first_serial, missing.missing[:255]))
        self.write(frames)

    async def _message(self, header: Header, message: Message) -> None:
        if isinstance(message, _ANSWERS):
            future = self.pending.pop(message.reply_serial, None)
            if future is not None and not future.done():
                future.set_result(message)
            return
        if isinstance(message, Register):
            await self._register(header, message)
        elif isinstance(message, Authenticate):
            await self._authenticate(header, message)
        elif isinstance(message, Heartbeat):
            self.reply(
                header, ResponseResult.SUCCESS if self.authenticated else ResponseResult.FAILURE
            )
        elif isinstance(message, Logout):
            await self._deregister(header)
        elif isinstance(message, (LocationReport, LocationBatch)):
            await self._location(header, message)
        elif isinstance(message, MultimediaEvent):
            self.reply(header, ResponseResult.SUCCESS)
        elif isinstance(message, MultimediaData):
            _, frames = self.conn.send(MultimediaUploadResponse(message.media_id))
            self.write(frames)
        elif isinstance(message, RawMessage):
            self.reply(header, ResponseResult.UNSUPPORTED)
        else:
            self.reply(header, ResponseResult.SUCCESS)

    async def _register(self, header: Header, message: Register) -> None:
        try:
            result, record = await asyncio.to_thread(
                self.gateway.register, header.phone, message, header.edition.value
            )
        except StoreUnavailable as exc:
            log.error("registration of %s not answered: %s", header.phone, exc)
            return  # no answer: the terminal registers again later
        _, frames = self.conn.send(
            RegisterResponse(
                header.serial, result, record.auth_code if result == 0 and record else ""
            )
        )
        self.write(frames)
        log.info(
            "terminal %s registers plate %s: result %s",
            header.phone,
            message.plate_number,
            RegisterResult(result).name,
        )

    async def _deregister(self, header: Header) -> None:
        try:
            changed = await asyncio.to_thread(self.gateway.deregister, header.phone)
        except StoreUnavailable as exc:
            log.error("deregistration of %s not answered: %s", header.phone, exc)
            return
        log.info(
            "terminal %s deregisters (%s)",
            header.phone,
            "done" if changed else "was not registered",
        )
        self.reply(header, ResponseResult.SUCCESS)
        await self.close()

    async def _authenticate(self, header: Header, message: Authenticate) -> None:
        try:
            record = await asyncio.to_thread(self.gateway.lookup_terminal, header.phone)
        except StoreUnavailable as exc:
            log.error("authentication of %s not answered: %s", header.phone, exc)
            return
        ok = (
            record is not None
            and record.vehicle_id is not None
            and record.auth_code
            and secrets.compare_digest(record.auth_code, message.auth_code.rstrip("\x00"))
        )
        if not ok:
            self.failed_auth += 1
            self.gateway.metrics.inc("auth_failed")
            log.warning("terminal %s failed authentication (%d)", header.phone, self.failed_auth)
            self.reply(header, ResponseResult.FAILURE)
            if self.failed_auth >= 3:
                await self.close()
            return
        assert record is not None
        self.terminal = record
        self.conn.dialect = Dialect(record.dialect) if record.dialect else None
        self.authenticated = True
        await self.gateway._session_online(self)
        self.reply(header, ResponseResult.SUCCESS)

    async def _location(self, header: Header, message: LocationReport | LocationBatch) -> None:
        if self.vehicle_id is None:
            self.gateway.metrics.inc("locations_unauthenticated")
            self.reply(header, ResponseResult.FAILURE)
            return
        self._locations.append((header, message))
        await self._store_locations()

    async def _store_locations(self) -> None:
        """Store the location messages collected from this read (one ingest job) and,
        after the commit, acknowledge them in one write."""
        if not self._locations:
            return
        batch, self._locations = self._locations, []
        if self._uncounted:
            self.gateway.metrics.inc("messages_in", self._uncounted)
            self._uncounted = 0
        vehicle_id = self.vehicle_id
        if vehicle_id is None:  # (cannot happen: collected only once authenticated)
            return
        gateway = self.gateway
        try:
            stored = await gateway.ingest.submit_locations(
                vehicle_id, [message for _, message in batch], _now(gateway.clock)
            )
        except Exception as exc:  # not stored: not acknowledged, the terminal will resend
            gateway.metrics.inc("locations_not_stored", len(batch))
            log.error(
                "%d location message(s) of %s not stored, not acknowledged: %s",
                len(batch),
                self.name,
                exc,
            )
            return
        frames: list[bytes] = []
        send = self.conn.send
        for header, _ in batch:
            _, packets = send(
                PlatformResponse(header.serial, header.message_id, ResponseResult.SUCCESS),
                phone=header.phone,
                edition=header.edition,
            )
            frames += packets
        self.write(frames)
        for result in stored:
            for alarm in result.evidence_wanted:
                gateway.request_evidence_later(vehicle_id, alarm.id)


class Gateway:
    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self.config = platform.config
        self.store = platform.store
        self.metrics = platform.metrics
        self.clock = platform.clock
        self.ingest = platform.ingest
        self.sessions: dict[str, Session] = {}  # by vehicle id, authenticated only
        self._all: set[Session] = set()
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- life cycle -------------------------------------------------------------------------
    async def start(self) -> int:
        self._server = await asyncio.start_server(
            self._accept, self.config.host, self.config.jt808_port, limit=65536, backlog=4096
        )
        return self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for session in list(self._all):
            await session.close()
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._all) >= self.config.max_connections:
            self.metrics.inc("connections_refused")
            writer.close()
            return
        session = Session(self, reader, writer)
        self._all.add(session)
        self.metrics.set("connections", len(self._all))
        await session.run()

    async def _session_online(self, session: Session) -> None:
        vehicle_id = session.vehicle_id
        assert vehicle_id is not None
        old = self.sessions.get(vehicle_id)
        self.sessions[vehicle_id] = session
        if old is not None and old is not session:
            log.info("terminal %s reconnected: the older connection is closed", session.name)
            await old.close()
        await self._online(vehicle_id, True)

    async def _session_closed(self, session: Session) -> None:
        self._all.discard(session)
        self.metrics.set("connections", len(self._all))
        vehicle_id = session.terminal.vehicle_id if session.terminal else None
        if vehicle_id is not None and self.sessions.get(vehicle_id) is session:
            del self.sessions[vehicle_id]
            await self._online(vehicle_id, False)

    async def _online(self, vehicle_id: str, online: bool) -> None:
        try:
            await self.ingest.set_online(vehicle_id, online, _now(self.clock))
        except Exception as exc:
            log.error(
                "vehicle %s %s not recorded: %s", vehicle_id, "online" if online else "offline", exc
            )

    # --- registry (run in a thread) -----------------------------------------------------------
    def register(
        self, phone: str, message: Register, edition: str
    ) -> tuple[int, TerminalRecord | None]:
        terminal_id = message.terminal_id.strip("\x00")
        with self.store.begin() as conn:
            result, record = register_terminal(
                conn,
                phone=phone,
                terminal_id=terminal_id,
                plate=message.plate_number,
                plate_color=message.plate_color,
                edition=edition,
                new_code=secrets.token_hex(8),
                now=_now(self.clock),
            )
            record_outcome(
                conn,
                phone=phone,
                terminal_id=terminal_id,
                plate=message.plate_number,
                plate_color=message.plate_color,
                result=result,
                now=_now(self.clock),
            )
            return result, record

    def deregister(self, phone: str) -> bool:
        with self.store.begin() as conn:
            return deregister(conn, phone)

    def lookup_terminal(self, phone: str) -> TerminalRecord | None:
        with self.store.connect() as conn:
            return terminal_by_phone(conn, phone)

    # --- Commander ----------------------------------------------------------------------------
    def is_online(self, vehicle_id: str) -> bool:
        return vehicle_id in self.sessions

    async def send(
        self,
        vehicle_id: str,
        kind: CommandKind,
        message: Message,
        *,
        params: dict[str, Any] | None = None,
        user_id: str | None = None,
    ) -> Command:
        now = _now(self.clock)
        command = Command(
            id=new_id("cmd"),
            vehicle_id=vehicle_id,
            kind=kind,
            status=CommandStatus.PENDING,
            created_at=now,
            updated_at=now,
            message_id=message.message_id,
            params=params or {},
            created_by=user_id,
        )
        await asyncio.to_thread(self._save_command, command, True)
        session = self.sessions.get(vehicle_id)
        if session is None:
            return await self._finish(
                command, CommandStatus.OFFLINE, {"reason": "terminal not connected"}
            )
        timeout = self.config.command_timeout_s
        for attempt in range(self.config.command_retries + 1):
            if session.closed:
                return await self._finish(
                    command, CommandStatus.OFFLINE, {"reason": "connection lost"}
                )
            serial, frames = session.conn.send(_for_edition(message, session.conn.edition))
            future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
            session.pending[serial] = future
            session.write(frames)
            if attempt == 0:
                command = replace(
                    command, serial=serial, status=CommandStatus.SENT, updated_at=_now(self.clock)
                )
                await asyncio.to_thread(self._save_command, command, False)
            try:
                answer = await asyncio.wait_for(future, timeout * (attempt + 1))
            except TimeoutError:
                session.pending.pop(serial, None)
                continue
            except ConnectionError:
                return await self._finish(
                    command, CommandStatus.OFFLINE, {"reason": "connection lost"}
                )
            return await self._finish(command, *_outcome(answer))
        return await self._finish(
            command, CommandStatus.TIMED_OUT, {"attempts": self.config.command_retries + 1}
        )

    async def _finish(
        self, command: Command, status: CommandStatus, result: dict[str, Any]
    ) -> Command:
        command = replace(command, status=status, result=result, updated_at=_now(self.clock))
        try:
            await asyncio.to_thread(self._save_command, command, False)
        except StoreUnavailable as exc:
            log.error("outcome of command %s not stored: %s", command.id, exc)
        return command

    def _save_command(self, command: Command, new: bool) -> None:
        ref = self.ingest.vehicle(command.vehicle_id)
        with self.store.begin() as conn:
            (insert_command if new else update_command)(conn, command)
            event = append_event(
                conn,
                EventKind.COMMAND,
                command_json(command),
                time=command.updated_at,
                vehicle_id=command.vehicle_id,
                county_id=ref.county_id if ref else None,
                enterprise_id=ref.enterprise_id if ref else None,
            )
        self.platform.bus.published(event.id)

    # --- evidence ---------------------------------------------------------------------------
    def request_evidence_later(self, vehicle_id: str, alarm_id: str) -> None:
        """Ask for an alarm's attachments (0x9208) without holding up the acknowledgement."""
        task = asyncio.get_running_loop().create_task(self.request_evidence(vehicle_id, alarm_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def request_evidence(
        self, vehicle_id: str, alarm_id: str, user_id: str | None = None
    ) -> Command | None:
        request = await asyncio.to_thread(self._upload_request, alarm_id)
        if request is None:
            return None
        return await self.send(
            vehicle_id,
            CommandKind.EVIDENCE_REQUEST,
            request,
            params={"alarm_id": alarm_id},
            user_id=user_id,
        )

    def _upload_request(self, alarm_id: str) -> AttachmentUploadRequest | None:
        from console.platform.attachments import upload_request_for_alarm

        with self.store.connect() as conn:
            return upload_request_for_alarm(conn, alarm_id, self.platform)


def _for_edition(message: Message, edition: Edition | None) -> Message:
    """A 2019 terminal expects 0x8300 with a text-type byte, a 2013 one without it."""
    if isinstance(message, TextMessage):
        if edition is Edition.V2019 and message.text_type is None:
            return replace(message, text_type=TextType.NOTICE)
        if edition is not Edition.V2019 and message.text_type is not None:
            return replace(message, text_type=None)
    return message


def _outcome(answer: Message) -> tuple[CommandStatus, dict[str, Any]]:
    if isinstance(answer, TerminalResponse):
        ok = answer.result == ResponseResult.SUCCESS
        return (CommandStatus.ACKED if ok else CommandStatus.FAILED), {"result": answer.result}
    if isinstance(answer, TakePhotoResponse):
        ok = answer.result == 0
        return (CommandStatus.ACKED if ok else CommandStatus.FAILED), {
            "result": answer.result,
            "media_ids": list(answer.media_ids),
        }
    if isinstance(answer, ResourceList):
        return CommandStatus.ACKED, answer.to_json()
    return CommandStatus.ACKED, {}


def command_json(command: Command) -> dict[str, Any]:
    return {
        "id": command.id,
        "vehicle_id": command.vehicle_id,
        "kind": command.kind.value,
        "status": command.status.value,
        "message_id": f"0x{command.message_id:04X}",
        "serial": command.serial,
        "params": command.params,
        "result": command.result,
        "created_by": command.created_by,
        "created_at": command.created_at.isoformat(),
        "updated_at": command.updated_at.isoformat(),
    }
