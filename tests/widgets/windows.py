"""Deleting the main windows a test opened."""

from __future__ import annotations

from typing import Any


def delete_windows(qtbot: Any, windows: list[Any]) -> None:
    """Shut each window down and delete it (and its web page) now, not at interpreter exit,
    where QtWebEngine would be torn down after the QApplication."""
    while windows:
        win = windows.pop()
        win.shutdown()
        with qtbot.wait_signal(win.destroyed, timeout=10_000):
            win.deleteLater()
