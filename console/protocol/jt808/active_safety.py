"""Active-safety additional items of a 0x0200 location report (主动安全报警附加信息).

苏标 T/JSATL 12-2017 §4.4 and 粤标 T/GDRTA 002-2020 §5.4 (digest: ``shared/protocol/README.md``
§5): 0x64 ADAS, 0x65 DSM, 0x66 TPMS, 0x67 BSD, the DB32/T 3610 item 0x70 (aggressive driving)
and the 粤标-only DWORDs 0xF1 / 0xF2.

The two dialects differ only in the size of the alarm identification (16 vs 40 bytes) and in
the TPMS tyre position (BYTE vs WORD), so an item's dialect is *the size of its identification*:
nothing else is stored, and ``encode_value()`` needs no context. Decoding chooses the dialect
from the item length where that is unambiguous, else from ``ctx.dialect``, else 苏标.

All values are kept raw as sent (speed km/h, altitude m, lat/lon in 10⁻⁶ degrees unsigned,
BCD time digits); properties give the derived views.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, fields
from enum import IntEnum, IntFlag
from typing import Any, ClassVar, NamedTuple, Self

from console.protocol._fast import fast_constructor
from console.protocol.binary import BcdTime, Reader, Writer
from console.protocol.errors import BodyError, LocalProtocolError
from console.protocol.jt808.alarm_ident import IDENT_SIZE, TERMINAL_ID_SIZE, AlarmIdentification
from console.protocol.jt808.items import Item, RawItem, UIntItem, register_item
from console.protocol.jt808.message import DEFAULT_CONTEXT, DecodeContext, Dialect, set_bits

# Catalogue families, equal to the values of ``console.domain.alarm_types.AlarmFamily``
# (the protocol layer does not import the domain layer).
FAMILY_ADAS = "adas"
FAMILY_DSM = "dsm"
FAMILY_TPMS = "tpms"
FAMILY_BSD = "bsd"
FAMILY_AGGRESSIVE_DRIVING = "aggressive_driving"


class CatalogueKey(NamedTuple):
    """What the alarm-type catalogue is looked up by: ``alarm_type(*key)``."""

    family: str
    type_code: int
    dialect: str  # "subiao" / "yuebiao" (the Dialect values)


class AlarmFlag(IntEnum):
    """标志状态 of an active-safety alarm; terminals may send other values, kept as int."""

    NOT_APPLICABLE = 0  # 不可用: the alarm has no start/end (events, one-shot alarms)
    START = 1  # 开始标志
    END = 2  # 结束标志


class AlarmLevel(IntEnum):
    """报警级别 of ADAS/DSM alarms (一级 is the lighter one)."""

    LEVEL_1 = 1
    LEVEL_2 = 2


class VehicleState(IntFlag):
    """Bits of the vehicle-state WORD (车辆状态, [JSATL] table 5-9 / [GDRTA] table 6-9)."""

    ACC = 1 << 0
    LEFT_TURN = 1 << 1
    RIGHT_TURN = 1 << 2
    WIPER = 1 << 3
    BRAKING = 1 << 4
    CARD_INSERTED = 1 << 5
    POSITIONED = 1 << 10


class TyreEvent(IntFlag):
    """Bits of a TPMS record's event WORD (胎压报警/事件类型); bits 8-15 are user defined."""

    PERIODIC_REPORT = 1 << 0  # 胎压（定时上报）
    PRESSURE_HIGH = 1 << 1
    PRESSURE_LOW = 1 << 2
    TEMPERATURE_HIGH = 1 << 3
    SENSOR_FAULT = 1 << 4
    PRESSURE_IMBALANCE = 1 << 5
    SLOW_LEAK = 1 << 6
    BATTERY_LOW = 1 << 7


