"""The JT/T 1078 media relay: terminals' live streams in, any number of HTTP viewers out.

Flow for one (vehicle, channel):

1. A viewer asks (:meth:`MediaRelay.open_viewer`, or :meth:`MediaRelay.start_stream` from the
   API's "live video" command). No :class:`Stream` runs for that key, so one is made and the
   gateway sends 0x9101 with this server's advertised address; the stream is live once the
   terminal acknowledges. Viewers arriving meanwhile share that one request.
2. The terminal connects to the media port and sends JT/T 1078 packets. Its SIM (the
   terminal's phone number) picks the vehicle through the store; the BCD length of the SIM
   comes from which registered phone it matches, else from the assembler's auto-detection.
   Whole frames go to the stream of (vehicle, channel).
3. Every viewer has its own bounded queue of Annex-B access units and starts at a key frame
   (the next one after it joined; the relay adds the parameter sets when a key frame lacks
   them). A viewer that falls behind loses its queue and resumes at the next key frame, so a
   slow viewer neither grows memory nor delays anyone else.
4. When the last viewer leaves, the stream lingers for a short grace period (a viewer that
   comes back reuses it); then the gateway sends 0x9102 (close) once and the terminal's media
   connection is closed.

History playback (:meth:`MediaRelay.open_playback`) is a stream of the same kind with one
viewer: 0x9201 (with the recording's time range) starts it, 0x9202 "stop" ends it as soon as
its viewer leaves (no grace: nobody could join a playback half-way), and it ends when the
terminal closes its media connection (the recording is over). JT/T 1078 packets carry the
SIM and the logical channel but nothing that says "live" or "playback", so the relay cannot
tell a live and a playback stream of one channel apart: a channel runs one or the other, and
asking for the other while one runs is refused (:class:`ChannelBusy`, HTTP 409).

Audio: live streams are asked for audio and video (0x9101 data type 0). The terminal's
G.711A frames (payload type 6) go to the stream's audio listeners (:class:`AudioListener`,
:meth:`MediaRelay.open_audio`), each with its own small queue that drops its oldest frame
when full. Listening needs a live stream started by a video viewer and never starts or keeps
one: the video viewers own the stream's life, and its end ends the listeners too.

Terminal links that send garbage or nothing useful for ``idle_timeout_s`` are closed; a
stream that stops receiving video for ``stall_timeout_s`` ends (its viewers' iterators end).
Every error is counted in ``platform.metrics`` under ``media.*``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, Self

from sqlalchemy import func, select

from console.domain.model import Command, CommandKind, CommandStatus
from console.media.h264 import annexb, nal_spans, nal_type
from console.platform.store.schema import terminals
from console.protocol.binary import BcdTime
from console.protocol.errors import StreamError
from console.protocol.jt808.video import (
    AvDataType,
    AvType,
    CloseType,
    LiveControlCommand,
    LiveStreamType,
    LiveVideoControl,
    LiveVideoRequest,
    PlaybackCommand,
    PlaybackControl,
    PlaybackMode,
    PlaybackRequest,
    PlaybackSpeed,
    RecordStream,
    StorageType,
)
from console.protocol.jt1078 import MAGIC, DataType, FrameAssembler, MediaFrame, PayloadType

log = logging.getLogger(__name__)

Key = tuple[str, int]  # (vehicle_id, channel)

#: Video payload types the relay can hand to viewers, with their codec and HTTP media type.
VIDEO_CODECS: dict[int, tuple[str, str]] = {
    PayloadType.H264: ("h264", "video/h264"),
    PayloadType.H265: ("hevc", "video/h265"),
}
_PARAMETER_SET_TYPES = {"h264": frozenset({7, 8}), "hevc": frozenset({32, 33, 34})}
# NAL units that may come before the parameter sets of a key frame: AUD and SEI.
_PREAMBLE_TYPES = {"h264": frozenset({6, 9}), "hevc": frozenset({35, 39, 40})}
STREAM_TYPES = {"main": LiveStreamType.MAIN, "sub": LiveStreamType.SUB}
_STREAM_NAMES = {int(v): k for k, v in STREAM_TYPES.items()}


@dataclass(frozen=True, slots=True)
class MediaSettings:
    """Tuning of the relay; each can be set in ``PlatformConfig.extra`` as ``media.<name>``."""

    grace_s: float = 2.0  # after the last viewer left, before 0x9102
    claim_s: float = 20.0  # a stream started by the API waits this long for its first viewer
    idle_timeout_s: float = 20.0  # terminal link without a useful frame: closed
    stall_timeout_s: float = 15.0  # stream without video (after the 0x9101 ack): ended
    viewer_max_frames: int = 100  # per-viewer queue bound (about 4 s at 25 fps) ...
    viewer_max_bytes: int = 8 * 1024 * 1024  # ... and in bytes
    audio_keep: int = 50  # latest audio frames kept per stream (diagnostics)
    audio_max_frames: int = 25  # per-listener audio queue (about 1 s of 40 ms frames)
    stats_window_s: float = 2.0  # fps / bitrate are averaged over this
    max_links: int = 2000  # concurrent terminal media connections
    max_link_errors: int = 200  # stream errors in a row (no good frame between): closed
    stop_timeout_s: float = 3.0  # how long stop() waits for the 0x9102 of running streams
    tick_s: float = 1.0  # watchdog period

    @classmethod
    def from_config(cls, config: Any) -> MediaSettings:
        extra = getattr(config, "extra", None) or {}
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = extra.get(f"media.{f.name}")
            if raw is not None:
                values[f.name] = int(raw) if f.type == "int" else float(raw)
        return cls(**values)


class MediaError(Exception):
    """Live video could not be started or stopped; ``status`` says why."""

    status = "error"

    def __init__(self, message: str, command: Command | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.command = command


class VehicleOffline(MediaError):
    status = CommandStatus.OFFLINE.value


class CommandFailed(MediaError):
    """The terminal refused 0x9101 (or the gateway could not send it)."""

    status = CommandStatus.FAILED.value


class CommandTimedOut(CommandFailed):
    status = CommandStatus.TIMED_OUT.value


class ChannelBusy(MediaError):
    """The channel already runs the other kind of stream (live vs playback), or a playback."""

    status = "busy"


class NoStream(MediaError):
    """Audio was asked for while the channel runs no live video (audio never starts it)."""

    status = "no_stream"


LIVE, PLAYBACK = "live", "playback"


_MISSING: Any = object()


def _now_iso(clock: Callable[[], float]) -> str:
    return datetime.fromtimestamp(clock(), UTC).isoformat()


# --- viewers ------------------------------------------------------------------------------


class _Consumer:
    """What a viewer and an audio listener share: a queue the relay fills, readers woken
    when it does, an end reason, and ``async for`` / ``next(timeout)`` / ``async with``."""

    def __init__(self, stream: Stream, user_id: str | None, queue: deque[bytes]) -> None:
        self.stream = stream
        self.user_id = user_id
        self.delivered = 0  # items handed out
        self.closed = False
        self.end_reason: str | None = None
        self._queue = queue
        self._wake = asyncio.Event()

    @property
    def queued(self) -> int:
        return len(self._queue)

    def _take(self) -> bytes:
        return self._queue.popleft()

    def _end(self, reason: str) -> None:
        if self.end_reason is None:
            self.end_reason = reason
        self._wake.set()

    def close(self) -> None:
        raise NotImplementedError

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        while True:
            if self._queue:
                self.delivered += 1
                return self._take()
            if self.closed or self.end_reason is not None:
                raise StopAsyncIteration
            self._wake.clear()
            await self._wake.wait()

    async def next(self, timeout: float | None = None) -> bytes | None:
        """The next item, None when the stream ended; TimeoutError after ``timeout``."""
        try:
            return await asyncio.wait_for(self.__anext__(), timeout)
        except StopAsyncIteration:
            return None

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class Viewer(_Consumer):
    """One consumer of a stream: ``async for unit in viewer`` yields Annex-B access units.

    The first unit is a key frame with its parameter sets. Iteration ends when the viewer is
    closed or the stream ends (``end_reason`` says why). Close it when done (``close()``,
    ``await aclose()`` or ``async with``); the relay stops the terminal after the last one.
    """

    def __init__(self, stream: Stream, user_id: str | None, max_frames: int, max_bytes: int):
        super().__init__(stream, user_id, deque())
        self.max_frames = max(1, max_frames)
        self.max_bytes = max_bytes
        self.dropped = 0  # units lost to overflow or while waiting for a key frame after one
        self.skipped = 0  # units before the first key frame
        self.overflows = 0
        self.max_queued = 0  # high-water marks of the queue, in units and in bytes
        self.max_queued_bytes = 0
        self._queued_bytes = 0
        self._need_key = True
        self._started = False

    @property
    def queued_bytes(self) -> int:
        return self._queued_bytes

    @property
    def codec(self) -> str | None:
        return self.stream.codec

    @property
    def media_type(self) -> str:
        return self.stream.media_type

    def _offer(self, data: bytes, key: bool, prefix: bytes) -> None:
        if self.closed:
            return
        if self._need_key:
            if not key:
                if self._started:
                    self.dropped += 1
                else:
                    self.skipped += 1
                return
            self._need_key = False
            self._started = True
            data, prefix = prefix + data, b""
        if self._queue and (
            len(self._queue) >= self.max_frames or self._queued_bytes + len(data) > self.max_bytes
        ):
            # Behind: what is queued is worthless without the frames we cannot keep, so
            # drop it all and pick up again at a key frame (this one, if it is one).
            self.dropped += len(self._queue)
            self.overflows += 1
            self._queue.clear()
            self._queued_bytes = 0
            if not key:
                self.dropped += 1
                self._need_key = True
                return
            data = prefix + data
        self._queue.append(data)
        self._queued_bytes += len(data)
        self.max_queued = max(self.max_queued, len(self._queue))
        self.max_queued_bytes = max(self.max_queued_bytes, self._queued_bytes)
        self._wake.set()

    def _resync(self) -> None:
        """The stream has a gap (a lost frame, a new link): continue at the next key frame."""
        self._need_key = True

    def _take(self) -> bytes:
        data = self._queue.popleft()
        self._queued_bytes -= len(data)
        return data

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._queue.clear()
        self._queued_bytes = 0
        self._end("closed")
        self.stream.relay._viewer_closed(self)


class AudioListener(_Consumer):
    """One consumer of a live stream's audio: ``async for chunk in listener`` yields the
    terminal's G.711A (A-law, 8 kHz mono) frames as they come.

    The queue holds at most ``max_frames``; when full the oldest frame goes (``dropped``), so
    a slow listener hears the newest sound and never holds memory. Iteration ends when the
    listener is closed or the stream ends. A listener does not keep the stream running.
    """

    media_type = "audio/PCMA"
    sample_rate = 8000

    def __init__(self, stream: Stream, user_id: str | None, max_frames: int) -> None:
        super().__init__(stream, user_id, deque(maxlen=max(1, max_frames)))
        self.dropped = 0

    def _offer(self, data: bytes) -> None:
        if self.closed:
            return
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1  # the deque drops the oldest
        self._queue.append(data)
        self._wake.set()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._queue.clear()
        self._end("closed")
        self.stream.listeners.discard(self)
        self.stream.relay._gauges()


def g711_payload(data: bytes) -> bytes:
    """The A-law bytes of an audio frame, without the 4-byte HiSilicon header many
    terminals put first (``00 01``, length in 16-bit words, ``00``)."""
    header = len(data) > 4 and data[:2] == b"\x00\x01" and data[3] == 0
    if header and data[2] * 2 == len(data) - 4:
        return data[4:]
    return data


# --- streams ------------------------------------------------------------------------------


class Stream:
    """One terminal channel being relayed: its viewers, its link(s) and its statistics."""

    def __init__(
        self,
        relay: MediaRelay,
        vehicle_id: str,
        channel: int,
        stream_type: int,
        now: float,
        playback: tuple[datetime, datetime] | None = None,
    ):
        self.relay = relay
        self.vehicle_id = vehicle_id
        self.channel = channel
        self.stream_type = stream_type
        self.key: Key = (vehicle_id, channel)
        self.playback = playback  # (start, end) of the recording played back; None: live
        self.kind = LIVE if playback is None else PLAYBACK
        self.started_at = _now_iso(relay.platform.clock)
        self.state = "starting"  # → "live" on the 0x9101 / 0x9201 ack → "closed"
        self.end_reason: str | None = None
        self.command: Command | None = None  # the 0x9101 (0x9201) as sent
        self.stop_command: Command | None = None  # the 0x9102 (0x9202), once sent
        self.viewers: set[Viewer] = set()
        self.listeners: set[AudioListener] = set()  # audio only: they do not keep it alive
        self.link: _Link | None = None
        self.sim: str | None = None
        self.payload_type: int | None = None
        self.frames = 0  # video frames received
        self.key_frames = 0
        self.bytes = 0  # video payload bytes received
        self.audio_frames = 0
        self.audio_payload_type: int | None = None
        self.audio: deque[MediaFrame] = deque(maxlen=max(1, relay.settings.audio_keep))
        self.other_frames = 0  # transparent data, unknown video payload types
        self.dropped_total = 0  # drops of viewers that already left
        self.first_frame_mono: float | None = None
        self.last_frame_mono: float | None = None
        self.watch_mono = now  # last sign of life, for the stall watchdog
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.ready.add_done_callback(_retrieve)
        self.request_task: asyncio.Task[None] | None = None
        self._linger: asyncio.TimerHandle | None = None
        self._parameter_sets: dict[int, bytes] = {}
        self._window: deque[tuple[float, int]] = deque()

    @property
    def codec(self) -> str | None:
        entry = VIDEO_CODECS.get(self.payload_type or 0)
        return entry[0] if entry else None

    @property
    def media_type(self) -> str:
        entry = VIDEO_CODECS.get(self.payload_type or 0)
        return entry[1] if entry else "application/octet-stream"

    @property
    def closed(self) -> bool:
        return self.state == "closed"

    def _on_frame(self, frame: MediaFrame, now: float) -> None:
        if frame.data_type.is_video:
            self._on_video(frame, now)
        elif frame.data_type == DataType.AUDIO:
            self.audio_frames += 1
            self.audio_payload_type = int(frame.payload_type)
            self.audio.append(frame)
            if frame.payload_type != PayloadType.G711A:
                self.relay._count("media.unsupported_audio")
                return
            if self.listeners:
                data = g711_payload(frame.payload)
                for listener in tuple(self.listeners):
                    listener._offer(data)
        else:
            self.other_frames += 1

    def _on_video(self, frame: MediaFrame, now: float) -> None:
        pt = int(frame.payload_type)
        if pt not in VIDEO_CODECS:
            self.other_frames += 1
            self.relay._count("media.unsupported_payload")
            return
        if self.payload_type != pt:
            if self.payload_type is not None:
                # The codec changed under the viewers: everyone restarts at a key frame.
                log.warning(
                    "stream %s switched payload type %s → %s", self.key, self.payload_type, pt
                )
                self._resync()
                self._parameter_sets.clear()
            self.payload_type = pt
        data = frame.payload
        key = frame.data_type == DataType.VIDEO_I
        prefix = b""
        if key:
            self.key_frames += 1
            prefix = self._parameter_set_prefix(data)
        elif self._leads_with_parameter_set(data):
            self._parameter_set_prefix(data)  # some terminals send them as a frame of their own
        self.frames += 1
        self.bytes += len(data)
        if self.first_frame_mono is None:
            self.first_frame_mono = now
        self.last_frame_mono = self.watch_mono = now
        self._window.append((now, len(data)))
        self._trim(now)
        for viewer in tuple(self.viewers):
            viewer._offer(data, key, prefix)

    def _resync(self) -> None:
        for viewer in self.viewers:
            viewer._resync()

    def _leads_with_parameter_set(self, data: bytes) -> bool:
        """Whether the first NAL unit is a parameter set (checks a few bytes only)."""
        i = data.find(b"\x00\x00\x01", 0, 8)
        codec = self.codec or "h264"
        return i >= 0 and nal_type(data[i + 3 : i + 5], codec) in _PARAMETER_SET_TYPES[codec]

    def _parameter_set_prefix(self, data: bytes) -> bytes:
        """Remember the key frame's parameter sets; return the remembered ones it lacks."""
        codec = self.codec or "h264"
        wanted, preamble = _PARAMETER_SET_TYPES[codec], _PREAMBLE_TYPES[codec]
        present: set[int] = set()
        for start, end in nal_spans(data):
            kind = nal_type(data[start : start + 2], codec)
            if kind in wanted:
                self._parameter_sets[kind] = data[start:end]
                present.add(kind)
            elif present or kind not in preamble:
                break  # the sets lead the access unit; stop before copying any slice
        missing = [nal for kind, nal in sorted(self._parameter_sets.items()) if kind not in present]
        return annexb(missing)

    def _trim(self, now: float) -> None:
        horizon = now - self.relay.settings.stats_window_s
        while self._window and self._window[0][0] < horizon:
            self._window.popleft()

    def rates(self, now: float | None = None) -> tuple[float, float]:
        """(frames per second, bits per second) over the stats window."""
        now = time.monotonic() if now is None else now
        self._trim(now)
        if not self._window or self.first_frame_mono is None:
            return 0.0, 0.0
        span = min(self.relay.settings.stats_window_s, now - self.first_frame_mono)
        if span <= 0:
            return 0.0, 0.0
        size = sum(n for _, n in self._window)
        return len(self._window) / span, 8 * size / span

    def stats(self) -> dict[str, Any]:
        now = time.monotonic()
        fps, bitrate = self.rates(now)
        return {
            "vehicle_id": self.vehicle_id,
            "channel": self.channel,
            "kind": self.kind,
            "playback_start": self.playback[0].isoformat() if self.playback else None,
            "playback_end": self.playback[1].isoformat() if self.playback else None,
            "stream": (
                _STREAM_NAMES.get(self.stream_type, str(self.stream_type))
                if self.playback is None
                else "any"
            ),
            "state": self.state,
            "codec": self.codec,
            "payload_type": self.payload_type,
            "started_at": self.started_at,
            "connected": self.link is not None,
            "frames": self.frames,
            "key_frames": self.key_frames,
            "bytes": self.bytes,
            "fps": round(fps, 2),
            "bitrate": round(bitrate),
            "viewers": len(self.viewers),
            "dropped": self.dropped_total + sum(v.dropped for v in self.viewers),
            "audio_frames": self.audio_frames,
            "audio_payload_type": self.audio_payload_type,
            "audio_listeners": len(self.listeners),
            "last_frame_age_s": (
                None if self.last_frame_mono is None else round(now - self.last_frame_mono, 3)
            ),
        }

    def _end(self, reason: str) -> None:
        self.state = "closed"
        self.end_reason = reason
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        for viewer in tuple(self.viewers):
            self.dropped_total += viewer.dropped
            viewer._end(reason)
        self.viewers.clear()
        for listener in tuple(self.listeners):
            listener._end(reason)
        self.listeners.clear()


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a future's exception as seen (nobody may be waiting for it)."""
    if not future.cancelled():
        future.exception()


