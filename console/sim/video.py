"""Live video of a simulated terminal: H.264 pictures with an overlay, G.711A audio, and the
JT/T 1078 packets that carry them.

:class:`LiveEncoder` encodes the synthetic dash-camera picture (:func:`render_frame` of
:mod:`console.media.evidence`) as Annex-B access units -- closed GOP, parameter sets before
every key frame, no B-frames -- so a viewer can join at any key frame.
:class:`MediaPacketizer` (sans-I/O) numbers the packets, fills the timestamp and the I-frame /
frame intervals and splits frames into ≤ 950-byte bodies, with the SIM as BCD[6] (2013
terminals) or BCD[10] (2019 / 粤标).
"""

from __future__ import annotations

import math
from fractions import Fraction

import av
import numpy as np

from console.protocol.jt1078.packet import MAX_BODY_SIZE, DataType, PayloadType, packetize

FPS = 25
GOP = 25
MAIN_SIZE = (640, 360)
SUB_SIZE = (320, 180)
AUDIO_RATE = 8000
AUDIO_FRAME = 320  # samples per audio packet: 40 ms at 8 kHz


class LiveEncoder:
    """RGB frames in, H.264 Annex-B access units out (one per frame: zero latency)."""

    def __init__(self, width: int, height: int, fps: int = FPS, gop: int = GOP) -> None:
        ctx = av.CodecContext.create("libx264", "w")
        ctx.width, ctx.height = width, height
        ctx.pix_fmt = "yuv420p"
        ctx.time_base = Fraction(1, fps)
        ctx.framerate = Fraction(fps, 1)
        ctx.gop_size = gop
        ctx.thread_count = 1
        ctx.options = {
            "preset": "ultrafast",
            "tune": "zerolatency",
            "crf": "28",
            "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:repeat-headers=1",
        }
        self._ctx = ctx
        self.width, self.height, self.fps = width, height, fps
        self.index = 0

    def encode(self, rgb: np.ndarray) -> list[tuple[bytes, bool]]:
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame.pts = self.index
        self.index += 1
        return [(bytes(p), bool(p.is_keyframe)) for p in self._ctx.encode(frame)]

    def close(self) -> None:
        for _ in self._ctx.encode(None):
            pass


def alaw_encode(pcm: np.ndarray) -> bytes:
    """16-bit PCM samples → G.711 A-law bytes (the reference ``linear2alaw``)."""
    value = pcm.astype(np.int32) >> 3
    positive = value >= 0
    mask = np.where(positive, 0xD5, 0x55)
    value = np.where(positive, value, -value - 1)
    segment = np.searchsorted(_SEG_END, value)  # first segment whose end is >= value
    shift = np.where(segment < 2, 1, segment)
    code = (np.minimum(segment, 7) << 4) | ((value >> shift) & 0x0F)
    code = np.where(segment >= 8, 0x7F, code)
    return (code ^ mask).astype(np.uint8).tobytes()


_SEG_END = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])


def tone(index: int, samples: int = AUDIO_FRAME, hz: float = 440.0) -> np.ndarray:
    """A quiet sine tone, the ``index``-th block of ``samples`` (continuous phase)."""
    t = (np.arange(samples) + index * samples) / AUDIO_RATE
    return (2000 * np.sin(2 * math.pi * hz * t)).astype(np.int16)


class MediaPacketizer:
    """Frames of one channel → JT/T 1078 packets (bytes), with their bookkeeping."""

    def __init__(self, sim: str, channel: int, *, max_body: int = MAX_BODY_SIZE) -> None:
        self.sim = sim
        self.channel = channel
        self.max_body = max_body
        self.seq = 0
        self.packets = 0
        self._last_i: int | None = None
        self._last: int | None = None

    def video(self, access_unit: bytes, key: bool, timestamp_ms: int) -> bytes:
        if key:
            self._last_i = timestamp_ms
        last_i = 0 if self._last_i is None else timestamp_ms - self._last_i
        last = 0 if self._last is None else timestamp_ms - self._last
        self._last = timestamp_ms
        packets, self.seq = packetize(
            access_unit,
            sim=self.sim,
            channel=self.channel,
            payload_type=PayloadType.H264,
            data_type=DataType.VIDEO_I if key else DataType.VIDEO_P,
            timestamp=timestamp_ms,
            last_i_interval=min(last_i, 0xFFFF),
            last_interval=min(last, 0xFFFF),
            seq=self.seq,
            max_body=self.max_body,
        )
        self.packets += len(packets)
        return b"".join(p.encode() for p in packets)

    def audio(self, payload: bytes, timestamp_ms: int) -> bytes:
        packets, self.seq = packetize(
            payload,
            sim=self.sim,
            channel=self.channel,
            payload_type=PayloadType.G711A,
            data_type=DataType.AUDIO,
            timestamp=timestamp_ms,
            seq=self.seq,
            max_body=self.max_body,
        )
        self.packets += len(packets)
        return b"".join(p.encode() for p in packets)