# --- shared blocks ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AlarmSnapshot:
    """The 19-byte vehicle snapshot every active-safety item carries after its own fields:
    ``speed BYTE km/h | altitude WORD m | lat DWORD | lon DWORD | time BCD[6] | state WORD``.

    Latitude and longitude are 10⁻⁶ degrees and unsigned: the items carry no hemisphere bits
    (the location's status word does), so they are shown as sent.
    """

    SIZE: ClassVar[int] = 19

    speed: int
    altitude: int
    lat: int
    lon: int
    time: BcdTime
    vehicle_state: int

    @classmethod
    def read(cls, r: Reader) -> AlarmSnapshot:
        return cls(
            speed=r.u8("speed"),
            altitude=r.u16("altitude"),
            lat=r.u32("latitude"),
            lon=r.u32("longitude"),
            time=r.time("time"),
            vehicle_state=r.u16("vehicle state"),
        )

    def write(self, w: Writer) -> None:
        w.u8(self.speed, "speed").u16(self.altitude, "altitude")
        w.u32(self.lat, "latitude").u32(self.lon, "longitude")
        w.time(self.time).u16(self.vehicle_state, "vehicle state")

    @property
    def latitude(self) -> float:
        """Degrees (unsigned, as sent)."""
        return self.lat / 1e6

    @property
    def longitude(self) -> float:
        return self.lon / 1e6

    @property
    def acc_on(self) -> bool:
        return bool(self.vehicle_state & VehicleState.ACC)

    @property
    def positioned(self) -> bool:
        return bool(self.vehicle_state & VehicleState.POSITIONED)

    def to_json(self) -> dict[str, Any]:
        return {
            "speed": self.speed,
            "altitude": self.altitude,
            "lat": self.latitude,
            "lon": self.longitude,
            "time": str(self.time),
            "vehicle_state": self.vehicle_state,
        }


def _ident_json(ident: AlarmIdentification) -> dict[str, Any]:
    return {"alarm_ident": ident.to_json(), "alarm_ident_hex": ident.raw.hex()}


class _AlarmItem(Item):
    """Behaviour shared by every active-safety alarm item (mixin over the dataclasses)."""

    __slots__ = ()
    FAMILY: ClassVar[str]
    NAME: ClassVar[str]  # key of the item in the location's JSON
    FIXED_SIZE: ClassVar[dict[Dialect, int]]

    # provided by the dataclass fields
    alarm_id: int
    flag: int
    snapshot: AlarmSnapshot
    alarm_ident: AlarmIdentification

    @property
    def dialect(self) -> Dialect:
        """苏标 or 粤标, as the identification's size says."""
        return self.alarm_ident.dialect

    @property
    def flag_state(self) -> AlarmFlag | None:
        """The flag as :class:`AlarmFlag`, None for values outside the standard."""
        try:
            return AlarmFlag(self.flag)
        except ValueError:
            return None

    def catalogue_keys(self) -> tuple[CatalogueKey, ...]:
        """Every alarm type this item reports (one, except TPMS: one per event bit)."""
        raise NotImplementedError

    def _json_head(self) -> dict[str, Any]:
        return {"len": len(self.encode_value()), "alarm_id": self.alarm_id, "flag": self.flag}


