"""The platform rules (console.platform.rules): positions in, derived alarm events out."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.alarm_types import AlarmFamily, AlarmSource, PlatformAlarm, by_code, make_code
from console.domain.model import Position, Vehicle
from console.platform.rules import (
    ACC_ON,
    FATIGUE,
    NIGHT_DRIVING,
    OFFLINE,
    OFFLINE_MOVING,
    OVERSPEED,
    RuleConfig,
    RuleEvent,
    RuleEventKind,
    RuleState,
    check_offline,
    evaluate,
    is_night,
    offline_deadline,
    validate,
)

START, END, REOPEN = RuleEventKind.START, RuleEventKind.END, RuleEventKind.REOPEN
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
LAT, LON = 23.68, 113.05  # 清远
KM_PER_DEG_LAT = 6371.0088 * math.pi / 180
DELAY = timedelta(seconds=2)  # platform clock = terminal time + this, unless a test says else
H, M = 3600, 60


# --- helpers ----------------------------------------------------------------------------------
def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def pos(
    t: float | datetime,
    speed: float = 0.0,
    *,
    lat: float = LAT,
    lon: float = LON,
    vehicle: str = "veh_1",
    **kw: Any,
) -> Position:
    when = at(t) if isinstance(t, int | float) else t
    return Position(vehicle, when, lat, lon, speed, 90, **kw)


def track(
    *legs: tuple[float, float], step: float = 10, start: float = 0, lat: float = LAT
) -> list[Position]:
    """Samples every ``step`` seconds: each leg is (speed km/h, seconds) driven northwards
    (the position follows the speed); a last sample closes the final leg."""
    out: list[Position] = []
    t, y, speed = start, lat, 0.0
    for speed, seconds in legs:
        end = t + seconds
        while t < end - 1e-9:
            out.append(pos(t, speed, lat=y))
            y += speed * step / 3600 / KM_PER_DEG_LAT
            t += step
    out.append(pos(t, speed, lat=y))
    return out


def run(
    positions: Iterable[Position],
    config: RuleConfig | None = None,
    state: RuleState | None = None,
    *,
    via_json: bool = False,
) -> tuple[RuleState, list[RuleEvent]]:
    state = state or RuleState()
    config = config or RuleConfig()
    events: list[RuleEvent] = []
    for p in positions:
        state, evs = evaluate(state, p, config, p.time + DELAY)
        events += evs
        if via_json:  # what ingest does: the state goes through the JSON column each time
            state = RuleState.from_json(json.loads(json.dumps(state.to_json(), allow_nan=False)))
    return state, events


def of(events: Sequence[RuleEvent], code: str) -> list[RuleEvent]:
    return [e for e in events if e.type_code == code]


def kinds(events: Sequence[RuleEvent], code: str) -> list[RuleEventKind]:
    return [e.kind for e in of(events, code)]


# --- codes ------------------------------------------------------------------------------------
def test_codes_come_from_the_catalogue() -> None:
    for code, member in [
        (OVERSPEED, PlatformAlarm.OVERSPEED),
        (FATIGUE, PlatformAlarm.FATIGUE),
        (NIGHT_DRIVING, PlatformAlarm.NIGHT_DRIVING),
        (OFFLINE, PlatformAlarm.OFFLINE),
        (OFFLINE_MOVING, PlatformAlarm.OFFLINE_MOVING),
    ]:
        assert code == make_code(AlarmFamily.PLATFORM, member)
        assert by_code(code).source is AlarmSource.PLATFORM
    assert OVERSPEED == "platform.overspeed"
    assert OFFLINE_MOVING == "platform.offline_moving"


# --- overspeed --------------------------------------------------------------------------------
def test_overspeed_for_30_s_is_no_alarm() -> None:
    _, events = run(track((90, 30), (70, 60)))  # samples above the limit at 0..30 s
    assert events == []


def test_overspeed_beyond_30_s_is_one_alarm_from_the_first_excess() -> None:
    _, events = run(track((70, 60), (90, 50), (70, 60)))  # samples above at 60..100 s
    assert kinds(events, OVERSPEED) == [START, END]
    start, end = events
    assert start.started_at == at(60)
    assert start.key == end.key == f"rule:veh_1:platform.overspeed:{at(60).isoformat()}"
    assert end.ended_at == at(110)  # the first sample back under the limit
    assert end.detail == {"max_speed_kmh": 90.0, "limit_kmh": 80.0, "duration_s": 50.0, "runs": 1}


def test_overspeed_known_only_when_it_ends_starts_and_ends_together() -> None:
    # reports every 30 s: above at 0 and 30 s, back under at 60 s: 60 s of overspeed
    _, events = run(track((90, 60), (70, 30), step=30))
    assert kinds(events, OVERSPEED) == [START, END]
    assert events[0].started_at == at(0)
    assert events[1].ended_at == at(60)


def test_overspeed_start_is_emitted_once_the_30_s_are_exceeded() -> None:
    positions = track((90, 100))
    _, before = run(positions[:4])  # 0..30 s
    _, after = run(positions[:5])  # 0..40 s
    assert before == []
    assert kinds(after, OVERSPEED) == [START]
    assert after[0].started_at == at(0)


def test_overspeed_repeat_within_60_s_merges_into_the_same_alarm() -> None:
    _, events = run(track((90, 50), (70, 40), (90, 50), (70, 10)))
    assert kinds(events, OVERSPEED) == [START, END, REOPEN, END]
    assert len({e.key for e in events}) == 1
    assert events[-1].ended_at == at(140)
    assert events[-1].detail["runs"] == 2
    assert events[-1].detail["duration_s"] == 140.0


def test_overspeed_repeat_after_60_s_is_a_new_alarm() -> None:
    _, events = run(track((90, 50), (70, 90), (90, 50), (70, 10)))
    assert kinds(events, OVERSPEED) == [START, END, START, END]
    assert events[0].key != events[2].key
    assert events[2].started_at == at(140)


def test_short_blip_within_the_merge_window_does_not_reopen() -> None:
    _, events = run(track((90, 50), (70, 20), (95, 20), (70, 100)))
    assert kinds(events, OVERSPEED) == [START, END]


def test_overspeed_keeps_the_peak_speed() -> None:
    _, events = run(track((85, 20), (110, 20), (90, 20), (70, 10)))
    assert events[-1].detail["max_speed_kmh"] == 110.0


def test_per_vehicle_speed_limit() -> None:
    vehicle = Vehicle("veh_1", "粤R12345", 2, "ent_1", "cty_1", speed_limit_kmh=60)
    config = RuleConfig.for_vehicle(vehicle)
    positions = track((70, 60), (50, 10))
    assert kinds(run(positions, config)[1], OVERSPEED) == [START, END]
    assert run(positions)[1] == []  # under the default 80 km/h
    assert run(positions, config)[1][0].detail["limit_kmh"] == 60.0


def test_overspeed_at_the_limit_is_not_overspeed() -> None:
    assert run(track((80, 300)))[1] == []


def test_hole_in_the_track_ends_overspeed_at_the_last_sample() -> None:
    positions = [*track((90, 60)), *track((90, 60), start=600)]  # 9 min without data
    events = of(run(positions)[1], OVERSPEED)
    assert [e.kind for e in events] == [START, END, START]
    assert events[1].ended_at == at(60)
    assert events[2].started_at == at(600)


# --- fatigue ----------------------------------------------------------------------------------
def test_fatigue_after_4_h_01_of_continuous_driving() -> None:
    _, events = run(track((60, 4 * H + 1 * M), step=60))
    assert kinds(events, FATIGUE) == [START]
    assert events[0].started_at == at(4 * H)  # the moment the 4 h were exceeded


def test_no_fatigue_after_3_h_59() -> None:
    _, events = run(track((60, 3 * H + 59 * M), step=60))
    assert of(events, FATIGUE) == []


def test_no_fatigue_at_exactly_4_h() -> None:
    _, events = run(track((60, 4 * H), step=60))
    assert of(events, FATIGUE) == []


def test_a_19_min_stop_does_not_reset_the_driving_time() -> None:
    _, events = run(track((60, 2 * H), (0, 19 * M), (60, 2 * H + 1 * M), step=60))
    assert kinds(events, FATIGUE) == [START]
    # the stops do not count as driving: 2 h + 2 h 01 of driving, 4 h reached 2 h into the 2nd
    assert events[0].started_at == at(2 * H + 19 * M + 2 * H)


def test_a_20_min_stop_resets_the_driving_time() -> None:
    _, events = run(track((60, 2 * H), (0, 20 * M), (60, 2 * H + 1 * M), step=60))
    assert of(events, FATIGUE) == []


def test_fatigue_segments_explain_the_alarm() -> None:
    _, events = run(track((60, 2 * H), (0, 19 * M), (60, 2 * H + 1 * M), step=60))
    detail = events[0].detail
    assert detail["segments"] == [
        {"start": at(0).isoformat(), "end": at(2 * H).isoformat(), "driving_s": 7200.0},
        {
            "start": at(2 * H + 19 * M).isoformat(),
            "end": at(4 * H + 20 * M).isoformat(),
            "driving_s": 7260.0,
        },
    ]
    assert detail["driving_s"] == 14460.0 == sum(s["driving_s"] for s in detail["segments"])
    assert detail["limit_s"] == 4 * H
    json.dumps(detail)  # stored as JSON


def test_fatigue_ends_after_a_20_min_rest() -> None:
    _, events = run(track((60, 4 * H + 10 * M), (0, 20 * M), (60, 10 * M), step=60))
    assert kinds(events, FATIGUE) == [START, END]
    start, end = events
    assert start.key == end.key
    assert end.ended_at == at(4 * H + 10 * M)  # when the driver stopped
    assert end.detail["driving_s"] == 4 * H + 10 * M
    assert end.detail["rest_started_at"] == at(4 * H + 10 * M).isoformat()


def test_fatigue_counts_again_after_a_rest() -> None:
    legs = ((60, 4 * H + 10 * M), (0, 30 * M), (60, 4 * H + 10 * M), (0, 30 * M))
    _, events = run(track(*legs, step=60))
    assert kinds(events, FATIGUE) == [START, END, START, END]
    assert events[2].started_at == at(4 * H + 10 * M + 30 * M + 4 * H)
    assert events[0].key != events[2].key


def test_parked_with_the_terminal_asleep_counts_as_rest() -> None:
    # 3 h of driving, 30 min without reports at the same spot, 3 h of driving: no fatigue
    first = track((60, 3 * H), step=60)
    second = track((60, 3 * H), step=60, start=3 * H + 30 * M, lat=first[-1].lat)
    _, events = run([*first, *second])
    assert of(events, FATIGUE) == []


def test_a_hole_in_the_track_while_driving_counts_as_driving() -> None:
    first = track((60, 3 * H), step=60)
    gap_end = first[-1].lat + 60 / KM_PER_DEG_LAT  # 60 km further in an hour
    second = track((60, 1 * H + 1 * M), step=60, start=4 * H, lat=gap_end)
    _, events = run([*first, *second])
    assert kinds(events, FATIGUE) == [START]


def test_many_short_stops_keep_the_state_small_and_the_total_exact() -> None:
    legs = [(60, 4 * M), (0, 1 * M)] * 70  # city driving: 280 min driving, 70 short stops
    state, events = run(track(*legs, step=60), RuleConfig(fatigue_max_segments=8))
    assert len(state.fatigue.segments) == 8
    assert state.fatigue.driving_s == 70 * 4 * M
    start = of(events, FATIGUE)[0]
    assert start.detail["driving_s"] == sum(s["driving_s"] for s in start.detail["segments"])


def test_acc_off_counts_as_rest_when_configured() -> None:
    # 30 min parked with ACC off while the GNSS speed drifts at 3 km/h
    positions = [
        replace(p, status=0 if p.speed_kmh < 5 else ACC_ON)
        for p in track((60, 2 * H), (3, 30 * M), (60, 2 * H + 1 * M), step=60)
    ]
    assert kinds(run(positions)[1], FATIGUE) == [START]  # by default 3 km/h is driving
    assert of(run(positions, RuleConfig(acc_off_is_rest=True))[1], FATIGUE) == []


# --- offline ----------------------------------------------------------------------------------
def test_offline_after_the_interval_exactly_once() -> None:
    state, _ = run([pos(0, 50)])
    last_seen = at(0) + DELAY
    assert offline_deadline(state, RuleConfig()) == last_seen + timedelta(seconds=180)
    state, events = check_offline(state, last_seen + timedelta(seconds=180), RuleConfig())
    assert events == []  # not longer than the interval yet
    state, events = check_offline(state, last_seen + timedelta(seconds=181), RuleConfig())
    assert kinds(events, OFFLINE) == [START]
    assert events[0].started_at == last_seen
    assert events[0].key == f"rule:veh_1:platform.offline:{last_seen.isoformat()}"
    for minutes in (5, 30, 600):
        state, again = check_offline(state, last_seen + timedelta(minutes=minutes), RuleConfig())
        assert again == []
    assert offline_deadline(state, RuleConfig()) is None


def test_next_position_ends_offline() -> None:
    state, _ = run([pos(0, 0)])
    state, started = check_offline(state, at(300), RuleConfig())
    state, events = evaluate(state, pos(400, 0), RuleConfig(), at(402))
    assert kinds(events, OFFLINE) == [END]
    assert events[0].key == started[0].key
    assert events[0].ended_at == at(402)
    assert of(events, OFFLINE_MOVING) == []


def test_heartbeats_keep_a_vehicle_online_when_passed() -> None:
    state, _ = run([pos(0, 0)])
    _, events = check_offline(state, at(600), RuleConfig(), last_message_at=at(590))
    assert events == []


def test_never_seen_vehicle_is_not_offline() -> None:
    assert check_offline(RuleState(), at(10_000), RuleConfig()) == (RuleState(), [])


def test_custom_offline_interval() -> None:
    state, _ = run([pos(0, 0)])
    config = RuleConfig(offline_after_s=600)
    assert check_offline(state, at(500), config)[1] == []
    assert kinds(check_offline(state, at(700), config)[1], OFFLINE) == [START]


def test_reappearing_5_km_away_after_10_min_is_offline_moving() -> None:
    state, _ = run([pos(0, 0)])
    state, _ = check_offline(state, at(200), RuleConfig())
    far = LAT + 5 / KM_PER_DEG_LAT
    state, events = evaluate(state, pos(600, 0, lat=far), RuleConfig(), at(602))
    assert kinds(events, OFFLINE) == [END]
    moving = of(events, OFFLINE_MOVING)
    assert [e.kind for e in moving] == [START, END]
    assert moving[0].key == moving[1].key
    assert moving[0].started_at == at(0)
    assert moving[1].ended_at == at(600)
    detail = moving[1].detail
    assert detail["gap_s"] == 600.0
    assert detail["distance_km"] == pytest.approx(5.0, abs=0.01)
    assert detail["implied_speed_kmh"] == pytest.approx(30.0, abs=0.1)


def test_reappearing_at_the_same_spot_is_not_offline_moving() -> None:
    state, _ = run([pos(0, 0)])
    state, _ = check_offline(state, at(200), RuleConfig())
    state, events = evaluate(state, pos(600, 0, lon=LON + 0.0003), RuleConfig(), at(602))
    assert kinds(events, OFFLINE) == [END]
    assert of(events, OFFLINE_MOVING) == []


def test_offline_moving_from_the_track_alone() -> None:
    # no timer ran (platform restarted, replay): the hole in the track is enough
    far = LAT + 5 / KM_PER_DEG_LAT
    _, events = run([pos(0, 0), pos(600, 0, lat=far)])
    assert kinds(events, OFFLINE_MOVING) == [START, END]


def test_regular_reports_while_driving_are_not_offline_moving() -> None:
    _, events = run(track((90, 600), step=30))
    assert of(events, OFFLINE_MOVING) == []


def test_going_offline_ends_an_open_overspeed_alarm() -> None:
    state, events = run(track((90, 60)))
    assert kinds(events, OVERSPEED) == [START]
    state, events = check_offline(state, at(60) + DELAY + timedelta(seconds=181), RuleConfig())
    assert kinds(events, OFFLINE) == [START]
    assert kinds(events, OVERSPEED) == [END]
    assert of(events, OVERSPEED)[0].ended_at == at(60)
    assert not state.overspeed.open


# --- late, out-of-order and invalid positions -------------------------------------------------
def test_late_positions_do_not_create_false_alarms() -> None:
    state, events = run(track((60, 600), step=30))
    assert events == []
    far = LAT + 50 / KM_PER_DEG_LAT
    late = [pos(t, 130, lat=far) for t in range(0, 600, 5)]  # back-fill, fast and far away
    state, events = run(late, state=state)
    assert events == []
    assert state.last is not None
    _, events = run(track((60, 120), step=30, start=630, lat=state.last.lat), state=state)
    assert events == []


def test_positions_in_reverse_order_create_nothing_but_the_newest() -> None:
    positions = track((120, 300), step=10)
    _, events = run(reversed(positions))
    assert events == []


def test_a_resent_position_changes_nothing() -> None:
    positions = track((90, 40))
    state, _ = run(positions)
    again, more = run(positions[-1:], state=state)
    assert more == []
    assert again.last == state.last


def test_late_position_still_counts_as_a_report() -> None:
    state, _ = run(track((60, 60)))
    state, events = evaluate(state, pos(10, 60), RuleConfig(), at(1000))
    assert events == []
    assert state.last_seen_at == at(1000)
    assert check_offline(state, at(1100), RuleConfig())[1] == []


def test_invalid_speed_is_not_overspeed() -> None:
    _, events = run(track((200, 120)))
    assert events == []


def test_position_from_the_future_does_not_block_later_ones() -> None:
    state, _ = run([pos(0, 60)])
    state, events = evaluate(state, pos(3600, 60), RuleConfig(), at(10))  # 1 h ahead
    assert events == []
    assert state.last is not None and state.last.time == at(0)
    _, events = run(track((90, 60), start=20), state=state)
    assert kinds(events, OVERSPEED) == [START]


def test_bad_altitude_alone_does_not_stop_the_rules() -> None:
    positions = [replace(p, altitude_m=9000) for p in track((90, 60))]
    assert kinds(run(positions)[1], OVERSPEED) == [START]


# --- validation -------------------------------------------------------------------------------
NOW = at(0)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"lon": 73.54}, "lon_out_of_range"),  # 73°33′E = 73.55
        ({"lon": 135.09}, "lon_out_of_range"),  # 135°05′E = 135.0833
        ({"lon": -113.0}, "lon_out_of_range"),
        ({"lat": 3.84}, "lat_out_of_range"),  # 3°51′N = 3.85
        ({"lat": 53.56}, "lat_out_of_range"),  # 53°33′N = 53.55
        ({"lat": math.nan}, "lat_out_of_range"),
        ({"speed_kmh": -1.0}, "speed_out_of_range"),
        ({"speed_kmh": 160.5}, "speed_out_of_range"),
        ({"altitude_m": -201}, "altitude_out_of_range"),
        ({"altitude_m": 6501}, "altitude_out_of_range"),
        ({"time": NOW + timedelta(minutes=10, seconds=1)}, "time_in_future"),
        ({"time": datetime(2026, 3, 2, 9, 0)}, "time_without_zone"),
    ],
)
def test_invalid_data_reason(changes: dict[str, Any], reason: str) -> None:
    assert validate(replace(pos(NOW), **changes), NOW) == (reason,)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"lon": 73.55, "lat": 3.85},
        {"lon": 135 + 5 / 60, "lat": 53.55},
        {"speed_kmh": 0.0},
        {"speed_kmh": 160.0},
        {"altitude_m": -200},
        {"altitude_m": 6500},
        {"time": NOW + timedelta(minutes=10)},
        {"time": NOW - timedelta(days=3)},  # late is not invalid
    ],
)
def test_valid_data_at_the_bounds(changes: dict[str, Any]) -> None:
    assert validate(replace(pos(NOW), **changes), NOW) == ()


def test_every_reason_at_once() -> None:
    bad = pos(NOW + timedelta(hours=1), 300, lat=0.0, lon=0.0, altitude_m=-9999)
    assert set(validate(bad, NOW)) == {
        "time_in_future",
        "lon_out_of_range",
        "lat_out_of_range",
        "speed_out_of_range",
        "altitude_out_of_range",
    }


# --- night driving ----------------------------------------------------------------------------
NIGHT = RuleConfig(night_driving=True)
AT_23_BEIJING = 14 * H  # T0 is 09:00 Beijing


def test_night_window_in_beijing_time() -> None:
    assert is_night(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), NIGHT)  # 22:00 Beijing
    assert is_night(datetime(2026, 3, 2, 21, 59, tzinfo=UTC), NIGHT)  # 05:59
    assert not is_night(datetime(2026, 3, 2, 22, 0, tzinfo=UTC), NIGHT)  # 06:00
    assert not is_night(datetime(2026, 3, 2, 13, 59, tzinfo=UTC), NIGHT)  # 21:59


def test_night_driving_is_off_by_default() -> None:
    _, events = run(track((50, 10 * M), start=AT_23_BEIJING))
    assert events == []


def test_night_driving_when_enabled() -> None:
    _, events = run(track((50, 10 * M), (0, 30 * M), start=AT_23_BEIJING), NIGHT)
    assert kinds(events, NIGHT_DRIVING) == [START, END]
    assert events[0].started_at == at(AT_23_BEIJING)
    assert events[1].ended_at == at(AT_23_BEIJING + 10 * M)


def test_no_night_driving_by_day_or_parked() -> None:
    assert run(track((50, 10 * M)), NIGHT)[1] == []
    assert run(track((0, 10 * M), start=AT_23_BEIJING), NIGHT)[1] == []


def test_night_driving_ends_at_six() -> None:
    six = 21 * H  # 06:00 Beijing
    _, events = run(track((50, 20 * M), start=six - 10 * M), NIGHT)
    assert kinds(events, NIGHT_DRIVING) == [START, END]
    assert events[1].ended_at == at(six)


# --- state JSON -------------------------------------------------------------------------------
def test_fresh_state_round_trip() -> None:
    assert RuleState.from_json(RuleState().to_json()) == RuleState()
    assert RuleState.from_json({}) == RuleState()  # the column's default


def test_state_round_trip_mid_alarms() -> None:
    legs = ((70, 4 * H), (0, 60), (70, 10 * M), (90, 60))
    state, _ = run(track(*legs, step=10, start=AT_23_BEIJING - 2 * H), NIGHT)
    assert state.overspeed.open and state.fatigue.open and state.night.open
    assert state.fatigue.segments and state.last is not None
    text = json.dumps(state.to_json(), allow_nan=False)
    assert RuleState.from_json(text) == state
    assert RuleState.from_json(json.loads(text)) == state


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        42,
        "not json",
        b"\xff\xfe",
        [],
        {"version": 99},
        {"version": 1},
        {"version": "1", "vehicle_id": "veh_1"},
        {**RuleState(vehicle_id="veh_1").to_json(), "last_seen_at": "yesterday"},
        {**RuleState(vehicle_id="veh_1").to_json(), "last_seen_at": "2026-03-02T09:00:00"},
        {**RuleState(vehicle_id="veh_1").to_json(), "vehicle_id": 7},
        {**RuleState().to_json(), "overspeed": {"open": True}},
        {**RuleState().to_json(), "fatigue": {**RuleState().to_json()["fatigue"], "open": True}},
        {**RuleState().to_json(), "last": {"time": "2026-03-02T01:00:00+00:00", "lat": "x"}},
    ],
)
def test_garbage_json_gives_a_fresh_state(garbage: object) -> None:
    assert RuleState.from_json(garbage) == RuleState()


# --- properties -------------------------------------------------------------------------------
# One report: (seconds since the previous one, speed, km jumped besides driving).
reports = st.lists(
    st.tuples(
        st.sampled_from([1, 5, 10, 30, 60, 200, 900, 1500, 3 * H]),
        st.sampled_from([0.0, 0.0, 30.0, 79.0, 80.0, 81.0, 100.0, 150.0]),
        st.sampled_from([0.0, 0.0, 0.0, 0.1, 3.0]),
    ),
    max_size=60,
)
SMALL = RuleConfig(night_driving=True, fatigue_driving_s=1800, fatigue_rest_s=600)


def stream(spec: list[tuple[int, float, float]], start: float = 0) -> list[Position]:
    out: list[Position] = []
    t, y = start, LAT
    for gap, speed, jump in spec:
        y += (speed * gap / 3600 + jump) / KM_PER_DEG_LAT
        t += gap
        out.append(pos(t, speed, lat=min(y, 53.0)))
    return out


def run_with_timer(positions: list[Position], config: RuleConfig) -> list[RuleEvent]:
    """Positions with the offline timer ticking just before each one."""
    state, events = RuleState(), []
    for p in positions:
        state, evs = check_offline(state, p.time, config)
        events += evs
        state, evs = evaluate(state, p, config, p.time + DELAY)
        events += evs
    return events


def assert_well_formed(events: list[RuleEvent]) -> None:
    """Per rule: START (END REOPEN)* END? per key, one open alarm at a time, keys unique."""
    for code in {e.type_code for e in events}:
        open_key: str | None = None
        closed: list[str] = []
        for e in of(events, code):
            if e.kind is START:
                assert open_key is None and e.key not in closed, (code, e)
                open_key = e.key
            elif e.kind is END:
                assert open_key == e.key, (code, e)
                assert e.ended_at is not None and e.ended_at >= e.started_at
                closed.append(e.key)
                open_key = None
            else:
                assert open_key is None and closed and closed[-1] == e.key, (code, e)
                open_key = e.key
        starts = [e.key for e in of(events, code) if e.kind is START]
        assert len(starts) == len(set(starts))
        for e in of(events, code):
            assert e.key == f"rule:veh_1:{code}:{e.started_at.isoformat()}"


@settings(max_examples=200, deadline=None)
@given(reports)
def test_events_alternate_and_keys_are_unique(spec: list[tuple[int, float, float]]) -> None:
    positions = stream(spec, start=13 * H)  # 21:00 Beijing: crosses the night window
    assert_well_formed(run(positions, SMALL)[1])
    assert_well_formed(run_with_timer(positions, SMALL))


@settings(max_examples=100, deadline=None)
@given(reports)
def test_same_stream_same_events_also_through_json(spec: list[tuple[int, float, float]]) -> None:
    positions = stream(spec, start=13 * H)
    first_state, first = run(positions, SMALL)
    second_state, second = run(positions, SMALL)
    json_state, through_json = run(positions, SMALL, via_json=True)
    assert first == second == through_json
    assert first_state == second_state == json_state
    for e in first:
        json.dumps(e.detail, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(reports, st.integers(min_value=0, max_value=60))
def test_state_json_round_trip(spec: list[tuple[int, float, float]], cut: int) -> None:
    state, _ = run(stream(spec[:cut], start=13 * H), SMALL)
    data = json.loads(json.dumps(state.to_json(), allow_nan=False))
    assert RuleState.from_json(data) == state
    assert RuleState.from_json(data).to_json() == data


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_gives_a_usable_state(value: object) -> None:
    state = RuleState.from_json(value)
    assert isinstance(state, RuleState)
    evaluate(state, pos(0, 90), RuleConfig(), at(1))


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*prefix, i))
    return found


def _set(value: object, path: tuple[object, ...], new: object) -> object:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_set(v, rest, new) if k == head else v) for k, v in value.items()}
    assert isinstance(value, list)
    return [(_set(v, rest, new) if i == head else v) for i, v in enumerate(value)]


@settings(max_examples=200, deadline=None)
@given(reports, st.data())
def test_damaged_state_json_never_breaks_the_rules(
    spec: list[tuple[int, float, float]], data: st.DataObject
) -> None:
    state, _ = run(stream(spec, start=13 * H), SMALL)
    good = state.to_json()
    path = data.draw(st.sampled_from(_paths(good)))
    damaged = _set(good, path, data.draw(json_values))
    loaded = RuleState.from_json(damaged)
    later = pos(13 * H + 10 * 24 * H, 90)
    loaded, _ = evaluate(loaded, later, SMALL, later.time)
    check_offline(loaded, later.time + timedelta(hours=1), SMALL)
