"""The alarm filter: each criterion, counts under the filter, presets in QSettings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alarms_data import COUNTIES, ENTERPRISES, T0, Clock, alarm
from PySide6.QtCore import QSettings

from widgets.alarm_filter import AlarmFilter, FilterPresets, FilterState
from widgets.alarm_model import AlarmModel, Roles


@pytest.fixture
def proxy() -> AlarmFilter:
    model = AlarmModel(clock=Clock(7200))
    model.add_alarms(
        [
            alarm(1, at=0, vehicle=1, type_code="adas.01", severity=3),
            alarm(2, at=10, vehicle=1, type_code="adas.01", severity=3),  # grouped with a1
            alarm(3, at=600, vehicle=2, type_code="dsm.01", severity=3, county="c2"),
            alarm(4, at=1200, vehicle=3, type_code="bsd.01", severity=2, enterprise="e2"),
            alarm(5, at=1800, vehicle=4, type_code="tpms.b02", severity=3, level=None),
            alarm(6, at=3600, vehicle=5, type_code="platform.overspeed", severity=3, level=None),
            alarm(7, at=7000, vehicle=6, type_code="jt808.b00", severity=4, level=None),
        ]
    )
    model.set_names(COUNTIES, ENTERPRISES)
    proxy = AlarmFilter()
    proxy.setSourceModel(model)
    return proxy


def shown(proxy: AlarmFilter) -> list[str]:
    return [proxy.index(r, 0).data(Roles.ALARM_ID) for r in range(proxy.rowCount())]


def test_no_filter_shows_everything_newest_first(proxy: AlarmFilter) -> None:
    assert shown(proxy) == ["a7", "a6", "a5", "a4", "a3", "a2"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"min_severity": 4}, ["a7"]),
        ({"min_severity": 3}, ["a7", "a6", "a5", "a3", "a2"]),
        ({"families": ["adas", "dsm"]}, ["a3", "a2"]),
        ({"families": ["tpms"]}, ["a5"]),
        ({"families": ["platform"]}, ["a6"]),
        ({"types": ["bsd.01"]}, ["a4"]),
        ({"counties": ["c2"]}, ["a3"]),
        ({"enterprises": ["e2"]}, ["a4"]),
        ({"plate": "r00002"}, ["a3"]),  # case-insensitive, part of the plate
        ({"start": T0 + timedelta(seconds=1800)}, ["a7", "a6", "a5"]),
        ({"end": T0 + timedelta(seconds=600)}, ["a2"]),
        ({"recent_hours": 1}, ["a7", "a6"]),  # the clock is T0 + 2 h
        ({"min_severity": 3, "families": ["adas"], "plate": "粤R00001"}, ["a2"]),
    ],
)
def test_each_criterion(proxy: AlarmFilter, changes: dict, expected: list[str]) -> None:
    proxy.update(**changes)
    assert shown(proxy) == expected


def test_handling_state_follows_acknowledgement(proxy: AlarmFilter) -> None:
    model = proxy.sourceModel()
    proxy.update(handling="unhandled")
    assert len(shown(proxy)) == 6
    model.acknowledge(0)
    assert shown(proxy) == ["a6", "a5", "a4", "a3", "a2"]
    proxy.update(handling="acknowledged")
    assert shown(proxy) == ["a7"]


def test_new_alarms_are_filtered_as_they_come(proxy: AlarmFilter) -> None:
    proxy.update(min_severity=4)
    proxy.sourceModel().add_alarms([alarm(8, at=7100, vehicle=9, severity=2, level=None)])
    proxy.sourceModel().add_alarms(
        [alarm(9, at=7150, vehicle=9, type_code="jt808.b00", severity=4)]
    )
    assert shown(proxy) == ["a9", "a7"]


def test_counts_follow_the_filter(proxy: AlarmFilter) -> None:
    counts = proxy.counts()
    assert (counts["rows"], counts["alarms"]) == (6, 7)
    assert counts["family"] == {"adas": 2, "dsm": 1, "bsd": 1, "tpms": 1, "platform": 1, "jt808": 1}
    assert counts["severity"] == {4: 1, 3: 5, 2: 1}
    proxy.update(families=["adas"])
    assert proxy.counts() == {"rows": 1, "alarms": 2, "family": {"adas": 2}, "severity": {3: 2}}


def test_counts_are_recomputed_after_changes_only(proxy: AlarmFilter) -> None:
    proxy.counts()
    assert not proxy.counts_stale
    proxy.sourceModel().tick_flash()  # looks only
    assert not proxy.counts_stale
    proxy.sourceModel().add_alarms([alarm(8, at=7100, vehicle=9)])
    assert proxy.counts_stale
    assert proxy.counts()["alarms"] == 8


def test_state_round_trips_through_json() -> None:
    state = FilterState(
        min_severity=3,
        families=["dsm"],
        types=["dsm.01"],
        counties=["c1"],
        enterprises=["e1"],
        handling="unhandled",
        start=T0,
        end=T0 + timedelta(hours=1),
        recent_hours=4,
        plate="粤R",
    )
    assert FilterState.from_json(state.to_json()) == state
    assert FilterState.from_json('{"plate": "x", "from_the_future": 1, "start": "bad"}') == (
        FilterState(plate="x")
    )


def test_presets_are_saved_and_loaded_by_name(tmp_path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    presets = FilterPresets(settings, "alarm_queue/zhang/presets")
    assert presets.names() == []
    presets.save("清城区 严重", FilterState(min_severity=4, counties=["c1"]))
    presets.save("DSM", FilterState(families=["dsm"]))
    settings.sync()
    again = FilterPresets(
        QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), "alarm_queue/zhang/presets"
    )
    assert again.names() == ["DSM", "清城区 严重"]
    assert again.load("清城区 严重") == FilterState(min_severity=4, counties=["c1"])
    assert again.load("nothing") is None
    again.delete("DSM")
    assert again.names() == ["清城区 严重"]


def test_damaged_presets_read_as_none(tmp_path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("p", "{not json")
    assert FilterPresets(settings, "p").names() == []


def test_description_names_the_filter(proxy: AlarmFilter) -> None:
    assert proxy.describe(COUNTIES, ENTERPRISES) == "全部报警"
    proxy.update(
        min_severity=3, families=["dsm"], counties=["c2"], handling="unhandled", plate="粤R"
    )
    text = proxy.describe(COUNTIES, ENTERPRISES)
    assert text == "级别 ≥ 高；类别：DSM 报警；县区：英德市；处理状态：未处理；车牌含“粤R”"
