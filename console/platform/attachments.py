"""The evidence (报警附件) server: terminals upload the files of active-safety alarms here.

Flow ([JSATL] §4.5-4.6, [GDRTA] §5.5-5.6; ``shared/protocol/README.md`` §8): the gateway
sends 0x9208 (built by :func:`upload_request_for`) on the JT/T 808 link; the terminal opens
a TCP connection to this server and sends 0x1210 (the alarm and its file list), then per
file 0x1211, the data as raw ``30 31 63 64`` stream packets and 0x1212. Each 0x1212 is
answered with 0x9212: complete, or the exact byte ranges that are still missing; the
terminal re-sends them and asks again until the file is complete.

Storage: a file is written, packet by packet at its offset, to
``<evidence_dir>/<alarm id>/.<name>.part``; a small sidecar ``.<name>.ranges`` remembers
which byte ranges are on disk (written after an fsync of the data), so an upload cut short
resumes where it stopped. When every byte is in, the data is fsynced, the partial file is
renamed to ``<name>``, and the evidence row is marked complete in the same transaction
that appends the ``evidence`` (and, if the alarm's evidence status changed,
``alarm_updated``) events; the events are published after the commit and only then does
the terminal get its 0x9212 "complete".

Bounds: one connection holds at most the decoder's buffer (one frame or one data packet
of at most :data:`MAX_PACKET_DATA` bytes) plus the asyncio stream buffer; files are never
held in memory. Idle connections are closed after ``idle_timeout`` seconds, connections
that send more than :data:`MAX_ERRORS_PER_CONNECTION` malformed inputs are closed, and
announced files larger than ``max_file_size`` are refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, overload

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from console.domain.model import Event, FileType
from console.platform.store import StoreUnavailable
from console.platform.store.evidence import (
    AlarmRef,
    alarm_no_for,
    evidence_by_name,
    file_type_for_name,
    find_alarm_by_ident,
    find_alarm_by_no,
    get_alarm_ref,
    mark_complete,
    mark_interrupted,
    record_received,
    refresh_evidence_status,
    upsert_evidence,
)
from console.protocol.errors import ProtocolError, RemoteProtocolError
from console.protocol.jt808.alarm_ident import AlarmIdentification
from console.protocol.jt808.attachment import (
    STREAM_NAME_SIZE,
    AlarmAttachmentInfo,
    AttachmentStreamDecoder,
    AttachmentUploadRequest,
    FileInfo,
    FileUploadComplete,
    FileUploadCompleteResponse,
    RawFrame,
    ReceivedRanges,
    StreamPacket,
    UploadResult,
)
from console.protocol.jt808.basic import (
    Heartbeat,
    PlatformResponse,
    ResponseResult,
    TerminalResponse,
)
from console.protocol.jt808.codec import decode_message, encode_message
from console.protocol.jt808.framing import decode_frame
from console.protocol.jt808.header import Header
from console.protocol.jt808.message import Dialect, Message
from console.protocol.jt808.subpackage import Reassembler

__all__ = [
    "AttachmentServer",
    "alarm_no_for",
    "attachment_port",
    "domain_file_type",
    "safe_file_name",
    "upload_request_for",
    "upload_request_for_alarm",
]

log = logging.getLogger(__name__)

DEFAULT_IDLE_TIMEOUT_S = 60.0
DEFAULT_MAX_FILE_SIZE = 1 << 30  # 1 GiB; alarm clips are a few MB
DEFAULT_MAX_CONNECTIONS = 1024
MAX_PACKET_DATA = 1 << 20  # the standard's chunk is 64 KiB; a larger packet is refused
MAX_ERRORS_PER_CONNECTION = 100
MAX_NAME_LENGTH = 200  # evidence.file_name
READ_SIZE = 64 * 1024
EXCERPT_BYTES = 48

_T = TypeVar("_T")


# --- 0x9208 ---------------------------------------------------------------------------------


def _field(row: Any, name: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(name)
    mapping = getattr(row, "_mapping", None)  # a SQLAlchemy Row
    if mapping is not None:
        return mapping.get(name)
    return getattr(row, name, None)


@overload
def upload_request_for(
    alarm_row: Connection, config: str, platform: Any, /
) -> AttachmentUploadRequest | None: ...


@overload
def upload_request_for(
    alarm_row: Any, config: Any, *, port: int | None = None
) -> AttachmentUploadRequest: ...


def upload_request_for(
    alarm_row: Any, config: Any, *args: Any, port: int | None = None
) -> AttachmentUploadRequest | None:
    """The 0x9208 asking the terminal to upload an alarm's files to this server.

    ``alarm_row``: anything with ``alarm_ident`` (hex of the 16/40-byte identification, as
    in ``alarms.alarm_ident``) and ``alarm_no`` (the 32-character 报警编号) — a row of the
    ``alarms`` table, its mapping, or a :class:`~console.platform.store.evidence.AlarmRef`.
    ``port``: the attachment server's bound port (``platform.attachments.port``); needed
    when ``config.attachment_port`` is 0 (pick a free port). The address is
    ``config.advertised_host``. Raises ``ValueError`` when something is missing.

    Also accepted: ``upload_request_for(conn, alarm_id, platform)``, which is
    :func:`upload_request_for_alarm` (None instead of ``ValueError``).
    """
    if isinstance(alarm_row, Connection):
        return upload_request_for_alarm(alarm_row, config, *args)
    ident_hex = _field(alarm_row, "alarm_ident")
    alarm_no = _field(alarm_row, "alarm_no")
    if not ident_hex:
        raise ValueError("the alarm has no identification (not an active-safety alarm)")
    if not alarm_no:
        raise ValueError("the alarm has no alarm number (报警编号)")
    tcp_port = port if port else config.attachment_port
    if not tcp_port:
        raise ValueError("the attachment server's port is not known yet (configured as 0)")
    try:
        ident = AlarmIdentification(bytes.fromhex(ident_hex))
    except (ValueError, ProtocolError) as exc:
        raise ValueError(f"bad alarm identification {ident_hex!r}: {exc}") from None
    return AttachmentUploadRequest(
        ip=config.advertised_host,
        tcp_port=tcp_port,
        udp_port=0,
        alarm_ident=ident,
        alarm_no=alarm_no,
    )


def attachment_port(platform: Any) -> int:
    """The port terminals must upload to: the running server's, else the configured one."""
    server = getattr(platform, "attachments", None)
    port = getattr(server, "port", 0)
    if not port:
        port = getattr(getattr(platform, "ports", None), "attachment", 0)
    return port or platform.config.attachment_port


