"""How one truck is driven, in simulated time: trips between towns, speed, stops, rests, and
the habits that make the platform's rules fire (sans-I/O, no clock: time is an argument).

A :class:`DriverProfile` says which rules a driver tends to break:

* ``overspeeder`` -- episodes above 80 km/h lasting 1-4 minutes on the open road;
* ``no_rest`` -- drives 4.5-6 h before resting (the rule is > 4 h without a 20-minute stop);
* ``night_driver`` -- keeps driving between 23:00 and 05:00 (law-abiding drivers park);
* ``goes_offline`` -- the terminal loses power now and then while the truck keeps moving, so it
  reappears elsewhere (离线位移);
* ``blind_spots`` -- loses the mobile signal in the northern hills; the terminal keeps its
  positions and back-fills them (0x0704 blind-area upload) when the signal returns.

:class:`Driver` advances in steps of at most :data:`STEP_S` seconds and records each episode of
interest (overspeed > 30 s, > 4 h continuous driving, night driving, power-off, no signal,
rest) in :attr:`Driver.episodes`, so tests and logs can see what happened.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from console.sim.routes import TOWNS, RoadClass, Route, altitude_m, random_trip

STEP_S = 5.0
OVERSPEED_KMH = 80.0  # heavy trucks: the platform's default limit
OVERSPEED_AFTER_S = 30.0  # the terminal raises its overspeed bit after this long above it
FATIGUE_AFTER_S = 4 * 3600.0  # continuous driving (GA/T 2372)
REST_RESETS_S = 20 * 60.0  # a stop at least this long ends a continuous-driving stretch
TANK_L = 400.0
FUEL_L_PER_KM = 0.32
CHINA_OFFSET_S = 8 * 3600
MAX_EPISODES = 200


class Activity(StrEnum):
    DRIVING = "driving"
    RESTING = "resting"  # roadside / service-area rest
    LOADING = "loading"  # at a destination
    NIGHT_PARK = "night_park"


class Connectivity(StrEnum):
    ONLINE = "online"
    NO_SIGNAL = "no_signal"  # link down, the terminal records positions (blind area)
    POWER_OFF = "power_off"  # terminal off: link down, nothing recorded


@dataclass(frozen=True, slots=True)
class DriverProfile:
    overspeeder: bool = False
    no_rest: bool = False
    night_driver: bool = False
    goes_offline: bool = False
    blind_spots: bool = False
    pace: float = 1.0  # multiplies the cruise speed band

    @classmethod
    def draw(cls, rng: random.Random) -> DriverProfile:
        """A driver as found in a fleet: most keep the rules, some break one or two."""
        return cls(
            overspeeder=rng.random() < 0.2,
            no_rest=rng.random() < 0.12,
            night_driver=rng.random() < 0.12,
            goes_offline=rng.random() < 0.06,
            blind_spots=rng.random() < 0.15,
            pace=round(rng.uniform(0.93, 1.05), 3),
        )

    @property
    def habits(self) -> list[str]:
        return [
            name
            for name in ("overspeeder", "no_rest", "night_driver", "goes_offline", "blind_spots")
            if getattr(self, name)
        ]


@dataclass(slots=True)
class Episode:
    kind: str  # overspeed, fatigue, night, power_off, no_signal, rest
    start: float
    end: float | None = None

    @property
    def duration(self) -> float | None:
        return None if self.end is None else self.end - self.start


@dataclass(frozen=True, slots=True)
class Sample:
    """The truck at one moment, in the units of a 0x0200 report."""

    time: float  # simulated UNIX time
    lat: float
    lon: float
    speed_kmh: float
    heading: int
    altitude: int
    mileage_km: float
    fuel_l: float
    acc_on: bool
    activity: Activity
    road_class: RoadClass | None
    road_name: str
    overspeed: bool  # the terminal's overspeed bit (> 80 km/h for > 30 s)
    fatigue: bool  # the terminal's fatigue bit (> 4 h continuous driving)
    continuous_driving_s: float


def local_hour(t: float) -> float:
    return ((t + CHINA_OFFSET_S) % 86400) / 3600


def is_night(t: float) -> bool:
    """22:00-06:00 local time: what counts as night driving."""
    hour = local_hour(t)
    return hour >= 22 or hour < 6


def is_parking_time(t: float) -> bool:
    """01:30-05:30 local time: when law-abiding drivers stay parked (freight moves in the
    evening too, but not in the small hours)."""
    hour = local_hour(t)
    return 1.5 <= hour < 5.5


class Driver:
    """One truck and its driver. Call :meth:`advance` with increasing simulated times."""

    def __init__(
        self,
        rng: random.Random,
        profile: DriverProfile,
        *,
        start_time: float,
        town: str | None = None,
        driving: bool = True,
    ) -> None:
        self.rng = rng
        self.profile = profile
        self.t = start_time
        self.route: Route = random_trip(rng, town)
        self.km = 0.0
        self.speed = 0.0
        self.mileage_km = round(rng.uniform(20_000, 400_000), 1)
        self.fuel_l = rng.uniform(0.4, 0.95) * TANK_L
        self.activity = Activity.DRIVING if driving else Activity.LOADING
        self.stop_until = start_time if driving else start_time + rng.uniform(0, 1800)
        self.stopped_since: float | None = None if driving else start_time
        self.continuous_s = 0.0
        self.rest_after_s = self._draw_rest_after()
        self.cruise = self._draw_cruise(RoadClass.URBAN)
        self.cruise_class: RoadClass | None = None
        self.cruise_until = start_time
        self.slow_until = 0.0
        self.slow_kmh = 0.0
        self.overspeed_until = 0.0
        self.overspeed_kmh = 0.0
        self.over_since: float | None = None
        self.connectivity = Connectivity.ONLINE
        self.offline_until = 0.0
        self.episodes: list[Episode] = []
        self._open: dict[str, Episode] = {}
        lat, lon, heading, road_class, name = self.route.locate(0.0)
        self.lat, self.lon, self.heading = lat, lon, heading
        self.road_class: RoadClass | None = road_class
        self.road_name = name

    # --- episodes ---------------------------------------------------------------------------
    def _begin(self, kind: str, t: float) -> None:
        if kind not in self._open:
            episode = Episode(kind, t)
            self._open[kind] = episode
            self.episodes.append(episode)
            if len(self.episodes) > MAX_EPISODES:
                del self.episodes[: len(self.episodes) - MAX_EPISODES]

    def _end(self, kind: str, t: float) -> None:
        episode = self._open.pop(kind, None)
        if episode is not None:
            episode.end = t

    def episodes_of(self, kind: str) -> list[Episode]:
        return [e for e in self.episodes if e.kind == kind]

    # --- draws ------------------------------------------------------------------------------
    def _draw_rest_after(self) -> float:
        if self.profile.no_rest:
            return self.rng.uniform(4.5, 6.0) * 3600
        return self.rng.uniform(2.0, 3.5) * 3600

    def _draw_cruise(self, road_class: RoadClass) -> float:
        low, high = road_class.cruise_kmh
        return self.rng.uniform(low, high) * self.profile.pace

    # --- simulation -------------------------------------------------------------------------
    def advance(self, until: float) -> None:
        while self.t < until:
            dt = min(STEP_S, until - self.t)
            self._step(dt)

    def _step(self, dt: float) -> None:
        rng, p = self.rng, self.profile
        t = self.t = self.t + dt
        # Connectivity episodes end by themselves.
        if self.connectivity is not Connectivity.ONLINE and t >= self.offline_until:
            self._end(self.connectivity.value, t)
            self.connectivity = Connectivity.ONLINE
        night = is_night(t)
        if self.activity is Activity.DRIVING:
            self._drive(dt, t, is_parking_time(t))
        else:
            self._stand(t, is_parking_time(t))
        if self.activity is Activity.DRIVING and self.speed > 1:
            if night:
                self._begin("night", t)
            else:
                self._end("night", t)
            if self.connectivity is Connectivity.ONLINE:
                if p.goes_offline and rng.random() < dt / (90 * 60):
                    self._go_offline(Connectivity.POWER_OFF, rng.uniform(25, 45) * 60)
                elif p.blind_spots and self.lat > 24.25 and rng.random() < dt / (25 * 60):
                    self._go_offline(Connectivity.NO_SIGNAL, rng.uniform(3, 10) * 60)
        else:
            self._end("night", t)

    def _go_offline(self, kind: Connectivity, seconds: float) -> None:
        self.connectivity = kind
        self.offline_until = self.t + seconds
        self._begin(kind.value, self.t)

    def _drive(self, dt: float, t: float, parking_time: bool) -> None:
        rng, p = self.rng, self.profile
        lat, lon, heading, road_class, name = self.route.locate(self.km)
        if road_class is not self.cruise_class or t >= self.cruise_until:
            self.cruise = self._draw_cruise(road_class)
            self.cruise_class = road_class
            self.cruise_until = t + rng.uniform(300, 900)
        target = self.cruise
        if t < self.slow_until:
            target = self.slow_kmh
        elif rng.random() < dt / ((8 if road_class is RoadClass.URBAN else 40) * 60):
            self.slow_until = t + rng.uniform(40, 180)
            self.slow_kmh = rng.uniform(5, 30)
        if p.overspeeder and road_class is not RoadClass.URBAN:
            if t < self.overspeed_until:
                target = self.overspeed_kmh
            elif rng.random() < dt / (20 * 60):
                self.overspeed_until = t + rng.uniform(60, 240)
                self.overspeed_kmh = rng.uniform(86, 98)
                target = self.overspeed_kmh
        left = self.route.length_km - self.km
        if left < 0.6:
            target = min(target, max(8.0, left * 70))
        self.speed += (target - self.speed) * min(1.0, dt / 12) + rng.gauss(0, 0.6)
        self.speed = min(max(self.speed, 0.0), 115.0)
        dist = self.speed * dt / 3600
        self.km += dist
        self.mileage_km += dist
        self.fuel_l = max(0.0, self.fuel_l - dist * FUEL_L_PER_KM)
        self.lat, self.lon, self.heading = lat, lon, heading
        self.road_class, self.road_name = road_class, name
        self.continuous_s += dt
        # What the rules look for.
        if self.speed > OVERSPEED_KMH:
            if self.over_since is None:
                self.over_since = t
            if t - self.over_since > OVERSPEED_AFTER_S:
                self._begin("overspeed", self.over_since)
        else:
            self.over_since = None
            self._end("overspeed", t)
        if self.continuous_s > FATIGUE_AFTER_S:
            self._begin("fatigue", t)
        # What ends the stretch.
        if self.km >= self.route.length_km:
            self.lat, self.lon = self.route.points[-1]
            # Drivers who skip rests also turn round quickly (under the 20-minute reset).
            minutes = rng.uniform(8, 18) if p.no_rest else rng.uniform(20, 60)
            self._stop(Activity.LOADING, minutes * 60)
        elif parking_time and not p.night_driver:
            self._stop(Activity.NIGHT_PARK, self._until_morning(t))
        elif self.continuous_s >= self.rest_after_s and road_class is not RoadClass.URBAN:
            self._stop(Activity.RESTING, rng.uniform(20, 35) * 60)

    def _until_morning(self, t: float) -> float:
        hour = local_hour(t)
        hours_left = 5.5 - hour if hour < 5.5 else 24 - hour + 5.5  # to 05:30
        return hours_left * 3600 + self.rng.uniform(0, 45) * 60

    def _stop(self, activity: Activity, seconds: float) -> None:
        self.activity = activity
        self.speed = 0.0
        self.over_since = None
        self._end("overspeed", self.t)
        self.stopped_since = self.t
        self.stop_until = self.t + seconds
        if activity is not Activity.LOADING:
            self._begin("rest", self.t)

    def _stand(self, t: float, parking_time: bool) -> None:
        self.speed = 0.0
        rested = self.stopped_since is not None and t - self.stopped_since >= REST_RESETS_S
        if rested and self.continuous_s:
            self.continuous_s = 0.0
            self.rest_after_s = self._draw_rest_after()
            self._end("fatigue", t)
        if t < self.stop_until:
            return
        if parking_time and not self.profile.night_driver:
            self.stop_until = t + self._until_morning(t)
            self.activity = Activity.NIGHT_PARK
            return
        self._end("rest", t)
        if self.activity is Activity.LOADING:
            if self.fuel_l < 0.3 * TANK_L:
                self.fuel_l = TANK_L
            self.route = random_trip(self.rng, self.route.destination)
            self.km = 0.0
        self.activity = Activity.DRIVING
        self.stopped_since = None

    def shift(self, seconds: float) -> None:
        """Move the driver's clock (and every time it keeps) by ``seconds``: a stretch
        simulated ahead becomes the past of the simulation's start."""
        self.t += seconds
        for name in (
            "stop_until",
            "cruise_until",
            "slow_until",
            "overspeed_until",
            "offline_until",
        ):
            setattr(self, name, getattr(self, name) + seconds)
        if self.stopped_since is not None:
            self.stopped_since += seconds
        if self.over_since is not None:
            self.over_since += seconds
        for episode in self.episodes:
            episode.start += seconds
            if episode.end is not None:
                episode.end += seconds

    def sample(self) -> Sample:
        over = (
            self.activity is Activity.DRIVING
            and self.over_since is not None
            and self.t - self.over_since > OVERSPEED_AFTER_S
        )
        return Sample(
            time=self.t,
            lat=self.lat,
            lon=self.lon,
            speed_kmh=round(self.speed, 1),
            heading=self.heading,
            altitude=altitude_m(self.lat, self.lon),
            mileage_km=round(self.mileage_km, 1),
            fuel_l=round(self.fuel_l, 1),
            acc_on=self.activity is Activity.DRIVING,
            activity=self.activity,
            road_class=self.road_class,
            road_name=self.road_name,
            overspeed=over,
            fatigue=self.continuous_s > FATIGUE_AFTER_S,
            continuous_driving_s=self.continuous_s,
        )

    @property
    def town(self) -> str:
        """The town the current trip started from, in Chinese."""
        return TOWNS[self.route.origin].name_zh
