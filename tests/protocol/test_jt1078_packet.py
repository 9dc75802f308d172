"""JT/T 1078 packet codec: shared vectors, layouts, encode misuse, packetizing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.protocol.errors import LocalProtocolError, StreamError
from console.protocol.jt1078 import (
    MAX_BODY_SIZE,
    DataType,
    Jt1078Packet,
    PayloadType,
    Subpackage,
    decode_packet,
    header_length,
    packetize,
)


def vectors_path() -> Path:
    """The shared vectors live beside the repository: /work/shared next to /work/main."""
    return Path(__file__).parents[3] / "shared/protocol/vectors.json"


def jt1078_vectors() -> list[dict]:
    everything = json.loads(vectors_path().read_text(encoding="utf-8"))
    return [v for v in everything if v["framing"] == "jt1078_rtp"]


VECTORS = jt1078_vectors()
BY_ID = {v["id"]: v for v in VECTORS}


def _rounded(value: object) -> object:
    return round(value, 6) if isinstance(value, float) else value


def _video(**changes: object) -> Jt1078Packet:
    base = Jt1078Packet(
        payload_type=PayloadType.H264,
        seq=7,
        sim="013912345678",
        channel=1,
        data_type=DataType.VIDEO_I,
        timestamp=1_700_000_000_000,
        last_i_interval=0,
        last_interval=40,
        body=b"\x00\x00\x00\x01\x65",
    )
    return replace(base, **changes)


def test_all_five_vectors_are_present():
    assert len(VECTORS) == 5


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["id"])
def test_vector_matches_expected(vector):
    got = decode_packet(bytes.fromhex(vector["hex"])).to_json()
    assert set(got) == set(vector["expected"])
    for key, value in vector["expected"].items():
        assert _rounded(got[key]) == _rounded(value), key


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["id"])
def test_vector_reencodes_byte_for_byte(vector):
    wire = bytes.fromhex(vector["hex"])
    assert decode_packet(wire).encode() == wire


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["id"])
def test_vector_decodes_with_its_explicit_sim_len(vector):
    wire = bytes.fromhex(vector["hex"])
    sim_len = vector["expected"]["sim_len"]
    assert decode_packet(wire, sim_len) == decode_packet(wire)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["id"])
def test_vector_rejects_the_other_sim_len(vector):
    wire = bytes.fromhex(vector["hex"])
    other = 16 - vector["expected"]["sim_len"]
    with pytest.raises(StreamError):
        decode_packet(wire, other)


def test_auto_detect_ignores_zero_bytes_at_sim_start():
    packet = decode_packet(bytes.fromhex(BY_ID["go1078_g711a_audio"]["hex"]))
    assert packet.sim == "000000001003"
    assert packet.sim_len == 6


def test_auto_detect_finds_twenty_digit_sim():
    packet = decode_packet(bytes.fromhex(BY_ID["tr1078_2019_sim10"]["hex"]))
    assert packet.sim == "00000866496077582164"


def test_bad_magic_raises_at_offset_zero():
    wire = b"\x30\x31\x63\x65" + bytes.fromhex(BY_ID["go1078_iframe"]["hex"])[4:]
    with pytest.raises(StreamError, match="30316365") as info:
        decode_packet(wire)
    assert info.value.offset == 0


def test_truncated_packet_raises():
    wire = bytes.fromhex(BY_ID["sc1078_video_p_frame"]["hex"])
    with pytest.raises(StreamError, match="truncated") as info:
        decode_packet(wire[:-1], 6)
    assert info.value.offset == len(wire) - 1


def test_trailing_bytes_raise():
    wire = bytes.fromhex(BY_ID["sc1078_video_p_frame"]["hex"])
    with pytest.raises(StreamError, match="1 trailing byte") as info:
        decode_packet(wire + b"\x00", 6)
    assert info.value.offset == len(wire)


def test_auto_detect_failure_names_both_layouts():
    wire = bytes.fromhex(BY_ID["sc1078_video_p_frame"]["hex"])
    with pytest.raises(StreamError, match=r"BCD\[6\].*BCD\[10\]"):
        decode_packet(wire + b"\x00")


def test_unknown_data_type_raises():
    wire = bytearray(_video().encode())
    wire[15] = 0x50
    with pytest.raises(StreamError, match="data type 5") as info:
        decode_packet(bytes(wire), 6)
    assert info.value.offset == 15


def test_unknown_subpackage_flag_raises():
    wire = bytearray(_video().encode())
    wire[15] = 0x04
    with pytest.raises(StreamError, match="sub-package flag 4"):
        decode_packet(bytes(wire), 6)


def test_unknown_payload_type_stays_a_plain_int():
    packet = decode_packet(_video(payload_type=120).encode())
    assert packet.payload_type == 120
    assert not isinstance(packet.payload_type, PayloadType)
    assert packet.to_json()["PT_name"] == "PT 120"


def test_known_payload_type_becomes_enum():
    assert decode_packet(_video().encode()).payload_type is PayloadType.H264


def test_invalid_sim_len_argument_is_a_value_error():
    with pytest.raises(ValueError):
        decode_packet(_video().encode(), 8)


@pytest.mark.parametrize(
    ("sim_len", "data_type", "expected"),
    [
        (6, DataType.VIDEO_I, 30),
        (6, DataType.AUDIO, 26),
        (6, DataType.TRANSPARENT, 18),
        (10, DataType.VIDEO_B, 34),
        (10, DataType.AUDIO, 30),
        (10, DataType.TRANSPARENT, 22),
    ],
)
def test_header_length(sim_len, data_type, expected):
    assert header_length(sim_len, data_type) == expected


def test_marker_and_flags_encode_into_the_right_bits():
    wire = _video(marker=True, payload_type=99, subpackage=Subpackage.MIDDLE).encode()
    assert wire[4] == 0x81
    assert wire[5] == 0x80 | 99
    assert wire[15] == 0x03


@pytest.mark.parametrize(
    "changes",
    [
        {"seq": 65536},
        {"channel": 256},
        {"payload_type": 128},
        {"version": 4},
        {"csrc_count": 16},
        {"sim": "01391234567"},
        {"sim": "01391234567x"},
        {"body": bytes(65536)},
        {"timestamp": None},
        {"timestamp": 1 << 64},
        {"last_interval": None},
        {"last_i_interval": 65536},
        {"data_type": 5},
        {"subpackage": 4},
        {"data_type": DataType.AUDIO},  # audio with intervals
        {"data_type": DataType.TRANSPARENT, "last_i_interval": None, "last_interval": None},
    ],
    ids=str,
)
def test_encode_rejects_what_the_wire_cannot_carry(changes):
    with pytest.raises(LocalProtocolError):
        _video(**changes).encode()


def test_body_of_65535_bytes_encodes():
    wire = _video(body=bytes(65535)).encode()
    assert decode_packet(wire).body == bytes(65535)


def _packets() -> st.SearchStrategy[Jt1078Packet]:
    def build(data_type: DataType, draw_rest: tuple) -> Jt1078Packet:
        (sim, seq, channel, pt, flag, marker, vpx, timestamp, intervals, body) = draw_rest
        video = data_type.is_video
        return Jt1078Packet(
            version=vpx[0],
            padding=vpx[1],
            extension=vpx[2],
            csrc_count=vpx[3],
            marker=marker,
            payload_type=pt,
            seq=seq,
            sim=sim,
            channel=channel,
            data_type=data_type,
            subpackage=flag,
            timestamp=None if data_type == DataType.TRANSPARENT else timestamp,
            last_i_interval=intervals[0] if video else None,
            last_interval=intervals[1] if video else None,
            body=body,
        )

    hex_digits = "0123456789abcdef"
    rest = st.tuples(
        st.one_of(
            st.text(hex_digits, min_size=12, max_size=12),
            st.text(hex_digits, min_size=20, max_size=20),
        ),
        st.integers(0, 0xFFFF),
        st.integers(0, 0xFF),
        st.integers(0, 0x7F),
        st.sampled_from(Subpackage),
        st.booleans(),
        st.tuples(st.integers(0, 3), st.booleans(), st.booleans(), st.integers(0, 15)),
        st.integers(0, (1 << 64) - 1),
        st.tuples(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF)),
        st.binary(max_size=1200),
    )
    return st.builds(build, st.sampled_from(DataType), rest)


@given(_packets())
def test_decode_inverts_encode(packet):
    wire = packet.encode()
    assert len(wire) == packet.total_len
    assert decode_packet(wire, packet.sim_len) == packet


@given(_packets())
def test_encode_inverts_decode(packet):
    wire = packet.encode()
    assert decode_packet(wire, packet.sim_len).encode() == wire


# --- packetize --------------------------------------------------------------------------------


def _split(payload: bytes, **kwargs: object) -> tuple[list[Jt1078Packet], int]:
    args: dict = {
        "sim": "013912345678",
        "channel": 1,
        "payload_type": PayloadType.H264,
        "data_type": DataType.VIDEO_I,
        "timestamp": 1000,
    }
    args.update(kwargs)
    return packetize(payload, **args)


def test_packetize_small_frame_is_one_atomic_packet():
    packets, next_seq = _split(b"abc", seq=41)
    assert [(p.subpackage, p.marker, p.seq, p.body) for p in packets] == [
        (Subpackage.ATOMIC, True, 41, b"abc")
    ]
    assert next_seq == 42


def test_packetize_empty_frame_is_one_empty_atomic_packet():
    packets, _ = _split(b"")
    assert [(p.subpackage, p.body) for p in packets] == [(Subpackage.ATOMIC, b"")]


def test_packetize_exactly_max_body_stays_atomic():
    packets, _ = _split(bytes(MAX_BODY_SIZE))
    assert [p.subpackage for p in packets] == [Subpackage.ATOMIC]


def test_packetize_large_frame_is_first_middle_last():
    payload = bytes(range(256)) * 10  # 2560 bytes: 950 + 950 + 660
    packets, next_seq = _split(payload, seq=10)
    assert [p.subpackage for p in packets] == [Subpackage.FIRST, Subpackage.MIDDLE, Subpackage.LAST]
    assert [len(p.body) for p in packets] == [950, 950, 660]
    assert [p.marker for p in packets] == [False, False, True]
    assert [p.seq for p in packets] == [10, 11, 12]
    assert b"".join(p.body for p in packets) == payload
    assert next_seq == 13
    assert {p.timestamp for p in packets} == {1000}


def test_packetize_sequence_wraps_at_65536():
    packets, next_seq = _split(bytes(2000), seq=65535)
    assert [p.seq for p in packets] == [65535, 0, 1]
    assert next_seq == 2


def test_packetize_video_intervals_default_to_zero():
    packets, _ = _split(b"x")
    assert (packets[0].last_i_interval, packets[0].last_interval) == (0, 0)


def test_packetize_audio_has_no_intervals():
    packets, _ = _split(b"x", data_type=DataType.AUDIO, payload_type=PayloadType.G711A)
    assert packets[0].last_i_interval is None
    assert len(packets[0].encode()) == 26 + 1


def test_packetize_transparent_rejects_a_timestamp():
    with pytest.raises(LocalProtocolError, match="timestamp"):
        _split(b"x", data_type=DataType.TRANSPARENT, payload_type=PayloadType.TRANSPARENT)


def test_packetize_audio_rejects_intervals():
    with pytest.raises(LocalProtocolError, match="last_i_interval"):
        _split(b"x", data_type=DataType.AUDIO, last_i_interval=40)


def test_packetize_rejects_bad_sim_up_front():
    with pytest.raises(LocalProtocolError, match="SIM"):
        _split(bytes(5000), sim="123")


def test_packetize_honours_a_smaller_max_body():
    packets, _ = _split(bytes(10), max_body=4)
    assert [len(p.body) for p in packets] == [4, 4, 2]


def test_packetize_twenty_digit_sim_uses_the_2019_layout():
    packets, _ = _split(b"x", sim="00000866496077582164")
    assert len(packets[0].encode()) == 34 + 1
