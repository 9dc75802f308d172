"""Beijing time and the API's ISO times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console.domain.times import BEIJING, parse_time


def test_beijing_is_utc_plus_8_all_year() -> None:
    for month in (1, 7):
        moment = datetime(2026, month, 1, tzinfo=UTC)
        assert moment.astimezone(BEIJING).utcoffset() == timedelta(hours=8)
    assert datetime(2026, 11, 21, tzinfo=BEIJING).tzname() == "CST"


def test_parse_time() -> None:
    assert parse_time("2026-11-21T06:00:00+00:00") == datetime(2026, 11, 21, 6, tzinfo=UTC)
    assert parse_time("2026-11-21T14:00:00+08:00") == datetime(2026, 11, 21, 6, tzinfo=UTC)
    assert parse_time("2026-11-21T06:00:00") == datetime(2026, 11, 21, 6, tzinfo=UTC)  # the store's
    moment = datetime(2026, 11, 21, 6, tzinfo=UTC)
    assert parse_time(moment) is moment
    for nothing in (None, "", "yesterday", 0):
        assert parse_time(nothing) is None