def upload_request_for_alarm(
    conn: Connection, alarm_id: str, platform: Any
) -> AttachmentUploadRequest | None:
    """The 0x9208 for a stored alarm, or None (logged) when it cannot be asked for:
    unknown alarm, no identification, no alarm number, attachment server not started."""
    alarm = get_alarm_ref(conn, alarm_id)
    if alarm is None:
        log.warning("0x9208: no alarm %s", alarm_id)
        return None
    try:
        return upload_request_for(alarm, platform.config, port=attachment_port(platform))
    except ValueError as exc:
        log.warning("0x9208 for alarm %s: %s", alarm_id, exc)
        return None


# --- names and types ------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_file_name(name: str) -> str:
    """A name that is safe as one path component on every platform.

    Standard names (``00_64_6401_0_<alarm no>.jpg``) stay as they are; anything else is
    cleaned and gets a short hash of the original, so two names never collide. Never
    starts with a dot (the partial files do).
    """
    cleaned = _UNSAFE.sub("_", name)
    if cleaned == name and not name.startswith(".") and 0 < len(name) <= 120:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    stem, dot, ext = cleaned.rpartition(".")
    if not dot or not ext or len(ext) > 10:
        stem, ext = cleaned, ""
    stem = stem.strip("._ ")[:100] or "file"
    return f"{stem}_{digest}.{ext}" if ext else f"{stem}_{digest}"


