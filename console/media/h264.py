"""H.264 / H.265 in Annex-B form: synthetic test clips, NAL unit helpers, a live decoder.

JT/T 1078 carries video as Annex-B access units (start codes, parameter sets in-band before
every key frame), one access unit per media frame. The helpers here make such streams from a
moving synthetic pattern (tests and the simulator) and decode them back, either whole or
chunk by chunk as they arrive over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

#: Codec names as PyAV/FFmpeg spell them; "h265" is accepted as an alias of "hevc".
CODECS = ("h264", "hevc")
_ENCODERS = {"h264": "libx264", "hevc": "libx265"}

START_CODE = b"\x00\x00\x01"
# NAL unit types of parameter sets (they must precede the first key frame a decoder sees).
_H264_PARAMETER_SETS = frozenset({7, 8})  # SPS, PPS
_HEVC_PARAMETER_SETS = frozenset({32, 33, 34})  # VPS, SPS, PPS


def codec_name(codec: str) -> str:
    """ "h264" or "hevc" for any accepted spelling (``h265``, ``H.265``, ``avc`` ...)."""
    name = codec.lower().replace(".", "").replace("-", "")
    if name in ("h264", "avc"):
        return "h264"
    if name in ("hevc", "h265"):
        return "hevc"
    raise ValueError(f"codec {codec!r} is neither H.264 nor H.265")


@dataclass(frozen=True, slots=True)
class AccessUnit:
    """One encoded picture in Annex-B form; key frames carry their parameter sets."""

    data: bytes
    key: bool
    index: int  # frame number from 0, in presentation order (= decode order: no B-frames)


# --- NAL units --------------------------------------------------------------------------


def nal_spans(data: bytes) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each NAL unit of an Annex-B buffer, start codes excluded (bytes
    before the first start code are skipped). Nothing is copied."""
    i = data.find(START_CODE)
    while i >= 0:
        start = i + 3
        j = data.find(START_CODE, start)
        end = len(data) if j < 0 else j
        # A 4-byte start code leaves its leading zero at the end of the previous unit.
        while j >= 0 and end > start and data[end - 1] == 0:
            end -= 1
        if end > start:
            yield start, end
        i = j


def iter_nal_units(data: bytes) -> Iterator[bytes]:
    """The NAL units of an Annex-B buffer, start codes removed."""
    for start, end in nal_spans(data):
        yield data[start:end]


def nal_type(nal: bytes, codec: str) -> int:
    if not nal:
        return -1
    return nal[0] & 0x1F if codec_name(codec) == "h264" else (nal[0] >> 1) & 0x3F


def parameter_sets(data: bytes, codec: str) -> list[bytes]:
    """The VPS/SPS/PPS units found in ``data`` (without start codes), in stream order."""
    wanted = _H264_PARAMETER_SETS if codec_name(codec) == "h264" else _HEVC_PARAMETER_SETS
    return [nal for nal in iter_nal_units(data) if nal_type(nal, codec) in wanted]


def annexb(nals: Iterable[bytes]) -> bytes:
    """Join NAL units with 4-byte start codes."""
    return b"".join(b"\x00" + START_CODE + nal for nal in nals)


# --- synthetic clips --------------------------------------------------------------------

# A 3×5 pixel font, enough for plates in Latin letters, clocks and frame counters.
_FONT = {
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001010010010",
    "8": "111101111101111",
    "9": "111101111001111",
    "A": "010101111101101",
    "B": "110101110101110",
    "C": "011100100100011",
    "D": "110101101101110",
    "E": "111100110100111",
    "F": "111100110100100",
    "G": "011100101101011",
    "H": "101101111101101",
    "I": "111010010010111",
    "J": "001001001101010",
    "K": "101101110101101",
    "L": "100100100100111",
    "M": "101111111101101",
    "N": "110101101101101",
    "O": "010101101101010",
    "P": "110101110100100",
    "Q": "010101101110011",
    "R": "110101110101101",
    "S": "011100010001110",
    "T": "111010010010010",
    "U": "101101101101111",
    "V": "101101101101010",
    "W": "101101111111101",
    "X": "101101010101101",
    "Y": "101101010010010",
    "Z": "111001010100111",
    ":": "000010000010000",
    "-": "000000111000000",
    ".": "000000000000010",
    "/": "001001010100100",
    "_": "000000000000111",
}


def _draw_text(luma: np.ndarray, text: str, scale: int) -> None:
    """Burn ``text`` (characters outside the tiny font are blanks) into the top-left corner."""
    x0 = y0 = 2 * scale
    for n, ch in enumerate(text.upper()):
        bits = _FONT.get(ch)
        x = x0 + n * 4 * scale
        if x + 3 * scale > luma.shape[1]:
            break
        # a dark box behind each glyph keeps it readable on the moving pattern
        luma[y0 - scale : y0 + 6 * scale, x - scale : x + 3 * scale] = 16
        if bits is None:
            continue
        glyph = np.array([int(b) for b in bits], dtype=bool).reshape(5, 3)
        block = np.kron(glyph, np.ones((scale, scale), dtype=bool))
        region = luma[y0 : y0 + 5 * scale, x : x + 3 * scale]
        region[block[: region.shape[0], : region.shape[1]]] = 235