class _TypedAlarmItem(_AlarmItem):
    """Items with a type byte (all but TPMS): fixed fields, the snapshot, the identification.

    One struct layout per dialect, built from ``HEAD``, serves both directions.
    """

    __slots__ = ()
    HEAD: ClassVar[str]
    type_code: int

    @property
    def catalogue_key(self) -> CatalogueKey:
        return CatalogueKey(self.FAMILY, self.type_code, self.dialect.value)

    def catalogue_keys(self) -> tuple[CatalogueKey, ...]:
        return (self.catalogue_key,)

    def _json_head(self) -> dict[str, Any]:
        head = super()._json_head()
        head["type"] = f"0x{self.type_code:02X}"
        return head

    @classmethod
    def decode(cls, data: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        # The length alone decides the dialect: the identification's size is on the wire,
        # while a configured dialect may be stale (a swapped terminal) or simply not apply
        # (0x70 comes from DB32/T 3610 and keeps 16 bytes on 粤标 terminals).
        layout = _LAYOUTS[cls].get(len(data))
        if layout is None:
            sizes = " or ".join(f"{n} ({d.value})" for d, n in cls.FIXED_SIZE.items())
            raise BodyError(f"item 0x{cls.ITEM_ID:02X} must be {sizes} bytes, got {len(data)}")
        return layout.decode(data)

    def encode_value(self) -> bytes:
        return _LAYOUTS[type(self)][self.FIXED_SIZE[self.dialect]].encode(self)


_SIZES_47_71 = {Dialect.SUBIAO: 47, Dialect.YUEBIAO: 71}
_SIZES_41_65 = {Dialect.SUBIAO: 41, Dialect.YUEBIAO: 65}


# --- 0x64 ADAS -------------------------------------------------------------------------------
@register_item
@dataclass(frozen=True, slots=True)
class AdasAlarm(_TypedAlarmItem):
    """0x64 高级驾驶辅助系统报警信息 ([JSATL] table 4-15, [GDRTA] table 5-15), 47 / 71 bytes.

    ``front_speed`` km/h (types 0x01/0x02), ``distance`` in 100 ms (0x01, 0x02, 0x04),
    ``deviation`` 1 left / 2 right (0x02), road sign type 1 speed / 2 height / 3 weight limit
    (粤标 adds 4 no entry, 5 no parking) and its data.
    """

    ITEM_ID = 0x64
    FAMILY = FAMILY_ADAS
    NAME = "adas"
    FIXED_SIZE = _SIZES_47_71
    HEAD = "IBBBBBBBB"  # struct format of the fields before the snapshot

    alarm_id: int
    flag: int
    type_code: int
    level: int
    front_speed: int
    distance: int
    deviation: int
    sign_type: int
    sign_data: int
    snapshot: AlarmSnapshot
    alarm_ident: AlarmIdentification

    def json_fields(self) -> dict[str, Any]:
        return {
            "adas": {
                **self._json_head(),
                "level": self.level,
                "front_speed": self.front_speed,
                "distance": self.distance,
                "deviate": self.deviation,
                "sign_type": self.sign_type,
                "sign_data": self.sign_data,
                **self.snapshot.to_json(),
                **_ident_json(self.alarm_ident),
            }
        }


# --- 0x65 DSM --------------------------------------------------------------------------------
@register_item
@dataclass(frozen=True, slots=True)
class DsmAlarm(_TypedAlarmItem):
    """0x65 驾驶员状态监测系统报警信息 ([JSATL] table 4-17, [GDRTA] table 5-17), 47 / 71 bytes.

    ``fatigue`` is the fatigue degree (苏标 1-10, 粤标 1-9; type 0x01 only); ``reserved`` the
    four reserved bytes exactly as sent.
    """

    ITEM_ID = 0x65
    FAMILY = FAMILY_DSM
    NAME = "dsm"
    FIXED_SIZE = _SIZES_47_71
    HEAD = "IBBBB4s"  # struct format of the fields before the snapshot

    alarm_id: int
    flag: int
    type_code: int
    level: int
    fatigue: int
    reserved: bytes
    snapshot: AlarmSnapshot
    alarm_ident: AlarmIdentification

    def json_fields(self) -> dict[str, Any]:
        return {
            "dsm": {
                **self._json_head(),
                "level": self.level,
                "fatigue": self.fatigue,
                "reserved": self.reserved.hex(),
                **self.snapshot.to_json(),
                **_ident_json(self.alarm_ident),
            }
        }


# --- 0x66 TPMS -------------------------------------------------------------------------------
#: Size of the TPMS item before its records, and of one record, per dialect.
_TPMS_FIXED = {Dialect.SUBIAO: 5 + 19 + 16 + 1, Dialect.YUEBIAO: 5 + 19 + 40 + 1}
_TPMS_RECORD = {Dialect.SUBIAO: 9, Dialect.YUEBIAO: 10}


@dataclass(frozen=True, slots=True)
class TyreRecord:
    """One tyre of a TPMS item: ``position | event bits WORD | pressure WORD kPa |
    temperature WORD °C | battery WORD %``. The position is a BYTE in 苏标 and a WORD in
    粤标; it counts from the left front wheel in a Z pattern starting at 0."""

    position: int
    events: int
    pressure: int
    temperature: int
    battery: int

    @classmethod
    def read(cls, r: Reader, dialect: Dialect) -> TyreRecord:
        position = r.u8("tyre position") if dialect is Dialect.SUBIAO else r.u16("tyre position")
        return cls(
            position=position,
            events=r.u16("tyre events"),
            pressure=r.u16("tyre pressure"),
            temperature=r.u16("tyre temperature"),
            battery=r.u16("tyre battery"),
        )

    def write(self, w: Writer, dialect: Dialect) -> None:
        if dialect is Dialect.SUBIAO:
            w.u8(self.position, "tyre position")
        else:
            w.u16(self.position, "tyre position")
        w.u16(self.events, "tyre events").u16(self.pressure, "tyre pressure")
        w.u16(self.temperature, "tyre temperature").u16(self.battery, "tyre battery")

    @property
    def event_bits(self) -> list[int]:
        return set_bits(self.events, 16)

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "events": f"0x{self.events:04X}",
            "event_bits": self.event_bits,
            "pressure": self.pressure,
            "temperature": self.temperature,
            "battery": self.battery,
        }


