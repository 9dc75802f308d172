"""Active-safety alarms of one terminal and the 0x0200 reports that carry them (sans-I/O).

:class:`SafetyMonitor` decides, per stretch of simulated driving, which alarms a terminal's
ADAS / DSM / BSD / TPMS peripherals raise, at rates of the order seen on Guangdong heavy
trucks (a couple per driving hour in all; fatigue becomes more likely after 3 h at the
wheel). Alarms with a duration get a start (flag 1) and an end (flag 2) report with the same
alarm id and identification; instantaneous ones (forward collision, pedestrian, BSD, TPMS) get
one report with flag 0. The identification names the terminal, the time, the same-second
sequence number and 4 attachments (3 photos and a clip). 苏标 terminals have no "camera
blocked" DSM type; they report it the JT/T 1078 way (item 0x14 bit 1 and item 0x16).

:func:`location_report` turns a :class:`~console.sim.driver.Sample` and those items into a
:class:`LocationReport`.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime

from console.domain.alarm_types import AlarmType, alarm_type
from console.protocol.binary import CHINA_TZ, BcdTime
from console.protocol.jt808.active_safety import (
    AdasAlarm,
    AlarmFlag,
    AlarmSnapshot,
    BsdAlarm,
    DsmAlarm,
    TpmsAlarm,
    TyreEvent,
    TyreRecord,
    VehicleState,
)
from console.protocol.jt808.alarm_ident import AlarmIdentification
from console.protocol.jt808.items import Item
from console.protocol.jt808.location import STATUS_ACC_ON, STATUS_POSITIONED, LocationReport
from console.protocol.jt808.message import Dialect
from console.protocol.jt808.standard_items import (
    Fuel,
    Mileage,
    OverspeedDetail,
    RecorderSpeed,
    Satellites,
    SignalStrength,
    VideoAlarm,
    VideoSignalBlocked,
)
from console.sim.driver import Sample

ATTACHMENTS = 4  # 3 JPEG photos and one MP4 clip
ALARM_BIT_OVERSPEED = 1 << 1
ALARM_BIT_FATIGUE = 1 << 2
STATUS_GPS = 1 << 18
STATUS_BEIDOU = 1 << 19

BOTH = (Dialect.SUBIAO, Dialect.YUEBIAO)


@dataclass(frozen=True, slots=True)
class AlarmKind:
    """One alarm a peripheral can raise; ``duration`` None means a one-shot (flag 0)."""

    family: str  # adas, dsm, bsd, tpms, video
    type_code: int  # the type byte; for TPMS the tyre event bit, for video the 0x14 bit
    per_hour: float  # while driving
    duration: tuple[float, float] | None
    dialects: tuple[Dialect, ...] = BOTH

    @property
    def peripheral(self) -> int:
        """The peripheral id (0x64 ADAS, 0x65 DSM, 0x66 TPMS, 0x67 BSD)."""
        return {"adas": 0x64, "dsm": 0x65, "tpms": 0x66, "bsd": 0x67}.get(self.family, 0)

    @property
    def has_attachments(self) -> bool:
        return self.family != "video"

    def catalogue(self, dialect: Dialect) -> AlarmType:
        return alarm_type(self.family, self.type_code, dialect.value)


KINDS: tuple[AlarmKind, ...] = (
    AlarmKind("dsm", 0x01, 0.20, (8, 25)),  # fatigue 疲劳驾驶
    AlarmKind("dsm", 0x02, 0.16, (10, 40)),  # phone call 接打电话
    AlarmKind("dsm", 0x03, 0.16, (10, 30)),  # smoking 抽烟
    AlarmKind("dsm", 0x04, 0.25, (4, 12)),  # distraction 分神 / 不目视前方
    AlarmKind("dsm", 0x05, 0.04, (30, 120)),  # driver abnormal / absent 驾驶员异常
    AlarmKind("dsm", 0x06, 0.04, (60, 300), (Dialect.YUEBIAO,)),  # camera blocked 探头遮挡
    AlarmKind("video", 1, 0.04, (60, 300), (Dialect.SUBIAO,)),  # 视频信号遮挡 (JT/T 1078)
    AlarmKind("adas", 0x01, 0.12, None),  # forward collision 前向碰撞
    AlarmKind("adas", 0x02, 0.30, (2, 6)),  # lane departure 车道偏离
    AlarmKind("adas", 0x03, 0.25, (5, 20)),  # headway 车距过近
    AlarmKind("adas", 0x04, 0.05, None),  # pedestrian 行人碰撞
    AlarmKind("bsd", 0x01, 0.04, None),  # rear approach
    AlarmKind("bsd", 0x02, 0.06, None),  # left rear
    AlarmKind("bsd", 0x03, 0.06, None),  # right rear
    AlarmKind("tpms", 2, 0.03, None),  # pressure low
    AlarmKind("tpms", 3, 0.02, None),  # temperature high
)

FAMILIES = ("adas", "dsm", "bsd", "tpms")


def kinds_for(dialect: Dialect) -> tuple[AlarmKind, ...]:
    return tuple(k for k in KINDS if dialect in k.dialects)


@dataclass(slots=True)
class RaisedAlarm:
    """An alarm a terminal reported; kept so that 0x9208 can be answered with its evidence."""

    kind: AlarmKind
    alarm_id: int
    level: int
    start: float  # simulated UNIX time
    end: float | None
    ident: AlarmIdentification | None
    detail: int = 0  # fatigue degree, deviation side, tyre position...

    @property
    def channel(self) -> int:
        """The attachment channel number: 64 ADAS, 65 DSM, 66 TPMS, 67 BSD (the standards
        write the peripheral ids 0x64-0x67 with the same digits)."""
        return int(f"{self.kind.peripheral:X}")

    @property
    def type_label(self) -> str:
        """Peripheral + type as in attachment file names, e.g. ``6501``."""
        return f"{self.kind.peripheral:02X}{self.kind.type_code:02X}"

    def describe(self, dialect: Dialect) -> tuple[str, str]:
        """(Chinese, English) text for overlays and logs, e.g. ``DSM 疲劳驾驶报警 二级``."""
        entry = self.kind.catalogue(dialect)
        family = self.kind.family.upper()
        level_zh = f" {'一二'[self.level - 1]}级" if self.level in (1, 2) and entry.levelled else ""
        level_en = f" L{self.level}" if self.level in (1, 2) and entry.levelled else ""
        return (
            f"{family} {entry.name_zh}{level_zh}",
            f"{family} {entry.name_en}{level_en} ({entry.code})",
        )


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    time: float
    alarm: RaisedAlarm
    flag: int  # AlarmFlag: 0 one-shot, 1 start, 2 end


def bcd_time(t: float) -> BcdTime:
    """The BCD[6] time (Beijing) of a UNIX time."""
    g = time.gmtime(t + _CHINA_OFFSET_S)
    if not 2000 <= g.tm_year <= 2099:
        return BcdTime.from_datetime(datetime.fromtimestamp(t, CHINA_TZ))  # raises
    day = f"{g.tm_year % 100:02d}{g.tm_mon:02d}{g.tm_mday:02d}"
    return BcdTime(f"{day}{g.tm_hour:02d}{g.tm_min:02d}{g.tm_sec:02d}")


_CHINA_OFFSET_S = 8 * 3600


class SafetyMonitor:
    """The ADAS/DSM/BSD/TPMS peripherals of one terminal (alarm ids, identifications)."""

    __slots__ = (
        "_ident_second",
        "_ident_seq",
        "_next_id",
        "active",
        "dialect",
        "kinds",
        "rng",
        "scale",
        "terminal_id",
    )

    def __init__(
        self, rng: random.Random, dialect: Dialect, terminal_id: str, *, scale: float = 1.0
    ) -> None:
        self.rng = rng
        self.dialect = dialect
        self.terminal_id = terminal_id
        self.scale = scale
        self.kinds = kinds_for(dialect)
        self.active: dict[AlarmKind, RaisedAlarm] = {}
        self._next_id = 1
        self._ident_second = ""
        self._ident_seq = 0

    def _ident(self, t: float, attachments: int) -> AlarmIdentification:
        when = bcd_time(t)
        if when.digits == self._ident_second:
            self._ident_seq = (self._ident_seq + 1) & 0xFF
        else:
            self._ident_second, self._ident_seq = when.digits, 0
        return AlarmIdentification.build(
            self.terminal_id, when, self._ident_seq, attachments, self.dialect
        )

    def raise_alarm(self, kind: AlarmKind, t: float, *, level: int | None = None) -> AlarmEvent:
        """Raise ``kind`` now (also used for alarms on demand)."""
        rng = self.rng
        if level is None:
            level = 2 if rng.random() < 0.3 else 1
        detail = 0
        if kind.family == "dsm" and kind.type_code == 0x01:
            detail = rng.randint(3, 9)
        elif kind.family == "adas" and kind.type_code == 0x02:
            detail = rng.choice((1, 2))
        elif kind.family == "tpms":
            detail = rng.randrange(6)
        alarm = RaisedAlarm(
            kind,
            self._next_id,
            level,
            t,
            None,
            self._ident(t, ATTACHMENTS) if kind.has_attachments else None,
            detail,
        )
        self._next_id = (self._next_id + 1) & 0xFFFFFFFF or 1
        if kind.duration is None:
            alarm.end = t
            return AlarmEvent(t, alarm, AlarmFlag.NOT_APPLICABLE)
        alarm.end = t + rng.uniform(*kind.duration)
        self.active[kind] = alarm
        return AlarmEvent(t, alarm, AlarmFlag.START)

    def step(self, t0: float, t1: float, sample: Sample) -> list[AlarmEvent]:
        """Alarms raised and ended in ``(t0, t1]`` while the truck is as ``sample`` says."""
        events: list[AlarmEvent] = []
        for kind, alarm in list(self.active.items()):
            if alarm.end is not None and alarm.end <= t1:
                del self.active[kind]
                events.append(AlarmEvent(alarm.end, alarm, AlarmFlag.END))
        if sample.activity != "driving" or sample.speed_kmh < 5 or t1 <= t0:
            return events
        hours = (t1 - t0) / 3600
        rng = self.rng
        for kind in self.kinds:
            if kind in self.active:
                continue
            rate = kind.per_hour * self.scale
            if (
                kind.family == "dsm"
                and kind.type_code == 0x01
                and sample.continuous_driving_s > 3 * 3600
            ):
                rate *= 4
            if rng.random() < rate * hours:
                events.append(self.raise_alarm(kind, rng.uniform(t0, t1)))
        events.sort(key=lambda e: e.time)
        return events

    def video_blocked(self) -> bool:
        return any(k.family == "video" for k in self.active)


# --- the report -----------------------------------------------------------------------------


def snapshot(sample: Sample, t: float | None = None) -> AlarmSnapshot:
    state = VehicleState.POSITIONED | (VehicleState.ACC if sample.acc_on else 0)
    return AlarmSnapshot(
        speed=min(255, int(sample.speed_kmh)),
        altitude=sample.altitude,
        lat=round(sample.lat * 1e6),
        lon=round(sample.lon * 1e6),
        time=bcd_time(sample.time if t is None else t),
        vehicle_state=int(state),
    )


def alarm_item(event: AlarmEvent, sample: Sample) -> Item | None:
    """The 0x64-0x67 item of an alarm event (None for the JT/T 1078 video alarms, which ride
    on the report's 0x14/0x16 items instead)."""
    alarm, kind = event.alarm, event.alarm.kind
    snap = snapshot(sample, event.time)
    ident = alarm.ident
    if ident is None:
        return None
    if kind.family == "adas":
        t = kind.type_code
        return AdasAlarm(
            alarm_id=alarm.alarm_id,
            flag=event.flag,
            type_code=t,
            level=alarm.level,
            front_speed=max(0, int(sample.speed_kmh) - 15) if t in (0x01, 0x02) else 0,
            distance=12 if t in (0x01, 0x02, 0x04) else 0,
            deviation=alarm.detail if t == 0x02 else 0,
            sign_type=0,
            sign_data=0,
            snapshot=snap,
            alarm_ident=ident,
        )
    if kind.family == "dsm":
        return DsmAlarm(
            alarm_id=alarm.alarm_id,
            flag=event.flag,
            type_code=kind.type_code,
            level=alarm.level,
            fatigue=alarm.detail if kind.type_code == 0x01 else 0,
            reserved=bytes(4),
            snapshot=snap,
            alarm_ident=ident,
        )
    if kind.family == "bsd":
        return BsdAlarm(alarm.alarm_id, event.flag, kind.type_code, snap, ident)
    if kind.family == "tpms":
        bit = 1 << kind.type_code
        pressure = 520 if bit == TyreEvent.PRESSURE_LOW else 830
        temperature = 95 if bit == TyreEvent.TEMPERATURE_HIGH else 45
        record = TyreRecord(alarm.detail, bit, pressure, temperature, 80)
        return TpmsAlarm(alarm.alarm_id, event.flag, snap, ident, (record,))
    return None


def location_report(
    sample: Sample,
    *,
    items: tuple[Item, ...] = (),
    video_blocked_channels: int = 0,
    signal: int = 22,
    satellites: int = 14,
) -> LocationReport:
    flags = 0
    extra: list[Item] = []
    if sample.overspeed:
        flags |= ALARM_BIT_OVERSPEED
        extra.append(OverspeedDetail(0))
    if sample.fatigue:
        flags |= ALARM_BIT_FATIGUE
    if video_blocked_channels:
        extra.append(VideoAlarm(1 << 1))
        extra.append(VideoSignalBlocked(video_blocked_channels))
    status = STATUS_POSITIONED | STATUS_GPS | STATUS_BEIDOU
    if sample.acc_on:
        status |= STATUS_ACC_ON
    return LocationReport(
        alarm_flags=flags,
        status=status,
        latitude_e6=round(sample.lat * 1e6),
        longitude_e6=round(sample.lon * 1e6),
        altitude=sample.altitude,
        speed_x10=round(sample.speed_kmh * 10),
        direction=sample.heading,
        time=bcd_time(sample.time),
        items=(
            Mileage(round(sample.mileage_km * 10)),
            Fuel(round(sample.fuel_l * 10)),
            RecorderSpeed(round(sample.speed_kmh * 10)),
            SignalStrength(signal),
            Satellites(satellites),
            *extra,
            *items,
        ),
    )
