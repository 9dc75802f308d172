"""Multimedia: event 0x0800, data upload 0x0801 with its answer 0x8800, and the
take-photo command 0x8801 with its answer 0x0805 (JT/T 808-2013 §8.51-8.55)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Self

from console.protocol.binary import Reader, Writer
from console.protocol.jt808.location import BASIC_SIZE, LocationReport
from console.protocol.jt808.message import DEFAULT_CONTEXT, DecodeContext, Message, register


class MediaType(IntEnum):
    IMAGE = 0
    AUDIO = 1
    VIDEO = 2


class MediaFormat(IntEnum):
    JPEG = 0
    TIF = 1
    MP3 = 2
    WAV = 3
    WMV = 4


class MediaEvent(IntEnum):
    PLATFORM_COMMAND = 0
    TIMER = 1
    ROBBERY = 2
    COLLISION_ROLLOVER = 3
    DOOR_OPEN = 4
    DOOR_CLOSED = 5
    DOOR_CLOSED_MOVING = 6
    DISTANCE = 7


@dataclass(frozen=True, slots=True)
class _MediaHeader(Message):
    media_id: int
    media_type: int
    format: int
    event: int
    channel: int

    def _write_header(self, w: Writer) -> Writer:
        w.u32(self.media_id, "media id").u8(self.media_type, "media type")
        return w.u8(self.format, "format").u8(self.event, "event").u8(self.channel, "channel")

    def _header_json(self) -> dict[str, Any]:
        return {
            "media_id": self.media_id,
            "media_type": self.media_type,
            "format": self.format,
            "event": self.event,
            "channel": self.channel,
        }


def _read_header(r: Reader) -> tuple[int, int, int, int, int]:
    return (r.u32("media id"), r.u8("media type"), r.u8("format"), r.u8("event"), r.u8("channel"))


@register
@dataclass(frozen=True, slots=True)
class MultimediaEvent(_MediaHeader):
    """0x0800 多媒体事件信息上传."""

    MESSAGE_ID = 0x0800

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x0800")
        value = cls(*_read_header(r))
        r.end()
        return value

    def encode(self) -> bytes:
        return self._write_header(Writer("0x0800")).getvalue()

    def to_json(self) -> dict[str, Any]:
        return self._header_json()


@register
@dataclass(frozen=True, slots=True)
class MultimediaData(_MediaHeader):
    """0x0801 多媒体数据上传: header, a 28-byte location block (absent in 2011), data.

    Usually sub-packaged; decoding the first packet alone gives the header,
    location and the start of the data.
    """

    MESSAGE_ID = 0x0801
    location: LocationReport | None = None
    data: bytes = b""

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x0801")
        header = _read_header(r)
        location = None
        # 2011 terminals send no location block: the data (a JPEG's FF D8) follows at once.
        if body[8:10] != b"\xff\xd8" and r.remaining >= BASIC_SIZE:
            location = LocationReport.decode(r.raw(BASIC_SIZE, "location"), ctx)
        return cls(*header, location=location, data=r.rest())

    def encode(self) -> bytes:
        w = self._write_header(Writer("0x0801"))
        if self.location is not None:
            w.raw(self.location.encode(), BASIC_SIZE, "location block")
        return w.raw(self.data).getvalue()

    def to_json(self) -> dict[str, Any]:
        out = self._header_json()
        if self.location is not None:
            out["location"] = self.location.basic_json()
        out["data_len"] = len(self.data)
        out["data_head"] = self.data[:4].hex()
        return out


@register
@dataclass(frozen=True, slots=True)
class MultimediaUploadResponse(Message):
    """0x8800 多媒体数据上传应答: the packet ids to send again (none = complete)."""

    MESSAGE_ID = 0x8800
    media_id: int
    retransmit_ids: tuple[int, ...] = ()

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x8800")
        media_id = r.u32("media id")
        if not r.remaining:  # complete: many terminals and platforms omit the empty list
            return cls(media_id)
        count = r.u8("retransmit count")
        ids = tuple(r.u16("packet id") for _ in range(count))
        r.end()
        return cls(media_id, ids)

    def encode(self) -> bytes:
        w = Writer("0x8800").u32(self.media_id, "media id").u8(len(self.retransmit_ids), "count")
        for packet_id in self.retransmit_ids:
            w.u16(packet_id, "packet id")
        return w.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {"media_id": self.media_id, "retransmit": list(self.retransmit_ids)}


@register
@dataclass(frozen=True, slots=True)
class TakePhoto(Message):
    """0x8801 摄像头立即拍摄命令. ``command``: 0 stop, 0xFFFF record video, n photos.
    Channel 0x64/0x65 asks the ADAS/DSM peripheral (苏标/粤标)."""

    MESSAGE_ID = 0x8801
    channel: int
    command: int = 1
    interval: int = 0  # seconds between photos / recording seconds
    save: int = 0  # 1 save on the terminal, 0 upload now
    resolution: int = 1
    quality: int = 5  # 1 best ... 10 worst
    brightness: int = 128
    contrast: int = 64
    saturation: int = 64
    chroma: int = 128

    _FIELDS = (
        "channel",
        "command",
        "interval",
        "save",
        "resolution",
        "quality",
        "brightness",
        "contrast",
        "saturation",
        "chroma",
    )

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x8801")
        channel, command, interval = r.u8("channel"), r.u16("command"), r.u16("interval")
        rest = [r.u8(name) for name in cls._FIELDS[3:]]
        r.end()
        return cls(channel, command, interval, *rest)

    def encode(self) -> bytes:
        w = Writer("0x8801").u8(self.channel, "channel").u16(self.command, "command")
        w.u16(self.interval, "interval")
        for name in self._FIELDS[3:]:
            w.u8(getattr(self, name), name)
        return w.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._FIELDS}


@register
@dataclass(frozen=True, slots=True)
class TakePhotoResponse(Message):
    """0x0805 摄像头立即拍摄命令应答: result 0 ok, 1 failed, 2 channel not supported;
    the media ids follow only on success."""

    MESSAGE_ID = 0x0805
    reply_serial: int
    result: int
    media_ids: tuple[int, ...] = ()

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x0805")
        serial, result = r.u16("reply serial"), r.u8("result")
        ids: tuple[int, ...] = ()
        if r.remaining:
            count = r.u16("count")
            ids = tuple(r.u32("media id") for _ in range(count))
        r.end()
        return cls(serial, result, ids)

    def encode(self) -> bytes:
        w = Writer("0x0805").u16(self.reply_serial).u8(self.result, "result")
        if self.media_ids or self.result == 0:
            w.u16(len(self.media_ids), "count")
            for media_id in self.media_ids:
                w.u32(media_id, "media id")
        return w.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "reply_serial": self.reply_serial,
            "result": self.result,
            "media_ids": list(self.media_ids),
        }
