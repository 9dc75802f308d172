"""Alarm evidence made on the fly: JPEG photos and an H.264 MP4 clip (PyAV).

The picture is a synthetic dash-camera view (sky, road, lane marks that move in the clip, a
vehicle ahead) with overlay text that says which truck, when and what: the plate, the time
(running in the clip) and the alarm type, plus an optional note (the channel, or the last TTS
text sent to the driver). A person looking at the evidence can tell it is the right one.

Text is drawn with Pillow. Chinese is drawn only when a CJK font is found on this machine
(``TRUCKWATCH_CJK_FONT``, Noto CJK, WenQuanYi, Droid, or the Windows/macOS system fonts);
otherwise the plate is transliterated (``粤R12345`` → ``YUE R12345``) and other non-ASCII
text is left out, so the overlay stays readable everywhere.
"""

from __future__ import annotations

import functools
import io
import os
import threading
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ["cjk_font_path", "make_clip", "make_photo", "plate_ascii", "render_frame"]

#: Province abbreviations on plates, in pinyin (what the overlay shows without a CJK font).
PROVINCES = {
    "京": "JING", "津": "JIN", "沪": "HU", "渝": "YU", "冀": "JI", "晋": "JIN", "辽": "LIAO",
    "吉": "JI", "黑": "HEI", "苏": "SU", "浙": "ZHE", "皖": "WAN", "闽": "MIN", "赣": "GAN",
    "鲁": "LU", "豫": "YU", "鄂": "E", "湘": "XIANG", "粤": "YUE", "琼": "QIONG", "川": "CHUAN",
    "贵": "GUI", "黔": "QIAN", "云": "YUN", "滇": "DIAN", "陕": "SHAAN", "甘": "GAN", "陇": "LONG",
    "青": "QING", "蒙": "MENG", "桂": "GUI", "宁": "NING", "新": "XIN", "藏": "ZANG", "港": "GANG",
    "澳": "AO", "使": "SHI", "领": "LING", "警": "JING", "学": "XUE", "挂": "GUA",
}  # fmt: skip

_CJK_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)


