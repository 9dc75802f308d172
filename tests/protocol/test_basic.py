from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import gbk_text, u8, u16
from vectors import wire

from console.protocol.errors import BodyError, LocalProtocolError
from console.protocol.jt808.basic import (
    Authenticate,
    Heartbeat,
    Logout,
    PlatformResponse,
    Register,
    RegisterResponse,
    RegisterResult,
    ResendSubpackages,
    ResponseResult,
    TerminalResponse,
)
from console.protocol.jt808.codec import decode_message
from console.protocol.jt808.framing import decode_frame
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import DecodeContext

CTX_2013 = DecodeContext(Edition.V2013)
CTX_2019 = DecodeContext(Edition.V2019)


def test_general_response_fields() -> None:
    message = decode_message(decode_frame(wire("sc_8001_2013")))
    assert message == PlatformResponse(100, 0x0200, ResponseResult.SUCCESS)


def test_general_response_rejects_extra_bytes() -> None:
    with pytest.raises(BodyError):
        TerminalResponse.decode(b"\x00\x01\x02\x00\x00\x99")


def test_register_2011_is_told_apart_by_body_length() -> None:
    message = decode_message(decode_frame(wire("sc_0100_2011")))
    assert message.layout is Edition.V2011 and message.model == "tk12345"


def test_register_keeps_nul_padded_plate_exactly_and_cleans_it_for_display() -> None:
    frame = decode_frame(wire("tr_0100_2019_real"))
    message = decode_message(frame)
    assert message.plate == "\x00" * 16 and message.plate_number == ""
    assert message.encode() == frame.body


def test_register_plate_is_gbk() -> None:
    message = decode_message(decode_frame(wire("sc_0100_2019")))
    assert message.plate_number == "粤A12345" and message.terminal_id == "CHI123"


def test_register_refuses_a_model_that_does_not_fit() -> None:
    with pytest.raises(LocalProtocolError, match="model"):
        Register(44, 1800, "TW", "x" * 21, "T1", 2, "粤R12345").encode()


def test_register_response_carries_the_code_only_on_success() -> None:
    assert RegisterResponse(7, RegisterResult.NO_SUCH_VEHICLE).encode() == b"\x00\x07\x02"
    assert RegisterResponse(7, 0, "abc").encode() == b"\x00\x07\x00abc"


def test_authenticate_2013_and_2019_layouts() -> None:
    assert Authenticate.decode(b"code", CTX_2013) == Authenticate("code")
    body = Authenticate("code", "123456789012345", "v1").encode()
    assert body[0] == 4 and len(body) == 1 + 4 + 15 + 20
    assert Authenticate.decode(body, CTX_2019) == Authenticate("code", "123456789012345", "v1")


def test_empty_messages_encode_to_nothing() -> None:
    assert Heartbeat().encode() == b"" and Logout().encode() == b""


def test_resend_request_lists_packet_indexes() -> None:
    body = ResendSubpackages(300, (2, 5)).encode()
    assert body == bytes.fromhex("012c0200020005")


# --- round trips ------------------------------------------------------------------------
@given(u16, u16, u8)
def test_general_responses_round_trip(serial: int, msg_id: int, result: int) -> None:
    for cls in (TerminalResponse, PlatformResponse):
        message = cls(serial, msg_id, result)
        assert cls.decode(message.encode()) == message


@given(u16, st.lists(u16, max_size=255).map(tuple))
def test_resend_request_round_trip(serial: int, indexes: tuple[int, ...]) -> None:
    message = ResendSubpackages(serial, indexes)
    assert ResendSubpackages.decode(message.encode()) == message


@st.composite
def registrations(draw: st.DrawFn) -> Register:
    layout = draw(st.sampled_from(list(Edition)))
    maker_n, model_n, tid_n = {
        Edition.V2011: (5, 8, 7),
        Edition.V2013: (5, 20, 7),
        Edition.V2019: (11, 30, 30),
    }[layout]
    # A 2011 body is told from a 2013 one by length, so its plate must stay short.
    plate_max = 11 if layout is Edition.V2011 else 40
    return Register(
        province=draw(u16),
        city=draw(u16),
        maker=draw(gbk_text(maker_n)),
        model=draw(gbk_text(model_n)),
        terminal_id=draw(gbk_text(tid_n)),
        plate_color=draw(u8),
        plate=draw(gbk_text(plate_max, allow_nul=True)),
        layout=layout,
    )


@given(registrations())
def test_register_round_trip(message: Register) -> None:
    ctx = CTX_2019 if message.layout is Edition.V2019 else CTX_2013
    assert Register.decode(message.encode(), ctx) == message


@given(u16, u8, gbk_text(40, allow_nul=True))
def test_register_response_round_trip(serial: int, result: int, code: str) -> None:
    message = RegisterResponse(serial, result, code)
    assert RegisterResponse.decode(message.encode()) == message


@given(gbk_text(60, allow_nul=True), gbk_text(15), gbk_text(20), st.booleans())
def test_authenticate_round_trip(code: str, imei: str, version: str, is_2019: bool) -> None:
    if is_2019:
        message = Authenticate(code[:20], imei, version)
        assert Authenticate.decode(message.encode(), CTX_2019) == message
    else:
        message = Authenticate(code)
        assert Authenticate.decode(message.encode(), CTX_2013) == message
