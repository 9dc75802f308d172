"""Opaque resource ids: a short kind prefix and 20 random hex digits (``veh_3f2a…``)."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"
