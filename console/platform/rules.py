"""Platform rules: the alarms the platform derives from positions (超速 overspeed, 疲劳驾驶
fatigue, 离线 offline, 离线位移 offline-moving, optional 夜间行驶 night driving) and the
data-quality check of a position.

Sans-I/O: no store, no clock, no logging. Time is an argument; the per-vehicle memory is a
frozen :class:`RuleState` that the caller keeps (ingest stores ``state.to_json()`` in
``vehicle_state.rules`` in the same transaction as the positions and the alarms).

Entry points::

    reasons = validate(position, now)                      # data quality, stored with the point
    state, events = evaluate(state, position, config, now) # every position, in arrival order
    state, events = check_offline(state, now, config)      # a periodic timer
    deadline = offline_deadline(state, config)             # when check_offline would fire

Two clocks. ``position.time`` is the terminal (GNSS) time: overspeed, fatigue, night driving
and offline-moving are computed from it, so re-evaluating the same positions gives the same
events and keys, whenever that happens. ``now`` is the platform clock: it judges "time in the
future" and offline (no report reached the platform for ``offline_after_s``).

Which positions feed the rules. Every position is validated; one whose time, coordinates or
speed is invalid (:data:`RULE_BLOCKING_REASONS`; a bad altitude alone is harmless) does not
feed the stateful rules, nor does one not newer than the newest position already used (a
resend, a late report, blind-area back-fill 补传): the rules only move forward along the
track. Any position still counts as a report (ends an offline alarm, delays the next one).

Sampled conditions. The interval between two samples inherits the state of its first
sample (sample and hold): overspeed lasts from the first sample above the limit to the first
sample not above it, a stop from the first sample at standstill to the first moving one.
"Above the limit for > 30 s" is therefore known at the sample 30+ s after the first excess
(``START``), or only at the first sample back under the limit (``START`` and ``END`` then
come together). Samples more than ``continuity_gap_s`` apart are not held: such a hole ends
an overspeed/night run at its last sample, and for fatigue it counts as driving when the
displacement shows the vehicle moved (:func:`moved`), as rest otherwise (parked, asleep).

Events and how ingest applies them to alarm rows (``alarms.alarm_key`` = ``event.key``;
apply in list order, inside the transaction that stores the positions and the new state):

* ``START``: insert the alarm (``source="platform"``, severity from
  ``alarm_types.by_code(event.type_code)``, ``started_at``, ``ended_at`` NULL, lat/lon/speed,
  ``detail``) with ``ON CONFLICT (alarm_key) DO NOTHING``; publish ``ALARM`` if inserted.
* ``END``: ``UPDATE ... SET ended_at = event.ended_at, detail = event.detail WHERE
  alarm_key = event.key``; publish ``ALARM_UPDATED``.
* ``REOPEN``: a repeat inside the merge window (overspeed within 60 s of its end, night
  driving within ``night_merge_s``) continues the same alarm: ``UPDATE ... SET ended_at =
  NULL, detail = event.detail WHERE alarm_key = event.key``; publish ``ALARM_UPDATED``.

Per key the kinds run ``START (END REOPEN)* END?``; a rule has at most one open alarm. An
alarm that starts and ends at once (offline-moving) is a ``START`` followed by its ``END``.
``detail`` is always the complete, JSON-safe detail (times as ISO strings): replace the
row's detail, don't merge. Keys are ``rule:<vehicle id>:<type code>:<started_at UTC ISO>``:
overspeed, fatigue, night and offline-moving derive ``started_at`` from terminal times, so a
re-evaluation after a crash (the transaction rolled back, the terminal resent) recreates the
same keys; offline derives it from the platform time of the last report.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from json.encoder import encode_basestring_ascii
from typing import Any

from console.domain.alarm_types import (
    FATIGUE_CONTINUOUS_DRIVING_S,
    AlarmFamily,
    PlatformAlarm,
    make_code,
)
from console.domain.model import DEFAULT_SPEED_LIMIT_KMH, Position, Vehicle
from console.domain.times import BEIJING
from console.protocol._fast import fast_constructor

# --- alarm type codes (from the catalogue) ----------------------------------------------------
OVERSPEED = make_code(AlarmFamily.PLATFORM, PlatformAlarm.OVERSPEED)  # platform.overspeed
FATIGUE = make_code(AlarmFamily.PLATFORM, PlatformAlarm.FATIGUE)  # platform.fatigue
NIGHT_DRIVING = make_code(AlarmFamily.PLATFORM, PlatformAlarm.NIGHT_DRIVING)
OFFLINE = make_code(AlarmFamily.PLATFORM, PlatformAlarm.OFFLINE)  # platform.offline
OFFLINE_MOVING = make_code(AlarmFamily.PLATFORM, PlatformAlarm.OFFLINE_MOVING)


# --- data quality -----------------------------------------------------------------------------
LON_MIN, LON_MAX = 73 + 33 / 60, 135 + 5 / 60  # 73°33′E – 135°05′E
LAT_MIN, LAT_MAX = 3 + 51 / 60, 53 + 33 / 60  # 3°51′N – 53°33′N
SPEED_MIN_KMH, SPEED_MAX_KMH = 0.0, 160.0
ALTITUDE_MIN_M, ALTITUDE_MAX_M = -200, 6500
MAX_FUTURE_S = 10 * 60  # terminal time ahead of the platform clock by more: invalid

REASON_TIME_NAIVE = "time_without_zone"
REASON_TIME_FUTURE = "time_in_future"
REASON_LON = "lon_out_of_range"
REASON_LAT = "lat_out_of_range"
REASON_SPEED = "speed_out_of_range"
REASON_ALTITUDE = "altitude_out_of_range"
#: Reasons that keep a position away from the stateful rules (it is still stored and counted).
RULE_BLOCKING_REASONS = frozenset(
    {REASON_TIME_NAIVE, REASON_TIME_FUTURE, REASON_LON, REASON_LAT, REASON_SPEED}
)

ACC_ON = 0x1  # JT/T 808 status bit 0

STATE_VERSION = 1
_MAX_JSON_SEGMENTS = 10_000  # sanity bound when reading state back


# --- configuration ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RuleConfig:
    """Thresholds for one vehicle (build it per vehicle: the speed limit is the vehicle's)."""

    speed_limit_kmh: float = DEFAULT_SPEED_LIMIT_KMH
    overspeed_min_s: float = 30.0  # above the limit for longer than this: an alarm
    overspeed_merge_s: float = 60.0  # a repeat starting within this of the end: same alarm
    fatigue_driving_s: float = FATIGUE_CONTINUOUS_DRIVING_S  # driving longer than this (4 h)
    fatigue_rest_s: float = 20 * 60  # a stop at least this long resets the driving time
    fatigue_max_segments: int = 48  # more driving segments: the closest ones are merged
    stop_speed_kmh: float = 0.0  # a sample at or below this speed is a stop
    acc_off_is_rest: bool = False  # also treat ACC off (status bit 0 clear) as a stop
    continuity_gap_s: float = 180.0  # samples further apart: judged by displacement
    offline_after_s: float = 180.0  # no report for longer than this: offline
    offline_moving_km: float = 1.0  # reappearing farther than this: moved
    offline_moving_speed_kmh: float = 5.0  # ... or implied speed above this (beyond the noise)
    gps_noise_km: float = 0.2  # displacement up to this is GNSS drift, never movement
    night_driving: bool = False  # 夜间行驶 rule (some cities restrict heavy trucks at night)
    night_start_hour: int = 22  # Beijing time, window [start, end) wrapping midnight
    night_end_hour: int = 6
    night_min_s: float = 60.0  # driving at night for longer than this: an alarm
    night_merge_s: float = 20 * 60  # driving again within this: same alarm

    @classmethod
    def for_vehicle(cls, vehicle: Vehicle, base: RuleConfig | None = None) -> RuleConfig:
        """``base`` (default thresholds if None) with the vehicle's own speed limit."""
        return replace(base or cls(), speed_limit_kmh=float(vehicle.speed_limit_kmh))


# --- events -----------------------------------------------------------------------------------
class RuleEventKind(StrEnum):
    START = "start"  # insert the alarm row (by key, idempotent)
    END = "end"  # set ended_at (and detail) of the row with this key
    REOPEN = "reopen"  # clear ended_at of the row with this key: the alarm goes on


@dataclass(frozen=True, slots=True)
class RuleEvent:
    """One change of a derived alarm; see the module docstring for how to apply it."""

    kind: RuleEventKind
    type_code: str  # catalogue code, e.g. "platform.overspeed"
    vehicle_id: str
    key: str  # alarms.alarm_key: stable across re-evaluation
    started_at: datetime  # UTC
    ended_at: datetime | None = None  # set on END
    lat: float | None = None
    lon: float | None = None
    speed_kmh: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)  # complete and JSON-safe