def _tpms_dialect(data: bytes, ctx: DecodeContext) -> Dialect:
    """The TPMS dialect: fixed part + count × record size must equal the length.

    The count byte sits at a different offset in each dialect, so each reading is checked
    against its own count. One exact fit decides, also against ``ctx.dialect`` (as for the
    fixed-size items, the identification's size is on the wire) -- except that a fit against
    the context must also show a valid identification time: a cut 苏标 record list can fit
    the 粤标 layout by chance, and the other way round. Two exact fits: ``ctx.dialect``, then
    the reading with a valid identification time, then 苏标. No exact fit (a damaged item):
    ``ctx.dialect`` if the item is long enough for it, else the reading whose declared records
    overrun the item (a truncated list), else 苏标.
    """
    n = len(data)
    feasible = [d for d in (Dialect.SUBIAO, Dialect.YUEBIAO) if n >= _TPMS_FIXED[d]]
    expected = {d: _TPMS_FIXED[d] + data[_TPMS_FIXED[d] - 1] * _TPMS_RECORD[d] for d in feasible}
    exact = [d for d in feasible if expected[d] == n]
    usable = ctx.dialect if ctx.dialect in feasible else None  # the context, if it can apply
    if len(exact) == 1:
        if usable is not None and usable is not exact[0] and not _ident_time_valid(data, exact[0]):
            return usable
        return exact[0]
    if len(exact) == 2:
        if ctx.dialect is not None:
            return ctx.dialect
        valid = [d for d in exact if _ident_time_valid(data, d)]
        return valid[0] if len(valid) == 1 else Dialect.SUBIAO
    if usable is not None:
        return usable
    short = [d for d in feasible if expected[d] > n]
    if len(short) == 1:
        return short[0]
    return ctx.dialect or Dialect.SUBIAO


def _ident_time_valid(data: bytes, dialect: Dialect) -> bool:
    start = 5 + AlarmSnapshot.SIZE + TERMINAL_ID_SIZE[dialect]  # the time follows the id
    return BcdTime(data[start : start + 6].hex()).to_datetime() is not None