# --- terminal links -----------------------------------------------------------------------


class _Link:
    """One TCP connection from a terminal to the media port."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, now: float):
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.assembler: FrameAssembler | None = None
        self.keys: set[Key] = set()
        self.last_useful = now
        self.errors_in_row = 0
        self.closing = False

    def close(self) -> None:
        self.closing = True
        self.writer.close()


@dataclass(frozen=True, slots=True)
class _SimInfo:
    vehicle_id: str | None
    sim_len: int | None
    expires: float


# --- the relay ----------------------------------------------------------------------------


class MediaRelay:
    """The media server of one platform process (see the module docstring)."""

    def __init__(self, platform: Any, settings: MediaSettings | None = None) -> None:
        self.platform = platform
        self.settings = settings or MediaSettings.from_config(platform.config)
        self.port: int | None = None
        self._server: asyncio.Server | None = None
        self._streams: dict[Key, Stream] = {}
        self._stopping: dict[Key, asyncio.Task[None]] = {}
        self._links: set[_Link] = set()
        self._sims: dict[str, _SimInfo] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watchdog: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- life cycle ---

    async def start(self) -> int:
        config = self.platform.config
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(
            self._serve, config.host, config.media_port, limit=256 * 1024
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._watchdog = asyncio.create_task(self._watch(), name="media-watchdog")
        log.info("media relay listening on %s:%s", config.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        # Tell the terminals (best effort, bounded), end the viewers, drop the links.
        stops = [
            self._spawn(self._stop(stream, "platform stopping"), "stop")
            for stream in list(self._streams.values())
        ]
        stops += list(self._stopping.values())
        if stops:
            await asyncio.wait(stops, timeout=self.settings.stop_timeout_s)
        for link in list(self._links):
            link.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self.settings.stop_timeout_s)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), self.settings.stop_timeout_s)
            self._server = None

    # --- queries ---

    def streams(self) -> list[Stream]:
        return list(self._streams.values())

    def stream(self, vehicle_id: str, channel: int) -> Stream | None:
        return self._streams.get((vehicle_id, channel))

    @property
    def link_count(self) -> int:
        return len(self._links)

    # --- starting and stopping streams ---

    async def open_viewer(
        self,
        vehicle_id: str,
        channel: int,
        *,
        user_id: str | None = None,
        stream_type: int = LiveStreamType.MAIN,
    ) -> Viewer:
        """A new viewer of the vehicle's channel, starting the terminal's stream if needed.

        Raises :class:`VehicleOffline`, :class:`CommandFailed` or :class:`CommandTimedOut`
        when the 0x9101 that starts the stream does not succeed.
        """
        stream = self._ensure(vehicle_id, channel, stream_type, user_id)
        return await self._viewer_of(stream, user_id)

    async def _viewer_of(self, stream: Stream, user_id: str | None) -> Viewer:
        """A viewer of ``stream``, once its first frame has come (or its start failed)."""
        viewer = Viewer(
            stream, user_id, self.settings.viewer_max_frames, self.settings.viewer_max_bytes
        )
        self._attach(stream, viewer)
        try:
            await asyncio.shield(stream.ready)
        except BaseException:
            viewer.close()
            raise
        self._gauges()
        return viewer

    def open_audio(
        self, vehicle_id: str, channel: int, *, user_id: str | None = None
    ) -> AudioListener:
        """A listener of the channel's live audio from now on. Raises :class:`NoStream` when
        no live stream runs for the channel: audio never starts (nor keeps) one."""
        stream = self._streams.get((vehicle_id, channel))
        if stream is None or stream.closed or stream.kind != LIVE:
            raise NoStream(f"channel {channel} of vehicle {vehicle_id} runs no live video")
        listener = AudioListener(stream, user_id, self.settings.audio_max_frames)
        stream.listeners.add(listener)
        self._gauges()
        return listener

    async def start_stream(
        self,
        vehicle_id: str,
        channel: int,
        *,
        user_id: str | None = None,
        stream_type: int = LiveStreamType.MAIN,
    ) -> Stream:
        """Make sure the terminal streams this channel (the API's live-video command).

        A stream nobody opens within ``claim_s`` is stopped again. Same errors as
        :meth:`open_viewer`.
        """
        stream = self._ensure(vehicle_id, channel, stream_type, user_id)
        await asyncio.shield(stream.ready)
        if not stream.viewers and not stream.closed:
            self._arm_linger(stream, self.settings.claim_s)
        return stream

    async def open_playback(
        self,
        vehicle_id: str,
        channel: int,
        start: datetime,
        end: datetime,
        *,
        user_id: str | None = None,
    ) -> Viewer:
        """The one viewer of a recording's playback: 0x9201 for ``start``..``end`` (aware
        times) to this server. Raises :class:`ChannelBusy` when the channel runs live video or
        another playback, else the errors of :meth:`open_viewer`."""
        key = (vehicle_id, channel)
        running = self._streams.get(key)
        if running is not None:
            raise ChannelBusy(
                f"channel {channel} of vehicle {vehicle_id} already runs "
                + ("a playback" if running.kind == PLAYBACK else "live video")
                + ": the terminal's media packets cannot tell the two apart"
            )
        stream = Stream(
            self, vehicle_id, channel, int(RecordStream.ANY), time.monotonic(), (start, end)
        )
        self._streams[key] = stream
        stream.request_task = self._spawn(self._request(stream, user_id), f"0x9201 {key}")
        self._count("media.playbacks_started")
        return await self._viewer_of(stream, user_id)

    async def stop_stream(
        self, vehicle_id: str, channel: int, *, user_id: str | None = None
    ) -> Command | None:
        """Stop now, whatever the viewers: their iterators end and 0x9102 goes out.

        With no stream running here, 0x9102 is still sent when the vehicle is online (a
        terminal may stream from before a platform restart). Returns the 0x9102 command,
        None when nothing was sent.
        """
        key = (vehicle_id, channel)
        stream = self._streams.get(key)
        if stream is not None:
            await self._stop(stream, "stopped by user", user_id=user_id)
            return stream.stop_command
        pending = self._stopping.get(key)
        if pending is not None:
            await asyncio.shield(pending)
            return None
        if not self.platform.gateway.is_online(vehicle_id):
            return None
        return await self._send_close(vehicle_id, channel, user_id)

    def _ensure(
        self, vehicle_id: str, channel: int, stream_type: int, user_id: str | None
    ) -> Stream:
        key = (vehicle_id, channel)
        stream = self._streams.get(key)
        if stream is not None and stream.kind == PLAYBACK:
            raise ChannelBusy(
                f"channel {channel} of vehicle {vehicle_id} plays back a recording: "
                "live video can start when the playback ends"
            )
        if stream is None:
            stream = Stream(self, vehicle_id, channel, int(stream_type), time.monotonic())
            self._streams[key] = stream
            stream.request_task = self._spawn(self._request(stream, user_id), f"0x9101 {key}")
            self._count("media.streams_started")
            self._gauges()
        return stream

    def _attach(self, stream: Stream, viewer: Viewer) -> None:
        if stream._linger is not None:
            stream._linger.cancel()
            stream._linger = None
        stream.viewers.add(viewer)

    async def _request(self, stream: Stream, user_id: str | None) -> None:
        """Send 0x9101 for a new stream (after a previous stream of the key has stopped)."""
        previous = self._stopping.get(stream.key)
        if previous is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(previous)
        gateway = self.platform.gateway
        error: MediaError | None = None
        try:
            if not gateway.is_online(stream.vehicle_id):
                error = VehicleOffline(f"vehicle {stream.vehicle_id} is offline")
            elif stream.playback is not None:
                command = await self._send_playback(stream, user_id)
                stream.command = command
                error = _command_error(command, "start playback")
            else:
                message = LiveVideoRequest(
                    ip=self.platform.config.advertised_host,
                    tcp_port=self.port or 0,
                    udp_port=0,
                    channel=stream.channel,
                    data_type=AvDataType.AUDIO_VIDEO,
                    stream_type=stream.stream_type,
                )
                command = await gateway.send(
                    stream.vehicle_id,
                    CommandKind.LIVE_VIDEO,
                    message,
                    params={
                        "channel": stream.channel,
                        "stream": _STREAM_NAMES.get(stream.stream_type, stream.stream_type),
                        "data_type": int(AvDataType.AUDIO_VIDEO),
                        "host": message.ip,
                        "port": message.tcp_port,
                    },
                    user_id=user_id,
                )
                stream.command = command
                error = _command_error(command, "start live video")
        except asyncio.CancelledError:
            error = MediaError(f"{stream.kind} video request cancelled")
            raise
        except Exception as exc:  # the gateway itself failed: the caller gets a clear error
            log.exception("0x9101/0x9201 to %s failed", stream.vehicle_id)
            error = CommandFailed(f"could not send the {stream.kind} video request: {exc}")
        finally:
            if error is None:
                if not stream.closed:
                    stream.state = "live"
                    stream.watch_mono = time.monotonic()
                if not stream.ready.done():
                    stream.ready.set_result(None)
            else:
                self._count("media.start_failures")
                if self._streams.get(stream.key) is stream:
                    del self._streams[stream.key]
                if not stream.closed:
                    stream._end(f"start failed: {error.message}")
                if not stream.ready.done():
                    stream.ready.set_exception(error)
                self._gauges()

    async def _send_playback(self, stream: Stream, user_id: str | None) -> Command:
        assert stream.playback is not None
        start, end = stream.playback
        message = PlaybackRequest(
            ip=self.platform.config.advertised_host,
            tcp_port=self.port or 0,
            udp_port=0,
            channel=stream.channel,
            av_type=AvType.VIDEO,
            stream_type=RecordStream.ANY,
            memory_type=StorageType.ANY,
            playback_mode=PlaybackMode.NORMAL,
            speed=PlaybackSpeed.NONE,
            start=BcdTime.from_datetime(start),
            end=BcdTime.from_datetime(end),
        )
        return await self.platform.gateway.send(
            stream.vehicle_id,
            CommandKind.PLAYBACK,
            message,
            params={
                "channel": stream.channel,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "host": message.ip,
                "port": message.tcp_port,
            },
            user_id=user_id,
        )

    def _viewer_closed(self, viewer: Viewer) -> None:
        stream = viewer.stream
        if viewer in stream.viewers:
            stream.viewers.discard(viewer)
            stream.dropped_total += viewer.dropped
        if not stream.viewers and not stream.closed:
            grace = 0.0 if stream.kind == PLAYBACK else self.settings.grace_s
            self._arm_linger(stream, grace)
        self._gauges()

    def _arm_linger(self, stream: Stream, delay: float) -> None:
        if stream._linger is not None:
            stream._linger.cancel()

        def expire() -> None:
            stream._linger = None
            if not stream.viewers and not stream.closed:
                self._spawn(self._stop(stream, "no viewers"), f"linger {stream.key}")

        loop = self._loop or asyncio.get_running_loop()
        stream._linger = loop.call_later(max(0.0, delay), expire)

    async def _stop(self, stream: Stream, reason: str, *, user_id: str | None = None) -> None:
        """End ``stream`` once: viewers end, 0x9102 goes out (if 0x9101 was acked), links close."""
        if stream.closed:
            pending = self._stopping.get(stream.key)
            if pending is not None:
                await asyncio.shield(pending)
            return
        log.info("stopping stream %s: %s", stream.key, reason)
        if self._streams.get(stream.key) is stream:
            del self._streams[stream.key]
        stream._end(reason)
        task = self._spawn(self._close_terminal(stream, user_id), f"0x9102 {stream.key}")
        self._stopping[stream.key] = task

        def forget(t: asyncio.Task[None], key: Key = stream.key) -> None:
            if self._stopping.get(key) is t:
                del self._stopping[key]

        task.add_done_callback(forget)
        self._gauges()
        await asyncio.shield(task)

    async def _close_terminal(self, stream: Stream, user_id: str | None) -> None:
        request = stream.request_task
        if request is not None and not request.done():
            with contextlib.suppress(BaseException):
                await asyncio.shield(request)
        acked = stream.command is not None and stream.command.status == CommandStatus.ACKED
        try:
            if acked and self.platform.gateway.is_online(stream.vehicle_id):
                send = self._send_playback_stop if stream.kind == PLAYBACK else self._send_close
                stream.stop_command = await send(stream.vehicle_id, stream.channel, user_id)
        finally:
            self._release_links(stream)

    async def _send_close(
        self, vehicle_id: str, channel: int, user_id: str | None
    ) -> Command | None:
        message = LiveVideoControl(
            channel=channel,
            control=LiveControlCommand.CLOSE,
            close_type=CloseType.AUDIO_VIDEO,
            switch_stream=LiveStreamType.MAIN,
        )
        try:
            command = await self.platform.gateway.send(
                vehicle_id,
                CommandKind.STOP_VIDEO,
                message,
                params={"channel": channel},
                user_id=user_id,
            )
        except Exception:
            log.exception("0x9102 to %s failed", vehicle_id)
            self._count("media.stop_failures")
            return None
        if command.status != CommandStatus.ACKED:
            self._count("media.stop_failures")
        return command

    async def _send_playback_stop(
        self, vehicle_id: str, channel: int, user_id: str | None
    ) -> Command | None:
        """0x9202 "stop" (结束回放). The domain has no kind of its own for it: it is filed as
        a playback command with ``control: stop`` (its message id says 0x9202)."""
        message = PlaybackControl(channel=channel, control=PlaybackCommand.STOP)
        try:
            command = await self.platform.gateway.send(
                vehicle_id,
                CommandKind.PLAYBACK,
                message,
                params={"channel": channel, "control": "stop"},
                user_id=user_id,
            )
        except Exception:
            log.exception("0x9202 to %s failed", vehicle_id)
            self._count("media.stop_failures")
            return None
        if command.status != CommandStatus.ACKED:
            self._count("media.stop_failures")
        return command

    def _release_links(self, stream: Stream) -> None:
        for link in list(self._links):
            if stream.key in link.keys:
                link.keys.discard(stream.key)
                if not link.keys:
                    link.close()
        stream.link = None

    # --- terminal side ---

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        link = _Link(reader, writer, time.monotonic())
        try:
            if len(self._links) >= self.settings.max_links:
                self._count("media.links_refused")
                log.warning(
                    "media link from %s refused: %d links open", link.peer, len(self._links)
                )
                return
            self._links.add(link)
            self._count("media.links_accepted")
            self._gauges()
            await self._read_link(link)
        except (ConnectionError, OSError):
            self._count("media.link_resets")
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("media link %s failed", link.peer)
            self._count("media.link_failures")
        finally:
            self._links.discard(link)
            for key in link.keys:
                stream = self._streams.get(key)
                if stream is not None and stream.link is link:
                    stream.link = None
                    if stream.kind == PLAYBACK and not stream.closed:
                        # The terminal hung up: the recording is over.
                        self._spawn(self._stop(stream, "playback ended"), f"ended {key}")
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            if task is not None:
                self._tasks.discard(task)
            self._gauges()

    async def _read_link(self, link: _Link) -> None:
        head = bytearray()
        while not link.closing:  # the watchdog closes links that idle (see _watch)
            data = await link.reader.read(64 * 1024)
            if not data:
                if link.assembler is not None:
                    await self._handle(link, link.assembler.close())
                return
            self._count("media.bytes_in", len(data))
            if link.assembler is None:
                head += data
                sim_len = await self._detect_sim_len(head)
                if sim_len is _MISSING:
                    continue
                link.assembler = FrameAssembler(sim_len)
                data, head = bytes(head), bytearray()
            await self._handle(link, link.assembler.feed(data))

    async def _detect_sim_len(self, head: bytearray) -> int | None:
        """6 or 10 from the registered phone the first packet's SIM matches; None to let the
        assembler decide; _MISSING to wait for more bytes."""
        i = head.find(MAGIC)
        if i < 0 or len(head) < i + 18:
            return None if len(head) >= 4096 else _MISSING
        info = await self._sim_info(head[i + 8 : i + 18].hex(), head[i + 8 : i + 14].hex())
        return info.sim_len if info.vehicle_id is not None else None

    async def _handle(self, link: _Link, items: list[MediaFrame | StreamError]) -> None:
        now = time.monotonic()
        for item in items:
            if isinstance(item, StreamError):
                self._count("media.stream_errors")
                link.errors_in_row += 1
                # A frame may be lost: decoders must not get the P-frames that refer to it.
                for key in link.keys:
                    stream = self._streams.get(key)
                    if stream is not None:
                        stream._resync()
                log.debug("media link %s: %s", link.peer, item)
                if link.errors_in_row >= self.settings.max_link_errors:
                    self._count("media.garbage_disconnects")
                    log.warning(
                        "media link %s: %d errors in a row, closing", link.peer, link.errors_in_row
                    )
                    link.close()
                    return
                continue
            link.errors_in_row = 0
            self._count("media.frames_in")
            info = self._sims.get(item.sim)
            if info is None or info.expires < now:
                info = await self._sim_info(item.sim)
            if info.vehicle_id is None:
                self._count("media.unknown_sim")
                continue
            stream = self._streams.get((info.vehicle_id, item.channel))
            if stream is None:
                self._count("media.frames_unrequested")
                continue
            link.last_useful = now
            if stream.link is not link:
                self._adopt(stream, link, item.sim)
            stream._on_frame(item, now)

    def _adopt(self, stream: Stream, link: _Link, sim: str) -> None:
        """``link`` now feeds ``stream`` (first link, or a terminal that reconnected)."""
        old = stream.link
        stream.link = link
        stream.sim = sim
        link.keys.add(stream.key)
        if old is not None and old is not link:
            stream._resync()  # what the old link lost in flight would be missing
            old.keys.discard(stream.key)
            if not old.keys:
                old.close()
        log.info("stream %s fed by %s (SIM %s)", stream.key, link.peer, sim)

    async def _sim_info(self, *candidates: str) -> _SimInfo:
        """The vehicle of the first candidate SIM that is a registered terminal's phone."""
        now = time.monotonic()
        for sim in candidates:
            info = self._sims.get(sim)
            if info is not None and info.expires >= now and info.vehicle_id is not None:
                return info
        if all(sim in self._sims and self._sims[sim].expires >= now for sim in candidates):
            return self._sims[candidates[0]]
        try:
            found = await asyncio.to_thread(self._query_terminal, candidates)
        except Exception:
            log.exception("looking up SIM %s", candidates)
            self._count("media.lookup_failures")
            found = None
        if len(self._sims) > 100_000:
            self._sims.clear()
        for sim in candidates:
            self._sims[sim] = _SimInfo(None, None, now + 10.0)
        if found is None:
            return self._sims[candidates[0]]
        sim, vehicle_id, edition = found
        sim_len = len(sim) // 2
        if sim_len != (6 if edition == "2013" else 10):
            log.info("SIM %s is BCD[%d] on an edition %s terminal", sim, sim_len, edition)
        info = self._sims[sim] = _SimInfo(vehicle_id, sim_len, now + 300.0)
        return info

    def _query_terminal(self, candidates: tuple[str, ...]) -> tuple[str, str, str] | None:
        """(matching SIM, vehicle id, edition) of the terminal whose phone is one of the
        candidates, first exactly, then ignoring leading zeros (a 20-digit phone sent as
        BCD[6], or the other way round)."""
        columns = (terminals.c.phone, terminals.c.vehicle_id, terminals.c.edition)
        with self.platform.store.connect() as conn:
            rows = conn.execute(select(*columns).where(terminals.c.phone.in_(candidates))).all()
            by_phone = {row.phone: row for row in rows if row.vehicle_id is not None}
            for sim in candidates:
                if sim in by_phone:
                    return sim, by_phone[sim].vehicle_id, by_phone[sim].edition
            stripped = {sim.lstrip("0"): sim for sim in candidates if sim.strip("0")}
            if not stripped:
                return None
            rows = conn.execute(
                select(*columns).where(func.ltrim(terminals.c.phone, "0").in_(list(stripped)))
            ).all()
        for row in rows:
            if row.vehicle_id is not None:
                return stripped[row.phone.lstrip("0")], row.vehicle_id, row.edition
        return None

    # --- housekeeping ---

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.settings.tick_s)
            now = time.monotonic()
            for stream in list(self._streams.values()):
                if stream.state != "live":
                    continue
                if now - stream.watch_mono > self.settings.stall_timeout_s:
                    self._count("media.stalls")
                    self._spawn(self._stop(stream, "no video from the terminal"), "stall")
            idle = self.settings.idle_timeout_s
            for link in list(self._links):
                if not link.closing and now - link.last_useful > idle:
                    self._count("media.idle_disconnects")
                    log.info("media link %s: nothing useful for %.0f s, closing", link.peer, idle)
                    link.close()
            self._gauges()

    def _gauges(self) -> None:
        metrics = self.platform.metrics
        streams = list(self._streams.values())
        metrics.set("media.streams", len(streams))
        metrics.set("media.viewers", sum(len(s.viewers) for s in streams))
        metrics.set("media.audio_listeners", sum(len(s.listeners) for s in streams))
        metrics.set("media.links", len(self._links))
        now = time.monotonic()
        rates = [s.rates(now) for s in streams]
        metrics.set("media.fps", round(sum(r[0] for r in rates), 2))
        metrics.set("media.bitrate", round(sum(r[1] for r in rates)))

    def _count(self, name: str, by: int = 1) -> None:
        self.platform.metrics.inc(name, by)

    def _spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("media task %s failed", task.get_name(), exc_info=task.exception())


def _command_error(command: Command, what: str) -> MediaError | None:
    status = command.status
    if status == CommandStatus.ACKED:
        return None
    detail = f"{what}: terminal answered {status.value}"
    if command.result:
        detail += f" ({command.result})"
    if status == CommandStatus.OFFLINE:
        return VehicleOffline(f"vehicle {command.vehicle_id} is offline", command)
    if status == CommandStatus.TIMED_OUT:
        return CommandTimedOut(f"{what}: the terminal did not answer", command)
    return CommandFailed(detail, command)
