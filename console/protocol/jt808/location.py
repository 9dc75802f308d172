"""0x0200 location report (位置信息汇报) and 0x0704 batch upload (定位数据批量上传).

This is the hot path of a platform (one report per truck every 30 s or less),
so the 28-byte basic block is read with one ``struct`` call and the item loop
avoids per-field helpers.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Self

from console.protocol._fast import fast_constructor
from console.protocol.binary import BcdTime, Reader, Writer
from console.protocol.errors import BodyError, LocalProtocolError

# Importing these modules registers their items in ITEMS.
from console.protocol.jt808 import active_safety as _active_safety  # noqa: F401
from console.protocol.jt808 import standard_items as _standard_items  # noqa: F401
from console.protocol.jt808.items import ITEMS, Item, MalformedItem, RawItem, UIntItem
from console.protocol.jt808.message import (
    DEFAULT_CONTEXT,
    DecodeContext,
    Message,
    register,
    set_bits,
)

_BASIC = struct.Struct(">IIIIHHH6s")
BASIC_SIZE = _BASIC.size  # 28

STATUS_ACC_ON = 1 << 0
STATUS_POSITIONED = 1 << 1
STATUS_SOUTH = 1 << 2
STATUS_WEST = 1 << 3


class BatchType(IntEnum):
    NORMAL = 0  # 正常位置批量汇报
    BLIND_AREA = 1  # 盲区补报


@register
@dataclass(frozen=True, slots=True)
class LocationReport(Message):
    """0x0200: the basic block (raw wire units) and the additional items in wire order.

    ``issues`` lists what was wrong with the item list (a truncated item, a
    dangling byte); the position itself is still good and must not be lost.
    """

    MESSAGE_ID = 0x0200
    alarm_flags: int
    status: int
    latitude_e6: int  # degrees × 10⁶, unsigned; the sign is in status bit 2
    longitude_e6: int  # degrees × 10⁶, unsigned; the sign is in status bit 3
    altitude: int  # metres
    speed_x10: int  # 0.1 km/h
    direction: int  # 0-359, north = 0, clockwise
    time: BcdTime
    items: tuple[Item, ...] = ()
    issues: tuple[str, ...] = field(default=(), compare=True)

    # --- convenient units ---------------------------------------------------------------
    @property
    def latitude(self) -> float:
        value = self.latitude_e6 / 1e6
        return -value if self.status & STATUS_SOUTH else value

    @property
    def longitude(self) -> float:
        value = self.longitude_e6 / 1e6
        return -value if self.status & STATUS_WEST else value

    @property
    def speed_kmh(self) -> float:
        return self.speed_x10 / 10

    @property
    def positioned(self) -> bool:
        return bool(self.status & STATUS_POSITIONED)

    def item(self, item_type: type[Item]) -> Item | None:
        """The first item of that type, if the report carries one."""
        for item in self.items:
            if type(item) is item_type:
                return item
        return None

    # --- codec --------------------------------------------------------------------------
    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        n = len(body)
        if n < BASIC_SIZE:
            raise BodyError(f"0x0200: basic block needs 28 bytes, got {n}", 0)
        alarm, status, lat, lon, alt, speed, direction, when = _BASIC.unpack_from(body)
        items: list[Item] = []
        issues: list[str] = []
        i = BASIC_SIZE
        lookup = ITEMS.get
        scalar = _SCALAR_ITEMS.get
        interned = _INTERNED
        while i < n:
            if i + 2 > n:
                issues.append(f"dangling byte 0x{body[i]:02x} after the last item at offset {i}")
                items.append(RawItem(body[i], b""))  # kept so nothing the terminal sent is lost
                break
            item_id = body[i]
            end = i + 2 + body[i + 1]
            if end > n:
                issues.append(
                    f"item 0x{item_id:02X} at offset {i} declares {body[i + 1]} bytes, "
                    f"only {n - i - 2} remain"
                )
                end = n
            fast = scalar(item_id)
            if fast is not None:
                # Scalar items repeat (satellites, signal, fuel): share one immutable value.
                raw = body[i:end]
                item = interned.get(raw)
                if item is None and fast[0] == end - i - 2:
                    if len(interned) >= _INTERN_LIMIT:
                        interned.clear()
                    item = interned[raw] = fast[1](int.from_bytes(raw[2:], "big"))
                if item is not None:
                    items.append(item)
                    i = end
                    continue
            data = body[i + 2 : end]
            decoder = lookup(item_id)
            if decoder is None:
                items.append(RawItem(item_id, data))
            else:
                try:
                    items.append(decoder.decode(data, ctx))
                except BodyError as exc:
                    items.append(MalformedItem(item_id, data, exc.message))
            i = end
        # (the fast constructor makes exactly a LocationReport; subclasses take __init__)
        make = _make_report if cls is LocationReport else cls
        return make(
            alarm,
            status,
            lat,
            lon,
            alt,
            speed,
            direction,
            _make_time(when.hex()),
            tuple(items),
            tuple(issues),
        )

    def encode(self) -> bytes:
        try:
            out = bytearray(
                _BASIC.pack(
                    self.alarm_flags,
                    self.status,
                    self.latitude_e6,
                    self.longitude_e6,
                    self.altitude,
                    self.speed_x10,
                    self.direction,
                    bytes.fromhex(self.time.digits),
                )
            )
        except (struct.error, ValueError) as exc:
            raise LocalProtocolError(f"0x0200 basic block: {exc}") from None
        for item in self.items:
            value = item.encode_value()
            if len(value) > 255:
                raise LocalProtocolError(
                    f"item 0x{item.item_id:02X} is {len(value)} bytes (max 255)"
                )
            out.append(item.item_id)
            out.append(len(value))
            out += value
        return bytes(out)

    def basic_json(self) -> dict[str, Any]:
        return {
            "alarm_flag": self.alarm_flags,
            "status": self.status,
            "lat": round(self.latitude, 6),
            "lon": round(self.longitude, 6),
            "altitude_m": self.altitude,
            "speed_kmh": self.speed_kmh,
            "direction": self.direction,
            "time": str(self.time),
            "alarm_bits": set_bits(self.alarm_flags),
            "status_bits": set_bits(self.status),
        }

    def items_json(self) -> dict[str, Any]:
        """What the additional items say, under the vectors' names (and the defects found)."""
        out: dict[str, Any] = {}
        for item in self.items:
            for key, value in item.json_fields().items():
                if isinstance(value, dict) and key.endswith("_items") and key in out:
                    out[key].update(value)  # several raw/malformed items share one map
                else:
                    out[key] = value
        if self.issues:
            out["issues"] = list(self.issues)
        return out

    def to_json(self) -> dict[str, Any]:
        out = self.basic_json()
        out["item_ids"] = [f"0x{item.item_id:02X}" for item in self.items]
        out.update(self.items_json())
        return out


