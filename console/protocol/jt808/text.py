"""0x8300 text message to the driver (文本信息下发), the way to speak to a driver (TTS)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag
from typing import Any, Self

from console.protocol.binary import Reader, Writer, display_text, gbk_encode
from console.protocol.errors import LocalProtocolError
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import (
    DEFAULT_CONTEXT,
    DecodeContext,
    Message,
    register,
    set_bits,
)

#: JT/T 808 §8.23 limits the text to 1024 bytes (GBK).
MAX_TEXT_BYTES = 1024


class TextFlag(IntFlag):
    EMERGENCY = 1 << 0  # 紧急
    DISPLAY = 1 << 2  # 终端显示器显示
    TTS = 1 << 3  # 终端TTS播读
    ADVERTISING = 1 << 4  # 广告屏显示
    CAN_FAULT = 1 << 5  # 0 navigation info, 1 CAN fault code


class TextType(IntEnum):
    """2019 only: the byte after the flag."""

    NOTICE = 1  # 通知
    SERVICE = 2  # 服务


@register
@dataclass(frozen=True, slots=True)
class TextMessage(Message):
    """``flag BYTE | [2019: text type BYTE] | text STRING``; ``text_type`` None means 2013."""

    MESSAGE_ID = 0x8300
    flags: int
    text: str
    text_type: int | None = None

    @classmethod
    def tts(cls, text: str, *, edition: Edition = Edition.V2013, urgent: bool = False) -> Self:
        """A reminder the terminal both reads out and shows (what a monitoring room sends)."""
        flags = TextFlag.TTS | TextFlag.DISPLAY | (TextFlag.EMERGENCY if urgent else 0)
        text_type = TextType.NOTICE if edition is Edition.V2019 else None
        message = cls(int(flags), text, text_type)
        message.encode()  # fail now, where the caller can tell the user, if the text cannot go
        return message

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x8300")
        flags = r.u8("flag")
        text_type = r.u8("text type") if ctx.edition is Edition.V2019 else None
        return cls(flags, r.text_rest(), text_type)

    def encode(self) -> bytes:
        data = gbk_encode(self.text, "0x8300 text")
        if len(data) > MAX_TEXT_BYTES:
            raise LocalProtocolError(
                f"0x8300 text is {len(data)} bytes in GBK; at most {MAX_TEXT_BYTES} can be sent"
            )
        w = Writer("0x8300").u8(self.flags, "flag")
        if self.text_type is not None:
            w.u8(self.text_type, "text type")
        return w.raw(data).getvalue()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "flag": self.flags,
            "flag_bits": set_bits(self.flags, 8),
            "text": display_text(self.text),
        }
        if self.text_type is not None:
            out["text_type"] = self.text_type
        return out
