"""Live video from the platform (Qt-free): start/stop a channel, read its Annex-B stream,
decode it on the calling thread.

:class:`LiveVideo` opens ``GET /video/{vehicle}/{channel}`` (which starts the terminal's
stream, 0x9101, if nobody watches it yet) and yields what it reads: :meth:`LiveVideo.units`
gives access units as bytes, :meth:`LiveVideo.frames` decodes them with
:class:`~console.media.h264.AnnexBDecoder` on the thread that iterates -- a worker, never the
UI thread. :meth:`LiveVideo.stop` is safe from any thread and ends the iteration at once by
shutting the socket down (as :mod:`console.client.events` does); the platform stops the
terminal (0x9102) a short grace after its last viewer left.

The relay sends one access unit per HTTP chunk (``console/platform/api/video.py``), so each
chunk is decoded as soon as it arrives instead of waiting for the next one to start (the
parser of ``AnnexBDecoder.feed`` holds one frame back: 40 ms at 25 fps).

Frames may carry the time their terminal sent them in an SEI "user data unregistered"
message (:func:`timestamp_sei`): the benchmark's terminals do, so the console can measure
glass-to-glass latency. Streams without it simply have no ``sent_at``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import av

from console.client.api import PlatformClient
from console.client.errors import ApiFailure, ClientError
from console.client.streaming import MeteredStream
from console.media.h264 import AnnexBDecoder, nal_spans

#: code → (中文, English) for what can go wrong with video; codes are the API's.
VIDEO_MESSAGES: dict[str, tuple[str, str]] = {
    "vehicle_offline": ("车辆不在线，无法播放视频。", "The vehicle is offline: no video."),
    "terminal_timeout": ("终端未响应视频请求。", "The terminal did not answer the video request."),
    "terminal_refused": ("终端拒绝了视频请求。", "The terminal refused the video request."),
    "no_video": ("终端未发送视频。", "The terminal sent no video."),
    "media_unavailable": ("平台视频服务不可用。", "The platform's video service is not running."),
    "stream_broken": ("视频连接中断。", "The video connection broke."),
    "unsupported_codec": ("不支持的视频编码。", "The video codec is not supported."),
    "channel_busy": (
        "该通道正在播放实时视频或录像回放。",
        "The channel already plays live video or a recording.",
    ),
}

# Waiting for the first bytes covers the 0x9101 round trip and the terminal's first frame
# (the platform gives up after its stall timeout + 5 s = 20 s by default).
OPEN_TIMEOUT_S = 45.0
READ_TIMEOUT_S = 20.0  # a live stream silent this long is dead (the platform ends it at 15 s)

# SEI "user data unregistered" (payload type 5) carrying the sender's wall clock: 16 bytes
# of UUID, then the time in microseconds as 16 ASCII digits. Digits and a UUID without zero
# bytes need no emulation prevention, so the NAL unit is written and read as is.
TIMESTAMP_UUID = bytes.fromhex("5457a7c1e5d94a31b2f0c3d4e5f61778")
_SEI_PAYLOAD_SIZE = 16 + 16


class VideoError(ApiFailure):
    """A video request failed for a reason people should read (offline, no video ...)."""

    def describe(self, language: str = "zh") -> str:
        zh, en = VIDEO_MESSAGES.get(self.code, (self.message, self.message))
        return zh if language.startswith("zh") else en


def _video_error(exc: ClientError) -> ClientError:
    if exc.code in VIDEO_MESSAGES:
        return VideoError(exc.code, exc.message, status=exc.status, details=exc.details)
    return exc


# --- commands ----------------------------------------------------------------------------


def start_live_video(
    client: PlatformClient, vehicle_id: str, channel: int = 1, stream: str = "main"
) -> dict[str, Any]:
    """Have the terminal stream ``channel`` (0x9101) without watching yet; the answer holds
    ``stream_url``. Raises :class:`VideoError` (409 offline, 502 refused, 504 no answer)."""
    try:
        return client.post(
            f"/vehicles/{vehicle_id}/commands/live-video", {"channel": channel, "stream": stream}
        )
    except ClientError as exc:
        raise _video_error(exc) from exc


def stop_live_video(client: PlatformClient, vehicle_id: str, channel: int = 1) -> dict[str, Any]:
    """Stop the channel now for every viewer (0x9102)."""
    try:
        return client.post(f"/vehicles/{vehicle_id}/commands/stop-video", {"channel": channel})
    except ClientError as exc:
        raise _video_error(exc) from exc


def running_streams(client: PlatformClient) -> list[dict[str, Any]]:
    """The platform's live streams the user may see, with their statistics."""
    return client.get("/video")["streams"]


# --- sender timestamps -------------------------------------------------------------------


def timestamp_sei(wall_s: float) -> bytes:
    """An Annex-B SEI NAL unit carrying ``wall_s`` (what a terminal puts before a slice)."""
    digits = b"%016d" % round(wall_s * 1_000_000)
    header = b"\x00\x00\x00\x01\x06\x05" + bytes([_SEI_PAYLOAD_SIZE])
    return header + TIMESTAMP_UUID + digits + b"\x80"


def sender_time(unit: bytes) -> float | None:
    """The wall-clock time of a :func:`timestamp_sei` in the access unit, if it has one.
    Only the NAL units before the first slice are looked at."""
    for start, end in nal_spans(unit):
        kind = unit[start] & 0x1F
        if 1 <= kind <= 5:
            return None  # slices: SEI may only come before them
        if kind != 6 or end - start < 3 + _SEI_PAYLOAD_SIZE:
            continue
        if unit[start + 1] == 5 and unit[start + 2] == _SEI_PAYLOAD_SIZE:
            body = unit[start + 3 : start + 3 + _SEI_PAYLOAD_SIZE]
            if body[:16] == TIMESTAMP_UUID and body[16:].isdigit():
                return int(body[16:]) / 1_000_000
    return None