@register_item
@dataclass(frozen=True, slots=True)
class TpmsAlarm(_AlarmItem):
    """0x66 胎压监测系统报警信息 ([JSATL] tables 4-18/4-19, [GDRTA] tables 5-18/5-19).

    No type or level byte; each :class:`TyreRecord` carries its own event bits. A damaged item
    (fewer records than its count, a cut last record, bytes after the records) still decodes:
    the whole records present are kept, ``declared_count`` keeps a count that differs from
    ``len(records)`` and ``trailing`` the leftover bytes, so that the item re-encodes byte for
    byte; :attr:`is_complete` says whether it was well formed.
    """

    ITEM_ID = 0x66
    FAMILY = FAMILY_TPMS
    NAME = "tpms"
    FIXED_SIZE = _TPMS_FIXED

    alarm_id: int
    flag: int
    snapshot: AlarmSnapshot
    alarm_ident: AlarmIdentification
    records: tuple[TyreRecord, ...] = ()
    declared_count: int | None = None  # None: the count on the wire is len(records)
    trailing: bytes = b""

    def __post_init__(self) -> None:
        # One form per wire image, so that decode(encode(item)) == item.
        if self.declared_count == len(self.records):
            object.__setattr__(self, "declared_count", None)

    @classmethod
    def decode(cls, data: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        dialect = _tpms_dialect(data, ctx)
        r = Reader(data, "item 0x66")
        alarm_id = r.u32("alarm id")
        flag = r.u8("flag")
        snapshot = AlarmSnapshot.read(r)
        ident = AlarmIdentification.read(r, dialect)
        count = r.u8("record count")
        present = min(count, r.remaining // _TPMS_RECORD[dialect])
        records = tuple(TyreRecord.read(r, dialect) for _ in range(present))
        return cls(
            alarm_id=alarm_id,
            flag=flag,
            snapshot=snapshot,
            alarm_ident=ident,
            records=records,
            declared_count=None if count == present else count,
            trailing=r.rest(),
        )

    def encode_value(self) -> bytes:
        dialect = self.dialect
        w = Writer("item 0x66").u32(self.alarm_id, "alarm id").u8(self.flag, "flag")
        self.snapshot.write(w)
        w.raw(self.alarm_ident.raw).u8(self.count, "record count")
        for record in self.records:
            record.write(w, dialect)
        return w.raw(self.trailing).getvalue()

    @property
    def count(self) -> int:
        """The record count as sent."""
        return len(self.records) if self.declared_count is None else self.declared_count

    @property
    def is_complete(self) -> bool:
        return self.declared_count is None and not self.trailing

    @property
    def event_bits(self) -> list[int]:
        """Every event bit set on any tyre, ascending."""
        events = 0
        for record in self.records:
            events |= record.events
        return set_bits(events, 16)

    def catalogue_keys(self) -> tuple[CatalogueKey, ...]:
        """One key per event bit set on any tyre; the type code is the bit number."""
        return tuple(CatalogueKey(self.FAMILY, bit, self.dialect.value) for bit in self.event_bits)

    def json_fields(self) -> dict[str, Any]:
        return {
            "tpms": {
                **self._json_head(),
                **self.snapshot.to_json(),
                **_ident_json(self.alarm_ident),
                "count": self.count,
                "tyres": [record.to_json() for record in self.records],
                "complete": self.is_complete,
                "trailing": self.trailing.hex(),
            }
        }


# --- 0x67 BSD --------------------------------------------------------------------------------
@register_item
@dataclass(frozen=True, slots=True)
class BsdAlarm(_TypedAlarmItem):
    """0x67 盲区监测系统报警信息, 41 / 65 bytes: type 0x01 rear, 0x02 left rear, 0x03 right
    rear approach; nothing type-specific."""

    ITEM_ID = 0x67
    FAMILY = FAMILY_BSD
    NAME = "bsd"
    FIXED_SIZE = _SIZES_41_65
    HEAD = "IBB"  # struct format of the fields before the snapshot

    alarm_id: int
    flag: int
    type_code: int
    snapshot: AlarmSnapshot
    alarm_ident: AlarmIdentification

    def json_fields(self) -> dict[str, Any]:
        return {
            "bsd": {
                **self._json_head(),
                **self.snapshot.to_json(),
                **_ident_json(self.alarm_ident),
            }
        }


# --- 0x70 aggressive driving -----------------------------------------------------------------
@register_item
@dataclass(frozen=True, slots=True)
class AggressiveDrivingAlarm(_TypedAlarmItem):
    """0x70 激烈驾驶报警信息 (DB32/T 3610 layout; in neither T/JSATL 12-2017 nor T/GDRTA
    002-2020), 47 bytes with a 16-byte identification or 71 with a 40-byte one.

    Types 0x01 急加速, 0x02 急减速, 0x03 急转弯 (``threshold1`` g-force in 0.01 g,
    ``threshold2`` reserved), 0x04 怠速, 0x05 异常熄火, 0x06 空挡滑行, 0x07 发动机超转
    (``threshold1`` speed km/h, ``threshold2`` engine rpm). ``time_threshold`` in seconds.
    """

    ITEM_ID = 0x70
    FAMILY = FAMILY_AGGRESSIVE_DRIVING
    NAME = "aggressive_driving"
    FIXED_SIZE = _SIZES_47_71
    HEAD = "IBBHHH"  # struct format of the fields before the snapshot

    alarm_id: int
    flag: int
    type_code: int
    time_threshold: int
    threshold1: int
    threshold2: int
    snapshot: AlarmSnapshot
    alarm_ident: AlarmIdentification

    def json_fields(self) -> dict[str, Any]:
        return {
            "aggressive_driving": {
                **self._json_head(),
                "time_threshold": self.time_threshold,
                "threshold1": self.threshold1,
                "threshold2": self.threshold2,
                **self.snapshot.to_json(),
                **_ident_json(self.alarm_ident),
            }
        }


# --- 0xF1 / 0xF2 (粤标 only) ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _YuebiaoDword(UIntItem):
    """A 粤标 vendor-defined DWORD ([GDRTA] table 5-14). The ids 0xF1/0xF2 lie in the vendor
    range 0xE1-0xFF, so outside 粤标 (or with another length) the item stays a RawItem."""

    SIZE = 4
    KEY: ClassVar[str]

    @classmethod
    def decode(cls, data: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Item:  # type: ignore[override]
        if ctx.dialect is not Dialect.YUEBIAO or len(data) != cls.SIZE:
            return RawItem(cls.ITEM_ID, data)
        return cls(int.from_bytes(data, "big"))

    def json_fields(self) -> dict[str, Any]:
        return {self.KEY: f"0x{self.value:08X}"}


@register_item
@dataclass(frozen=True, slots=True)
class InstallationAnomaly(_YuebiaoDword):
    """0xF1 安装异常信息 (粤标, vendor-defined bits)."""

    ITEM_ID = 0xF1
    KEY = "installation_anomaly"


@register_item
@dataclass(frozen=True, slots=True)
class AlgorithmAnomaly(_YuebiaoDword):
    """0xF2 算法异常信息 (粤标, vendor-defined bits)."""

    ITEM_ID = 0xF2
    KEY = "algorithm_anomaly"


#: The active-safety alarm items, by id.
ALARM_ITEMS: dict[int, type[_AlarmItem]] = {
    cls.ITEM_ID: cls for cls in (AdasAlarm, DsmAlarm, TpmsAlarm, BsdAlarm, AggressiveDrivingAlarm)
}

__all__ = [
    "ALARM_ITEMS",
    "AdasAlarm",
    "AggressiveDrivingAlarm",
    "AlarmFlag",
    "AlarmLevel",
    "AlarmSnapshot",
    "AlgorithmAnomaly",
    "BsdAlarm",
    "CatalogueKey",
    "DsmAlarm",
    "InstallationAnomaly",
    "TpmsAlarm",
    "TyreEvent",
    "TyreRecord",
    "VehicleState",
]


# --- layouts of the fixed-size items ---------------------------------------------------------
_make_snapshot = fast_constructor(AlarmSnapshot)
_make_time = fast_constructor(BcdTime)
_make_ident = fast_constructor(AlarmIdentification)


class _Layout:
    """One dialect's wire layout of a fixed-size item, read or written with one struct call
    (a location report's items are the codec's hot path)."""

    def __init__(self, cls: type[_TypedAlarmItem], dialect: Dialect) -> None:
        self.cls = cls
        self.struct = struct.Struct(f">{cls.HEAD}BHII6sH{IDENT_SIZE[dialect]}s")
        if self.struct.size != cls.FIXED_SIZE[dialect]:
            raise RuntimeError(f"{cls.__name__}: layout of {self.struct.size} bytes")
        self.head = [f.name for f in fields(cls)][:-2]  # all but snapshot and identification
        self.make = fast_constructor(cls)

    def decode(self, data: bytes) -> Item:
        v = self.struct.unpack(data)
        n = len(self.head)
        time = _make_time(v[n + 4].hex())
        snapshot = _make_snapshot(v[n], v[n + 1], v[n + 2], v[n + 3], time, v[n + 5])
        return self.make(*v[:n], snapshot, _make_ident(v[n + 6]))

    def encode(self, item: _TypedAlarmItem) -> bytes:
        s = item.snapshot
        try:
            return self.struct.pack(
                *[getattr(item, name) for name in self.head],
                s.speed,
                s.altitude,
                s.lat,
                s.lon,
                bytes.fromhex(s.time.digits),
                s.vehicle_state,
                item.alarm_ident.raw,
            )
        except (struct.error, ValueError) as exc:
            raise LocalProtocolError(f"item 0x{self.cls.ITEM_ID:02X}: {exc}") from None


_LAYOUTS: dict[type, dict[int, _Layout]] = {
    cls: {cls.FIXED_SIZE[d]: _Layout(cls, d) for d in Dialect}
    for cls in (AdasAlarm, DsmAlarm, BsdAlarm, AggressiveDrivingAlarm)
}
