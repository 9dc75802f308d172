"""Signalling messages: general responses, heartbeat, logout, registration, authentication,
and the platform's re-send request for missing sub-packages (JT/T 808-2013 §8.1-8.8)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Self

from console.protocol.binary import Reader, Writer, display_text
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import (
    DEFAULT_CONTEXT,
    DecodeContext,
    EmptyMessage,
    Message,
    hex_id,
    register,
)

_GENERAL_RESPONSE = struct.Struct(">HHB")


class ResponseResult(IntEnum):
    """Result byte of 0x0001 / 0x8001."""

    SUCCESS = 0
    FAILURE = 1
    BAD_MESSAGE = 2
    UNSUPPORTED = 3
    ALARM_CONFIRMED = 4  # 0x8001 only: 报警处理确认


class RegisterResult(IntEnum):
    """Result byte of 0x8100."""

    SUCCESS = 0
    VEHICLE_ALREADY_REGISTERED = 1
    NO_SUCH_VEHICLE = 2
    TERMINAL_ALREADY_REGISTERED = 3
    NO_SUCH_TERMINAL = 4


@dataclass(frozen=True, slots=True)
class _GeneralResponse(Message):
    reply_serial: int
    reply_id: int
    result: int

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, cls.__name__)
        value = cls(r.u16("reply serial"), r.u16("reply id"), r.u8("result"))
        r.end()
        return value

    def encode(self) -> bytes:
        try:  # the platform sends one per message: one struct call
            return _GENERAL_RESPONSE.pack(self.reply_serial, self.reply_id, self.result)
        except struct.error:
            pass  # out of range: the Writer says which field
        w = Writer(type(self).__name__)
        return w.u16(self.reply_serial).u16(self.reply_id).u8(self.result).getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "reply_serial": self.reply_serial,
            "reply_id": hex_id(self.reply_id),
            "result": self.result,
        }


@register
@dataclass(frozen=True, slots=True)
class TerminalResponse(_GeneralResponse):
    """0x0001 终端通用应答."""

    MESSAGE_ID = 0x0001


@register
@dataclass(frozen=True, slots=True)
class PlatformResponse(_GeneralResponse):
    """0x8001 平台通用应答."""

    MESSAGE_ID = 0x8001


@register
@dataclass(frozen=True, slots=True)
class Heartbeat(EmptyMessage):
    """0x0002 终端心跳."""

    MESSAGE_ID = 0x0002


@register
@dataclass(frozen=True, slots=True)
class Logout(EmptyMessage):
    """0x0003 终端注销."""

    MESSAGE_ID = 0x0003


@register
@dataclass(frozen=True, slots=True)
class ResendSubpackages(Message):
    """0x8003 补传分包请求: ask for the listed packet indexes of the message whose
    first packet had ``original_serial``."""

    MESSAGE_ID = 0x8003
    original_serial: int
    package_indexes: tuple[int, ...]

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x8003")
        serial = r.u16("original serial")
        count = r.u8("count")
        indexes = tuple(r.u16("package index") for _ in range(count))
        r.end()
        return cls(serial, indexes)

    def encode(self) -> bytes:
        w = Writer("0x8003").u16(self.original_serial).u8(len(self.package_indexes), "count")
        for index in self.package_indexes:
            w.u16(index, "package index")
        return w.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "original_serial": self.original_serial,
            "count": len(self.package_indexes),
            "package_indexes": list(self.package_indexes),
        }


# 0x0100 field widths per edition: maker, model, terminal id.
_REGISTER_WIDTHS = {
    Edition.V2011: (5, 8, 7),
    Edition.V2013: (5, 20, 7),
    Edition.V2019: (11, 30, 30),
}
_REGISTER_2013_FIXED = 2 + 2 + 5 + 20 + 7 + 1


@register
@dataclass(frozen=True, slots=True)
class Register(Message):
    """0x0100 终端注册.

    ``plate`` is the rest of the body exactly as sent (some terminals pad it
    with NULs); :attr:`plate_number` is the clean form. With ``plate_color`` 0
    the plate field holds the VIN instead.
    """

    MESSAGE_ID = 0x0100
    province: int
    city: int
    maker: str
    model: str
    terminal_id: str
    plate_color: int
    plate: str
    layout: Edition = Edition.V2013

    @property
    def edition(self) -> Edition:
        return self.layout

    @property
    def plate_number(self) -> str:
        return display_text(self.plate)

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        layout = ctx.edition
        if layout is not Edition.V2019:
            # 2011 and 2013 share the header; only the body length tells them apart.
            layout = Edition.V2013 if len(body) >= _REGISTER_2013_FIXED else Edition.V2011
        maker_n, model_n, tid_n = _REGISTER_WIDTHS[layout]
        r = Reader(body, "0x0100")
        return cls(
            province=r.u16("province"),
            city=r.u16("city"),
            maker=r.text(maker_n, "maker"),
            model=r.text(model_n, "model"),
            terminal_id=r.text(tid_n, "terminal id"),
            plate_color=r.u8("plate colour"),
            plate=r.text_rest(),
            layout=layout,
        )

    def encode(self) -> bytes:
        maker_n, model_n, tid_n = _REGISTER_WIDTHS[self.layout]
        w = Writer("0x0100").u16(self.province, "province").u16(self.city, "city")
        w.text(self.maker, maker_n, "maker").text(self.model, model_n, "model")
        w.text(self.terminal_id, tid_n, "terminal id").u8(self.plate_color, "plate colour")
        return w.text(self.plate, None, "plate").getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "province": self.province,
            "city": self.city,
            "maker": display_text(self.maker),
            "model": display_text(self.model),
            "terminal_id": display_text(self.terminal_id),
            "plate_color": self.plate_color,
            "plate": self.plate_number,
        }


@register
@dataclass(frozen=True, slots=True)
class RegisterResponse(Message):
    """0x8100 终端注册应答; the auth code follows only a successful result."""

    MESSAGE_ID = 0x8100
    reply_serial: int
    result: int
    auth_code: str = ""

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x8100")
        return cls(r.u16("reply serial"), r.u8("result"), r.text_rest())

    def encode(self) -> bytes:
        w = Writer("0x8100").u16(self.reply_serial).u8(self.result, "result")
        return w.text(self.auth_code, None, "auth code").getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "reply_serial": self.reply_serial,
            "result": self.result,
            "auth_code": display_text(self.auth_code),
        }


@register
@dataclass(frozen=True, slots=True)
class Authenticate(Message):
    """0x0102 终端鉴权. 2013: the whole body is the code. 2019: length-prefixed code,
    IMEI BYTE[15] and software version BYTE[20] (``imei`` is None for 2013)."""

    MESSAGE_ID = 0x0102
    auth_code: str
    imei: str | None = None
    software_version: str | None = None

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x0102")
        if ctx.edition is not Edition.V2019:
            return cls(r.text_rest())
        code = r.text_u8("auth code")
        return cls(code, r.text(15, "IMEI"), r.text(20, "software version"))

    def encode(self) -> bytes:
        w = Writer("0x0102")
        if self.imei is None:
            return w.text(self.auth_code, None, "auth code").getvalue()
        w.text_u8(self.auth_code, "auth code").text(self.imei, 15, "IMEI")
        return w.text(self.software_version or "", 20, "software version").getvalue()

    def to_json(self) -> dict[str, Any]:
        if self.imei is None:
            return {"auth_code": display_text(self.auth_code)}
        return {
            "auth_len": len(self.auth_code.encode("gbk", errors="surrogateescape")),
            "auth_code": display_text(self.auth_code),
            "imei": display_text(self.imei),
            "sw_version": display_text(self.software_version or ""),
        }
