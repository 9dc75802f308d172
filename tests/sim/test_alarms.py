"""Active-safety alarms of a simulated terminal and the reports that carry them."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from console.protocol.jt808.active_safety import AdasAlarm, DsmAlarm, TpmsAlarm
from console.protocol.jt808.location import LocationReport
from console.protocol.jt808.message import DecodeContext, Dialect
from console.protocol.jt808.standard_items import VideoSignalBlocked
from console.sim.alarms import (
    FAMILIES,
    SafetyMonitor,
    alarm_item,
    bcd_time,
    kinds_for,
    location_report,
)
from console.sim.driver import Driver, DriverProfile

NOON = 1_740_024_000.0


def run(dialect: Dialect, hours: float, seed: int = 1, scale: float = 1.0):
    driver = Driver(random.Random(seed), DriverProfile(night_driver=True), start_time=NOON)
    safety = SafetyMonitor(random.Random(seed), dialect, "T123456", scale=scale)
    events = []
    t = NOON
    while t < NOON + hours * 3600:
        sample = driver.sample()
        events += safety.step(t, t + 30, sample)
        t += 30
        driver.advance(t)
    return driver, safety, events


@pytest.mark.parametrize("dialect", list(Dialect))
def test_every_family_shows_up_over_a_long_drive(dialect: Dialect) -> None:
    _, _, events = run(dialect, 200)
    families = Counter(e.alarm.kind.family for e in events if e.flag != 2)
    assert set(FAMILIES) <= set(families)
    driving_hours = 200 * 0.6
    assert 0.5 < sum(families.values()) / driving_hours < 5  # a couple per driving hour


def test_alarms_with_a_duration_start_and_end_with_the_same_id_and_ident() -> None:
    _, _, events = run(Dialect.SUBIAO, 50)
    starts = {e.alarm.alarm_id: e for e in events if e.flag == 1}
    ends = {e.alarm.alarm_id: e for e in events if e.flag == 2}
    assert starts and set(ends) <= set(starts)
    for alarm_id, end in ends.items():
        start = starts[alarm_id]
        assert end.alarm.ident == start.alarm.ident and end.time > start.time
    one_shots = [e for e in events if e.flag == 0]
    assert one_shots and all(e.alarm.kind.duration is None for e in one_shots)


def test_levels_are_1_or_2_and_idents_name_the_terminal_with_four_attachments() -> None:
    _, _, events = run(Dialect.YUEBIAO, 50)
    for event in events:
        assert event.alarm.level in (1, 2)
        ident = event.alarm.ident
        if ident is None:
            continue
        assert len(ident.raw) == 40 and ident.terminal_id == "T123456"
        assert ident.attachments == 4 and str(ident.time) == str(bcd_time(event.alarm.start))


def test_alarms_raised_in_the_same_second_get_increasing_sequence_numbers() -> None:
    safety = SafetyMonitor(random.Random(1), Dialect.SUBIAO, "T1")
    kinds = [k for k in kinds_for(Dialect.SUBIAO) if k.family == "adas"]
    idents = [safety.raise_alarm(k, NOON + 0.1 * i).alarm.ident for i, k in enumerate(kinds)]
    assert [i.seq for i in idents if i] == list(range(len(kinds)))


def test_camera_blocked_is_a_dsm_type_only_in_yuebiao() -> None:
    assert any(k.family == "dsm" and k.type_code == 6 for k in kinds_for(Dialect.YUEBIAO))
    assert not any(k.family == "dsm" and k.type_code == 6 for k in kinds_for(Dialect.SUBIAO))
    assert any(k.family == "video" for k in kinds_for(Dialect.SUBIAO))


@pytest.mark.parametrize("dialect", list(Dialect))
def test_items_round_trip_in_a_location_report(dialect: Dialect) -> None:
    driver, _, events = run(dialect, 60)
    sample = driver.sample()
    seen = set()
    for event in events:
        item = alarm_item(event, sample)
        if item is None:
            continue
        report = location_report(sample, items=(item,))
        decoded = LocationReport.decode(report.encode(), DecodeContext(dialect=dialect))
        assert decoded == report
        (again,) = [i for i in decoded.items if i.item_id == item.item_id]
        assert again.alarm_ident == event.alarm.ident and again.flag == event.flag
        seen.add(type(again))
    assert {AdasAlarm, DsmAlarm} <= seen


def test_a_tpms_alarm_carries_a_tyre_record_with_the_event_bit() -> None:
    safety = SafetyMonitor(random.Random(2), Dialect.YUEBIAO, "T1")
    kind = next(k for k in kinds_for(Dialect.YUEBIAO) if k.family == "tpms")
    driver = Driver(random.Random(2), DriverProfile(), start_time=NOON)
    item = alarm_item(safety.raise_alarm(kind, NOON), driver.sample())
    assert isinstance(item, TpmsAlarm) and item.event_bits == [kind.type_code]


def test_overspeed_fatigue_and_blocked_camera_ride_on_the_report() -> None:
    driver = Driver(random.Random(3), DriverProfile(), start_time=NOON)
    sample = driver.sample()
    from dataclasses import replace

    report = location_report(
        replace(sample, overspeed=True, fatigue=True), video_blocked_channels=1
    )
    assert report.alarm_flags & 0b110 == 0b110
    assert report.item(VideoSignalBlocked) == VideoSignalBlocked(1)