_PROTOCOL_FILE_TYPES = {
    Dialect.SUBIAO: {
        0: FileType.PHOTO,
        1: FileType.AUDIO,
        2: FileType.VIDEO,
        3: FileType.TEXT,
        4: FileType.OTHER,
    },
    Dialect.YUEBIAO: {
        0: FileType.PHOTO,  # panorama picture
        1: FileType.AUDIO,
        2: FileType.VIDEO,
        3: FileType.TEXT,
        4: FileType.PHOTO,  # face picture
        5: FileType.OTHER,
    },
}


def domain_file_type(code: int | None, dialect: Dialect | None, file_name: str) -> FileType:
    """The evidence kind from the protocol's file type (whose meaning of 4 depends on the
    dialect), or from the file name when the code is unknown."""
    if code is not None:
        found = _PROTOCOL_FILE_TYPES[dialect or Dialect.SUBIAO].get(code)
        if found is not None:
            return found
    return file_type_for_name(file_name)


def _clean_name(name: str) -> str:
    return name.strip("\x00 \t\r\n")


def _hex_excerpt(data: bytes | None) -> str:
    if not data:
        return ""
    more = "…" if len(data) > EXCERPT_BYTES else ""
    return data[:EXCERPT_BYTES].hex(" ") + more


def _utc(clock: Callable[[], float]) -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


# --- one file being received ----------------------------------------------------------------