# --- state ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Point:
    """The newest position the rules used."""

    time: datetime  # terminal time, UTC
    lat: float
    lon: float
    speed_kmh: float
    moving: bool  # not a stop (see RuleConfig.stop_speed_kmh / acc_off_is_rest)


@dataclass(frozen=True, slots=True)
class Episode:
    """A debounced condition with a merge window (overspeed, night driving).

    A *run* is a stretch of consecutive samples meeting the condition (``run_start`` = first,
    ``last_true`` = latest), held until the next sample; the alarm (``alarm_start``, its key)
    opens when a run has lasted longer than the minimum, ends at the first sample not meeting
    it, and is reopened by a long enough run starting within the merge window after
    ``ended_at``.
    """

    run_start: datetime | None = None
    run_peak: float = 0.0
    last_true: datetime | None = None
    alarm_start: datetime | None = None
    open: bool = False
    ended_at: datetime | None = None
    peak: float = 0.0
    threshold: float = 0.0
    runs: int = 0


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of driving; ``driving_s`` may be less than end - start when short stops
    inside it were merged in (see RuleConfig.fatigue_max_segments)."""

    start: datetime
    end: datetime
    driving_s: float


@dataclass(frozen=True, slots=True)
class Fatigue:
    """Driving since the last rest of at least ``fatigue_rest_s``."""

    segments: tuple[Segment, ...] = ()
    rest_since: datetime | None = None  # the current stop began here
    alarm_start: datetime | None = None
    open: bool = False

    @property
    def driving_s(self) -> float:
        return sum(s.driving_s for s in self.segments)


@dataclass(frozen=True, slots=True)
class RuleState:
    """Everything the rules remember about one vehicle (store it with ``to_json``)."""

    vehicle_id: str = ""
    last: Point | None = None
    last_seen_at: datetime | None = None  # platform clock, latest position of any kind
    offline_since: datetime | None = None  # the open offline alarm's started_at
    overspeed: Episode = field(default_factory=Episode)
    fatigue: Fatigue = field(default_factory=Fatigue)
    night: Episode = field(default_factory=Episode)

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible dict (no NaN); ``from_json`` gives back an equal state."""
        return {
            "version": STATE_VERSION,
            "vehicle_id": self.vehicle_id,
            "last": None if self.last is None else _point_to_json(self.last),
            "last_seen_at": _iso_or_none(self.last_seen_at),
            "offline_since": _iso_or_none(self.offline_since),
            "overspeed": _episode_to_json(self.overspeed),
            "fatigue": _fatigue_to_json(self.fatigue),
            "night": _episode_to_json(self.night),
        }

    def to_json_text(self) -> str:
        """``json.dumps(self.to_json())``, character for character, made several times
        faster (ingest stores it for every vehicle in every batch)."""
        last = self.last
        return (
            f'{{"version": {STATE_VERSION}'
            f', "vehicle_id": {encode_basestring_ascii(self.vehicle_id)}'
            f', "last": {"null" if last is None else _point_text(last)}'
            f', "last_seen_at": {_iso_text(self.last_seen_at)}'
            f', "offline_since": {_iso_text(self.offline_since)}'
            f', "overspeed": {_episode_text(self.overspeed)}'
            f', "fatigue": {_fatigue_text(self.fatigue)}'
            f', "night": {_episode_text(self.night)}}}'
        )

    @classmethod
    def from_json(cls, data: object) -> RuleState:
        """The state in ``data`` (a dict or JSON text); a fresh state for anything else
        (empty, another version, garbage). Never raises."""
        try:
            if isinstance(data, str | bytes | bytearray):
                data = json.loads(data)
            if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
                return cls()
            last = data["last"]
            return cls(
                vehicle_id=_str(data["vehicle_id"]),
                last=None if last is None else _point_from_json(last),
                last_seen_at=_dt_or_none(data["last_seen_at"]),
                offline_since=_dt_or_none(data["offline_since"]),
                overspeed=_episode_from_json(data["overspeed"]),
                fatigue=_fatigue_from_json(data["fatigue"]),
                night=_episode_from_json(data["night"]),
            )
        except Exception:  # whatever is in the column, the rules start afresh
            return cls()


