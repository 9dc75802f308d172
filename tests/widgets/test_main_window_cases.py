"""The main window's case docks, without a platform: which queues a role gets, the count
badge on the dock title, and live ``case`` events routed to the queues."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cases_data import case
from PySide6.QtCore import QSettings
from windows import delete_windows

from console.client import PlatformClient, StreamEvent
from widgets.case_inbox import INBOX, OPEN, REVIEW
from widgets.main_window import LAYOUT_VERSION, MainWindow

OPEN_WINDOWS: list[MainWindow] = []


@pytest.fixture(autouse=True)
def _delete_windows(qtbot) -> Iterator[None]:
    yield
    delete_windows(qtbot, OPEN_WINDOWS)


def window(tmp_path, role: str) -> MainWindow:
    client = PlatformClient("http://127.0.0.1:9")  # never called: start() is not
    client.user = {"username": "someone", "role": role, "display_name": "某人"}
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("map/base", "none")
    win = MainWindow(client, settings=settings)
    OPEN_WINDOWS.append(win)
    return win


def test_layout_version_was_bumped_for_the_case_docks() -> None:
    assert LAYOUT_VERSION >= 3


def test_an_enterprise_officer_gets_the_inbox_in_front(qtbot, tmp_path) -> None:
    win = window(tmp_path, "enterprise_officer")
    assert list(win.case_queue_docks) == [INBOX]
    assert win.case_queue_docks[INBOX].windowTitle() == "待处理通报"
    assert win.case_dock.windowTitle() == "处置工单"


def test_a_county_operator_gets_the_review_queue_and_open_cases(qtbot, tmp_path) -> None:
    win = window(tmp_path, "county_operator")
    assert list(win.case_queue_docks) == [REVIEW, OPEN]


def test_case_events_reach_the_queues_and_the_badge_counts(qtbot, tmp_path) -> None:
    win = window(tmp_path, "enterprise_officer")
    win._held = None  # as after the fleet load
    inbox = win.case_queues[0]
    win.on_event(StreamEvent(1, "case", {"case": case(1), "event": {"action": "notify"}}))
    win.on_event(StreamEvent(2, "case", {"case": case(2, "new"), "event": {"action": "open"}}))
    assert inbox.count == 1
    assert win.case_queue_docks[INBOX].windowTitle() == "待处理通报 (1)"
    assert inbox.sounds.last_played == 3
    win.on_event(StreamEvent(3, "case", {"case": case(1, "feedback"), "event": {}}))
    assert inbox.count == 0
    assert win.case_queue_docks[INBOX].windowTitle() == "待处理通报"
