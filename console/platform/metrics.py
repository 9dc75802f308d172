"""Counters and gauges of one platform process, rendered for ``GET /api/v1/metrics``."""

from __future__ import annotations

import threading
from collections import defaultdict


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, int] = defaultdict(int)
        self._gauges: dict[str, float] = {}

    def inc(self, name: str, by: int = 1) -> None:
        with self._lock:
            self._counters[name] += by

    def set(self, name: str, value: float) -> None:
        with self._lock:
            self._gauges[name] = value

    def get(self, name: str) -> float:
        with self._lock:
            return self._counters.get(name, self._gauges.get(name, 0))

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return {**self._counters, **self._gauges}

    def render(self) -> str:
        """Prometheus text format."""
        lines = []
        for name, value in sorted(self.snapshot().items()):
            metric = "truckwatch_" + name.replace(".", "_").replace("-", "_")
            lines.append(f"{metric} {value}")
        return "\n".join(lines) + "\n"