# --- the stream --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    frame: av.VideoFrame
    received_at: float  # wall clock when its access unit arrived
    sent_at: float | None  # the terminal's wall clock, from an SEI timestamp


@dataclass(frozen=True, slots=True)
class VideoStats:
    bitrate_bps: float  # over the last RATE_WINDOW_S (console/client/streaming.py)
    fps: float  # access units per second, same window
    units: int
    bytes: int
    frames_decoded: int
    decode_errors: int
    decode_cpu_s: float  # CPU time of the decoding thread spent in the decoder
    last_pts: int | None  # the stream's own, else the access unit's index in this viewer
    width: int | None
    height: int | None


class LiveVideo:
    """One viewer of one channel (see the module docstring). Use from one worker thread::

        video = LiveVideo(client, vehicle_id, 1)
        video.open()            # ClientError / VideoError when it cannot start
        for decoded in video.frames():
            ...                 # until the stream ends or stop() is called
        video.close()

    ``stop()`` may come from any thread at any time, also before or during ``open()``.
    """

    def __init__(
        self,
        client: PlatformClient,
        vehicle_id: str,
        channel: int = 1,
        *,
        stream: str = "main",
        open_timeout_s: float = OPEN_TIMEOUT_S,
        read_timeout_s: float = READ_TIMEOUT_S,
    ) -> None:
        self.client = client
        self.vehicle_id = vehicle_id
        self.channel = channel
        self.stream = stream
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self.codec: str | None = None
        self.media_type: str | None = None
        self._stream = MeteredStream(VideoError)
        self._decoder: AnnexBDecoder | None = None
        self._decode_cpu_s = 0.0  # these two under self._stream.lock, for stats()
        self._last: av.VideoFrame | None = None

    @property
    def path(self) -> str:
        return f"/video/{self.vehicle_id}/{self.channel}"

    @property
    def params(self) -> dict[str, str]:
        """The query of :attr:`path` (subclasses that stream something else change both)."""
        return {"stream": self.stream}

    @property
    def stopped(self) -> bool:
        return self._stream.stopped

    @property
    def end_reason(self) -> str | None:
        """ "stopped", "ended" or an error code, once the stream is over."""
        return self._stream.end_reason

    def open(self) -> None:
        """Connect and read the headers (the platform answers once the first frame came)."""
        try:
            response = self.client.request(
                "GET",
                self.path,
                params=self.params,
                stream=True,
                timeout_s=(self.client.timeout_s, self.open_timeout_s),  # type: ignore[arg-type]
            )
        except ClientError as exc:
            self._stream.end_reason = exc.code
            raise _video_error(exc) from exc
        # Reads after the headers time out sooner than the wait for the first frame.
        with contextlib.suppress(AttributeError, OSError):
            response.raw._fp.fp.raw._sock.settimeout(self.read_timeout_s)
        codec = response.headers.get("X-Video-Codec") or ""
        self.media_type = response.headers.get("Content-Type")
        if codec not in ("h264", "hevc"):
            response.close()
            self._stream.end_reason = "unsupported_codec"
            raise VideoError("unsupported_codec", f"codec {codec!r}", status=response.status_code)
        self.codec = codec
        self._decoder = AnnexBDecoder(codec)
        self._stream.cut.hold(response)

    def units(self) -> Iterator[bytes]:
        """Access units as they arrive, until the stream ends or :meth:`stop`."""
        return self._stream.read()

    def frames(self) -> Iterator[DecodedFrame]:
        """Decoded frames, on the calling thread (damaged units are counted and skipped)."""
        decoder = self._decoder
        if decoder is None:
            raise RuntimeError("open() first")
        for unit in self.units():
            received = time.time()
            sent = sender_time(unit)
            cpu = time.thread_time()
            decoded = decoder.decode_unit(unit)
            spent = time.thread_time() - cpu
            with self._stream.lock:
                self._decode_cpu_s += spent
                if decoded:
                    self._last = decoded[-1]
            for frame in decoded:
                if frame.pts is None:
                    # A bare elementary stream has no timestamps: number the units instead.
                    frame.pts = self._stream.chunks - 1
                yield DecodedFrame(frame, received, sent)

    def stop(self) -> None:
        """End the stream from any thread; a blocked read returns at once."""
        self._stream.stop()

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> LiveVideo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stats(self) -> VideoStats:
        """A snapshot; safe from any thread."""
        with self._stream.lock:
            figures = self._stream.figures()
            last, decoder, cpu = self._last, self._decoder, self._decode_cpu_s
        return VideoStats(
            bitrate_bps=figures.bitrate_bps,
            fps=figures.chunks_per_s,
            units=figures.chunks,
            bytes=figures.bytes,
            frames_decoded=decoder.frames if decoder else 0,
            decode_errors=decoder.errors if decoder else 0,
            decode_cpu_s=cpu,
            last_pts=None if last is None else last.pts,
            width=None if last is None else last.width,
            height=None if last is None else last.height,
        )


__all__ = [
    "DecodedFrame",
    "LiveVideo",
    "VideoError",
    "VideoStats",
    "running_streams",
    "sender_time",
    "start_live_video",
    "stop_live_video",
    "timestamp_sei",
]
