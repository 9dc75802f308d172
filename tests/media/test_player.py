"""The clip player (console/media/player.py) on real clips: MP4 from the evidence maker, raw
Annex-B H.264/H.265, cut and garbage files, with real PyAV codecs."""

from __future__ import annotations

import io
import random
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from console.media import h264
from console.media.evidence import make_clip
from console.media.player import ClipPlayer, MediaError

FPS = 10
FRAMES = 30  # 3 s


def _encoder_available(name: str) -> bool:
    try:
        av.codec.Codec(name, "w")
    except Exception:
        return False
    return True


needs_x265 = pytest.mark.skipif(
    not _encoder_available("libx265"), reason="PyAV's FFmpeg has no libx265 encoder"
)


def mp4_clip(codec: str = "libx264", *, faststart: bool = False, tmp: Path | None = None) -> bytes:
    """``FRAMES`` frames of the test pattern, key frame every second, no B-frames."""
    target: io.BytesIO | str = io.BytesIO() if tmp is None else str(tmp / f"clip-{codec}.mp4")
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(target, "w", format="mp4", options=options) as out:
        stream = out.add_stream(codec, rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        stream.options = {"g": str(FPS), "bf": "0"}
        if codec == "libx265":
            stream.options = {"x265-params": f"keyint={FPS}:bframes=0:log-level=error"}
        for i in range(FRAMES):
            frame = h264.test_pattern(160, 96, i)
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return target.getvalue() if isinstance(target, io.BytesIO) else Path(target).read_bytes()


def raw_clip(codec: str) -> bytes:
    return b"".join(u.data for u in h264.encode_test_clip(160, 96, FPS, FRAMES / FPS, codec=codec))


def same_picture(a: np.ndarray, b: np.ndarray) -> bool:
    """Decoding is deterministic: the same frame reached another way is bit-identical
    (and a neighbour, even of a slow scene, is not)."""
    return np.array_equal(a, b)


@pytest.fixture(scope="module")
def evidence_mp4() -> bytes:
    return make_clip("粤R12345", datetime(2024, 5, 1, 8, 0, 0), "前向碰撞报警", seconds=2.0)


# --- H.264 MP4 ------------------------------------------------------------------------------


def test_mp4_describes_itself(evidence_mp4: bytes) -> None:
    with ClipPlayer(io.BytesIO(evidence_mp4)) as player:
        info = player.info
    assert (info.codec, info.width, info.height, info.container) == ("h264", 640, 360, "mp4")
    assert info.fps == 25 and info.frame_count == 50 and info.duration == pytest.approx(2.0)


def test_mp4_decodes_every_frame_in_order(evidence_mp4: bytes) -> None:
    with ClipPlayer(io.BytesIO(evidence_mp4)) as player:
        frames = list(player.frames())
        assert player.read() is None
    assert [f.index for f in frames] == list(range(50))
    assert frames[-1].time == pytest.approx(49 / 25)
    y, u, v = frames[0].planes()
    assert y.shape == (360, 640) and u.shape == v.shape == (180, 320)


def test_mp4_seek_lands_on_the_exact_frame(evidence_mp4: bytes) -> None:
    with ClipPlayer(io.BytesIO(evidence_mp4)) as player:
        reference = [f.planes()[0].copy() for f in player.frames()]
        for index in (37, 3, 25, 49, 0, 12):  # between key frames, on them, both ends
            frame = player.seek(index / 25)
            assert frame is not None and frame.index == index
            assert same_picture(frame.planes()[0], reference[index])
            assert not same_picture(frame.planes()[0], reference[index - 1 if index else 1])


def test_reading_continues_after_a_seek(evidence_mp4: bytes) -> None:
    with ClipPlayer(io.BytesIO(evidence_mp4)) as player:
        player.seek(1.0)
        assert [player.step().index for _ in range(3)] == [26, 27, 28]
        assert len(list(player.frames())) == 50 - 29


def test_seek_past_the_end_gives_the_last_frame(evidence_mp4: bytes) -> None:
    with ClipPlayer(io.BytesIO(evidence_mp4)) as player:
        assert player.seek(99.0).index == 49
        assert player.read() is None


def test_opens_a_path(tmp_path: Path, evidence_mp4: bytes) -> None:
    path = tmp_path / "01_01_6401_3_ABC.mp4"
    path.write_bytes(evidence_mp4)
    with ClipPlayer(path) as player:
        assert sum(1 for _ in player.frames()) == 50


# --- H.265 ----------------------------------------------------------------------------------


@needs_x265
def test_hevc_mp4_plays_and_seeks() -> None:
    data = mp4_clip("libx265")
    with ClipPlayer(io.BytesIO(data)) as player:
        assert player.info.codec == "hevc" and player.info.frame_count == FRAMES
        reference = [f.planes()[0].copy() for f in player.frames()]
        assert len(reference) == FRAMES
        frame = player.seek(17 / FPS)
        assert frame.index == 17 and same_picture(frame.planes()[0], reference[17])


# --- raw Annex-B (苏标 .h264) ------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["h264", pytest.param("hevc", marks=needs_x265)])
def test_raw_annexb_plays_every_frame(codec: str) -> None:
    with ClipPlayer(io.BytesIO(raw_clip(codec))) as player:  # no name: sniffed
        assert player.info.codec == codec and player.info.container == codec
        assert player.info.frame_count == FRAMES and player.info.fps == FPS
        assert [f.index for f in player.frames()] == list(range(FRAMES))


@pytest.mark.parametrize("codec", ["h264", pytest.param("hevc", marks=needs_x265)])
def test_raw_annexb_seeks_to_the_exact_frame(codec: str) -> None:
    with ClipPlayer(io.BytesIO(raw_clip(codec))) as player:
        reference = [f.planes()[0].copy() for f in player.frames()]
        for index in (23, 5, 29, 0):
            frame = player.seek(index / FPS)
            assert frame.index == index and same_picture(frame.planes()[0], reference[index])
        assert player.step().index == 1


def test_raw_file_by_its_name(tmp_path: Path) -> None:
    path = tmp_path / "00_65_6501_3_0001.h264"
    path.write_bytes(raw_clip("h264"))
    with ClipPlayer(path) as player:
        assert player.info.container == "h264"
        assert sum(1 for _ in player.frames()) == FRAMES


# --- broken files ---------------------------------------------------------------------------


def test_mp4_cut_before_its_index_cannot_be_opened(evidence_mp4: bytes) -> None:
    with pytest.raises(MediaError) as err:
        ClipPlayer(io.BytesIO(evidence_mp4[: len(evidence_mp4) // 2]))
    assert err.value.code == "unreadable"
    assert "不完整" in err.value.describe() and "incomplete" in err.value.describe("en")


def test_mp4_cut_in_half_plays_what_it_has_then_says_so(tmp_path: Path) -> None:
    data = mp4_clip(faststart=True, tmp=tmp_path)  # index first: what was received can play
    player = ClipPlayer(io.BytesIO(data[: len(data) // 2]))
    frames = []
    with pytest.raises(MediaError) as err:
        while (frame := player.read()) is not None:
            frames.append(frame.index)
    assert err.value.code == "truncated"
    assert 0 < len(frames) < FRAMES and frames == list(range(len(frames)))
    assert player.read() is None  # said once; then simply the end
    player.close()


@pytest.mark.parametrize("name", [None, "garbage.mp4", "garbage.h264"])
def test_garbage_is_a_media_error(name: str | None) -> None:
    noise = random.Random(6).randbytes(20_000)
    with pytest.raises(MediaError) as err:
        ClipPlayer(io.BytesIO(noise), name=name)
    assert err.value.code == "corrupt" and err.value.describe() == "视频文件已损坏或格式无法识别。"


def test_empty_file_is_a_media_error() -> None:
    with pytest.raises(MediaError):
        ClipPlayer(io.BytesIO(b""))


def test_missing_path_is_a_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError) as err:
        ClipPlayer(tmp_path / "gone.mp4")
    assert err.value.code == "not_found"
