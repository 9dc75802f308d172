"""Play an evidence clip frame by frame (PyAV, no Qt): open, describe, decode in order, seek
to an exact time, step one frame.

Two kinds of input:

* containers with timestamps (MP4 from the simulator and most 粤标 terminals): seeking asks
  the demuxer for the key frame before the target, then decodes forward to the exact frame,
  so an MP4 read through :class:`~console.client.ranged.RangedFile` is never downloaded
  whole;
* raw Annex-B H.264/H.265 (what 苏标 terminals upload as ``.h264``): no timestamps and no
  index, so the packets are demuxed once at open (these clips are small), which gives the
  frame count, the duration and the key frames to seek from.

Broken input never crashes the caller: opening garbage raises :class:`MediaError`; a file
cut short yields every frame that can be decoded and then raises :class:`MediaError` with
``code == "truncated"``. Other exceptions of the source (a network error of a RangedFile)
pass through unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import av
import numpy as np

__all__ = ["ClipInfo", "ClipPlayer", "DecodedFrame", "MediaError", "yuv420p_planes"]

_RAW_FORMATS = {"h264": "h264", "264": "h264", "h265": "hevc", "265": "hevc", "hevc": "hevc"}
_DEFAULT_FPS = 25.0  # what FFmpeg assumes for raw H.264 without timing information

#: code → (中文, English)
_MESSAGES: dict[str, tuple[str, str]] = {
    "corrupt": (
        "视频文件已损坏或格式无法识别。",
        "The video file is damaged or its format is not recognised.",
    ),
    "truncated": (
        "视频文件不完整（可能上传中断），只能播放已收到的部分。",
        "The video file is incomplete (the upload may have been cut short); only the part "
        "received can be played.",
    ),
    "unreadable": (
        "视频文件不完整（可能上传中断），无法打开。",
        "The video file is incomplete (the upload may have been cut short) and cannot be opened.",
    ),
    "no_video": ("文件中没有视频。", "The file has no video stream."),
    "unsupported": ("不支持该视频编码。", "The video codec is not supported."),
    "not_found": ("找不到视频文件。", "The video file does not exist."),
}


class MediaError(Exception):
    """A clip that cannot be played (completely): ``code`` is ``corrupt``, ``truncated``,
    ``unreadable`` (an MP4 cut short before its index), ``no_video``, ``unsupported`` or
    ``not_found``; ``describe()`` says it for people."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {_MESSAGES.get(code, ('', code))[1]} {detail}".strip())

    def describe(self, language: str = "zh") -> str:
        zh, en = _MESSAGES.get(self.code, (self.detail, self.detail))
        return zh if language.startswith("zh") else en


@dataclass(frozen=True, slots=True)
class ClipInfo:
    codec: str  # FFmpeg's name: "h264", "hevc", ...
    width: int
    height: int
    fps: float
    duration: float | None  # seconds
    frame_count: int | None
    container: str  # "mp4", "h264", "hevc", ...
    pixel_format: str


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    """One picture: ``time`` in seconds from the start of the clip, ``index`` its number."""

    frame: av.VideoFrame
    time: float
    index: int
    key: bool

    @property
    def width(self) -> int:
        return self.frame.width

    @property
    def height(self) -> int:
        return self.frame.height

    def planes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Y, U, V (yuv420p) as 2-D arrays without line padding."""
        return yuv420p_planes(self.frame)

    def to_rgb(self) -> np.ndarray:
        return self.frame.to_ndarray(format="rgb24")


def yuv420p_planes(frame: av.VideoFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three planes of ``frame`` in 8-bit 4:2:0, as views where the frame already is
    (``yuv420p``/``yuvj420p``) and converted otherwise (10-bit HEVC, 4:2:2 cameras)."""
    if frame.format.name not in ("yuv420p", "yuvj420p"):
        frame = frame.reformat(format="yuv420p")
    out = []
    for plane in frame.planes[:3]:
        rows = np.frombuffer(plane, dtype=np.uint8).reshape(-1, plane.line_size)
        out.append(rows[: plane.height, : plane.width])
    return out[0], out[1], out[2]


