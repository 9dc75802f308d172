"""Access to the shared test vectors (``shared/protocol/vectors.json`` beside the repo)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

VECTORS_PATH = Path(__file__).resolve().parents[3] / "shared" / "protocol" / "vectors.json"


@cache
def load_vectors() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(VECTORS_PATH.read_text(encoding="utf-8")))


def vector(vector_id: str) -> dict[str, Any]:
    return next(v for v in load_vectors() if v["id"] == vector_id)


def wire(vector_id: str) -> bytes:
    return bytes.fromhex(vector(vector_id)["hex"])


def normalise(value: Any) -> Any:
    """Numbers rounded to 6 decimals; "0x02" and 2 are the same value."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str) and value[:2].lower() == "0x":
        try:
            return int(value, 16)
        except ValueError:
            return value
    if isinstance(value, int | float):
        return round(float(value), 6)
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    return value


def get_path(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


HEADER_KEYS = frozenset(
    {
        "message_id",
        "protocol_version",
        "version_flag",
        "header_protocol_version",
        "phone",
        "serial",
        "body_length",
        "subpackage",
        "package_total",
        "package_index",
        "escaped_on_wire",
    }
)


def body_of(v: dict[str, Any]) -> bytes:
    """The message body of a vector; full frames are stripped here, by hand (independently
    of the codec under test)."""
    data = bytes.fromhex(v["hex"])
    if v["framing"] == "body_only":
        return data
    assert v["framing"] == "full_frame"
    assert data[0] == 0x7E and data[-1] == 0x7E
    content = data[1:-1].replace(b"\x7d\x02", b"\x7e").replace(b"\x7d\x01", b"\x7d")
    props = int.from_bytes(content[2:4], "big")
    header_size = 17 if v["protocol_version"] == "2019" else 12
    assert bool(props & 0x4000) == (header_size == 17)
    if props & 0x2000:
        header_size += 4
    body_length = props & 0x3FF
    assert len(content) == header_size + body_length + 1  # + check code
    return content[header_size : header_size + body_length]


def assert_matches(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    """Every non-header key of a vector's ``expected`` equals the decoded JSON's."""
    keys = [k for k in expected if k not in HEADER_KEYS]
    assert keys, "a vector with nothing to compare"
    for key in keys:
        assert key in actual, f"to_json() has no {key!r}"
        assert normalise(actual[key]) == normalise(expected[key]), key
