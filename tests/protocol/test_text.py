from __future__ import annotations

import pytest
from hypothesis import given
from strategies import gbk_text, u8
from vectors import wire

from console.protocol.errors import LocalProtocolError
from console.protocol.jt808.codec import decode_message
from console.protocol.jt808.framing import decode_frame
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import DecodeContext
from console.protocol.jt808.text import TextFlag, TextMessage, TextType


def test_tts_reminder_sets_tts_and_display_flags() -> None:
    message = TextMessage.tts("您已连续驾驶超过4小时，请立即停车休息")
    assert message.flags == TextFlag.TTS | TextFlag.DISPLAY
    assert message.text_type is None
    assert message.encode()[0] == 0x0C


def test_tts_reminder_for_a_2019_terminal_carries_a_text_type() -> None:
    message = TextMessage.tts("请系好安全带", edition=Edition.V2019, urgent=True)
    assert message.text_type == TextType.NOTICE
    assert message.flags & TextFlag.EMERGENCY


def test_text_that_gbk_cannot_carry_is_refused_before_sending() -> None:
    with pytest.raises(LocalProtocolError, match="GBK"):
        TextMessage.tts("注意安全 🚚")


def test_text_longer_than_1024_bytes_is_refused() -> None:
    with pytest.raises(LocalProtocolError, match="1024"):
        TextMessage.tts("超" * 513)


def test_gbk_text_from_a_real_frame() -> None:
    message = decode_message(decode_frame(wire("go_8300_2013_tts")))
    assert message.text == "测试123@456#abc+结束" and message.flags == 0xFF


@given(u8, gbk_text(200, allow_nul=True), u8)
def test_text_round_trip_both_editions(flags: int, text: str, text_type: int) -> None:
    message = TextMessage(flags, text)
    assert TextMessage.decode(message.encode()) == message
    message = TextMessage(flags, text, text_type)
    assert TextMessage.decode(message.encode(), DecodeContext(Edition.V2019)) == message
