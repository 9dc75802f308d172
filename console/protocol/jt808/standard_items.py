"""The standard additional items of JT/T 808-2013 tables 27-32 and JT/T 1078 table 13."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from console.protocol.binary import Reader, Writer
from console.protocol.jt808.items import Item, UIntItem, check_length, register_item
from console.protocol.jt808.message import DEFAULT_CONTEXT, DecodeContext


@dataclass(frozen=True, slots=True)
class _ScalarItem(UIntItem):
    """A UIntItem shown in JSON under JSON_KEY, divided by SCALE or as hex of HEX digits."""

    JSON_KEY: ClassVar[str]
    SCALE: ClassVar[int] = 1
    HEX: ClassVar[int] = 0

    def json_fields(self) -> dict[str, Any]:
        if self.HEX:
            return {self.JSON_KEY: f"0x{self.value:0{self.HEX}X}"}
        return {self.JSON_KEY: self.value / self.SCALE if self.SCALE != 1 else self.value}


@register_item
@dataclass(frozen=True, slots=True)
class Mileage(_ScalarItem):
    """0x01 里程, 0.1 km."""

    ITEM_ID, SIZE, JSON_KEY, SCALE = 0x01, 4, "mileage_km", 10

    @property
    def km(self) -> float:
        return self.value / 10


@register_item
@dataclass(frozen=True, slots=True)
class Fuel(_ScalarItem):
    """0x02 油量, 0.1 L."""

    ITEM_ID, SIZE, JSON_KEY, SCALE = 0x02, 2, "fuel_l", 10

    @property
    def litres(self) -> float:
        return self.value / 10


@register_item
@dataclass(frozen=True, slots=True)
class RecorderSpeed(_ScalarItem):
    """0x03 行驶记录功能获取的速度, 0.1 km/h."""

    ITEM_ID, SIZE, JSON_KEY, SCALE = 0x03, 2, "recorder_speed_kmh", 10


@register_item
@dataclass(frozen=True, slots=True)
class ManualConfirmEvent(_ScalarItem):
    """0x04 需要人工确认报警事件的ID."""

    ITEM_ID, SIZE, JSON_KEY = 0x04, 2, "manual_confirm_event_id"


@register_item
@dataclass(frozen=True, slots=True)
class CompartmentTemperature(_ScalarItem):
    """0x06 (2019) 车厢温度, °C as sent (signed per some terminals; kept raw)."""

    ITEM_ID, SIZE, JSON_KEY = 0x06, 2, "compartment_temperature"


@register_item
@dataclass(frozen=True, slots=True)
class VideoAlarm(_ScalarItem):
    """0x14 视频相关报警 (JT/T 1078 table 14), bit flags."""

    ITEM_ID, SIZE, JSON_KEY, HEX = 0x14, 4, "video_alarm", 8


@register_item
@dataclass(frozen=True, slots=True)
class VideoSignalLost(_ScalarItem):
    """0x15 视频信号丢失: bit n = logical channel n+1."""

    ITEM_ID, SIZE, JSON_KEY, HEX = 0x15, 4, "video_signal_lost_channels", 8


@register_item
@dataclass(frozen=True, slots=True)
class VideoSignalBlocked(_ScalarItem):
    """0x16 视频信号遮挡: bit n = logical channel n+1."""

    ITEM_ID, SIZE, JSON_KEY, HEX = 0x16, 4, "video_blocked_channels", 8


@register_item
@dataclass(frozen=True, slots=True)
class StorageFault(_ScalarItem):
    """0x17 存储器故障: bits 0-11 main storage, 12-15 backup."""

    ITEM_ID, SIZE, JSON_KEY, HEX = 0x17, 2, "storage_fault", 4


@register_item
@dataclass(frozen=True, slots=True)
class ExtendedVehicleSignals(_ScalarItem):
    """0x25 扩展车辆信号状态位 (lamps, brake, reverse, ...)."""

    ITEM_ID, SIZE, JSON_KEY, HEX = 0x25, 4, "ext_vehicle_signal", 8


@register_item
@dataclass(frozen=True, slots=True)
class IoStatus(_ScalarItem):
    """0x2A IO状态位: bit0 deep sleep, bit1 sleep."""

    ITEM_ID, SIZE, JSON_KEY = 0x2A, 2, "io_status"


@register_item
@dataclass(frozen=True, slots=True)
class AnalogInputs(UIntItem):
    """0x2B 模拟量: bits 0-15 AD0, bits 16-31 AD1."""

    ITEM_ID, SIZE = 0x2B, 4

    def json_fields(self) -> dict[str, Any]:
        return {"analog": {"ad0": self.value & 0xFFFF, "ad1": self.value >> 16}}


@register_item
@dataclass(frozen=True, slots=True)
class SignalStrength(_ScalarItem):
    """0x30 无线通信网络信号强度."""

    ITEM_ID, SIZE, JSON_KEY = 0x30, 1, "signal_strength"


@register_item
@dataclass(frozen=True, slots=True)
class Satellites(_ScalarItem):
    """0x31 GNSS 定位卫星数."""

    ITEM_ID, SIZE, JSON_KEY = 0x31, 1, "satellites"


@register_item
@dataclass(frozen=True, slots=True)
class TyrePressure(Item):
    """0x05 (2019) 胎压, BYTE[30], one byte per tyre (0xFF = no sensor)."""

    ITEM_ID = 0x05
    pressures: bytes

    @classmethod
    def decode(cls, data: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        check_length(cls, data, 30)
        return cls(data)

    def encode_value(self) -> bytes:
        return self.pressures

    def json_fields(self) -> dict[str, Any]:
        return {"tyre_pressure": self.pressures.hex()}


@register_item
@dataclass(frozen=True, slots=True)
class OverspeedDetail(Item):
    """0x11 超速报警附加信息: location type, and the area/route id unless type 0."""

    ITEM_ID = 0x11
    location_type: int
    area_id: int | None = None

    @classmethod
    def decode(cls, data: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        check_length(cls, data, 1, 5)
        r = Reader(data, "item 0x11")
        kind = r.u8("location type")
        return cls(kind, r.u32("area id") if len(data) == 5 else None)

    def encode_value(self) -> bytes:
        w = Writer("item 0x11").u8(self.location_type, "location type")
        if self.area_id is not None:
            w.u32(self.area_id, "area id")
        return w.getvalue()

    def json_fields(self) -> dict[str, Any]:
        return {"overspeed": {"location_type": self.location_type, "area_id": self.area_id}}


@register_item
@dataclass(frozen=True, slots=True)
class AreaRouteAlarm(Item):
    """0x12 进出区域/路线报警附加信息: type, id, direction (0 in, 1 out)."""

    ITEM_ID = 0x12
    location_type: int
    area_id: int
    direction: int

    @classmethod
    def decode(cls, data: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        check_length(cls, data, 6)
        r = Reader(data, "item 0x12")
        return cls(r.u8("location type"), r.u32("area id"), r.u8("direction"))

    def encode_value(self) -> bytes:
        w = Writer("item 0x12").u8(self.location_type).u32(self.area_id)
        return w.u8(self.direction).getvalue()

    def json_fields(self) -> dict[str, Any]:
        return {
            "area_route": {
                "location_type": self.location_type,
                "area_id": self.area_id,
                "direction": self.direction,
            }
        }


@register_item
@dataclass(frozen=True, slots=True)
class RouteDriveTime(Item):
    """0x13 路段行驶时间不足/过长: section id, seconds, result (0 short, 1 long)."""

    ITEM_ID = 0x13
    section_id: int
    seconds: int
    result: int

    @classmethod
    def decode(cls, data: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        check_length(cls, data, 7)
        r = Reader(data, "item 0x13")
        return cls(r.u32("section id"), r.u16("drive time"), r.u8("result"))

    def encode_value(self) -> bytes:
        w = Writer("item 0x13").u32(self.section_id).u16(self.seconds)
        return w.u8(self.result).getvalue()

    def json_fields(self) -> dict[str, Any]:
        return {
            "route_drive_time": {
                "section_id": self.section_id,
                "seconds": self.seconds,
                "result": self.result,
            }
        }


@register_item
@dataclass(frozen=True, slots=True)
class AbnormalDriving(Item):
    """0x18 异常驾驶行为 (JT/T 1078 table 15): WORD bits (0 fatigue, 1 phone, 2 smoking)
    and the fatigue level 0-100. Table 13 says 2 bytes, table 15 and real devices 3."""

    ITEM_ID = 0x18
    behaviour: int
    fatigue_level: int | None = None

    @classmethod
    def decode(cls, data: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        check_length(cls, data, 2, 3)
        return cls(int.from_bytes(data[:2], "big"), data[2] if len(data) == 3 else None)

    def encode_value(self) -> bytes:
        w = Writer("item 0x18").u16(self.behaviour, "behaviour")
        if self.fatigue_level is not None:
            w.u8(self.fatigue_level, "fatigue level")
        return w.getvalue()

    def json_fields(self) -> dict[str, Any]:
        return {
            "abnormal_driving": {"behaviour": self.behaviour, "fatigue_level": self.fatigue_level}
        }