# --- validation -------------------------------------------------------------------------------
def validate(position: Position, now: datetime) -> tuple[str, ...]:
    """The data-quality reasons of ``position`` (empty: valid), judged at platform time
    ``now``. The position is stored with them and counted, never dropped."""
    time = position.time
    if (
        time.tzinfo is not None
        and (time - _utc(now)).total_seconds() <= MAX_FUTURE_S
        and LON_MIN <= position.lon <= LON_MAX
        and LAT_MIN <= position.lat <= LAT_MAX
        and SPEED_MIN_KMH <= position.speed_kmh <= SPEED_MAX_KMH
        and ALTITUDE_MIN_M <= position.altitude_m <= ALTITUDE_MAX_M
    ):
        return ()  # the common case, in one pass (NaN fails every comparison)
    reasons: list[str] = []
    if position.time.tzinfo is None:
        reasons.append(REASON_TIME_NAIVE)
    elif (position.time - _utc(now)).total_seconds() > MAX_FUTURE_S:
        reasons.append(REASON_TIME_FUTURE)
    if not _within(position.lon, LON_MIN, LON_MAX):
        reasons.append(REASON_LON)
    if not _within(position.lat, LAT_MIN, LAT_MAX):
        reasons.append(REASON_LAT)
    if not _within(position.speed_kmh, SPEED_MIN_KMH, SPEED_MAX_KMH):
        reasons.append(REASON_SPEED)
    if not _within(position.altitude_m, ALTITUDE_MIN_M, ALTITUDE_MAX_M):
        reasons.append(REASON_ALTITUDE)
    return tuple(reasons)


def _within(value: float, low: float, high: float) -> bool:
    return low <= value <= high  # False for NaN


