"""More checks of ``--self-test``: the parts a packaged build can lose on the way.

The demo self-test (:mod:`widgets.self_test`) proves the platform, the fleet and the map
work together; these prove what an installer could leave out or break:

- **video**: PyAV decodes H.264 and H.265, the codecs terminals send (JT/T 1078). The clip
  is encoded in memory with libx264/libx265 when this PyAV build has them, else a sample
  embedded here (made by :func:`make_sample`) is decoded; frames are compared with the
  synthetic pattern they were made from.
- **chart**: pyqtgraph renders a plot (offscreen grab, counted pixels of the pen's colour).
- **map**: the map page runs the bundled Leaflet from local files: its scripts and style
  sheets all come from ``file:`` URLs, nothing from the network.
- **platform**: the embedded platform accepted simulated terminals (they are online).

Every check returns a dict with ``ok`` and figures; none raises.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import Any

import av
import numpy as np

from console.media.h264 import decode_annexb, encode_test_clip, test_pattern

#: The test clip: 4 frames of 64×64 at 10 fps (x265's smallest comfortable size).
WIDTH = HEIGHT = 64
FPS = 10
FRAMES = 4
#: Mean absolute difference of the luma plane allowed between pattern and decoded frame.
MAX_LUMA_ERROR = 12.0
ENCODERS = {"h264": "libx264", "hevc": "libx265"}

# Annex-B streams of the same clip, from make_sample() (PyAV 18.1, libx264/libx265).
SAMPLES = {
    "h264": (
        "AAAAAWdCwAraEJoQAAADABAAAAMBSPEiagAAAAFozg/IAAABBgX//0HcRem95tlIt5Ys2CDZI+7veDI2NCAtIGNv"
        "cmUgMTY1IC0gSC4yNjQvTVBFRy00IEFWQyBjb2RlYyAtIENvcHlsZWZ0IDIwMDMtMjAyNSAtIGh0dHA6Ly93d3cu"
        "dmlkZW9sYW4ub3JnL3gyNjQuaHRtbCAtIG9wdGlvbnM6IGNhYmFjPTAgcmVmPTEgZGVibG9jaz0wOjA6MCBhbmFs"
        "eXNlPTA6MCBtZT1kaWEgc3VibWU9MCBwc3k9MSBwc3lfcmQ9MS4wMDowLjAwIG1peGVkX3JlZj0wIG1lX3Jhbmdl"
        "PTE2IGNocm9tYV9tZT0xIHRyZWxsaXM9MCA4eDhkY3Q9MCBjcW09MCBkZWFkem9uZT0yMSwxMSBmYXN0X3Bza2lw"
        "PTEgY2hyb21hX3FwX29mZnNldD0wIHRocmVhZHM9MSBsb29rYWhlYWRfdGhyZWFkcz0xIHNsaWNlZF90aHJlYWRz"
        "PTAgbnI9MCBkZWNpbWF0ZT0xIGludGVybGFjZWQ9MCBibHVyYXlfY29tcGF0PTAgY29uc3RyYWluZWRfaW50cmE9"
        "MCBiZnJhbWVzPTAgd2VpZ2h0cD0wIGtleWludD0yMCBrZXlpbnRfbWluPTExIHNjZW5lY3V0PTAgaW50cmFfcmVm"
        "cmVzaD0wIHJjPWNyZiBtYnRyZWU9MCBjcmY9MjMuMCBxY29tcD0wLjYwIHFwbWluPTAgcXBtYXg9NjkgcXBzdGVw"
        "PTQgaXBfcmF0aW89MS40MCBhcT0wAIAAAAFliIQ6CmAAgBDvARwYMmLEyMQVKIQghMZOzs7OOAAIBoAAgnMP44AA"
        "gFgACCQw/jgACAaAAIJxkcAAQCwABBIMv7+AsgDDmmgOHnxtq3+/fxwABB9jgACD5H4OAwOFIre3d3e3t3d3H4HA"
        "Q4cgd3d3d3d3d3cfgcBDhyB3d3d3d3d3dx2DgMDhUarrbbrrbbbbbbbbbbLisufC58HYHAQ4cybbbbbbbbbbbbbb"
        "bbLn5eXjsDgIcOZNtttttttttttttttlz8vL4AAAAAFBmiBqwUgUApC4K2ePABxCuIPKaMdOhZJv6dkzugAAIDYA"
        "AgSgAHwAAECqgEAAEBkAAQIQAC4AACBBQePMAAEBkAAQIAADQaTDx4AOYjCTSWCmjISR69GpAxAAEVJWIAAihKgA"
        "AICwAAgNgAOgAAIDFAsAAQFAABAXAAVAAAQDqBzHAfEgm4AOYrSTSWi2zAQQ69mRAGYAAICgAAgMAAKBRMwBIxxi"
        "3KEsFBxBnwWPAxzHAfqOY4D9RzHAfgmnvDPfPfPfHMcBxWH6jmOA/UcxwH4Jp757575745jgOK/qOY4D9RzHAeGA"
        "yCjiTgk5iTgk4OY4DisHVkV4rwAAAAFBmkBKwJIFgKRQbig3VVUUG4oN1ADyAMOYYAoffkwbalHgACARAABBBAAE"
        "A5AcxweBYAkgjiwABAIoAAgfwAAIBVIOAAIAwAAgdgACAIycAACG8pIAAIaijmOD9RzHB4OQcKOY4PCEEWHAAEAY"
        "AAQOwABAEQccxwfghkgAAhqKSAACGQvjmOD9RzHB4OQcKOY4P1HMcH6jmOD9RzHB4IQQKOY4PwUdV1UcxwcV4rxX"
        "gAAAAAFBmmCrDIOATRXFd7x8ceBYAshS77v8ABIjEVg7WalwQZ6QzAADIAQCzEsAD5EMrhVKxLxhXTg+OPA0gaFH"
        "xx+o+OPDIOATXve8fHHCeAAjB4A/JKwAWYBQhxD5EL8bfF5DUG+5AAfMxlcItZA7rhIxIAALABAMuEAAFABAZLAC"
        "YyIaDKSWM4w8VyAAC4AwE3PUfHH6j448FAKVHxx8IKPjj9R8cfqPjjwhBH1UfHHhAIqPjjwcA5UfHHg4Byo+OOA="
    ),
    "hevc": (
        "AAAAAUABDAH//wFgAAADAJAAAAMAAAMAHroCQAAAAAFCAQEBYAAAAwCQAAADAAADAB6gIIEFlukpMLmgIAAAAwAg"
        "AAADAUEAAAABRAHAcYESAAABTgEF////////////Byyi3gm1F0fbu1Wk/n/C/E54MjY1IChidWlsZCAyMTYpIC0g"
        "NC4yKzEtZTQ0NDc0NDpbTGludXhdW0dDQyAxNC4yLjFdWzY0IGJpdF0gOGJpdCsxMGJpdCsxMmJpdCAtIEguMjY1"
        "L0hFVkMgY29kZWMgLSBDb3B5cmlnaHQgMjAxMy0yMDE4IChjKSBNdWx0aWNvcmV3YXJlLCBJbmMgLSBodHRwOi8v"
        "eDI2NS5vcmcgLSBvcHRpb25zOiBjcHVpZD0xMTExMDM5IGZyYW1lLXRocmVhZHM9MSBuby13cHAgbm8tcG1vZGUg"
        "bm8tcG1lIG5vLXBzbnIgbm8tc3NpbSBsb2ctbGV2ZWw9MCBiaXRkZXB0aD04IGlucHV0LWNzcD0xIGZwcz0xMC8x"
        "IGlucHV0LXJlcz02NHg2NCBpbnRlcmxhY2U9MCB0b3RhbC1mcmFtZXM9MCBsZXZlbC1pZGM9MCBoaWdoLXRpZXI9"
        "MSB1aGQtYmQ9MCByZWY9MSBuby1hbGxvdy1ub24tY29uZm9ybWFuY2UgcmVwZWF0LWhlYWRlcnMgYW5uZXhiIG5v"
        "LWF1ZCBuby1lb2Igbm8tZW9zIG5vLWhyZCBpbmZvIGhhc2g9MCB0ZW1wb3JhbC1sYXllcnM9MCBuby1vcGVuLWdv"
        "cCBtaW4ta2V5aW50PTIwIGtleWludD0yMCBnb3AtbG9va2FoZWFkPTAgYmZyYW1lcz0wIGItYWRhcHQ9MCBuby1i"
        "LXB5cmFtaWQgYmZyYW1lLWJpYXM9MCByYy1sb29rYWhlYWQ9MCBsb29rYWhlYWQtc2xpY2VzPTAgc2NlbmVjdXQ9"
        "MCBuby1oaXN0LXNjZW5lY3V0IHJhZGw9MCBuby1zcGxpY2Ugbm8taW50cmEtcmVmcmVzaCBjdHU9MzIgbWluLWN1"
        "LXNpemU9MTYgbm8tcmVjdCBuby1hbXAgbWF4LXR1LXNpemU9MzIgdHUtaW50ZXItZGVwdGg9MSB0dS1pbnRyYS1k"
        "ZXB0aD0xIGxpbWl0LXR1PTAgcmRvcS1sZXZlbD0wIGR5bmFtaWMtcmQ9MC4wMCBuby1zc2ltLXJkIG5vLXNpZ25o"
        "aWRlIG5vLXRza2lwIG5yLWludHJhPTAgbnItaW50ZXI9MCBuby1jb25zdHJhaW5lZC1pbnRyYSBzdHJvbmctaW50"
        "cmEtc21vb3RoaW5nIG1heC1tZXJnZT0yIGxpbWl0LXJlZnM9MCBuby1saW1pdC1tb2RlcyBtZT0wIHN1Ym1lPTAg"
        "bWVyYW5nZT01NyB0ZW1wb3JhbC1tdnAgbm8tZnJhbWUtZHVwIG5vLWhtZSBuby13ZWlnaHRwIG5vLXdlaWdodGIg"
        "bm8tYW5hbHl6ZS1zcmMtcGljcyBkZWJsb2NrPTA6MCBuby1zYW8gbm8tc2FvLW5vbi1kZWJsb2NrIHJkPTIgc2Vs"
        "ZWN0aXZlLXNhbz0wIGVhcmx5LXNraXAgcnNraXAgZmFzdC1pbnRyYSBuby10c2tpcC1mYXN0IG5vLWN1LWxvc3Ns"
        "ZXNzIG5vLWItaW50cmEgbm8tc3BsaXRyZC1za2lwIHJkcGVuYWx0eT0wIHBzeS1yZD0yLjAwIHBzeS1yZG9xPTAu"
        "MDAgbm8tcmQtcmVmaW5lIG5vLWxvc3NsZXNzIGNicXBvZmZzPTAgY3JxcG9mZnM9MCByYz1jcmYgY3JmPTI4LjAg"
        "cWNvbXA9MC42MCBxcHN0ZXA9NCBzdGF0cy13cml0ZT0wIHN0YXRzLXJlYWQ9MCBpcHJhdGlvPTEuNDAgYXEtbW9k"
        "ZT0wIGFxLXN0cmVuZ3RoPTAuMDAgbm8tY3V0cmVlIHpvbmUtY291bnQ9MCBuby1zdHJpY3QtY2JyIHFnLXNpemU9"
        "MzIgbm8tcmMtZ3JhaW4gcXBtYXg9NjkgcXBtaW49MCBuby1jb25zdC12YnYgc2FyPTAgb3ZlcnNjYW49MCB2aWRl"
        "b2Zvcm1hdD01IHJhbmdlPTAgY29sb3JwcmltPTIgdHJhbnNmZXI9MiBjb2xvcm1hdHJpeD0yIGNocm9tYWxvYz0w"
        "IGRpc3BsYXktd2luZG93PTAgY2xsPTAsMCBtaW4tbHVtYT0wIG1heC1sdW1hPTI1NSBsb2cyLW1heC1wb2MtbHNi"
        "PTggdnVpLXRpbWluZy1pbmZvIHZ1aS1ocmQtaW5mbyBzbGljZXM9MSBuby1vcHQtcXAtcHBzIG5vLW9wdC1yZWYt"
        "bGlzdC1sZW5ndGgtcHBzIG5vLW11bHRpLXBhc3Mtb3B0LXJwcyBzY2VuZWN1dC1iaWFzPTAuMDUgbm8tb3B0LWN1"
        "LWRlbHRhLXFwIG5vLWFxLW1vdGlvbiBuby1oZHIxMCBuby1oZHIxMC1vcHQgbm8tZGhkcjEwLW9wdCBuby1pZHIt"
        "cmVjb3Zlcnktc2VpIGFuYWx5c2lzLXJldXNlLWxldmVsPTAgYW5hbHlzaXMtc2F2ZS1yZXVzZS1sZXZlbD0wIGFu"
        "YWx5c2lzLWxvYWQtcmV1c2UtbGV2ZWw9MCBzY2FsZS1mYWN0b3I9MCByZWZpbmUtaW50cmE9MCByZWZpbmUtaW50"
        "ZXI9MCByZWZpbmUtbXY9MSByZWZpbmUtY3R1LWRpc3RvcnRpb249MCBuby1saW1pdC1zYW8gY3R1LWluZm89MCBu"
        "by1sb3dwYXNzLWRjdCByZWZpbmUtYW5hbHlzaXMtdHlwZT0wIGNvcHktcGljPTEgbWF4LWF1c2l6ZS1mYWN0b3I9"
        "MS4wIG5vLWR5bmFtaWMtcmVmaW5lIG5vLXNpbmdsZS1zZWkgbm8taGV2Yy1hcSBuby1zdnQgbm8tZmllbGQgcXAt"
        "YWRhcHRhdGlvbi1yYW5nZT0xLjAwIHNjZW5lY3V0LWF3YXJlLXFwPTBjb25mb3JtYW5jZS13aW5kb3ctb2Zmc2V0"
        "cyByaWdodD0wIGJvdHRvbT0wIGRlY29kZXItbWF4LXJhdGU9MCBuby12YnYtbGl2ZS1tdWx0aS1wYXNzIG5vLW1j"
        "c3RmIG5vLXNicmMgbm8tZnJhbWUtcmOAAAABKAGt4GcDzec9Y4MRcH/rp+VBCf+93B+db7hHYX82UKkbjm/fDWrE"
        "lp5yEtwYLNEbVTtnN/ytnW5In+ZT8mRxr2EIvJsDRAL3B0TSdZ20TFXuU26a7spuphKwZJ+ZZ81ETRT/1sNK9BHK"
        "nMBljnn798JeT4bxPwkWqIsZYkYeJ2uK2mG8bSzegk5Y3w2Hsy4h5/gAAAABAgHQCXiB3L3S1xrFHR4w/sAFUyWn"
        "vn6in6cd5Wz6KRaHLIlseh2NWGCote0nHLHczFPk5FtfYmJ/pNMovJcqg/pSNczKtEvj16atpVIgATDjDGD7kZfJ"
        "gHnYNjgidwxcChKg+iWnqiRiMP3jkF47JNlch3VnjZsiTv1MYpKan2NdOHduLODdfxzX1QktkcyooqJYgFzM9LJ1"
        "hxpKdKXPqiDNMTn6rXqju1NHs5OSvZOXAhHrWQihxfXb+cM284APQ3SHPhDXjcj/15JL0CEbGZYtnQcyq9O7h6wt"
        "/3smFK6AhD+sBacEQK0l7UuNnCz9PnHgQVZ0+4HgoCWFOjyvuUsUjSUbaozq8wtQM04qspH7bkZfBJIcwqkoVCBN"
        "7fPLJgKLHJbH7dXEi9g3dEiO3c5LTLR8TC4RWQwms3Em8zJppA5lvuC00MpApsJl2srCFdF41gFLVimpvPjpWpOP"
        "QebukoyiJO4Ks8X4T9+HZ8Gbj7oprqsyA5Z0Jaf///t0owOwTGxwin4WH1FIilJ+nC4mEhm+V8BiVYTJatbtfAE1"
        "ypO5RxbdAetrPKQUP+yBF2ZMd8gZjgAAAAECAdAR/iHQQbubhAY16dTN5Ec55AmvUgYu+5wiXvy27IQTPVSfuv5p"
        "i8gP8oQD4/4mOQupH0ESTEhWVovOzai7p9n4MSz/XMKeEfB7U+L4nDE/GEm1ss7mSQ12YxwarJ41gTqAAAAAAQIB"
        "0Bn+JSf0o/TA6jRlhf8V+I/dCKTol7VOkryAUiZcWIjKvNTSJbbJQW1W+G7JEFuYn3zaJxLN9wY8FhwHMzBzAH4g"
        "duBuxI4l4WrWsO38XmrgvwILi29BauA="
    ),
}

#: Runs in the map page: where its scripts and style sheets come from, and Leaflet's version.
MAP_PROBE = """JSON.stringify((() => {
  const urls = [...document.querySelectorAll("script[src], link[rel=stylesheet][href]")]
    .map((e) => e.src || e.href);
  return {
    leaflet: window.L ? window.L.version : null,
    protocol: location.protocol,
    assets: urls.length,
    remote: urls.filter((u) => !/^(file|data|qrc|blob):/.test(u)),
  };
})())"""


def make_sample(codec: str) -> bytes:
    """The test clip as one Annex-B stream, encoded with this PyAV build."""
    units = encode_test_clip(WIDTH, HEIGHT, FPS, FRAMES / FPS, codec=codec)
    return b"".join(unit.data for unit in units)


def video(codec: str, *, prefer_encoder: bool = True) -> dict[str, Any]:
    """Decode the test clip in ``codec`` ("h264" or "hevc") and compare it with its pattern."""
    try:
        if prefer_encoder and ENCODERS[codec] in av.codecs_available:
            data, source = make_sample(codec), "encoded"
        else:
            data, source = base64.b64decode("".join(SAMPLES[codec])), "embedded"
        frames = decode_annexb(data, codec)
        errors = [
            float(np.abs(_luma(frame) - _luma(test_pattern(WIDTH, HEIGHT, i))).mean())
            for i, frame in enumerate(frames)
        ]
    except Exception as exc:  # a broken build raises anything: report it, do not crash
        return {"ok": False, "reason": f"{type(exc).__name__}: {exc}"}
    worst = max(errors, default=float("inf"))
    return {
        "ok": len(frames) == FRAMES and worst <= MAX_LUMA_ERROR,
        "frames": len(frames),
        "size": f"{frames[0].width}x{frames[0].height}" if frames else None,
        "luma_error": round(worst, 2),
        "source": source,
    }


def _luma(frame: av.VideoFrame) -> np.ndarray:
    return frame.to_ndarray(format="gray").astype(np.float32)


def chart() -> dict[str, Any]:
    """Render a small pyqtgraph plot offscreen and count the pixels of its red pen."""
    try:
        import pyqtgraph as pg
        from PySide6.QtGui import QImage

        widget = pg.PlotWidget(background="w")
        try:
            widget.resize(240, 160)
            widget.plot([0, 1, 2, 3, 4], [0, 3, 1, 4, 2], pen=pg.mkPen((220, 30, 30), width=4))
            image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        finally:
            widget.deleteLater()
        w, h = image.width(), image.height()
        pixels = np.frombuffer(image.constBits(), np.uint8, count=h * image.bytesPerLine())
        bgra = pixels.reshape(h, image.bytesPerLine())[:, : 4 * w].reshape(h, w, 4)
        b, g, r = (bgra[..., i].astype(int) for i in range(3))
        red = int(((r > 170) & (g < 110) & (b < 110)).sum())
        white = int(((r > 240) & (g > 240) & (b > 240)).sum())
    except Exception as exc:
        return {"ok": False, "reason": f"{type(exc).__name__}: {exc}"}
    return {
        "ok": red >= 100 and white >= w * h // 2,
        "red_pixels": red,
        "size": f"{w}x{h}",
        "pyqtgraph": pg.__version__,
    }


def map_offline(probe: Any) -> dict[str, Any]:
    """Judge what :data:`MAP_PROBE` returned (a JSON string, or None if the page is gone)."""
    try:
        found = json.loads(probe)
    except (TypeError, ValueError):
        return {"ok": False, "reason": f"the map page did not answer the probe: {probe!r}"}
    remote = list(found.get("remote") or [])
    return {
        "ok": bool(found.get("leaflet"))
        and found.get("protocol") == "file:"
        and int(found.get("assets") or 0) > 0
        and not remote,
        "leaflet": found.get("leaflet"),
        "protocol": found.get("protocol"),
        "local_assets": int(found.get("assets") or 0) - len(remote),
        "remote_assets": remote,
    }


def platform(figures: dict[str, Any]) -> dict[str, Any]:
    """The embedded platform accepted simulated terminals: they authenticated and are online."""
    online = int(figures.get("vehicles_online") or 0)
    return {"ok": online > 0, "terminals_online": online}


def run(map_probe: Any, figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every check, by name."""
    return {
        "h264": video("h264"),
        "h265": video("hevc"),
        "chart": chart(),
        "map": map_offline(map_probe),
        "platform": platform(figures),
    }


def build() -> dict[str, Any]:
    """What is running: a frozen (PyInstaller) build, inside an AppImage, or from source."""
    return {
        "frozen": bool(getattr(sys, "frozen", False)),
        "appimage": bool(os.environ.get("APPIMAGE")),
        "chromium_sandbox": not (
            os.environ.get("QTWEBENGINE_DISABLE_SANDBOX") == "1"
            or "--no-sandbox" in os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        ),
    }
