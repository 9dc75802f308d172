"""Roads between the towns of 清远 (Qingyuan) and routes along them, in WGS-84.

The network is a small graph: the county seats of the eight county-level divisions joined by
expressway corridors shaped like G4 (京港澳, Fogang-Yingde), G55 (二广, Qingxin-Yangshan-
Lianzhou) and provincial / national roads, each with a few waypoints so that a route bends
the way the road does. Coordinates are approximate (good to a few hundred metres at the
towns), which is what a demo map and the platform's rules need.

A :class:`Route` is a polyline with cumulative distances; :meth:`Route.locate` gives the
position, heading and road class at a distance along it. Everything is deterministic.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from enum import StrEnum

EARTH_RADIUS_KM = 6371.0088

#: The area of 清远市 with a margin: (lat_min, lat_max, lon_min, lon_max).
QINGYUAN_BBOX = (23.35, 25.25, 111.85, 114.0)


class RoadClass(StrEnum):
    EXPRESSWAY = "expressway"  # 高速公路
    TRUNK = "trunk"  # 国道 / 省道
    URBAN = "urban"  # 城区道路

    @property
    def cruise_kmh(self) -> tuple[float, float]:
        """The speed band a law-abiding heavy truck keeps on this class of road."""
        return _CRUISE[self]

    @property
    def limit_kmh(self) -> float:
        """Heavy-truck speed limit on this class of road."""
        return _LIMIT[self]


_CRUISE = {
    RoadClass.EXPRESSWAY: (68.0, 78.0),
    RoadClass.TRUNK: (48.0, 62.0),
    RoadClass.URBAN: (28.0, 40.0),
}
_LIMIT = {RoadClass.EXPRESSWAY: 80.0, RoadClass.TRUNK: 70.0, RoadClass.URBAN: 50.0}


@dataclass(frozen=True, slots=True)
class Town:
    key: str
    name_zh: str
    name_en: str
    lat: float
    lon: float
    county_zh: str


TOWNS: dict[str, Town] = {
    t.key: t
    for t in (
        Town("qingcheng", "清城", "Qingcheng", 23.6980, 113.0560, "清城区"),
        Town("taihe", "太和", "Taihe (Qingxin)", 23.7330, 112.9910, "清新区"),
        Town("yingde", "英德", "Yingde", 24.1860, 113.4020, "英德市"),
        Town("lianzhou", "连州", "Lianzhou", 24.7800, 112.3770, "连州市"),
        Town("fogang", "佛冈", "Fogang", 23.8790, 113.5320, "佛冈县"),
        Town("yangshan", "阳山", "Yangshan", 24.4650, 112.6420, "阳山县"),
        Town("liannan", "连南", "Liannan", 24.7260, 112.2880, "连南瑶族自治县"),
        Town("lianshan", "连山", "Lianshan", 24.5700, 112.0860, "连山壮族瑶族自治县"),
    )
}


@dataclass(frozen=True, slots=True)
class Road:
    a: str
    b: str
    road_class: RoadClass
    name: str
    via: tuple[tuple[float, float], ...] = ()

    def points(self, reverse: bool = False) -> list[tuple[float, float]]:
        pts = [
            (TOWNS[self.a].lat, TOWNS[self.a].lon),
            *self.via,
            (TOWNS[self.b].lat, TOWNS[self.b].lon),
        ]
        return pts[::-1] if reverse else pts


ROADS: tuple[Road, ...] = (
    Road("qingcheng", "taihe", RoadClass.URBAN, "清新大道", ((23.712, 113.025),)),
    Road(
        "qingcheng",
        "fogang",
        RoadClass.TRUNK,
        "G106 清佛段",
        ((23.745, 113.160), (23.800, 113.300), (23.842, 113.430)),
    ),
    Road(
        "fogang",
        "yingde",
        RoadClass.EXPRESSWAY,
        "G4 京港澳高速",
        ((23.965, 113.515), (24.060, 113.470), (24.130, 113.430)),
    ),
    Road(
        "qingcheng",
        "yingde",
        RoadClass.TRUNK,
        "S253 清英线",
        ((23.820, 113.150), (23.950, 113.260), (24.070, 113.305), (24.140, 113.360)),
    ),
    Road(
        "taihe",
        "yangshan",
        RoadClass.EXPRESSWAY,
        "G55 二广高速",
        ((23.860, 112.950), (24.010, 112.880), (24.200, 112.760), (24.350, 112.700)),
    ),
    Road(
        "yangshan",
        "lianzhou",
        RoadClass.EXPRESSWAY,
        "G55 二广高速",
        ((24.560, 112.560), (24.660, 112.470), (24.735, 112.410)),
    ),
    Road("lianzhou", "liannan", RoadClass.URBAN, "连南大道", ((24.755, 112.330),)),
    Road(
        "liannan",
        "lianshan",
        RoadClass.TRUNK,
        "S114 连南-连山",
        ((24.690, 112.220), (24.640, 112.160)),
    ),
    Road(
        "yangshan",
        "yingde",
        RoadClass.TRUNK,
        "S347 阳山-英德",
        ((24.400, 112.820), (24.330, 112.980), (24.260, 113.180)),
    ),
)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Initial bearing 0-359, north = 0, clockwise (the 0x0200 direction field)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return round(math.degrees(math.atan2(y, x))) % 360


def _densify(points: list[tuple[float, float]], step_km: float = 2.0) -> list[tuple[float, float]]:
    """Extra points every ``step_km`` with a gentle deterministic sideways wiggle, so that a
    route curves like a road rather than running in straight chords."""
    out = [points[0]]
    for (la1, lo1), (la2, lo2) in itertools.pairwise(points):
        dist = haversine_km(la1, lo1, la2, lo2)
        n = max(1, int(dist / step_km))
        # unit normal in degrees (approximate, fine at this scale)
        dlat, dlon = la2 - la1, lo2 - lo1
        norm = math.hypot(dlat, dlon) or 1.0
        nlat, nlon = -dlon / norm, dlat / norm
        for i in range(1, n):
            f = i / n
            wiggle = 0.004 * math.sin(f * math.pi) * math.sin(f * math.pi * 3 + la1 * 100)
            out.append((la1 + dlat * f + nlat * wiggle, lo1 + dlon * f + nlon * wiggle))
        out.append((la2, lo2))
    return out


class Route:
    """A polyline from ``origin`` to ``destination`` with the road class of each segment."""

    __slots__ = ("_cum", "classes", "destination", "length_km", "names", "origin", "points")

    def __init__(
        self,
        origin: str,
        destination: str,
        points: list[tuple[float, float]],
        classes: list[RoadClass],
        names: list[str],
    ) -> None:
        if len(points) < 2 or len(classes) != len(points) - 1:
            raise ValueError("a route needs n >= 2 points and n - 1 segment classes")
        self.origin = origin
        self.destination = destination
        self.points = tuple(points)
        self.classes = tuple(classes)
        self.names = tuple(names)
        cum = [0.0]
        for (la1, lo1), (la2, lo2) in itertools.pairwise(points):
            cum.append(cum[-1] + haversine_km(la1, lo1, la2, lo2))
        self._cum = tuple(cum)
        self.length_km = cum[-1]

    def locate(self, km: float) -> tuple[float, float, int, RoadClass, str]:
        """(lat, lon, heading, road class, road name) at ``km`` along the route (clamped)."""
        km = min(max(km, 0.0), self.length_km)
        i = min(bisect_right(self._cum, km) - 1, len(self.points) - 2)
        seg = self._cum[i + 1] - self._cum[i]
        f = (km - self._cum[i]) / seg if seg > 0 else 0.0
        (la1, lo1), (la2, lo2) = self.points[i], self.points[i + 1]
        lat = la1 + (la2 - la1) * f
        lon = lo1 + (lo2 - lo1) * f
        return lat, lon, bearing_deg(la1, lo1, la2, lo2), self.classes[i], self.names[i]

    def __repr__(self) -> str:
        return f"Route({self.origin}->{self.destination}, {self.length_km:.1f} km)"


def _graph() -> dict[str, list[tuple[str, Road, bool]]]:
    graph: dict[str, list[tuple[str, Road, bool]]] = {k: [] for k in TOWNS}
    for road in ROADS:
        graph[road.a].append((road.b, road, False))
        graph[road.b].append((road.a, road, True))
    return graph


_GRAPH = _graph()


def _road_km(road: Road) -> float:
    pts = road.points()
    return sum(haversine_km(*p, *q) for p, q in itertools.pairwise(pts))


def _hours(road: Road) -> float:
    low, high = road.road_class.cruise_kmh
    return _road_km(road) / ((low + high) / 2)


def plan(origin: str, destination: str) -> Route:
    """The quickest route between two towns (Dijkstra on cruise time)."""
    if origin not in TOWNS or destination not in TOWNS:
        raise KeyError(f"unknown town {origin!r} or {destination!r}")
    if origin == destination:
        raise ValueError("a route needs two different towns")
    best: dict[str, float] = {origin: 0.0}
    previous: dict[str, tuple[str, Road, bool]] = {}
    queue = [(0.0, origin)]
    while queue:
        cost, town = heapq.heappop(queue)
        if town == destination:
            break
        if cost > best.get(town, math.inf):
            continue
        for nxt, road, reverse in _GRAPH[town]:
            c = cost + _hours(road)
            if c < best.get(nxt, math.inf):
                best[nxt] = c
                previous[nxt] = (town, road, reverse)
                heapq.heappush(queue, (c, nxt))
    legs: list[tuple[Road, bool]] = []
    town = destination
    while town != origin:
        prev, road, reverse = previous[town]
        legs.append((road, reverse))
        town = prev
    legs.reverse()
    points: list[tuple[float, float]] = []
    classes: list[RoadClass] = []
    names: list[str] = []
    for road, reverse in legs:
        pts = _densify(road.points(reverse))
        if points:
            pts = pts[1:]
        else:
            points.append(pts[0])
            pts = pts[1:]
        for p in pts:
            points.append(p)
            classes.append(road.road_class)
            names.append(road.name)
    return Route(origin, destination, points, classes, names)


def random_trip(rng: random.Random, origin: str | None = None) -> Route:
    """A route from ``origin`` (or a random town) to another random town."""
    keys = sorted(TOWNS)
    start = origin if origin is not None else rng.choice(keys)
    end = rng.choice([k for k in keys if k != start])
    return plan(start, end)


def in_qingyuan(lat: float, lon: float) -> bool:
    lat_min, lat_max, lon_min, lon_max = QINGYUAN_BBOX
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max


def altitude_m(lat: float, lon: float) -> int:
    """A plausible elevation: the Pearl River plain in the south, the Nanling hills north-west."""
    north = max(0.0, lat - 23.6) * 260
    west = max(0.0, 113.1 - lon) * 90
    ripple = 25 * math.sin(lat * 40) * math.cos(lon * 35)
    return max(5, int(15 + north + west + ripple))
