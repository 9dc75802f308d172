"""Live map throughput: prints ``name: value unit`` lines.

Run: QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox \
     .venv/bin/python tests/bench/bench_map.py [--sizes 10000 50000] [--batches 5]

For each fleet size: one first load, then ``--batches`` FULL update batches in which every
vehicle moved (a new position, heading, speed; a few change status). Figures (medians over the
update batches; the first load on its own line):

- apply batch (js): ``JSON.parse`` + update of the page's arrays, timed in the page with
  ``performance.now()`` (``truckwatch.stats.lastApplyMs``); target < 50 ms at 50,000;
- draw (js): one redraw of the vehicle canvas, whole city in view (clustered) and at zoom 15
  (single arrows), timed in the page;
- python per batch: ``MapView.push_positions`` (marker bookkeeping + JSON encode + the signal
  emit that hands the batch to QWebChannel);
- end to end: from ``push_positions`` until the page reports the batch applied (includes the
  channel's transport and its own JSON parse, and up to a few ms of polling);
- console rss / renderer rss: resident memory of this process and of QtWebEngine's processes.

No network: the base map is "none" (background and county outlines only).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: F401  (before the app)
from PySide6.QtWidgets import QApplication

from widgets.map.basemaps import no_tiles
from widgets.map.markers import Marker, MarkerStatus
from widgets.map.view import MapView

# Plain strings, as the main window passes them (MarkerStatus(...).value).
STATUSES = [MarkerStatus.MOVING.value] * 6 + [
    MarkerStatus.STOPPED.value,
    MarkerStatus.STOPPED.value,
    MarkerStatus.OFFLINE.value,
    MarkerStatus.ALARM.value,
]
TIMEOUT_S = 30.0


class Bench:
    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.view = MapView(base_map=no_tiles())
        self.view.resize(1280, 800)
        self.view.show()
        ready: list[bool] = []
        self.view.ready.connect(lambda: ready.append(True))
        self.spin_until(lambda: bool(ready))

    def spin_until(self, done: Callable[[], bool], timeout: float = TIMEOUT_S) -> None:
        end = time.perf_counter() + timeout
        while not done():
            if time.perf_counter() > end:
                raise TimeoutError("the map page did not answer")
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 2)

    def js(self, script: str) -> Any:
        result: list[Any] = []
        self.view.run_js(script, result.append)
        self.spin_until(lambda: bool(result))
        return result[0]

    def batches_applied(self) -> int:
        return int(self.js("truckwatch.stats.batches"))

    def push(self, markers: list[Marker]) -> tuple[float, float, float]:
        """(python ms, end-to-end ms, js apply ms) of one batch."""
        before = self.batches_applied()
        t0 = time.perf_counter()
        self.view.push_positions(markers)
        t1 = time.perf_counter()
        self.spin_until(lambda: self.batches_applied() > before)
        t2 = time.perf_counter()
        apply_ms = float(self.js("truckwatch.stats.lastApplyMs"))
        return (t1 - t0) * 1000, (t2 - t0) * 1000, apply_ms

    def draw_ms(self, zoom: int | None) -> float:
        if zoom is None:
            self.js("truckwatch.command(JSON.stringify({op: 'fit'}))")
        else:
            self.js(
                "truckwatch.command(JSON.stringify({op: 'centre', id: truckwatch.ids()[0], "
                f"zoom: {zoom}}}))"
            )
        samples = [float(self.js("truckwatch.drawNow()")) for _ in range(5)]
        return statistics.median(samples)

    def close(self) -> None:
        gone: list[bool] = []
        self.view.destroyed.connect(lambda: gone.append(True))
        self.view.close()
        self.view.deleteLater()
        # processEvents() alone never runs deferred deletes (they wait for the event loop).
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.spin_until(lambda: bool(gone), timeout=10)
        self.app.processEvents()


def fleet(n: int, rng: random.Random) -> list[Marker]:
    return [
        Marker(
            vehicle_id=f"veh{k:06d}",
            plate=f"粤R{k:05d}",
            lat=rng.uniform(23.5, 25.1),
            lon=rng.uniform(112.1, 113.9),
            direction=rng.randrange(360),
            speed_kmh=rng.uniform(0, 90),
            status=rng.choice(STATUSES),
        )
        for k in range(n)
    ]


def moved(markers: list[Marker], rng: random.Random) -> list[Marker]:
    """Every vehicle a few hundred metres on; one in fifty changes status."""
    out = []
    for m in markers:
        status = rng.choice(STATUSES) if rng.random() < 0.02 else m.status
        out.append(
            Marker(
                m.vehicle_id,
                m.plate,
                min(25.2, max(23.4, m.lat + rng.uniform(-0.003, 0.003))),
                min(114.0, max(112.0, m.lon + rng.uniform(-0.003, 0.003))),
                (m.direction + rng.randrange(-20, 21)) % 360,
                max(0.0, m.speed_kmh + rng.uniform(-5, 5)),
                status,
            )
        )
    return out


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--batches", type=int, default=5)
    args = parser.parse_args()

    app = QApplication.instance() or QApplication([sys.argv[0]])
    rng = random.Random(808)
    bench = Bench(app)
    try:
        for n in args.sizes:
            bench.view.clear()
            markers = fleet(n, rng)
            py_ms, e2e_ms, apply_ms = bench.push(markers)
            print(f"map {n} first load apply (js): {apply_ms:.1f} ms")
            print(f"map {n} first load python: {py_ms:.1f} ms")
            print(f"map {n} first load end to end: {e2e_ms:.1f} ms")
            runs = []
            for _ in range(args.batches):
                markers = moved(markers, rng)
                runs.append(bench.push(markers))
            py, e2e, js = (statistics.median(col) for col in zip(*runs, strict=True))
            print(f"map {n} apply batch (js): {js:.1f} ms")
            print(f"map {n} apply batch max (js): {max(r[2] for r in runs):.1f} ms")
            print(f"map {n} python per batch: {py:.1f} ms")
            print(f"map {n} end to end per batch: {e2e:.1f} ms")
            print(f"map {n} draw, whole city clustered (js): {bench.draw_ms(None):.1f} ms")
            print(f"map {n} draw, zoom 15 single arrows (js): {bench.draw_ms(15):.1f} ms")
            count = int(bench.js("truckwatch.count()"))
            assert count == n, f"page holds {count} vehicles, expected {n}"
            print(f"console rss: {rss_mb(os.getpid()):.0f} MB")
            renderer = sum(rss_mb(p) for p in descendants(os.getpid()))
            print(f"webengine processes rss: {renderer:.0f} MB")
    finally:
        bench.close()


if __name__ == "__main__":
    main()
