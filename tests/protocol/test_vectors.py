"""Every vector of shared/protocol/vectors.json, compared through the JSON the decoder
tool prints (``python -m console.protocol decode``)."""

from __future__ import annotations

from typing import Any

import pytest
from vectors import get_path, load_vectors, normalise

from console.protocol.cli import build_parser, decode
from console.protocol.errors import ChecksumError
from console.protocol.jt808.framing import decode_frame

VECTORS = load_vectors()
IDS = [v["id"] for v in VECTORS]

_MODE = {
    "full_frame": [],
    "full_frame_de_escaped_by_source": [],
    "body_only": None,  # needs the message id and edition
    "additional_item_only": ["--item"],
    "jt1078_rtp": ["--rtp"],
    "attachment_stream_packet": ["--stream"],
    "escape_example": ["--unescape"],
}


def tool_args(v: dict[str, Any]) -> list[str]:
    args = _MODE[v["framing"]]
    if args is None:
        args = ["--body", v["message_id"], "--edition", v["protocol_version"]]
    if v["checksum_ok"] is False:
        args = [*args, "--lenient"]  # see test_bad_checksum_vectors_fail_in_strict_mode
    return ["decode", v["hex"], *args]


def tool_json(v: dict[str, Any]) -> Any:
    args = build_parser().parse_args(tool_args(v))
    return decode(args, bytes.fromhex(v["hex"]))


def fields_to_check(v: dict[str, Any]) -> list[str]:
    expected = v["expected"]
    fields = list(v["asserted_fields"])
    fields += [k for k in ("message_id", "phone", "serial") if k in expected and k not in fields]
    if not v["asserted_fields"]:
        fields += [
            k
            for k, value in expected.items()
            if not isinstance(value, dict | list)
            and k != "escaped_on_wire"
            and not k.endswith("_name")
            and k not in fields
        ]
    return fields


@pytest.mark.parametrize("v", VECTORS, ids=IDS)
def test_vector_decodes_to_its_expected_fields(v: dict[str, Any]) -> None:
    decoded = tool_json(v)
    fields = fields_to_check(v)
    assert fields, "a vector with nothing to compare would prove nothing"
    for dotted in fields:
        want = get_path(v["expected"], dotted)
        got = get_path(decoded, dotted)
        assert normalise(got) == normalise(want), f"{dotted}: got {got!r}, expected {want!r}"


@pytest.mark.parametrize(
    "v", [v for v in VECTORS if v["checksum_ok"] is False], ids=lambda v: v["id"]
)
def test_bad_checksum_vectors_fail_in_strict_mode(v: dict[str, Any]) -> None:
    with pytest.raises(ChecksumError):
        decode_frame(bytes.fromhex(v["hex"]))


def differences(expected: Any, got: Any, path: str = "") -> list[str]:
    """Every place where ``got`` disagrees with ``expected`` (extra keys in ``got`` are fine)."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: got {got!r}"]
        out: list[str] = []
        for key, value in expected.items():
            if key not in got:
                out.append(f"{path}.{key}: missing")
            else:
                out += differences(value, got[key], f"{path}.{key}")
        return out
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return [f"{path}: got {got!r}, expected {expected!r}"]
        return [
            d
            for i, (e, g) in enumerate(zip(expected, got, strict=True))
            for d in differences(e, g, f"{path}.{i}")
        ]
    if normalise(expected) != normalise(got):
        return [f"{path}: got {got!r}, expected {expected!r}"]
    return []


@pytest.mark.parametrize("v", VECTORS, ids=IDS)
def test_vector_matches_everything_its_expected_object_states(v: dict[str, Any]) -> None:
    """Stronger than the acceptance rule above: every key, nested ones included."""
    assert differences(v["expected"], tool_json(v)) == []


# --- exact re-encoding ------------------------------------------------------------------
# Frames that are not well-formed and so cannot come back byte for byte:
NOT_WELL_FORMED = {
    # A dangling byte 0x01 follows its last item, and its 0x66 (TPMS) item announces one
    # tyre record but carries 8 of the 9 bytes of a 苏标 record ([JSATL] table 4-19):
    # JT/T 808-2013 §8.12 / table 26 make every item "id, length, value", so the body is
    # malformed (go-jt808 itself asserts impossible values for it). Decoding keeps the
    # position, the partial TPMS alarm and every byte, and reports the defects.
    "go_0200_2019_subiao_tpms",
}
FRAME_VECTORS = [
    v
    for v in VECTORS
    if v["framing"].startswith("full_frame") and v["checksum_ok"] and v["id"] not in NOT_WELL_FORMED
]


@pytest.mark.parametrize("v", FRAME_VECTORS, ids=lambda v: v["id"])
def test_well_formed_frame_re_encodes_exactly(v: dict[str, Any]) -> None:
    from console.protocol.jt808.codec import decode_message
    from console.protocol.jt808.framing import encode_frame

    raw = bytes.fromhex(v["hex"])
    frame = decode_frame(raw)
    if frame.header.is_subpackage and frame.header.package_index != 1:
        body = frame.body  # a later packet is a slice of a body, not a message
    else:
        body = decode_message(frame).encode()
    assert encode_frame(frame.header, body).hex() == raw.hex()


@pytest.mark.parametrize(
    "v", [v for v in VECTORS if v["framing"] == "body_only"], ids=lambda v: v["id"]
)
def test_well_formed_body_re_encodes_exactly(v: dict[str, Any]) -> None:
    from console.protocol.jt808.codec import decode_body
    from console.protocol.jt808.header import Edition

    body = bytes.fromhex(v["hex"])
    message = decode_body(int(v["message_id"], 16), body, Edition(v["protocol_version"]))
    assert message.encode().hex() == body.hex()


def test_tpms_fixture_defect_is_reported_not_hidden() -> None:
    v = next(v for v in VECTORS if v["id"] == "go_0200_2019_subiao_tpms")
    decoded = tool_json(v)
    assert any("dangling byte 0x01" in issue for issue in decoded["issues"])
    assert decoded["tpms"]["complete"] is False