# --- geometry ---------------------------------------------------------------------------------
def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def moved(distance: float, gap_s: float, config: RuleConfig) -> bool:
    """Whether ``distance`` km covered in ``gap_s`` seconds means the vehicle moved: farther
    than ``offline_moving_km``, or beyond the GNSS noise at more than
    ``offline_moving_speed_kmh``."""
    if distance > config.offline_moving_km:
        return True
    return (
        distance > config.gps_noise_km and _kmh(distance, gap_s) > config.offline_moving_speed_kmh
    )


def _kmh(distance: float, gap_s: float) -> float:
    return distance / (gap_s / 3600) if gap_s > 0 else math.inf


def is_night(when: datetime, config: RuleConfig) -> bool:
    """Whether ``when`` lies in the night window (Beijing time)."""
    hour = _utc(when).astimezone(BEIJING).hour
    start, end = config.night_start_hour, config.night_end_hour
    if start <= end:
        return start <= hour < end
    return hour >= start or hour < end


# --- the rules --------------------------------------------------------------------------------
def evaluate(
    state: RuleState,
    position: Position,
    config: RuleConfig,
    now: datetime,
    *,
    validated: bool = False,
) -> tuple[RuleState, list[RuleEvent]]:
    """Feed one position (in arrival order) at platform time ``now``.

    ``validated``: the caller has already put ``validate(position, now)`` into
    ``position.invalid_reasons`` (ingest does), so it is not computed again."""
    now = _utc(now)
    vehicle_id = position.vehicle_id or state.vehicle_id
    seen = now if state.last_seen_at is None else max(state.last_seen_at, now)
    events: list[RuleEvent] = []

    offline_since = state.offline_since
    was_offline = offline_since is not None
    if offline_since is not None:  # any report ends the offline alarm
        since = offline_since
        ended = max(now, since)
        events.append(
            RuleEvent(
                RuleEventKind.END,
                OFFLINE,
                vehicle_id,
                _key(vehicle_id, OFFLINE, since),
                since,
                ended,
                detail={**_offline_detail(state, since, config), "offline_s": _secs(since, ended)},
            )
        )
        offline_since = None

    blocked = not RULE_BLOCKING_REASONS.isdisjoint(position.invalid_reasons) or (
        not validated and not RULE_BLOCKING_REASONS.isdisjoint(validate(position, now))
    )
    last = state.last
    if blocked:
        return _make_state(
            vehicle_id, last, seen, offline_since, state.overspeed, state.fatigue, state.night
        ), events
    t = _utc(position.time)
    if last is not None and t <= last.time:  # resend, late report or back-fill
        return _make_state(
            vehicle_id, last, seen, offline_since, state.overspeed, state.fatigue, state.night
        ), events

    speed = float(position.speed_kmh)
    moving = speed > config.stop_speed_kmh and not (
        config.acc_off_is_rest and not position.status & ACC_ON
    )
    point = _make_point(t, float(position.lat), float(position.lon), speed, moving)
    ctx = _make_ctx(vehicle_id, point, config)
    prev_time = None if last is None else last.time
    fatigue = state.fatigue
    if last is not None:
        gap_s = _secs(last.time, t)
        distance = distance_km(last.lat, last.lon, point.lat, point.lon)
        # offline-moving: back after an offline alarm or a hole in the track, somewhere else
        if (was_offline or gap_s > config.offline_after_s) and moved(distance, gap_s, config):
            events += _offline_moving_events(ctx, last, gap_s, distance)
        # fatigue: the interval since the last sample is driving or (part of) a stop
        if gap_s <= config.continuity_gap_s:
            driving = last.moving  # sample and hold
        else:
            driving = moved(distance, gap_s, config)
        fatigue, evs = _fatigue_step(fatigue, ctx, last.time, t, driving)
        events += evs

    overspeed, evs = _episode_step(
        state.overspeed,
        _overspeed_spec(config),
        ctx,
        prev_time,
        speed > config.speed_limit_kmh,
        config.speed_limit_kmh,
    )
    events += evs

    night = state.night
    if config.night_driving:
        night, evs = _episode_step(
            night, _night_spec(config), ctx, prev_time, moving and is_night(t, config), 0.0
        )
        events += evs
    elif night.open:  # the rule was switched off during an alarm
        night, evs = _episode_close(night, _night_spec(config), ctx, t)
        events += evs

    return _make_state(vehicle_id, point, seen, offline_since, overspeed, fatigue, night), events


def _offline_moving_events(
    ctx: _Ctx, last: Point, gap_s: float, distance: float
) -> list[RuleEvent]:
    """The 离线位移 alarm, started and ended at once: from the last point before the hole
    to the point where the vehicle reappeared."""
    point = ctx.point
    key = _key(ctx.vehicle_id, OFFLINE_MOVING, last.time)

    def detail() -> dict[str, Any]:  # one per event: ingest may keep and change it
        return {
            "gap_s": gap_s,
            "distance_km": round(distance, 3),
            "implied_speed_kmh": round(_kmh(distance, gap_s), 1),
            "from": {"time": _iso(last.time), "lat": last.lat, "lon": last.lon},
            "to": {"time": _iso(point.time), "lat": point.lat, "lon": point.lon},
        }

    return [
        RuleEvent(
            kind,
            OFFLINE_MOVING,
            ctx.vehicle_id,
            key,
            last.time,
            ended,
            point.lat,
            point.lon,
            point.speed_kmh,
            detail(),
        )
        for kind, ended in ((RuleEventKind.START, None), (RuleEventKind.END, point.time))
    ]


