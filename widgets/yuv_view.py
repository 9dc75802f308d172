"""Decoded YUV frames into Qt without a CPU RGB conversion.

:func:`to_video_frame` copies the three planes of a PyAV ``yuv420p`` frame into a
``QVideoFrame`` of ``Format_YUV420P``; a ``QVideoSink`` (that of a ``QVideoWidget``) then
converts on the GPU, or in Qt's own renderer where there is none. The copy runs on the
decoding thread, so the UI thread only hands the finished frame to the sink.
"""

from __future__ import annotations

from typing import Any

import av
import numpy as np
from PySide6.QtCore import QSize
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

# Decoders give yuvj420p for full-range streams: same layout, so no reformat is needed.
_YUV420P = frozenset({"yuv420p", "yuvj420p"})


def to_video_frame(frame: av.VideoFrame) -> QVideoFrame:
    """A new ``QVideoFrame`` (YUV 4:2:0 planar) holding a copy of ``frame``'s picture."""
    if frame.format.name not in _YUV420P or frame.width % 2 or frame.height % 2:
        frame = frame.reformat(format="yuv420p", width=frame.width & ~1, height=frame.height & ~1)
    width, height = frame.width, frame.height
    fmt = QVideoFrameFormat(QSize(width, height), QVideoFrameFormat.PixelFormat.Format_YUV420P)
    if frame.format.name == "yuvj420p":
        fmt.setColorRange(QVideoFrameFormat.ColorRange.ColorRange_Full)
    out = QVideoFrame(fmt)
    if not out.map(QVideoFrame.MapMode.WriteOnly):
        raise RuntimeError("cannot map a QVideoFrame for writing")
    try:
        for i, plane in enumerate(frame.planes):
            rows = height if i == 0 else height // 2
            cols = width if i == 0 else width // 2
            _copy_plane(plane, plane.line_size, out.bits(i), out.bytesPerLine(i), rows, cols)
    finally:
        out.unmap()
    return out


def _copy_plane(
    src: Any, src_stride: int, dst: memoryview, dst_stride: int, rows: int, cols: int
) -> None:
    """Copy ``rows`` × ``cols`` bytes between buffers whose rows are padded differently."""
    source = memoryview(src)
    if src_stride == dst_stride:
        n = min(len(source), len(dst), rows * dst_stride)
        dst[:n] = source[:n]  # one memcpy
        return
    src_rows = np.frombuffer(source, np.uint8, rows * src_stride).reshape(rows, src_stride)
    dst_rows = np.frombuffer(dst, np.uint8, rows * dst_stride).reshape(rows, dst_stride)
    dst_rows[:, :cols] = src_rows[:, :cols]
