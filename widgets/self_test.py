"""``--self-test``: the smoke test a person (or a packaged build) runs.

Watches the main window until the map holds at least 90 % of the fleet, 90 % of it is
online and the alarm queue shows an alarm; then runs the checks of a packaged build
(:mod:`widgets.self_checks`: H.264/H.265 decoding, pyqtgraph, the map offline, the
platform), saves a screenshot (if asked) and reports one JSON object through
:attr:`SelfTest.done`: ``checks`` holds each check's result, ``build`` what is running.
Gives up with the reason after ``timeout_s``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from widgets import self_checks
from widgets.main_window import MainWindow

SHARE = 0.9
POLL_MS = 1000
COUNTS_EVERY_S = 5.0


class SelfTest(QObject):
    done = Signal(dict)

    def __init__(
        self,
        *,
        timeout_s: float = 120.0,
        screenshot: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.timeout_s = timeout_s
        self.screenshot = screenshot
        self.window: MainWindow | None = None
        self.started = time.monotonic()
        self.markers = 0
        self.map_ready = False
        self.last_counts = 0.0
        self.finished = False
        self.checking = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.poll)

    def begin(self) -> None:
        self.started = time.monotonic()
        self.timer.start(POLL_MS)

    def watch(self, window: MainWindow) -> None:
        self.window = window
        window.map.ready.connect(self._map_ready)

    def _map_ready(self) -> None:
        self.map_ready = True

    def figures(self) -> dict[str, Any]:
        w = self.window
        return {
            "vehicles_total": w.model.total if w else 0,
            "vehicles_online": w.model.online if w else 0,
            "markers_on_map": self.markers,
            "alarms_today": w.alarms_today if w else 0,
            "alarms_in_queue": w.alarm_queue.model.alarm_count if w else 0,
            "seconds": round(time.monotonic() - self.started, 1),
        }

    def poll(self) -> None:
        if self.finished:
            return
        elapsed = time.monotonic() - self.started
        w = self.window
        if self.checking:  # waiting for the map page to answer the offline probe
            if elapsed > self.timeout_s:
                self.fail("timed out: the map page did not answer the offline probe")
            return
        if w is not None and self.map_ready:
            w.map.marker_count(self._got_markers)
            if time.monotonic() - self.last_counts > COUNTS_EVERY_S:
                self.last_counts = time.monotonic()
                w.refresh_counts()
            total = w.model.total
            if (
                total
                and self.markers >= SHARE * total
                and w.model.online >= SHARE * total
                and w.alarm_queue.model.alarm_count >= 1
            ):
                self.checking = True
                w.map.run_js(self_checks.MAP_PROBE, self._checks)
                return
        if elapsed > self.timeout_s:
            self.fail(self._reason())

    def _got_markers(self, count: int) -> None:
        self.markers = int(count or 0)

    def _reason(self) -> str:
        w = self.window
        if w is None:
            return "the main window never opened (the demo did not start or log in)"
        if not self.map_ready:
            return "the map page never became ready"
        f = self.figures()
        missing = []
        if f["markers_on_map"] < SHARE * f["vehicles_total"]:
            missing.append(f"markers {f['markers_on_map']}/{f['vehicles_total']}")
        if f["vehicles_online"] < SHARE * f["vehicles_total"]:
            missing.append(f"online {f['vehicles_online']}/{f['vehicles_total']}")
        if f["alarms_in_queue"] < 1:
            missing.append("no alarm in the queue yet")
        if w.last_error:
            missing.append(f"last error: {w.last_error}")
        return "timed out: " + ", ".join(missing or ["unknown"])

    def _checks(self, map_probe: Any) -> None:
        if self.finished:
            return
        checks = self_checks.run(map_probe, self.figures())
        failed = [name for name, check in checks.items() if not check.get("ok")]
        if failed:
            self.fail("checks failed: " + ", ".join(failed), checks)
        else:
            self.succeed(checks)

    def succeed(self, checks: dict[str, Any] | None = None) -> None:
        result: dict[str, Any] = {"ok": True, **self.figures(), **self._extra(checks)}
        if self.screenshot is not None and self.window is not None:
            self.screenshot.parent.mkdir(parents=True, exist_ok=True)
            saved = self.window.grab().save(str(self.screenshot))
            result["screenshot"] = str(self.screenshot) if saved else None
        self._finish(result)

    def fail(self, reason: str, checks: dict[str, Any] | None = None) -> None:
        self._finish({"ok": False, "reason": reason, **self.figures(), **self._extra(checks)})

    @staticmethod
    def _extra(checks: dict[str, Any] | None) -> dict[str, Any]:
        return {"checks": checks or {}, "build": self_checks.build()}

    def _finish(self, result: dict[str, Any]) -> None:
        if self.finished:
            return
        self.finished = True
        self.timer.stop()
        self.done.emit(result)
