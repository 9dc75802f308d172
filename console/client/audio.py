"""Live audio from the platform (Qt-free): a channel's G.711A, decoded to 16-bit PCM on the
calling thread.

:class:`LiveAudio` opens ``GET /audio/{vehicle}/{channel}``: the terminal's A-law bytes
(8 kHz, mono, ``audio/PCMA``) of a channel whose live video runs. It never starts the stream
(the platform answers 409 ``no_stream`` when no live video runs) and ends when the stream
does: open it after the channel's :class:`~console.client.video.LiveVideo` plays.
:meth:`LiveAudio.samples` decodes with PyAV's ``pcm_alaw`` decoder on the thread that
iterates -- a worker, never the UI thread. :meth:`LiveAudio.stop` is safe from any thread
and ends the iteration at once (:class:`~console.client.streaming.Interruptible`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import av
import numpy as np

from console.client.api import PlatformClient
from console.client.errors import ApiFailure, ClientError
from console.client.streaming import MeteredStream

SAMPLE_RATE = 8000
CHANNELS = 1
MEDIA_TYPE = "audio/PCMA"
# The platform answers at once (or 409); a terminal may send no audio for a while, and the
# stream's end closes the response, so reads may wait long.
READ_TIMEOUT_S = 60.0

#: code → (中文, English) for what can go wrong with audio; codes are the API's.
AUDIO_MESSAGES: dict[str, tuple[str, str]] = {
    "no_stream": (
        "该通道没有正在播放的实时视频，无法收听。",
        "The channel plays no live video: no audio.",
    ),
    "media_unavailable": ("平台视频服务不可用。", "The platform's video service is not running."),
    "stream_broken": ("音频连接中断。", "The audio connection broke."),
    "unsupported_codec": ("不支持的音频编码。", "The audio codec is not supported."),
}


class AudioError(ApiFailure):
    """An audio request failed for a reason people should read (no live stream ...)."""

    def describe(self, language: str = "zh") -> str:
        zh, en = AUDIO_MESSAGES.get(self.code, (self.message, self.message))
        return zh if language.startswith("zh") else en


def _audio_error(exc: ClientError) -> ClientError:
    if exc.code in AUDIO_MESSAGES:
        return AudioError(exc.code, exc.message, status=exc.status, details=exc.details)
    return exc


class AlawDecoder:
    """G.711 A-law bytes → 16-bit PCM samples (PyAV's ``pcm_alaw``); any split of the bytes
    decodes the same, one byte being one sample."""

    def __init__(self) -> None:
        ctx = av.CodecContext.create("pcm_alaw", "r")
        ctx.sample_rate = SAMPLE_RATE
        ctx.layout = "mono"
        self._ctx = ctx
        self.samples = 0
        self.errors = 0

    def decode(self, data: bytes) -> np.ndarray:
        """The int16 samples of ``data`` (empty when it could not be decoded)."""
        try:
            frames = self._ctx.decode(av.Packet(data))
        except av.error.FFmpegError:
            self.errors += 1
            return np.zeros(0, np.int16)
        parts = [f.to_ndarray().reshape(-1) for f in frames]
        pcm = np.concatenate(parts).astype(np.int16, copy=False) if parts else np.zeros(0, np.int16)
        self.samples += len(pcm)
        return pcm


@dataclass(frozen=True, slots=True)
class AudioStats:
    bitrate_bps: float  # over the last RATE_WINDOW_S (console/client/streaming.py)
    chunks: int
    bytes: int
    samples_decoded: int
    decode_errors: int
    decode_cpu_s: float


class LiveAudio:
    """One listener of one channel (see the module docstring). Use from one worker thread::

        audio = LiveAudio(client, vehicle_id, 1)
        audio.open()            # AudioError "no_stream" when no live video runs
        for pcm in audio.samples():
            ...                 # int16 arrays, 8 kHz mono, until the stream ends or stop()
        audio.close()

    ``stop()`` may come from any thread at any time, also before or during ``open()``.
    """

    def __init__(
        self,
        client: PlatformClient,
        vehicle_id: str,
        channel: int = 1,
        *,
        read_timeout_s: float = READ_TIMEOUT_S,
    ) -> None:
        self.client = client
        self.vehicle_id = vehicle_id
        self.channel = channel
        self.read_timeout_s = read_timeout_s
        self.sample_rate = SAMPLE_RATE
        self.channels = CHANNELS
        self._stream = MeteredStream(AudioError)
        self._decoder = AlawDecoder()
        self._decode_cpu_s = 0.0  # under self._stream.lock, for stats()

    @property
    def path(self) -> str:
        return f"/audio/{self.vehicle_id}/{self.channel}"

    @property
    def stopped(self) -> bool:
        return self._stream.stopped

    @property
    def end_reason(self) -> str | None:
        """ "stopped", "ended" or an error code, once the stream is over."""
        return self._stream.end_reason

    def open(self) -> None:
        """Connect and read the headers (the platform answers at once)."""
        try:
            response = self.client.request(
                "GET",
                self.path,
                stream=True,
                timeout_s=(self.client.timeout_s, self.read_timeout_s),  # type: ignore[arg-type]
            )
        except ClientError as exc:
            self._stream.end_reason = exc.code
            raise _audio_error(exc) from exc
        media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip()
        if media_type.lower() != MEDIA_TYPE.lower():
            response.close()
            self._stream.end_reason = "unsupported_codec"
            raise AudioError(
                "unsupported_codec", f"media type {media_type!r}", status=response.status_code
            )
        self._stream.cut.hold(response)

    def chunks(self) -> Iterator[bytes]:
        """A-law bytes as they arrive, until the stream ends or :meth:`stop`."""
        return self._stream.read()

    def samples(self) -> Iterator[np.ndarray]:
        """Decoded int16 PCM (8 kHz mono), on the calling thread."""
        for chunk in self.chunks():
            cpu = time.thread_time()
            pcm = self._decoder.decode(chunk)
            spent = time.thread_time() - cpu
            with self._stream.lock:
                self._decode_cpu_s += spent
            if len(pcm):
                yield pcm

    def stop(self) -> None:
        """End the stream from any thread; a blocked read returns at once."""
        self._stream.stop()

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> LiveAudio:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stats(self) -> AudioStats:
        """A snapshot; safe from any thread."""
        with self._stream.lock:
            figures = self._stream.figures()
            cpu = self._decode_cpu_s
        return AudioStats(
            bitrate_bps=figures.bitrate_bps,
            chunks=figures.chunks,
            bytes=figures.bytes,
            samples_decoded=self._decoder.samples,
            decode_errors=self._decoder.errors,
            decode_cpu_s=cpu,
        )


__all__ = ["AlawDecoder", "AudioError", "AudioStats", "LiveAudio"]