def _raw_format_of(name: str | None, head: bytes) -> str | None:
    """``h264``/``hevc`` for a raw Annex-B stream (by file name, else by its first NAL unit),
    None for anything else (left to FFmpeg's probing)."""
    if name:
        suffix = Path(name).suffix.lower().lstrip(".")
        if suffix in _RAW_FORMATS:
            return _RAW_FORMATS[suffix]
        if suffix:
            return None
    start = head.find(b"\x00\x00\x01")
    if start < 0 or start > 1 or start + 3 >= len(head):
        return None
    first = head[start + 3]
    if first & 0x81 == 0 and (first >> 1) & 0x3F in (32, 33, 34, 35, 39):
        return "hevc"  # VPS/SPS/PPS/AUD/SEI of H.265 (bytes 0x40..0x4E)
    if first & 0x1F in (1, 5, 6, 7, 9):
        return "h264"
    return None


class ClipPlayer:
    """Decode one clip (a path or a binary file object) frame by frame; not thread-safe.

    ``read()`` returns the next frame or None at the end, ``seek(t)`` the frame shown at
    ``t`` seconds (the first whose time is not more than half a frame before ``t``; the last
    frame past the end), after which ``read()`` continues from there. The player owns a
    file object it is given: closing the player closes it (PyAV does not).
    """

    def __init__(
        self, source: str | Path | IO[bytes], *, name: str | None = None, format: str | None = None
    ) -> None:
        if isinstance(source, str | Path):
            name = name or str(source)
            if not Path(source).is_file():
                raise MediaError("not_found", str(source))
        else:
            name = name or getattr(source, "name", None)
        self.name = name
        self._file = None if isinstance(source, str | Path) else source
        self.errors = 0  # packets the decoder rejected
        self._pending: MediaError | None = None
        self._last: DecodedFrame | None = None
        self._packets: list[av.Packet] | None = None
        self._keys: list[int] = []
        head = _peek(source)
        fmt = format or _raw_format_of(name, head)
        try:
            self._container = av.open(
                str(source) if isinstance(source, Path) else source, format=fmt
            )
        except av.error.FFmpegError as exc:
            self._close_file()
            # An MP4 (it starts with its ftyp box) that FFmpeg cannot open has lost its end,
            # where the muxer writes the index: an upload cut short, not a wrong format.
            code = "unreadable" if head[4:8] == b"ftyp" else "corrupt"
            raise MediaError(code, str(exc)) from exc
        try:
            self._init_stream(fmt)
        except BaseException:
            self.close()
            raise
        self._iter: Iterator[DecodedFrame] = self._frames_from_start()

    def _init_stream(self, raw: str | None) -> None:
        if not self._container.streams.video:
            raise MediaError("no_video", self.name or "")
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        self._stream = stream
        ctx = stream.codec_context
        if ctx is None or not ctx.name:
            raise MediaError("unsupported")
        rate = stream.average_rate if raw is None else None
        rate = rate or stream.guessed_rate or stream.average_rate
        self.fps = float(rate) if rate else _DEFAULT_FPS
        self._tb = stream.time_base
        self._start = stream.start_time or 0
        self.raw = raw is not None or self._container.format.name in ("h264", "hevc")
        if self.raw:
            self._index_packets()
            count: int | None = len(self._packets or [])
            duration: float | None = (count or 0) / self.fps
        else:
            count = stream.frames or None
            duration = None
            if stream.duration and self._tb:
                duration = float(stream.duration * self._tb)
            elif self._container.duration:
                duration = self._container.duration / 1_000_000
            if count is None and duration:
                count = round(duration * self.fps)
        self.info = ClipInfo(
            codec=ctx.name,
            width=ctx.width,
            height=ctx.height,
            fps=self.fps,
            duration=duration,
            frame_count=count,
            container=_container_name(self._container.format.name),
            pixel_format=ctx.pix_fmt or "",
        )
        if not ctx.width or not ctx.height:
            raise MediaError("corrupt", "no picture size")

    def _index_packets(self) -> None:
        """Raw streams: demux everything once (no timestamps to seek by)."""
        packets: list[av.Packet] = []
        try:
            for packet in self._container.demux(self._stream):
                if packet.size:
                    if packet.is_keyframe:
                        self._keys.append(len(packets))
                    packets.append(packet)
        except av.error.FFmpegError as exc:
            if not packets:
                raise MediaError("corrupt", str(exc)) from exc
            self._pending = MediaError("truncated", str(exc))
        if not packets:
            raise MediaError("corrupt", "no video packets")
        self._packets = packets

    # --- reading ----------------------------------------------------------------------------
    @property
    def position(self) -> float | None:
        """Time of the last frame returned."""
        return self._last.time if self._last is not None else None

    def read(self) -> DecodedFrame | None:
        """The next frame; None at the end. Raises MediaError once for a clip that ends
        early, after its decodable frames."""
        try:
            frame = next(self._iter)
        except StopIteration:
            frame = None
        if frame is None and self._pending is not None:
            error, self._pending = self._pending, None
            raise error
        if frame is not None:
            self._last = frame
        return frame

    step = read

    def frames(self) -> Iterator[DecodedFrame]:
        """The frames from the current position to the end."""
        while (frame := self.read()) is not None:
            yield frame

    def seek(self, seconds: float) -> DecodedFrame | None:
        """Go to ``seconds`` (see the class doc); returns the frame there."""
        seconds = max(0.0, seconds)
        self._pending = None
        self._iter = self._frames_from(seconds)
        tolerance = 0.5 / self.fps
        previous: DecodedFrame | None = None
        while True:
            try:
                frame = next(self._iter)
            except StopIteration:
                break
            except MediaError as error:
                if previous is None:
                    raise
                self._pending = error
                break
            if frame.time >= seconds - tolerance:
                self._last = frame
                return frame
            previous = frame
        if previous is not None:
            self._last = previous
        return previous

    def seek_frame(self, index: int) -> DecodedFrame | None:
        return self.seek(index / self.fps)

    def close(self) -> None:
        try:
            self._container.close()
        finally:
            self._close_file()

    def _close_file(self) -> None:
        close = getattr(self._file, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> ClipPlayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- decoding ---------------------------------------------------------------------------
    def _frames_from_start(self) -> Iterator[DecodedFrame]:
        if self.raw:
            return self._raw_frames(0)
        return self._container_frames()

    def _frames_from(self, seconds: float) -> Iterator[DecodedFrame]:
        if self.raw:
            assert self._packets is not None
            target = min(len(self._packets) - 1, math.floor(seconds * self.fps + 0.5))
            key = max((k for k in self._keys if k <= target), default=0)
            return self._raw_frames(key)
        target = self._start + int(seconds / self._tb)
        try:
            self._container.seek(target, stream=self._stream, backward=True, any_frame=False)
        except av.error.FFmpegError:
            self._container.seek(self._start, stream=self._stream, backward=True)
        return self._container_frames()

    def _wrap(self, frame: av.VideoFrame, index: int | None = None) -> DecodedFrame:
        if index is None:
            pts = frame.pts if frame.pts is not None else frame.dts
            time = float((pts - self._start) * self._tb) if pts is not None else 0.0
            index = round(time * self.fps)
        else:
            time = index / self.fps
        return DecodedFrame(frame, time, index, bool(frame.key_frame))

    def _container_frames(self) -> Iterator[DecodedFrame]:
        self._stream.codec_context.flush_buffers()
        cut_short = False
        last_index = -1
        try:
            for packet in self._container.demux(self._stream):
                cut_short |= packet.is_corrupt
                try:
                    decoded = packet.decode()
                except av.error.InvalidDataError:
                    self.errors += 1
                    continue
                for frame in decoded:
                    out = self._wrap(frame)
                    last_index = out.index
                    yield out
        except av.error.FFmpegError as exc:
            raise MediaError("truncated", str(exc)) from exc
        expected = self.info.frame_count
        if cut_short or (expected and last_index < expected - 1):
            raise MediaError("truncated", f"ended at frame {last_index + 1} of {expected}")

    def _raw_frames(self, start: int) -> Iterator[DecodedFrame]:
        assert self._packets is not None
        ctx = self._stream.codec_context
        ctx.flush_buffers()
        index = start
        packets: list[av.Packet | None] = [*self._packets[start:], None]
        for packet in packets:
            try:
                decoded = ctx.decode(packet)
            except (av.error.InvalidDataError, av.error.EOFError):
                self.errors += 1
                continue
            for frame in decoded:
                yield self._wrap(frame, index)
                index += 1
        if index < len(self._packets):
            self._pending = self._pending or MediaError(
                "truncated", f"decoded {index} of {len(self._packets)} frames"
            )


def _container_name(names: str) -> str:
    """FFmpeg's demuxer names ``mov,mp4,m4a,...`` → ``mp4``."""
    parts = names.split(",")
    return "mp4" if "mp4" in parts else parts[0]


def _peek(source: Any) -> bytes:
    """The first bytes of a path or a seekable file object (put back where it was)."""
    try:
        if isinstance(source, str | Path):
            with open(source, "rb") as handle:
                return handle.read(16)
        if hasattr(source, "seek") and hasattr(source, "tell"):
            here = source.tell()
            head = source.read(16)
            source.seek(here)
            return bytes(head or b"")
    except OSError:
        pass
    return b""