_INTERNED: dict[bytes, Item] = {}
_INTERN_LIMIT = 4096
_make_report = fast_constructor(LocationReport)
_make_time = fast_constructor(BcdTime)
# Items that are one unsigned integer of a fixed size: (size, constructor), decoded inline.
_SCALAR_ITEMS = {
    item_id: (cls.SIZE, fast_constructor(cls))
    for item_id, cls in ITEMS.items()
    if issubclass(cls, UIntItem) and cls.decode.__func__ is UIntItem.decode.__func__
}


@register
@dataclass(frozen=True, slots=True)
class LocationBatch(Message):
    """0x0704: several 0x0200 bodies, e.g. the blind-area back-fill after a reconnect."""

    MESSAGE_ID = 0x0704
    batch_type: int
    locations: tuple[LocationReport, ...]

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x0704")
        count = r.u16("count")
        batch_type = r.u8("batch type")
        locations = []
        for index in range(count):
            length = r.u16(f"length of location {index}")
            start = r.pos
            locations.append(_decode_nested(r.raw(length, f"location {index}"), ctx, start))
        r.end()
        return cls(batch_type, tuple(locations))

    def encode(self) -> bytes:
        w = Writer("0x0704").u16(len(self.locations), "count").u8(self.batch_type, "batch type")
        for location in self.locations:
            data = location.encode()
            w.u16(len(data), "location length").raw(data)
        return w.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "count": len(self.locations),
            "batch_type": self.batch_type,
            "locations": [location.to_json() for location in self.locations],
        }


def _decode_nested(data: bytes, ctx: DecodeContext, offset: int) -> LocationReport:
    try:
        return LocationReport.decode(data, ctx)
    except BodyError as exc:
        raise BodyError(exc.message, offset + (exc.offset or 0)) from None
