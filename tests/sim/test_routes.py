"""Routes between the towns of 清远."""

from __future__ import annotations

import itertools
import random

import pytest

from console.sim.routes import (
    TOWNS,
    RoadClass,
    bearing_deg,
    haversine_km,
    in_qingyuan,
    plan,
    random_trip,
)

PAIRS = list(itertools.permutations(sorted(TOWNS), 2))


def test_the_eight_county_seats_are_in_qingyuan() -> None:
    assert len(TOWNS) == 8
    assert all(in_qingyuan(t.lat, t.lon) for t in TOWNS.values())


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_every_town_reaches_every_other_inside_the_city(a: str, b: str) -> None:
    route = plan(a, b)
    assert route.points[0] == (TOWNS[a].lat, TOWNS[a].lon)
    assert route.points[-1] == (TOWNS[b].lat, TOWNS[b].lon)
    assert all(in_qingyuan(lat, lon) for lat, lon in route.points)
    straight = haversine_km(TOWNS[a].lat, TOWNS[a].lon, TOWNS[b].lat, TOWNS[b].lon)
    assert straight <= route.length_km <= 2.5 * straight + 5


def test_lianzhou_to_qingcheng_takes_the_g55_expressway() -> None:
    route = plan("lianzhou", "qingcheng")
    assert RoadClass.EXPRESSWAY in route.classes
    assert any("G55" in name for name in route.names)
    assert 125 < route.length_km < 260


def test_locate_walks_along_the_route_with_headings() -> None:
    route = plan("qingcheng", "yingde")
    lat0, lon0, *_ = route.locate(0)
    lat1, lon1, heading, road_class, _ = route.locate(route.length_km / 2)
    assert (lat0, lon0) != (lat1, lon1)
    assert 0 <= heading < 360 and isinstance(road_class, RoadClass)
    assert route.locate(route.length_km + 10)[:2] == route.points[-1]


def test_bearings() -> None:
    assert bearing_deg(23.0, 113.0, 24.0, 113.0) == 0
    assert bearing_deg(23.0, 113.0, 23.0, 114.0) == 90
    assert bearing_deg(24.0, 113.0, 23.0, 113.0) == 180


def test_random_trips_are_deterministic_with_a_seed() -> None:
    first = [random_trip(random.Random(7)).points for _ in range(3)]
    second = [random_trip(random.Random(7)).points for _ in range(3)]
    assert first == second


def test_a_route_needs_two_towns() -> None:
    with pytest.raises(ValueError):
        plan("yingde", "yingde")
    with pytest.raises(KeyError):
        plan("yingde", "guangzhou")