def test_pattern(width: int, height: int, index: int, text: str | None = None) -> av.VideoFrame:
    """A yuv420p frame that changes every frame: moving diagonal bands and a bouncing box."""
    ys, xs = np.ogrid[:height, :width]
    luma = ((xs + ys + 4 * index) % 256).astype(np.uint8)
    box = max(8, min(width, height) // 6)
    span_x, span_y = max(1, width - box), max(1, height - box)
    bx = (index * 7) % (2 * span_x)
    by = (index * 5) % (2 * span_y)
    bx = bx if bx < span_x else 2 * span_x - bx
    by = by if by < span_y else 2 * span_y - by
    luma[by : by + box, bx : bx + box] = 255 - luma[by : by + box, bx : bx + box]
    if text:
        _draw_text(luma, text, max(1, height // 120))
    chroma = np.empty((height // 2, width), dtype=np.uint8)
    chroma[: height // 4] = (64 + 2 * index) % 256  # U plane (rows of two half-width lines)
    chroma[height // 4 :] = (192 - 3 * index) % 256  # V plane
    return av.VideoFrame.from_ndarray(np.vstack([luma, chroma]), format="yuv420p")


class TestClipEncoder:
    """Encode synthetic frames one by one: a live source for the simulator.

    No B-frames and no look-ahead, so every :meth:`encode` returns exactly the access unit of
    the frame given; a closed GOP of ``gop`` frames, each key frame with its parameter sets.
    """

    __test__ = False  # not a pytest test class despite the name

    def __init__(
        self,
        width: int,
        height: int,
        fps: int,
        *,
        codec: str = "h264",
        gop: int | None = None,
        bitrate: int | None = None,
    ) -> None:
        if width % 2 or height % 2 or width <= 0 or height <= 0:
            raise ValueError(f"size {width}x{height}: need positive even dimensions")
        self.codec = codec_name(codec)
        self.width, self.height, self.fps = width, height, fps
        self.gop = gop or 2 * fps
        self.index = 0
        ctx = av.CodecContext.create(_ENCODERS[self.codec], "w")
        ctx.width, ctx.height = width, height
        ctx.pix_fmt = "yuv420p"
        ctx.time_base = Fraction(1, fps)
        ctx.framerate = Fraction(fps, 1)
        ctx.gop_size = self.gop
        if bitrate:
            ctx.bit_rate = bitrate
        keyint = f"keyint={self.gop}:min-keyint={self.gop}:scenecut=0"
        if self.codec == "h264":
            ctx.options = {"preset": "ultrafast", "tune": "zerolatency", "x264-params": keyint}
        else:
            ctx.options = {
                "preset": "ultrafast",
                "tune": "zerolatency",
                "x265-params": f"{keyint}:open-gop=0:repeat-headers=1:log-level=error",
            }
        self._ctx = ctx

    def encode(self, text: str | None = None) -> list[AccessUnit]:
        """Encode the next frame (optionally with ``text`` burned in)."""
        frame = test_pattern(self.width, self.height, self.index, text)
        frame.pts = self.index
        self.index += 1
        return [self._unit(p) for p in self._ctx.encode(frame)]

    def flush(self) -> list[AccessUnit]:
        return [self._unit(p) for p in self._ctx.encode(None)]

    def _unit(self, packet: av.Packet) -> AccessUnit:
        return AccessUnit(bytes(packet), bool(packet.is_keyframe), int(packet.pts or 0))


def encode_test_clip(
    width: int,
    height: int,
    fps: int,
    seconds: float,
    *,
    codec: str = "h264",
    gop: int | None = None,
    text: str | Callable[[int], str] | None = None,
    bitrate: int | None = None,
) -> list[AccessUnit]:
    """``seconds × fps`` synthetic frames as Annex-B access units, the first a key frame.

    ``text`` is burned into every frame, or called with the frame number for per-frame text
    (a counter or a clock); only ``0-9 A-Z : - . / _`` are drawn.
    """
    encoder = TestClipEncoder(width, height, fps, codec=codec, gop=gop, bitrate=bitrate)
    out: list[AccessUnit] = []
    for i in range(round(seconds * fps)):
        out += encoder.encode(text(i) if callable(text) else text)
    return out + encoder.flush()


# --- decoding ---------------------------------------------------------------------------


class AnnexBDecoder:
    """Decode a live Annex-B byte stream fed in arbitrary chunks (e.g. HTTP ``iter_content``).

    :meth:`feed` returns the frames completed so far; the parser holds the newest access unit
    back until the next one starts, :meth:`flush` releases it. When the caller already has
    whole access units (the relay's viewers), :meth:`decode_unit` decodes one without that
    delay. Damaged data is counted in ``errors`` and skipped, never raised.
    """

    def __init__(self, codec: str = "h264") -> None:
        self.codec = codec_name(codec)
        self._ctx = av.CodecContext.create(self.codec, "r")
        self.frames = 0
        self.errors = 0

    def feed(self, chunk: bytes) -> list[av.VideoFrame]:
        out: list[av.VideoFrame] = []
        for packet in self._ctx.parse(chunk):
            out += self._decode(packet)
        return out

    def decode_unit(self, data: bytes) -> list[av.VideoFrame]:
        return self._decode(av.Packet(data))

    def flush(self) -> list[av.VideoFrame]:
        out: list[av.VideoFrame] = []
        for packet in self._ctx.parse(b""):
            out += self._decode(packet)
        return out + self._decode(None)

    def _decode(self, packet: av.Packet | None) -> list[av.VideoFrame]:
        try:
            frames = list(self._ctx.decode(packet))
        except (av.error.InvalidDataError, av.error.EOFError) as exc:
            if isinstance(exc, av.error.InvalidDataError):
                self.errors += 1
            return []
        self.frames += len(frames)
        return frames


def decode_annexb(data: bytes | Iterable[bytes], codec: str = "h264") -> list[av.VideoFrame]:
    """Every frame of a complete Annex-B stream, given as one buffer or as chunks."""
    decoder = AnnexBDecoder(codec)
    chunks = [data] if isinstance(data, bytes | bytearray | memoryview) else data
    out: list[av.VideoFrame] = []
    for chunk in chunks:
        out += decoder.feed(bytes(chunk))
    return out + decoder.flush()