@dataclass(slots=True)
class _Upload:
    name: str
    size: int
    file_type: int | None  # the protocol code as the terminal sent it (echoed in 0x9212)
    evidence_id: str
    final: Path
    part: Path
    sidecar: Path
    ranges: ReceivedRanges
    done: bool = False
    handle: BinaryIO | None = None
    dirty: bool = False  # data written since the last fsync

    def write(self, offset: int, data: bytes) -> None:
        if self.handle is None:
            self.part.parent.mkdir(parents=True, exist_ok=True)
            mode = "r+b" if self.part.exists() else "w+b"
            self.handle = open(self.part, mode)  # noqa: SIM115 - kept open across packets
        self.handle.seek(offset)
        self.handle.write(data)
        self.dirty = True

    # The methods below block (fsync): call them in a worker thread.

    def sync(self) -> None:
        """Make the data on disk durable, then record which ranges it holds."""
        if self.handle is not None and self.dirty:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.dirty = False
        if self.done:
            return
        state = {"size": self.size, "ranges": [list(r) for r in self.ranges.ranges]}
        tmp = self.sidecar.with_name(self.sidecar.name + ".tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.sidecar)

    def close(self) -> None:
        if self.handle is not None:
            with contextlib.suppress(OSError):
                self.handle.close()
            self.handle = None

    def finish(self) -> None:
        """All bytes are in: fsync, rename into place, drop the sidecar."""
        if self.handle is None:
            self.part.parent.mkdir(parents=True, exist_ok=True)
            mode = "r+b" if self.part.exists() else "w+b"
            self.handle = open(self.part, mode)  # noqa: SIM115 - closed just below
        try:
            self.handle.truncate(self.size)
            self.handle.flush()
            os.fsync(self.handle.fileno())
        finally:
            self.close()
        os.replace(self.part, self.final)
        _fsync_dir(self.final.parent)
        self.sidecar.unlink(missing_ok=True)
        stored = self.final.stat().st_size
        if stored != self.size:
            raise OSError(f"{self.final} holds {stored} bytes, {self.size} announced")


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _load_ranges(sidecar: Path, part: Path, size: int) -> ReceivedRanges:
    """What an earlier, interrupted upload left on disk (nothing when unsure)."""
    ranges = ReceivedRanges()
    try:
        state = json.loads(sidecar.read_text(encoding="utf-8"))
        on_disk = part.stat().st_size
    except (OSError, ValueError):
        return ranges
    if not isinstance(state, dict) or state.get("size") != size:
        return ranges
    for item in state.get("ranges", ()):
        if not (isinstance(item, list) and len(item) == 2 and all(type(v) is int for v in item)):
            continue
        offset, length = item
        end = min(offset + length, size, on_disk)
        if offset >= 0 and end > offset:
            ranges.add(offset, end - offset)
    return ranges


def _file_size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


# --- one terminal connection ----------------------------------------------------------------


class _Link:
    """One attachment connection: a thin loop around :class:`AttachmentStreamDecoder`."""

    def __init__(
        self,
        server: AttachmentServer,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.decoder = AttachmentStreamDecoder(
            max_packet_data=MAX_PACKET_DATA, max_frame_size=server.config.max_frame_size
        )
        self.reassembler = Reassembler(max_messages=2, max_bytes=64 * 1024, max_packets=64)
        self.alarm: AlarmRef | None = None
        self.dialect: Dialect | None = None
        self.terminal = ""  # phone from the first header, for the log
        self.uploads: dict[str, _Upload] = {}
        self.serial = 0
        self.errors = 0
        self.closing = False
        self.finished = asyncio.Event()

    # -- the loop --

    async def run(self) -> None:
        try:
            await self._loop()
        except (ConnectionError, OSError) as exc:
            log.info("attachment link %s ended: %s", self.peer, exc)
        except Exception:
            log.exception("attachment link %s failed", self.peer)
        finally:
            for error in self.decoder.close():
                self._error(str(error))
            try:
                await self._release()
            except Exception:
                log.exception("attachment link %s: saving unfinished files failed", self.peer)
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
            self.finished.set()

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        idle = self.server.idle_timeout
        # Until a 0x1210 names a known alarm, the whole connection gets one idle period:
        # a peer that only trickles bytes cannot keep a connection slot.
        link_deadline = loop.time() + idle
        while not self.closing:
            timeout = idle if self.alarm else max(0.0, link_deadline - loop.time())
            try:
                data = await asyncio.wait_for(self.reader.read(READ_SIZE), timeout)
            except TimeoutError:
                self.server.metrics.inc("attachment_idle_timeouts")
                why = "idle" if self.alarm else "no alarm linked (0x1210)"
                log.info("attachment link %s: %s for %.0f s: closing", self.peer, why, idle)
                return
            if not data:
                return
            for event in self.decoder.feed(data):
                if self.closing:
                    break
                if isinstance(event, StreamPacket):
                    self._on_packet(event)
                elif isinstance(event, RawFrame):
                    await self._on_frame(event.wire)
                else:
                    self._error(f"stream: {event}")
            if not self.closing:
                await self.writer.drain()

    def abort(self) -> None:
        """Another connection took over this alarm (or the server stops)."""
        self.closing = True
        self.writer.transport.abort()

    def _error(self, message: str, data: bytes | None = None) -> None:
        self.server.metrics.inc("attachment_errors")
        self.errors += 1
        excerpt = _hex_excerpt(data)
        log.warning(
            "attachment link %s (terminal %s, alarm %s): %s%s",
            self.peer,
            self.terminal or "?",
            self.alarm.id if self.alarm else "-",
            message,
            f" [{excerpt}]" if excerpt else "",
        )
        if self.errors > MAX_ERRORS_PER_CONNECTION and not self.closing:
            log.warning("attachment link %s: too many errors, closing", self.peer)
            self.closing = True

    # -- replies --

    async def _send(self, header: Header, message: Message) -> None:
        wire = encode_message(
            message,
            phone=header.phone,
            serial=self.serial,
            edition=header.edition,
            protocol_version=header.protocol_version,
        )
        self.serial = (self.serial + 1) & 0xFFFF
        try:
            self.writer.write(wire)
            await self.writer.drain()
        except (ConnectionError, OSError) as exc:
            log.info("attachment link %s: reply not sent: %s", self.peer, exc)
            self.closing = True

    async def _respond(self, header: Header, result: ResponseResult) -> None:
        await self._send(header, PlatformResponse(header.serial, header.message_id, result))

    # -- 7E frames --

    async def _on_frame(self, wire: bytes) -> None:
        try:
            frame = decode_frame(wire, lenient=self.server.config.lenient)
        except RemoteProtocolError as exc:
            self._error(f"bad frame: {exc}", wire)
            return
        if not frame.checksum_ok:
            self._error("wrong check code (accepted: lenient)", wire)
        header = frame.header
        self.terminal = self.terminal or header.phone
        acked = False
        if header.is_subpackage:
            try:
                whole = self.reassembler.add(frame, asyncio.get_running_loop().time())
            except RemoteProtocolError as exc:
                self._error(f"sub-package: {exc}", wire)
                await self._respond(header, ResponseResult.FAILURE)
                return
            await self._respond(header, ResponseResult.SUCCESS)  # each packet is answered
            if whole is None:
                return
            frame, header, acked = whole, whole.header, True
        try:
            message = decode_message(frame, self.dialect)
        except RemoteProtocolError as exc:
            self._error(f"bad body: {exc}", wire)
            await self._respond(header, ResponseResult.BAD_MESSAGE)
            return
        if isinstance(message, AlarmAttachmentInfo):
            await self._on_info(header, message, acked)
        elif isinstance(message, FileInfo):
            await self._on_file_info(header, message, acked)
        elif isinstance(message, FileUploadComplete):
            await self._on_upload_complete(header, message)
        elif isinstance(message, Heartbeat):
            await self._respond(header, ResponseResult.SUCCESS)
        elif isinstance(message, TerminalResponse):
            pass  # to our 0x9212: nothing to do
        else:
            log.info("attachment link %s: 0x%04X not supported here", self.peer, header.message_id)
            await self._respond(header, ResponseResult.UNSUPPORTED)

    async def _on_info(self, header: Header, info: AlarmAttachmentInfo, acked: bool) -> None:
        alarm = await self.server.db(lambda conn: self._lookup(conn, info))
        if alarm is None:
            self.server.metrics.inc("attachment_refused")
            log.warning(
                "attachment link %s (terminal %s): unknown alarm number %r (identification %s)"
                ": refused",
                self.peer,
                info.terminal_id or header.phone,
                info.alarm_no,
                info.alarm_ident.raw.hex(),
            )
            await self._respond(header, ResponseResult.FAILURE)
            self.closing = True
            return
        if self.alarm is not None and self.alarm.id != alarm.id:
            await self._release()  # one connection, a second alarm: finish the first
        await self.server.claim(alarm.id, self)
        if self.closing:
            return
        self.alarm, self.dialect = alarm, info.dialect
        if alarm.alarm_ident and alarm.alarm_ident.lower() != info.alarm_ident.raw.hex():
            log.warning(
                "attachment link %s: alarm %s: 0x1210 identification %s differs from the "
                "stored %s (accepted by alarm number)",
                self.peer,
                alarm.id,
                info.alarm_ident.raw.hex(),
                alarm.alarm_ident,
            )
        if alarm.attachment_count and len(info.files) != alarm.attachment_count:
            log.info(
                "attachment link %s: alarm %s announced %d file(s), 0x1210 (info type %d) lists %d",
                self.peer,
                alarm.id,
                alarm.attachment_count,
                int(info.info_type),
                len(info.files),
            )
        refused = 0
        for item in info.files:
            if await self._prepare(item.name, item.size, None) is None:
                refused += 1
        now = _utc(self.server.clock)
        event = await self.server.db(
            lambda conn: refresh_evidence_status(conn, alarm.id, uploading=True, now=now)
        )
        self.server.publish([event] if event else [])
        log.info(
            "attachment link %s: terminal %s uploads %d file(s) of alarm %s",
            self.peer,
            info.terminal_id or header.phone,
            len(info.files),
            alarm.id,
        )
        if refused:
            await self._respond(header, ResponseResult.FAILURE)
        elif not acked:
            await self._respond(header, ResponseResult.SUCCESS)

    @staticmethod
    def _lookup(conn: Connection, info: AlarmAttachmentInfo) -> AlarmRef | None:
        alarm = find_alarm_by_no(conn, info.alarm_no)
        if alarm is None and not info.alarm_no.strip("\x00 0"):
            # No number given (a terminal that uploads without a 0x9208): the
            # identification is the only key left.
            alarm = find_alarm_by_ident(conn, info.alarm_ident.raw)
        return alarm

    async def _on_file_info(self, header: Header, info: FileInfo, acked: bool) -> None:
        if self.alarm is None:
            self._error("0x1211 before 0x1210")
            await self._respond(header, ResponseResult.FAILURE)
            return
        upload = await self._prepare(info.name, info.size, info.file_type)
        if upload is None:
            await self._respond(header, ResponseResult.FAILURE)
        elif not acked:
            await self._respond(header, ResponseResult.SUCCESS)

    async def _on_upload_complete(self, header: Header, done: FileUploadComplete) -> None:
        if self.alarm is None:
            self._error("0x1212 before 0x1210")
            await self._respond(header, ResponseResult.FAILURE)
            return
        name = _clean_name(done.name)
        upload = self.uploads.get(name)
        if upload is None or upload.size != done.size:
            if upload is not None:
                self._error(
                    f"0x1212 for {name!r} says {done.size} bytes, {upload.size} were announced"
                )
            upload = await self._prepare(name, done.size, done.file_type)
            if upload is None:
                await self._respond(header, ResponseResult.FAILURE)
                return
        if upload.file_type is None:
            upload.file_type = done.file_type
        reply = FileUploadCompleteResponse.for_file(
            done.name, done.file_type, upload.ranges, upload.size
        )
        if reply.result == UploadResult.COMPLETE:
            if not upload.done:
                try:
                    await self._finalize(upload)
                except (OSError, SQLAlchemyError, StoreUnavailable):
                    # Not stored: no "complete" for the terminal; it will upload again.
                    log.exception("attachment link %s: storing %r failed", self.peer, name)
                    self.closing = True
                    return
        else:
            self.server.metrics.inc("attachment_retransmit_requests")
            log.info(
                "attachment link %s: %r misses %d range(s), %d of %d bytes held",
                self.peer,
                name,
                len(reply.retransmit),
                upload.ranges.received_bytes,
                upload.size,
            )
            await self._checkpoint(upload)
        await self._send(header, reply)

    # -- data packets --

    def _upload_for(self, name: str) -> _Upload | None:
        name = _clean_name(name)
        upload = self.uploads.get(name)
        if upload is None and len(name.encode("gbk", "replace")) >= STREAM_NAME_SIZE - 1:
            # The packet's name field is BYTE[50]: a longer listed name arrives cut short.
            found = [u for n, u in self.uploads.items() if n.startswith(name)]
            upload = found[0] if len(found) == 1 else None
        return upload

    def _on_packet(self, packet: StreamPacket) -> None:
        if self.alarm is None:
            self._error(f"data for {packet.file_name!r} before 0x1210")
            return
        upload = self._upload_for(packet.file_name)
        if upload is None:
            self._error(f"data for {packet.file_name!r}, which was not announced")
            return
        metrics = self.server.metrics
        metrics.inc("attachment_packets_received")
        metrics.inc("attachment_bytes_received", len(packet.data))
        if upload.done:
            return  # already stored completely; a re-sent copy changes nothing
        if packet.end > upload.size:
            self._error(
                f"data for {upload.name!r} at {packet.offset}+{len(packet.data)} goes past "
                f"its announced size {upload.size}; dropped"
            )
            return
        if not packet.data:
            return
        try:
            upload.write(packet.offset, packet.data)
        except OSError:
            log.exception("attachment link %s: writing %s failed", self.peer, upload.part)
            self.closing = True
            return
        upload.ranges.add_packet(packet)

    # -- files --

    async def _prepare(self, raw_name: str, size: int, code: int | None) -> _Upload | None:
        """The upload of one announced file: resumed, already complete, or new."""
        assert self.alarm is not None
        alarm = self.alarm
        name = _clean_name(raw_name)
        if not name or len(name) > MAX_NAME_LENGTH:
            self._error(f"file name {name!r} is empty or longer than {MAX_NAME_LENGTH}")
            return None
        if size > self.server.max_file_size:
            self._error(f"{name!r} announces {size} bytes (limit {self.server.max_file_size})")
            return None
        upload = self.uploads.get(name)
        if upload is not None and upload.size == size:
            if code is None or code == upload.file_type:
                return upload
            upload.file_type = code  # 0x1211 tells the type 0x1210 did not
        elif upload is not None:
            upload.close()
            del self.uploads[name]
            upload = None
        config = self.server.config
        directory = config.evidence_dir / safe_file_name(alarm.id)
        final = directory / safe_file_name(name)
        part = directory / f".{final.name}.part"
        sidecar = directory / f".{final.name}.ranges"
        relative = final.relative_to(config.data_dir).as_posix()
        now = _utc(self.server.clock)
        if upload is None:
            previous = await self.server.db(lambda conn: evidence_by_name(conn, alarm.id, name))
            ranges = ReceivedRanges()
            done = False
            if (
                previous is not None
                and previous.evidence.complete
                and previous.evidence.size == size
                and _file_size(final) == size
            ):
                done = True
                ranges.add(0, size)
            elif previous is not None and previous.evidence.size == size:
                ranges = _load_ranges(sidecar, part, size)
            else:
                for stale in (part, sidecar):
                    stale.unlink(missing_ok=True)
            kind = domain_file_type(code, self.dialect, name)
            if code is None and previous is not None:
                kind = previous.evidence.file_type
            upload = _Upload(name, size, code, "", final, part, sidecar, ranges, done)
        else:
            kind = domain_file_type(code, self.dialect, name)
        held = upload.ranges.received_bytes
        row = await self.server.db(
            lambda conn: upsert_evidence(
                conn,
                alarm.id,
                name,
                file_type=kind,
                size=size,
                path=relative,
                received=held,
                complete=upload.done,
                now=now,
            )
        )
        upload.evidence_id = row.id
        resumed = name not in self.uploads and held and not upload.done
        self.uploads[name] = upload
        if resumed:
            log.info(
                "attachment link %s: resuming %r of alarm %s with %d of %d bytes",
                self.peer,
                name,
                alarm.id,
                held,
                size,
            )
        return upload

    async def _checkpoint(self, upload: _Upload) -> None:
        """Durable progress of an unfinished file (data fsynced, then its ranges)."""
        try:
            await asyncio.to_thread(upload.sync)
        except OSError:
            log.exception("attachment link %s: saving progress of %r failed", self.peer, upload)
            return
        now = _utc(self.server.clock)
        held = upload.ranges.received_bytes
        await self.server.db(lambda conn: record_received(conn, upload.evidence_id, held, now=now))

    async def _finalize(self, upload: _Upload) -> None:
        await asyncio.to_thread(upload.finish)
        now = _utc(self.server.clock)
        events = await self.server.db(
            lambda conn: mark_complete(conn, upload.evidence_id, now=now, uploading=True)
        )
        upload.done = True
        self.server.publish(events)
        self.server.metrics.inc("attachment_files_complete")
        log.info(
            "attachment link %s: %r of alarm %s complete (%d bytes)",
            self.peer,
            upload.name,
            self.alarm.id if self.alarm else "?",
            upload.size,
        )

    async def _release(self) -> None:
        """The connection ends (or turns to another alarm): keep what arrived, mark the
        alarm's evidence incomplete if files are unfinished, let another connection in."""
        alarm, uploads = self.alarm, list(self.uploads.values())
        self.alarm, self.uploads = None, {}
        if alarm is None:
            return
        try:
            unfinished = [u for u in uploads if not u.done]

            def save() -> None:
                for upload in unfinished:
                    try:
                        upload.sync()
                    except OSError:
                        log.exception("attachment: saving progress of %s failed", upload.part)
                for upload in uploads:
                    upload.close()

            await asyncio.to_thread(save)
            now = _utc(self.server.clock)

            def store(conn: Connection) -> list[Event]:
                for upload in unfinished:
                    if upload.evidence_id:
                        record_received(
                            conn, upload.evidence_id, upload.ranges.received_bytes, now=now
                        )
                event = refresh_evidence_status(conn, alarm.id, uploading=False, now=now)
                return [event] if event else []

            self.server.publish(await self.server.db(store))
            if unfinished:
                self.server.metrics.inc("attachment_files_incomplete", len(unfinished))
                log.info(
                    "attachment link %s: alarm %s left with %d unfinished file(s)",
                    self.peer,
                    alarm.id,
                    len(unfinished),
                )
        finally:
            self.server.release(alarm.id, self)


# --- the server -----------------------------------------------------------------------------


class AttachmentServer:
    """The attachment TCP server of one platform (``platform.attachments``).

    Uses ``platform.config`` (host, attachment_port, data_dir, max_frame_size, lenient),
    ``platform.store``, ``platform.bus``, ``platform.metrics`` and ``platform.clock``.
    """

    def __init__(
        self,
        platform: Any,
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT_S,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        self.config = platform.config
        self.store = platform.store
        self.bus = platform.bus
        self.metrics = platform.metrics
        self.clock: Callable[[], float] = platform.clock
        self.idle_timeout = idle_timeout
        self.max_file_size = max_file_size
        self.max_connections = max_connections
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._owners: dict[str, _Link] = {}

    async def start(self) -> int:
        """Listen on ``config.host:config.attachment_port`` (0: a free port); returns the
        bound port. Alarms whose upload the previous process left running become
        ``incomplete`` first."""
        self.config.evidence_dir.mkdir(parents=True, exist_ok=True)
        now = _utc(self.clock)
        self.publish(await self.db(lambda conn: mark_interrupted(conn, now=now)))
        self._server = await asyncio.start_server(
            self._accept, host=self.config.host, port=self.config.attachment_port
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("attachment server listening on %s:%d", self.config.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            link.abort()
        if self._tasks:
            _, pending = await asyncio.wait(list(self._tasks), timeout=10)
            for task in pending:
                task.cancel()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    def upload_request_for(self, alarm_row: Any) -> AttachmentUploadRequest:
        """:func:`upload_request_for` with this server's bound port."""
        return upload_request_for(alarm_row, self.config, port=self.port or None)

    @property
    def connections(self) -> int:
        return len(self._links)

    # -- connections --

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._links) >= self.max_connections:
            self.metrics.inc("attachment_refused")
            log.warning("attachment server: %d connections, refusing one", len(self._links))
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            return
        link = _Link(self, reader, writer)
        self._links.add(link)
        self.metrics.inc("attachment_connections")
        self.metrics.set("attachment_connections_open", len(self._links))
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await link.run()
        finally:
            self._links.discard(link)
            if task is not None:
                self._tasks.discard(task)
            self.metrics.set("attachment_connections_open", len(self._links))

    async def claim(self, alarm_id: str, link: _Link) -> None:
        """One connection per alarm: a new one replaces a stale one (after it has saved
        its files)."""
        while (owner := self._owners.get(alarm_id)) is not None and owner is not link:
            log.info("attachment: alarm %s moves to a new connection %s", alarm_id, link.peer)
            owner.abort()
            await owner.finished.wait()
            if self._owners.get(alarm_id) is owner:  # pragma: no cover - released in run()
                del self._owners[alarm_id]
        self._owners[alarm_id] = link

    def release(self, alarm_id: str, link: _Link) -> None:
        if self._owners.get(alarm_id) is link:
            del self._owners[alarm_id]

    # -- store and events --

    async def db(self, work: Callable[[Connection], _T]) -> _T:
        """Run ``work`` in one transaction on a worker thread."""

        def run() -> _T:
            with self.store.begin() as conn:
                return work(conn)

        return await asyncio.to_thread(run)

    def publish(self, events: Iterable[Event]) -> None:
        last = max((e.id for e in events), default=0)
        if last:
            self.bus.published(last)
