"""Beijing time whatever the workstation's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

from widgets.beijing import beijing_time, day_start


def test_beijing_time_of_an_api_time() -> None:
    assert beijing_time("2026-11-21T17:30:00+00:00") == "2026-11-22 01:30:00"
    assert beijing_time("2026-11-21T09:01:05+08:00", "%H:%M") == "09:01"
    assert beijing_time(None) == "—"
    assert beijing_time("not a time") == "not a time"


def test_day_start_is_midnight_in_beijing() -> None:
    assert day_start(datetime(2026, 11, 21, 17, 30, tzinfo=UTC)) == datetime(
        2026, 11, 21, 16, 0, tzinfo=UTC
    )
    assert day_start(datetime(2026, 11, 21, 15, 59, tzinfo=UTC)) == datetime(
        2026, 11, 20, 16, 0, tzinfo=UTC
    )