def check_offline(
    state: RuleState,
    now: datetime,
    config: RuleConfig,
    *,
    last_message_at: datetime | None = None,
) -> tuple[RuleState, list[RuleEvent]]:
    """The periodic offline check at platform time ``now``: no report for longer than
    ``offline_after_s`` starts one offline alarm (``started_at`` = the last report), which the
    next position ends. ``last_message_at`` (optional): the platform time of the vehicle's
    latest message of any kind (heartbeats included), if the caller wants those to count.
    Going offline also ends open overspeed / night alarms at their last sample."""
    now = _utc(now)
    if state.offline_since is not None:
        return state, []
    seen = _last_report(state, last_message_at)
    if seen is None or _secs(seen, now) <= config.offline_after_s:
        return state, []
    vid = state.vehicle_id
    last = state.last
    events = [
        RuleEvent(
            RuleEventKind.START,
            OFFLINE,
            vid,
            _key(vid, OFFLINE, seen),
            seen,
            None,
            None if last is None else last.lat,
            None if last is None else last.lon,
            None if last is None else last.speed_kmh,
            _offline_detail(state, seen, config),
        )
    ]
    overspeed, night = state.overspeed, state.night
    if last is not None:
        ctx = _Ctx(vid, last, config)
        if overspeed.open and overspeed.last_true is not None:
            overspeed, evs = _episode_close(
                overspeed, _overspeed_spec(config), ctx, overspeed.last_true
            )
            events += evs
        if night.open and night.last_true is not None:
            night, evs = _episode_close(night, _night_spec(config), ctx, night.last_true)
            events += evs
    state = replace(state, offline_since=seen, overspeed=overspeed, night=night)
    return state, events


def offline_deadline(
    state: RuleState, config: RuleConfig, *, last_message_at: datetime | None = None
) -> datetime | None:
    """The platform time after which :func:`check_offline` would start an offline alarm
    (None: never seen, or already offline): for arming a timer."""
    if state.offline_since is not None:
        return None
    seen = _last_report(state, last_message_at)
    return None if seen is None else seen + timedelta(seconds=config.offline_after_s)


def _last_report(state: RuleState, last_message_at: datetime | None) -> datetime | None:
    times = [t for t in (state.last_seen_at, last_message_at) if t is not None]
    return max(_utc(t) for t in times) if times else None


def _offline_detail(state: RuleState, since: datetime, config: RuleConfig) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "last_seen_at": _iso(since),
        "offline_after_s": config.offline_after_s,
    }
    if state.last is not None:
        detail["last_position"] = {
            "time": _iso(state.last.time),
            "lat": state.last.lat,
            "lon": state.last.lon,
        }
    return detail


# --- episodes (overspeed, night driving) ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Ctx:
    vehicle_id: str
    point: Point  # where the events are raised
    config: RuleConfig


@dataclass(frozen=True, slots=True)
class _EpisodeSpec:
    type_code: str
    min_s: float
    merge_s: float
    continuity_s: float
    threshold_key: str | None  # name of the threshold in the detail


def _overspeed_spec(config: RuleConfig) -> _EpisodeSpec:
    cached = _SPECS.get(id(config))
    if cached is not None and cached[0] is config:
        return cached[1]
    spec = _EpisodeSpec(
        OVERSPEED,
        config.overspeed_min_s,
        config.overspeed_merge_s,
        config.continuity_gap_s,
        "limit_kmh",
    )
    if len(_SPECS) >= 1024:
        _SPECS.clear()
    _SPECS[id(config)] = (config, spec)  # the config is kept: its id is not reused
    return spec


_SPECS: dict[int, tuple[RuleConfig, _EpisodeSpec]] = {}


def _night_spec(config: RuleConfig) -> _EpisodeSpec:
    return _EpisodeSpec(
        NIGHT_DRIVING, config.night_min_s, config.night_merge_s, config.continuity_gap_s, None
    )


