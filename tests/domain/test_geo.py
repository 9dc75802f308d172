"""WGS-84 ↔ GCJ-02 conversion (console.domain.geo)."""

from __future__ import annotations

import math

import pytest

from console.domain.geo import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

# (wgs lat, wgs lon, gcj lat, gcj lon) published with googollee/eviltransform
# (go/transform_test.go, also in its python/js/php ports) and, last, the example of the
# evil_transform Elixir package's documentation (EvilTransform.Convertor.wgstogcj).
KNOWN_PAIRS = [
    pytest.param(31.1774276, 121.5272106, 31.17530398364597, 121.531541859215, id="shanghai"),
    pytest.param(22.543847, 113.912316, 22.540796131694766, 113.9171764808363, id="shenzhen"),
    pytest.param(39.911954, 116.377817, 39.91334545536069, 116.38404722455657, id="beijing"),
    pytest.param(31.280844, 120.596931, 31.278648624428175, 120.60109998322247, id="suzhou"),
]
TOLERANCE_DEG = 1e-6

# County seats of 清远 (WGS-84), where the console's trucks are.
QINGYUAN_SEATS = [
    (23.698, 113.056),
    (23.733, 112.991),
    (23.879, 113.532),
    (24.465, 112.641),
    (24.570, 112.093),
    (24.726, 112.287),
    (24.186, 113.415),
    (24.780, 112.377),
]


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), KNOWN_PAIRS)
def test_wgs84_to_gcj02_matches_published_pairs(wlat, wlon, glat, glon) -> None:
    lat, lon = wgs84_to_gcj02(wlat, wlon)
    assert lat == pytest.approx(glat, abs=TOLERANCE_DEG)
    assert lon == pytest.approx(glon, abs=TOLERANCE_DEG)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), KNOWN_PAIRS)
def test_gcj02_to_wgs84_inverts_published_pairs(wlat, wlon, glat, glon) -> None:
    lat, lon = gcj02_to_wgs84(glat, glon)
    assert lat == pytest.approx(wlat, abs=TOLERANCE_DEG)
    assert lon == pytest.approx(wlon, abs=TOLERANCE_DEG)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (39.7392, -104.9903),  # Denver
        (-27.4698, 153.0251),  # Brisbane
        (51.4779, -0.0015),  # Greenwich
        (35.6812, 139.7671),  # Tokyo: east of the box
        (0.5, 110.0),  # south of the box
    ],
)
def test_outside_china_is_unchanged(lat: float, lon: float) -> None:
    assert out_of_china(lat, lon)
    assert wgs84_to_gcj02(lat, lon) == (lat, lon)
    assert gcj02_to_wgs84(lat, lon) == (lat, lon)


def test_qingyuan_is_shifted_by_a_few_hundred_metres() -> None:
    for seat in QINGYUAN_SEATS:
        assert not out_of_china(*seat)
        shift = metres_between(seat, wgs84_to_gcj02(*seat))
        assert 200 < shift < 800, (seat, shift)


@pytest.mark.parametrize("seat", QINGYUAN_SEATS)
def test_round_trip_is_within_a_metre(seat: tuple[float, float]) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(*seat))
    assert metres_between(seat, back) < 1.0


def test_round_trip_across_china_is_within_a_metre() -> None:
    worst = 0.0
    for lat10 in range(185, 530, 25):
        for lon10 in range(745, 1345, 25):
            point = (lat10 / 10, lon10 / 10)
            worst = max(worst, metres_between(point, gcj02_to_wgs84(*wgs84_to_gcj02(*point))))
    assert worst < 1.0
