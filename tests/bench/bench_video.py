"""Live video wall capacity: prints ``name: value unit`` lines.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_video.py [--steps 1 4 9 16]

A real ``truckwatch-platform`` process (seeded 清远 demo world, loopback) and, in a second
process, terminals that stream 720p25 H.264: the simulator's fleet (registration, 0x9101,
0x9102 -- the real protocol) with its stream replaced by a real 1280×720 clip encoded once
with PyAV (libx264, 2 Mbit/s, GOP 25, textured moving picture), packetised as JT/T 1078 as a
terminal would. The simulator itself makes 640×360 only (``console/sim/video.py``). Each
access unit carries the terminal's send time in an SEI message (``timestamp_sei``).

The console side is a :class:`~widgets.video_wall.VideoWall` in this process (offscreen Qt).
For each step, the wall shows N streams; after a warm-up, over a measuring window:

- ``fps``: frames handed to each pane's ``QVideoSink`` per second (min / mean over panes);
  full rate = every pane ≥ 24 of 25 fps;
- ``decode cpu``: CPU of each pane's decoding thread (PyAV decode only; ``time.thread_time``),
  as a percentage of one core; ``console cpu``: this whole process (decode, YUV copies, Qt);
- ``latency``: glass-to-glass, from the terminal's send time (SEI) to the frame being handed
  to the sink on the UI thread (p50 / p95): relay, HTTP, decode, copy, UI queue. Offscreen,
  so Qt's own paint and the monitor's scan-out are not in it.

Bounded: about 2 minutes with the default steps.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

WIDTH, HEIGHT, FPS, GOP = 1280, 720, 25, 25
BITRATE = 2_000_000
FULL_RATE = 24.0  # of 25: a pane at or above it sustains the full frame rate


# --- the terminals (a child process) --------------------------------------------------------


def encode_clip(seconds: float = 2.0) -> list[tuple[bytes, bool]]:
    """A real 720p25 H.264 clip: a textured picture panning under noise (so the encoder has
    detail to spend 2 Mbit/s on, like a dash camera), zero-latency, headers on key frames."""
    import av
    import numpy as np

    rng = np.random.default_rng(7)
    tex = rng.integers(0, 256, (HEIGHT // 4 + 40, WIDTH // 4 + 80), dtype=np.uint8)
    tex = np.kron(tex, np.ones((4, 4), dtype=np.uint8))
    ctx = av.CodecContext.create("libx264", "w")
    ctx.width, ctx.height, ctx.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    ctx.time_base, ctx.framerate = Fraction(1, FPS), Fraction(FPS, 1)
    ctx.gop_size, ctx.bit_rate = GOP, BITRATE
    keyint = f"keyint={GOP}:min-keyint={GOP}:scenecut=0:repeat-headers=1"
    ctx.options = {"preset": "veryfast", "tune": "zerolatency", "x264-params": keyint}
    chroma = np.full((HEIGHT // 2, WIDTH), 128, np.uint8)
    units: list[tuple[bytes, bool]] = []
    for i in range(round(seconds * FPS)):
        oy, ox = (2 * i) % 40, (4 * i) % 80
        luma = tex[oy : oy + HEIGHT, ox : ox + WIDTH] // 2 + 64
        luma += rng.integers(0, 12, luma.shape, dtype=np.uint8)
        frame = av.VideoFrame.from_ndarray(np.vstack([luma, chroma]), format="yuv420p")
        frame.pts = i
        units += [(bytes(p), bool(p.is_keyframe)) for p in ctx.encode(frame)]
    units += [(bytes(p), bool(p.is_keyframe)) for p in ctx.encode(None)]
    return units


def with_timestamp(unit: bytes, sei: bytes) -> bytes:
    """``unit`` with ``sei`` before its first slice (after SPS/PPS on key frames)."""
    from console.media.h264 import nal_spans

    for start, _ in nal_spans(unit):
        if 1 <= unit[start] & 0x1F <= 5:
            head = start - 4 if unit[start - 4 : start] == b"\x00\x00\x00\x01" else start - 3
            return unit[:head] + sei + unit[head:]
    return unit + sei


def generator_main(argv: list[str] | None = None) -> int:
    """``--jt808 HOST:PORT --api URL --password P --vehicles N``: terminals streaming 720p25."""
    from console.client.video import timestamp_sei
    from console.sim.fleet import Fleet, FleetOptions
    from console.sim.video import MediaPacketizer
    from console.sim.world import fetch_world

    p = argparse.ArgumentParser()
    p.add_argument("--jt808", required=True)
    p.add_argument("--api", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--vehicles", type=int, default=16)
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    clip = encode_clip()

    class ClipFleet(Fleet):
        # The fleet's own _stream renders and encodes 640×360 live; this one replays the
        # 720p clip (the protocol around it -- 0x9101, the media link, 0x9102 -- is the fleet's).
        async def _stream(self, unit: Any, stream: Any) -> None:
            request = stream.request
            _, writer = await asyncio.open_connection(request.ip or "127.0.0.1", request.tcp_port)
            packetizer = MediaPacketizer(unit.spec.sim_digits, request.channel)
            loop = asyncio.get_running_loop()
            start, index = loop.time(), 0
            try:
                while not stream.stopped and not self._stopping:
                    delay = start + index / FPS - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    data, key = clip[index % len(clip)]
                    now = time.time()
                    data = with_timestamp(data, timestamp_sei(now))
                    writer.write(packetizer.video(data, key, int(now * 1000) & 0xFFFFFFFF))
                    await writer.drain()
                    index += 1
            except (OSError, ConnectionError):
                pass
            finally:
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
                if unit.streams and unit.streams.get(request.channel) is stream:
                    del unit.streams[request.channel]

    host, _, port = args.jt808.rpartition(":")
    specs = fetch_world(args.api, "admin", args.password)[: args.vehicles]

    async def run() -> None:
        import signal

        fleet = ClipFleet(specs, FleetOptions(host=host, port=int(port), idle=True))
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await fleet.start()
        await stop.wait()
        await fleet.stop()

    asyncio.run(run())
    return 0


# --- the console side ------------------------------------------------------------------------


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def self_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        from PySide6.QtWidgets import QApplication

        self.args = args
        self.app = QApplication.instance() or QApplication([])

    def spin(self, seconds: float) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(round(seconds * 1000), loop.quit)
        loop.exec()

    def wait(self, check: Any, timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not check():
            if time.monotonic() > deadline:
                raise SystemExit(f"bench_video: timed out waiting for {what}")
            self.spin(0.2)

    def run(self) -> None:
        from live_platform import ADMIN_PASSWORD, LivePlatform

        from console.children import python_command
        from console.client import PlatformClient
        from widgets.video_wall import VideoWall

        steps = sorted(self.args.steps)
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
            live = LivePlatform(Path(tmp)).start()
            try:
                gen = live.children.start(
                    "terminals",
                    python_command(
                        "bench_video:generator_main",
                        "--jt808",
                        f"127.0.0.1:{live.ports['jt808']}",
                        "--api",
                        live.url,
                        "--password",
                        ADMIN_PASSWORD,
                        "--vehicles",
                        str(max(steps)),
                    ),
                    cwd=str(Path(__file__).parent),
                    env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path[:2])},
                )
                client = PlatformClient(live.url)
                client.login("admin", ADMIN_PASSWORD)

                def online() -> list[dict[str, Any]]:
                    return [v for v in client.vehicles() if v["status"] != "offline"]

                self.wait(lambda: len(online()) >= max(steps), 90, "the terminals online")
                trucks = sorted(online(), key=lambda v: v["id"])
                wall = VideoWall(client)
                wall.resize(1920, 1080)
                wall.show()
                wall.set_layout(16)
                print(f"cpus: {os.cpu_count()} cores")
                print(f"load average at start: {os.getloadavg()[0]:.2f}")
                for painted in self.args.paint:
                    self.run_pass(wall, trucks, steps, painted, live.platform.pid, gen.pid)
                stats = next(p for p in wall.panes if not p.free).stats()
                print(f"stream bitrate: {stats.bitrate_bps / 1e6:.2f} Mbit/s")
                print(f"frame size: {stats.width}x{stats.height} px")
                print(f"load average at end: {os.getloadavg()[0]:.2f}")
                wall.close_all()
                wall.wait(15)
            finally:
                live.close()
        print(f"bench time: {time.monotonic() - started:.0f} s")

    def run_pass(
        self, wall: Any, trucks: list[Any], steps: list[int], painted: str, *pids: int
    ) -> None:
        """One pass over the steps; ``painted`` "widget": the panes' QVideoWidgets paint
        (offscreen Qt has no GPU, so Qt converts YUV to RGB on the CPU, on the UI thread);
        "sink": the widgets are hidden, frames still go to their sinks -- what the console
        costs where a GPU does the conversion."""
        wall.close_all()
        wall.wait(15)
        for pane in wall.panes:
            pane.video.setVisible(painted == "widget")
        best = 0
        for n in steps:
            for truck in trucks[sum(not p.free for p in wall.panes) : n]:
                wall.open(truck["id"], truck["plate"], 1)
            panes = [p for p in wall.panes if not p.free]
            self.wait(lambda ps=panes: all(p.frames_shown > 0 for p in ps), 60, "video")
            if self.measure(panes, painted, *pids):
                best = n
        print(f"{painted} max panes at full rate: {best} panes")

    def measure(self, panes: list[Any], label: str, platform_pid: int, gen_pid: int) -> bool:
        n = len(panes)
        self.spin(self.args.warmup)
        shown = [p.frames_shown for p in panes]
        decode = [p.stats().decode_cpu_s for p in panes]
        skipped = sum(p.frames_skipped for p in panes)
        for p in panes:
            p.latencies_s.clear()
        cpu, platform_cpu, gen_cpu = self_cpu_s(), proc_cpu_s(platform_pid), proc_cpu_s(gen_pid)
        t0 = time.monotonic()
        self.spin(self.args.window)
        span = time.monotonic() - t0
        fps = [(p.frames_shown - s) / span for p, s in zip(panes, shown, strict=True)]
        dec = [(p.stats().decode_cpu_s - d) / span for p, d in zip(panes, decode, strict=True)]
        latencies = [x for p in panes for x in p.latencies_s]
        console = (self_cpu_s() - cpu) / span
        name = f"{label} {n} panes,"
        print(f"{name} displayed fps min: {min(fps):.1f} fps")
        print(f"{name} displayed fps mean: {statistics.mean(fps):.1f} fps")
        print(f"{name} frames skipped: {sum(p.frames_skipped for p in panes) - skipped} frames")
        print(f"{name} decode cpu per pane: {100 * statistics.mean(dec):.1f} % of a core")
        print(f"{name} console cpu: {100 * console:.0f} % of a core")
        print(f"{name} console cpu per pane: {100 * console / n:.1f} % of a core")
        platform = (proc_cpu_s(platform_pid) - platform_cpu) / span
        print(f"{name} platform cpu: {100 * platform:.0f} % of a core")
        print(
            f"{name} terminals cpu: {100 * (proc_cpu_s(gen_pid) - gen_cpu) / span:.0f} % of a core"
        )
        if latencies:
            print(f"{name} latency p50: {1000 * statistics.median(latencies):.0f} ms")
            print(f"{name} latency p95: {1000 * pct(latencies, 0.95):.0f} ms")
        return min(fps) >= FULL_RATE


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, nargs="+", default=[1, 4, 9, 16])
    p.add_argument("--warmup", type=float, default=3.0, help="seconds before each window")
    p.add_argument("--window", type=float, default=6.0, help="measuring seconds per step")
    p.add_argument(
        "--paint",
        nargs="+",
        choices=("widget", "sink"),
        default=["widget", "sink"],
        help="passes: QVideoWidgets painting, and/or frames into hidden widgets' sinks",
    )
    Bench(p.parse_args()).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