def _episode_step(
    ep: Episode,
    spec: _EpisodeSpec,
    ctx: _Ctx,
    prev_time: datetime | None,
    condition: bool,
    threshold: float,
) -> tuple[Episode, list[RuleEvent]]:
    t, value = ctx.point.time, ctx.point.speed_kmh
    events: list[RuleEvent] = []
    if (
        ep.run_start is not None
        and ep.last_true is not None
        and prev_time is not None
        and _secs(prev_time, t) > spec.continuity_s
    ):  # a hole in the track: the run cannot be called continuous, it ends where data ended
        ep, events = _episode_close(ep, spec, ctx, ep.last_true)
    if ep.run_start is not None:  # the run held from its first sample until this one
        if condition:
            peak = max(ep.peak, value) if ep.open else ep.peak
            ep = _make_episode(
                ep.run_start,
                max(ep.run_peak, value),
                t,
                ep.alarm_start,
                ep.open,
                ep.ended_at,
                peak,
                ep.threshold,
                ep.runs,
            )
        if not ep.open and _secs(ep.run_start, t) > spec.min_s:
            ep, event = _episode_confirm(ep, spec, ctx, threshold)
            events.append(event)
    if condition:
        if ep.run_start is None:
            ep = _make_episode(
                t, value, t, ep.alarm_start, ep.open, ep.ended_at, ep.peak, ep.threshold, ep.runs
            )
    else:
        if ep.run_start is not None:
            ep, evs = _episode_close(ep, spec, ctx, t)
            events += evs
        if (
            not ep.open and ep.ended_at is not None and _secs(ep.ended_at, t) > spec.merge_s
        ):  # the merge window is over: forget the alarm
            ep = Episode()
    return ep, events


def _episode_confirm(
    ep: Episode, spec: _EpisodeSpec, ctx: _Ctx, threshold: float
) -> tuple[Episode, RuleEvent]:
    """The current run lasted long enough: a new alarm, or the last one again if the run
    began within the merge window after it ended."""
    assert ep.run_start is not None
    if (
        ep.alarm_start is not None
        and ep.ended_at is not None
        and _secs(ep.ended_at, ep.run_start) <= spec.merge_s
    ):
        ep = replace(ep, open=True, ended_at=None, peak=max(ep.peak, ep.run_peak), runs=ep.runs + 1)
        kind = RuleEventKind.REOPEN
    else:
        ep = replace(
            ep,
            alarm_start=ep.run_start,
            open=True,
            ended_at=None,
            peak=ep.run_peak,
            threshold=threshold,
            runs=1,
        )
        kind = RuleEventKind.START
    return ep, _episode_event(kind, ep, spec, ctx, None, ctx.point.time)


def _episode_close(
    ep: Episode, spec: _EpisodeSpec, ctx: _Ctx, at: datetime
) -> tuple[Episode, list[RuleEvent]]:
    """End the current run at ``at`` (and the alarm, if open)."""
    events: list[RuleEvent] = []
    ended_at = ep.ended_at
    if ep.open and ep.alarm_start is not None:
        at = max(at, ep.alarm_start)
        events.append(_episode_event(RuleEventKind.END, ep, spec, ctx, at, at))
        ended_at = at
    ep = replace(ep, run_start=None, run_peak=0.0, last_true=None, open=False, ended_at=ended_at)
    return ep, events


def _episode_event(
    kind: RuleEventKind,
    ep: Episode,
    spec: _EpisodeSpec,
    ctx: _Ctx,
    ended_at: datetime | None,
    until: datetime,
) -> RuleEvent:
    assert ep.alarm_start is not None
    detail: dict[str, Any] = {
        "max_speed_kmh": ep.peak,
        "duration_s": _secs(ep.alarm_start, until),
        "runs": ep.runs,
    }
    if spec.threshold_key is not None:
        detail[spec.threshold_key] = ep.threshold
    if spec.type_code == NIGHT_DRIVING:
        c = ctx.config
        detail["window"] = f"{c.night_start_hour:02d}:00-{c.night_end_hour:02d}:00 Asia/Shanghai"
    return RuleEvent(
        kind,
        spec.type_code,
        ctx.vehicle_id,
        _key(ctx.vehicle_id, spec.type_code, ep.alarm_start),
        ep.alarm_start,
        ended_at,
        ctx.point.lat,
        ctx.point.lon,
        ctx.point.speed_kmh,
        detail,
    )


# --- fatigue ----------------------------------------------------------------------------------
def _fatigue_step(
    fat: Fatigue, ctx: _Ctx, a: datetime, b: datetime, driving: bool
) -> tuple[Fatigue, list[RuleEvent]]:
    """Account the interval [a, b] as driving or as (part of) a stop."""
    config = ctx.config
    events: list[RuleEvent] = []
    if driving:
        before = fat.driving_s
        length = _secs(a, b)
        segments = list(fat.segments)
        if segments and segments[-1].end == a:
            s = segments[-1]
            segments[-1] = _make_segment(s.start, b, s.driving_s + length)
        else:
            segments.append(_make_segment(a, b, length))
        capped = (
            tuple(segments)
            if len(segments) <= max(1, config.fatigue_max_segments)
            else _cap(segments, config.fatigue_max_segments)
        )
        fat = _make_fatigue(capped, None, fat.alarm_start, fat.open)
        if not fat.open and before + length > config.fatigue_driving_s:
            start = a + timedelta(seconds=max(0.0, config.fatigue_driving_s - before))
            fat = _make_fatigue(fat.segments, fat.rest_since, start, True)
            events.append(_fatigue_event(RuleEventKind.START, fat, ctx, None))
    else:
        rest_since = a if fat.rest_since is None else fat.rest_since
        fat = _make_fatigue(fat.segments, rest_since, fat.alarm_start, fat.open)
        if _secs(rest_since, b) >= config.fatigue_rest_s and (fat.segments or fat.open):
            if fat.open:
                events.append(_fatigue_event(RuleEventKind.END, fat, ctx, rest_since))
            fat = Fatigue(rest_since=rest_since)  # rested: the count starts again
    return fat, events


