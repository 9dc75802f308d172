"""Driver behaviour: plausible driving, and the episodes that make the platform's rules fire."""

from __future__ import annotations

import random

import pytest

from console.sim.driver import (
    FATIGUE_AFTER_S,
    Activity,
    Connectivity,
    Driver,
    DriverProfile,
    is_night,
)
from console.sim.routes import in_qingyuan

NOON = 1_740_024_000.0  # 2025-02-20 12:00 CST
NIGHT = 1_740_060_000.0  # 2025-02-20 22:00 CST


def drive(profile: DriverProfile, hours: float, *, start: float = NOON, seed: str = "s") -> Driver:
    driver = Driver(random.Random(seed), profile, start_time=start)
    t = start
    while t < start + hours * 3600:
        t += 30
        driver.advance(t)
        sample = driver.sample()
        assert in_qingyuan(sample.lat, sample.lon)
        assert 0 <= sample.speed_kmh <= 115
        assert 0 <= sample.heading < 360
    return driver


@pytest.mark.parametrize("seed", ["a", "b", "c"])
def test_a_law_abiding_driver_keeps_the_rules(seed: str) -> None:
    driver = drive(DriverProfile(), 12, seed=seed)
    assert not driver.episodes_of("overspeed")
    assert not driver.episodes_of("fatigue")
    assert driver.episodes_of("rest") or driver.episodes_of("night")
    assert driver.mileage_km > 0


def test_speeds_and_mileage_are_plausible() -> None:
    driver = Driver(random.Random("m"), DriverProfile(), start_time=NOON)
    mileage = driver.mileage_km
    speeds = []
    for i in range(1, 6 * 120):
        driver.advance(NOON + 30 * i)
        if driver.sample().activity is Activity.DRIVING:
            speeds.append(driver.sample().speed_kmh)
    travelled = driver.mileage_km - mileage
    assert 100 < travelled < 6 * 85
    assert max(speeds) <= 85
    assert 30 < sum(speeds) / len(speeds) < 80


def test_an_overspeeder_has_episodes_above_80_for_more_than_30_s() -> None:
    driver = drive(DriverProfile(overspeeder=True), 8, seed="fast")
    episodes = [e for e in driver.episodes_of("overspeed") if e.end is not None]
    assert len(episodes) >= 3
    assert all(e.duration and e.duration > 30 for e in episodes)


def test_the_overspeed_bit_follows_30_s_above_the_limit() -> None:
    driver = Driver(random.Random("o"), DriverProfile(overspeeder=True), start_time=NOON)
    seen = False
    t = NOON
    for _ in range(8 * 720):
        t += 5
        driver.advance(t)
        sample = driver.sample()
        if sample.overspeed:
            seen = True
            assert sample.speed_kmh > 80
            assert driver.over_since is not None and t - driver.over_since > 30
    assert seen


def test_a_driver_who_skips_rests_drives_more_than_4_hours() -> None:
    driver = drive(DriverProfile(no_rest=True, night_driver=True), 14, seed="tired")
    (first, *_) = driver.episodes_of("fatigue")
    assert first.start - NOON >= FATIGUE_AFTER_S - 60


def test_law_abiding_drivers_park_in_the_small_hours_night_drivers_do_not() -> None:
    day_driver = drive(DriverProfile(), 10, start=NIGHT, seed="n")
    night_driver = drive(DriverProfile(night_driver=True), 10, start=NIGHT, seed="n")
    small_hours = [e for e in day_driver.episodes if e.kind == "rest"]
    assert small_hours
    night = night_driver.episodes_of("night")
    assert night and sum((e.duration or 0) for e in night) > 3 * 3600
    assert is_night(NIGHT) and not is_night(NOON)


def test_a_terminal_that_loses_power_reappears_elsewhere() -> None:
    driver = Driver(random.Random("off"), DriverProfile(goes_offline=True), start_time=NOON)
    t = NOON
    before = after = None
    for _ in range(24 * 720):
        t += 5
        was = driver.connectivity
        position = (driver.lat, driver.lon)
        driver.advance(t)
        if was is Connectivity.ONLINE and driver.connectivity is Connectivity.POWER_OFF:
            before = position
        if was is Connectivity.POWER_OFF and driver.connectivity is Connectivity.ONLINE:
            after = (driver.lat, driver.lon)
            if before != after:
                break
    assert before is not None and after is not None and before != after
    episode = driver.episodes_of("power_off")[0]
    assert episode.duration and 25 * 60 <= episode.duration <= 45 * 60 + 5


def test_blind_spots_come_with_signal_loss_in_the_hills() -> None:
    driver = drive(DriverProfile(blind_spots=True), 24, seed="hills")
    episodes = driver.episodes_of("no_signal")
    assert episodes
    assert all(e.duration is None or e.duration <= 10 * 60 + 5 for e in episodes)


def test_the_same_seed_drives_the_same_way() -> None:
    one = drive(DriverProfile(overspeeder=True), 3, seed="same").sample()
    two = drive(DriverProfile(overspeeder=True), 3, seed="same").sample()
    assert one == two


def test_profiles_are_drawn_in_realistic_shares() -> None:
    rng = random.Random(1)
    profiles = [DriverProfile.draw(rng) for _ in range(2000)]
    share = sum(p.overspeeder for p in profiles) / len(profiles)
    assert 0.1 < share < 0.3
    assert sum(not p.habits for p in profiles) > 800


def test_shifting_a_driver_moves_every_time_it_keeps() -> None:
    driver = drive(DriverProfile(overspeeder=True, goes_offline=True), 3, seed="shift")
    before = driver.sample()
    starts = [e.start for e in driver.episodes]
    driver.shift(-3600)
    assert driver.sample().time == before.time - 3600
    assert [e.start for e in driver.episodes] == [s - 3600 for s in starts]
    driver.advance(before.time - 3600 + 60)  # goes on from the new time
    assert driver.t == before.time - 3600 + 60
