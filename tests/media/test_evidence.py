"""Evidence files made on the fly: JPEG photos and an H.264 MP4 clip with overlay text."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import av
import numpy as np
import pytest

from console.media import evidence
from console.media.evidence import make_clip, make_photo, plate_ascii, render_frame
from console.protocol.binary import CHINA_TZ

WHEN = datetime(2025, 3, 4, 10, 20, 30, tzinfo=CHINA_TZ)
FFPROBE = shutil.which("ffprobe")


def probe(path: Path) -> dict:
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def clip() -> bytes:
    return make_clip("粤R12345", WHEN, "DSM fatigue driving L2 (dsm.01)", note="TTS: rest now")


def test_photo_is_a_jpeg_that_decodes_at_the_size_asked() -> None:
    data = make_photo("粤R12345", WHEN, "ADAS forward collision", index=1)
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    with av.open(io.BytesIO(data)) as container:
        frame = next(container.decode(video=0))
    assert (frame.width, frame.height) == (640, 360)


def test_photos_of_a_series_differ() -> None:
    first = make_photo("粤R12345", WHEN, "BSD", index=0)
    second = make_photo("粤R12345", WHEN, "BSD", index=1)
    assert first != second


def test_clip_is_h264_mp4_of_the_right_length(clip: bytes) -> None:
    with av.open(io.BytesIO(clip)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = list(container.decode(video=0))
    assert len(frames) == 150
    assert (frames[0].width, frames[0].height) == (640, 360)


@pytest.mark.skipif(FFPROBE is None, reason="ffprobe not installed")
def test_ffprobe_reports_h264_with_the_duration(clip: bytes, tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(clip)
    info = probe(path)
    (video,) = [s for s in info["streams"] if s["codec_type"] == "video"]
    assert video["codec_name"] == "h264"
    assert (video["width"], video["height"]) == (640, 360)
    assert abs(float(info["format"]["duration"]) - 6.0) <= 0.2


@pytest.mark.skipif(FFPROBE is None, reason="ffprobe not installed")
def test_a_shorter_clip_at_another_size(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(make_clip("粤R1", WHEN, "TPMS", seconds=2.0, width=320, height=180, fps=10))
    info = probe(path)
    assert abs(float(info["format"]["duration"]) - 2.0) <= 0.2
    assert (info["streams"][0]["width"], info["streams"][0]["height"]) == (320, 180)


def test_the_overlay_changes_the_picture() -> None:
    plain = render_frame(320, 180, 0.0, ())
    marked = render_frame(320, 180, 0.0, ("YUE R12345", "2025-03-04 10:20:30"), ("DSM",))
    assert plain.shape == (180, 320, 3)
    top_left = (slice(0, 40), slice(0, 160))
    assert not np.array_equal(plain[top_left], marked[top_left])


def test_plates_are_transliterated_without_a_cjk_font() -> None:
    assert plate_ascii("粤R12345") == "YUE R12345"
    assert plate_ascii("京A·12345") == "JING A12345"


def test_without_a_cjk_font_chinese_text_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence, "cjk_font_path", lambda: None)
    lines, footer = evidence._overlay("粤R12345", WHEN, "DSM 疲劳驾驶报警 / fatigue", "", "CH65")
    assert lines == ("YUE R12345  CH65", "2025-03-04 10:20:30")
    assert evidence._shown(footer[0], cjk=False) == "DSM / fatigue"