def _cap(segments: list[Segment], limit: int) -> tuple[Segment, ...]:
    """At most ``limit`` segments: merge the neighbours separated by the shortest stop."""
    while len(segments) > max(1, limit):
        i = min(range(len(segments) - 1), key=lambda j: segments[j + 1].start - segments[j].end)
        x, y = segments[i], segments[i + 1]
        segments[i : i + 2] = [Segment(x.start, y.end, x.driving_s + y.driving_s)]
    return tuple(segments)


def _fatigue_event(
    kind: RuleEventKind, fat: Fatigue, ctx: _Ctx, ended_at: datetime | None
) -> RuleEvent:
    assert fat.alarm_start is not None
    config = ctx.config
    detail: dict[str, Any] = {
        "driving_s": fat.driving_s,
        "limit_s": config.fatigue_driving_s,
        "rest_min_s": config.fatigue_rest_s,
        "segments": [
            {"start": _iso(s.start), "end": _iso(s.end), "driving_s": s.driving_s}
            for s in fat.segments
        ],
    }
    if ended_at is not None:
        detail["rest_started_at"] = _iso(ended_at)
    return RuleEvent(
        kind,
        FATIGUE,
        ctx.vehicle_id,
        _key(ctx.vehicle_id, FATIGUE, fat.alarm_start),
        fat.alarm_start,
        ended_at,
        ctx.point.lat,
        ctx.point.lon,
        ctx.point.speed_kmh,
        detail,
    )


# --- helpers ----------------------------------------------------------------------------------
def _utc(when: datetime) -> datetime:
    """Aware UTC (a naive datetime is taken as UTC: a caller bug, not terminal data)."""
    tz = when.tzinfo
    if tz is UTC:
        return when
    return when.replace(tzinfo=UTC) if tz is None else when.astimezone(UTC)


