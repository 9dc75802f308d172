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