@functools.cache
def cjk_font_path() -> Path | None:
    """A font file with Chinese glyphs on this machine, or None."""
    configured = os.environ.get("TRUCKWATCH_CJK_FONT")
    for candidate in (configured, *_CJK_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@functools.cache
def _font(size: int, cjk: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = cjk_font_path() if cjk else None
    if path is not None:
        try:
            return ImageFont.truetype(str(path), size)
        except OSError:
            pass
    return ImageFont.load_default(size=size)


def plate_ascii(plate: str) -> str:
    """``粤R12345`` → ``YUE R12345``; other non-ASCII characters are dropped."""
    out = []
    for i, ch in enumerate(plate):
        if ch.isascii():
            out.append(ch)
        elif ch in PROVINCES:
            out.append(PROVINCES[ch] + (" " if i == 0 else ""))
    return "".join(out).strip()


def _shown(text: str, cjk: bool) -> str:
    """The text as the overlay can draw it: unchanged with a CJK font, else ASCII only."""
    if cjk or text.isascii():
        return text
    return " ".join("".join(c if c.isascii() else " " for c in text).split())


# --- the picture ----------------------------------------------------------------------------

_SKY_TOP = np.array([70, 110, 170], dtype=np.float32)
_SKY_BOTTOM = np.array([170, 190, 210], dtype=np.float32)


@functools.lru_cache(maxsize=8)
def _background(width: int, height: int) -> np.ndarray:
    """Sky, green verges and a grey road in perspective (read-only)."""
    img = np.empty((height, width, 3), dtype=np.uint8)
    horizon = int(height * 0.45)
    t = np.linspace(0.0, 1.0, horizon, dtype=np.float32)[:, None]
    img[:horizon] = (_SKY_TOP * (1 - t) + _SKY_BOTTOM * t).astype(np.uint8)[:, None, :]
    img[horizon:] = (60, 110, 55)
    ys = np.arange(horizon, height)
    depth = (ys - horizon) / max(1, height - horizon)  # 0 at the horizon, 1 at the bottom
    half = (0.04 + 0.55 * depth) * width
    xs = np.arange(width)[None, :]
    road = np.abs(xs - width / 2) < half[:, None]
    block = img[horizon:]
    block[road] = (88, 88, 92)
    img.flags.writeable = False
    return img


def render_frame(
    width: int,
    height: int,
    t: float,
    lines: tuple[str, ...],
    footer: tuple[str, ...] = (),
    alert: bool = True,
) -> np.ndarray:
    """One RGB frame (height × width × 3) at clip time ``t`` seconds with the overlay text:
    ``lines`` at the top left (plate, time, ...), ``footer`` at the bottom (alarm, note)."""
    img = _background(width, height).copy()
    horizon = int(height * 0.45)
    span = height - horizon
    # Lane marks moving towards the camera (perspective spacing).
    for k in range(8):
        phase = (k / 8 + t * 0.9) % 1.0
        depth = phase**2
        y0 = horizon + int(depth * span)
        h = max(2, int(4 + 26 * depth))
        w = max(1, int(2 + 10 * depth))
        y1 = min(height, y0 + h)
        x = width // 2
        img[y0:y1, x - w // 2 : x + w // 2 + 1] = (235, 235, 225)
    # A lorry ahead, slowly coming closer.
    closeness = 0.35 + 0.1 * np.sin(t * 0.8)
    bw = int(width * 0.18 * closeness * 2)
    bh = int(bw * 0.8)
    bx = width // 2 - bw // 2
    by = horizon + int(span * closeness * 0.5) - bh // 2
    img[max(0, by) : by + bh, bx : bx + bw] = (150, 40, 35)
    img[by + bh - max(2, bh // 8) : by + bh, bx : bx + bw] = (30, 30, 30)
    if alert and int(t * 2) % 2 == 0:  # a blinking red frame: an alarm picture
        b = max(3, width // 160)
        img[:b] = img[-b:] = (220, 30, 30)
        img[:, :b] = img[:, -b:] = (220, 30, 30)
    _draw_text(img, lines, footer)
    return img


def _draw_text(img: np.ndarray, lines: tuple[str, ...], footer: tuple[str, ...]) -> None:
    height, width = img.shape[:2]
    cjk = cjk_font_path() is not None
    size = max(12, height // 18)
    pad = size // 3
    for block, top in ((lines, True), (footer, False)):
        texts = [_shown(s, cjk) for s in block if s]
        texts = [s for s in texts if s]
        if not texts:
            continue
        premultiplied, inverse = _text_tile(tuple(texts), size, cjk, width - 2 * pad)
        th, tw = inverse.shape[:2]
        y = pad if top else height - th - pad
        region = img[y : y + th, pad : pad + tw]
        region[:] = ((region * inverse + premultiplied) >> 8).astype(np.uint8)


_TEXT_LOCK = threading.Lock()  # one FreeType face per size is shared: draw one text at a time


def _text_tile(
    texts: tuple[str, ...], size: int, cjk: bool, max_width: int
) -> tuple[np.ndarray, np.ndarray]:
    """The lines of text on a translucent dark panel, ready to blend with integers:
    (colour × alpha, 256 - alpha), both uint16 (cached: the same lines repeat over the frames
    of a clip). Evidence is made in worker threads, so drawing is serialised."""
    with _TEXT_LOCK:
        return _text_tile_locked(texts, size, cjk, max_width)


@functools.lru_cache(maxsize=256)
def _text_tile_locked(
    texts: tuple[str, ...], size: int, cjk: bool, max_width: int
) -> tuple[np.ndarray, np.ndarray]:
    font = _font(size, cjk)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    line_h = int(size * 1.25)
    text_w = max(int(probe.textlength(s, font=font)) for s in texts)
    w = min(max_width, text_w + size)
    h = line_h * len(texts) + size // 3
    tile = Image.new("RGBA", (w, h), (0, 0, 0, 150))
    draw = ImageDraw.Draw(tile)
    for i, s in enumerate(texts):
        draw.text((size // 2, size // 6 + i * line_h), s, font=font, fill=(255, 255, 255, 255))
    arr = np.asarray(tile).astype(np.uint16)
    alpha = arr[..., 3:4] + (arr[..., 3:4] >> 7)  # 0..256
    premultiplied = arr[..., :3] * alpha
    inverse = (256 - alpha).astype(np.uint16)
    premultiplied.flags.writeable = inverse.flags.writeable = False
    return premultiplied, inverse


def _overlay(
    plate: str, when: datetime, alarm: str, note: str, label: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    cjk = cjk_font_path() is not None
    shown_plate = plate if cjk else plate_ascii(plate)
    stamp = when.strftime("%Y-%m-%d %H:%M:%S")
    lines = (f"{shown_plate}  {label}".strip(), stamp)
    footer = (alarm, note) if note else (alarm,)
    return lines, footer


# --- encoders -------------------------------------------------------------------------------


def make_photo(
    plate: str,
    when: datetime,
    alarm: str,
    *,
    note: str = "",
    index: int = 0,
    width: int = 640,
    height: int = 360,
    label: str = "",
) -> bytes:
    """One JPEG photo of an alarm: the ``index``-th of a series (the scene moves a little
    between photos) showing the plate, ``when`` and the alarm text."""
    t = index * 0.7
    lines, footer = _overlay(plate, when, alarm, note, label or f"photo {index + 1}")
    rgb = render_frame(width, height, t, lines, footer, alert=True)
    return encode_jpeg(rgb)


def encode_jpeg(rgb: np.ndarray, quality: int = 4) -> bytes:
    """Encode an RGB array as a baseline JPEG (PyAV's MJPEG encoder); ``quality`` is the
    JPEG q-scale, 2 (best) to 31."""
    height, width = rgb.shape[:2]
    ctx = av.CodecContext.create("mjpeg", "w")
    ctx.width, ctx.height = width, height
    ctx.pix_fmt = "yuvj420p"
    ctx.time_base = Fraction(1, 25)
    ctx.options = {"qmin": str(quality), "qmax": str(quality)}
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
    frame = frame.reformat(format="yuvj420p")
    frame.pts = 0
    data = b"".join(bytes(p) for p in ctx.encode(frame))
    data += b"".join(bytes(p) for p in ctx.encode(None))
    return data


def make_clip(
    plate: str,
    when: datetime,
    alarm: str,
    *,
    note: str = "",
    seconds: float = 6.0,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    label: str = "",
    before: float | None = None,
) -> bytes:
    """An H.264 MP4 clip around an alarm (by default half before ``when``, half after): the
    clock on the picture runs from ``when - before``. Plays in any standard player."""
    frames = max(1, round(seconds * fps))
    start = when - timedelta(seconds=seconds / 2 if before is None else before)
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.thread_count = 1
        stream.options = {"preset": "ultrafast", "crf": "26", "g": str(fps), "bf": "0"}
        last_second = None
        lines: tuple[str, ...] = ()
        footer: tuple[str, ...] = ()
        for i in range(frames):
            t = i / fps
            moment = start + timedelta(seconds=t)
            second = int(moment.timestamp())
            if second != last_second:
                lines, footer = _overlay(plate, moment, alarm, note, label)
                last_second = second
            rgb = render_frame(width, height, t, lines, footer, alert=True)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()