def _secs(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds()


def _iso(when: datetime) -> str:
    return _utc(when).isoformat()


def _iso_or_none(when: datetime | None) -> str | None:
    return None if when is None else _iso(when)


def _key(vehicle_id: str, type_code: str, started_at: datetime) -> str:
    return f"rule:{vehicle_id}:{type_code}:{_iso(started_at)}"


# JSON (de)serialisation: strict readers; any surprise raises and from_json starts afresh.
def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(value)
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(value)
    return value


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(value)
    return result


def _dt(value: object) -> datetime:
    parsed = datetime.fromisoformat(_str(value))
    if parsed.tzinfo is None:
        raise ValueError(value)
    return parsed.astimezone(UTC)


def _dt_or_none(value: object) -> datetime | None:
    return None if value is None else _dt(value)


def _dict(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(value)
    return value


def _point_to_json(p: Point) -> dict[str, Any]:
    return {
        "time": _iso(p.time),
        "lat": p.lat,
        "lon": p.lon,
        "speed_kmh": p.speed_kmh,
        "moving": p.moving,
    }


def _point_from_json(value: object) -> Point:
    d = _dict(value)
    return Point(
        _dt(d["time"]),
        _float(d["lat"]),
        _float(d["lon"]),
        _float(d["speed_kmh"]),
        _bool(d["moving"]),
    )


def _episode_to_json(ep: Episode) -> dict[str, Any]:
    return {
        "run_start": _iso_or_none(ep.run_start),
        "run_peak": ep.run_peak,
        "last_true": _iso_or_none(ep.last_true),
        "alarm_start": _iso_or_none(ep.alarm_start),
        "open": ep.open,
        "ended_at": _iso_or_none(ep.ended_at),
        "peak": ep.peak,
        "threshold": ep.threshold,
        "runs": ep.runs,
    }


def _episode_from_json(value: object) -> Episode:
    d = _dict(value)
    ep = Episode(
        run_start=_dt_or_none(d["run_start"]),
        run_peak=_float(d["run_peak"]),
        last_true=_dt_or_none(d["last_true"]),
        alarm_start=_dt_or_none(d["alarm_start"]),
        open=_bool(d["open"]),
        ended_at=_dt_or_none(d["ended_at"]),
        peak=_float(d["peak"]),
        threshold=_float(d["threshold"]),
        runs=_int(d["runs"]),
    )
    if (ep.run_start is None) != (ep.last_true is None):
        raise ValueError("run without its latest sample")
    if ep.open and (ep.run_start is None or ep.alarm_start is None):
        raise ValueError("open alarm without a run")
    return ep


def _fatigue_to_json(fat: Fatigue) -> dict[str, Any]:
    return {
        "segments": [[_iso(s.start), _iso(s.end), s.driving_s] for s in fat.segments],
        "rest_since": _iso_or_none(fat.rest_since),
        "alarm_start": _iso_or_none(fat.alarm_start),
        "open": fat.open,
    }


def _fatigue_from_json(value: object) -> Fatigue:
    d = _dict(value)
    raw = d["segments"]
    if not isinstance(raw, list) or len(raw) > _MAX_JSON_SEGMENTS:
        raise TypeError(raw)
    segments: list[Segment] = []
    for item in raw:
        if not isinstance(item, list) or len(item) != 3:
            raise TypeError(item)
        segments.append(Segment(_dt(item[0]), _dt(item[1]), _float(item[2])))
    fat = Fatigue(
        segments=tuple(segments),
        rest_since=_dt_or_none(d["rest_since"]),
        alarm_start=_dt_or_none(d["alarm_start"]),
        open=_bool(d["open"]),
    )
    if fat.open and fat.alarm_start is None:
        raise ValueError("open alarm without a start")
    return fat


# Fast constructors (a frozen dataclass's __init__ is slow; every field is passed).
_make_state = fast_constructor(RuleState)
_make_point = fast_constructor(Point)
_make_ctx = fast_constructor(_Ctx)
_make_episode = fast_constructor(Episode)
_make_fatigue = fast_constructor(Fatigue)
_make_segment = fast_constructor(Segment)


# The JSON text of the state, exactly as json.dumps writes to_json() (see to_json_text).
def _num_text(value: float) -> str:
    if value.__class__ is float and value - value == 0.0:  # finite
        return float.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (math.inf, -math.inf):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    return int.__repr__(value)  # type: ignore[arg-type]


def _iso_text(when: datetime | None) -> str:
    """``when`` as a JSON string (``null`` for None), from a memo: the same moments (the
    segments' ends, the episodes' starts) are written again with every report."""
    if when is None:
        return "null"
    text = _ISO_MEMO.get(when)
    if text is None:
        if len(_ISO_MEMO) >= _ISO_MEMO_SIZE:
            _ISO_MEMO.clear()
        # Equal aware datetimes are the same instant, so they have the same UTC text.
        text = _ISO_MEMO[when] = f'"{_iso(when)}"'
    return text


_ISO_MEMO: dict[datetime, str] = {}
_ISO_MEMO_SIZE = 50_000


def _point_text(p: Point) -> str:
    return (
        f'{{"time": {_iso_text(p.time)}, "lat": {_num_text(p.lat)}, "lon": {_num_text(p.lon)}'
        f', "speed_kmh": {_num_text(p.speed_kmh)}, "moving": {"true" if p.moving else "false"}}}'
    )


def _episode_text(ep: Episode) -> str:
    # An episode object is carried from report to report until it changes (most never
    # do: no overspeed, no night driving): remember its text by identity.
    memo = _EPISODE_MEMO.get(id(ep))
    if memo is not None and memo[0] is ep:
        return memo[1]
    if len(_EPISODE_MEMO) >= _ISO_MEMO_SIZE:
        _EPISODE_MEMO.clear()
    text = _episode_text_of(ep)
    _EPISODE_MEMO[id(ep)] = (ep, text)  # holding ep keeps its id from being reused
    return text


_EPISODE_MEMO: dict[int, tuple[Episode, str]] = {}


def _episode_text_of(ep: Episode) -> str:
    return (
        f'{{"run_start": {_iso_text(ep.run_start)}, "run_peak": {_num_text(ep.run_peak)}'
        f', "last_true": {_iso_text(ep.last_true)}, "alarm_start": {_iso_text(ep.alarm_start)}'
        f', "open": {"true" if ep.open else "false"}, "ended_at": {_iso_text(ep.ended_at)}'
        f', "peak": {_num_text(ep.peak)}, "threshold": {_num_text(ep.threshold)}'
        f', "runs": {_num_text(ep.runs)}}}'
    )


def _fatigue_text(fat: Fatigue) -> str:
    segments = ", ".join(
        f"[{_iso_text(seg.start)}, {_iso_text(seg.end)}, {_num_text(seg.driving_s)}]"
        for seg in fat.segments
    )
    return (
        f'{{"segments": [{segments}], "rest_since": {_iso_text(fat.rest_since)}'
        f', "alarm_start": {_iso_text(fat.alarm_start)}'
        f', "open": {"true" if fat.open else "false"}}}'
    )


__all__ = [
    "ACC_ON",
    "FATIGUE",
    "NIGHT_DRIVING",
    "OFFLINE",
    "OFFLINE_MOVING",
    "OVERSPEED",
    "RULE_BLOCKING_REASONS",
    "Episode",
    "Fatigue",
    "Point",
    "RuleConfig",
    "RuleEvent",
    "RuleEventKind",
    "RuleState",
    "Segment",
    "check_offline",
    "distance_km",
    "evaluate",
    "is_night",
    "moved",
    "offline_deadline",
    "validate",
]
