"""What the live map shows for one vehicle, and the compact batch the page receives.

Python, not the page, decides which slot of the page's arrays each vehicle occupies
(:class:`BatchEncoder`), so a batch of moved vehicles carries no vehicle ids at all: one
small JSON envelope around one base64 string of packed little-endian columns::

    {"c": n, "m": slots in use, "n": [[slot, vehicle_id, plate], ...], "b": base64(
        float64 lat[n] | float64 lon[n] | int32 slot[n] | float32 speed_kmh[n] |
        int16 direction[n] | uint8 status[n])}

``n`` lists only vehicles new to the page or whose plate changed. This keeps one full batch of
50,000 moved vehicles at ~1.8 MB that the page decodes with ``atob`` and typed-array views
(``applyBatch`` in ``truckwatch-map.js``) instead of parsing 300,000 JSON values.
"""

from __future__ import annotations

import base64
import json
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["STATUS_CODES", "BatchEncoder", "Marker", "MarkerStatus"]


class MarkerStatus(StrEnum):
    MOVING = "moving"  # 行驶
    STOPPED = "stopped"  # 停车
    OFFLINE = "offline"  # 离线
    ALARM = "alarm"  # 报警


# The order is the page's status code (STATUS_NAMES in truckwatch-map.js).
STATUS_CODES: dict[str, int] = {s.value: code for code, s in enumerate(MarkerStatus)}


@dataclass(frozen=True, slots=True)
class Marker:
    """A vehicle's latest position as drawn on the map; ``lat``/``lon`` in WGS-84."""

    vehicle_id: str
    plate: str
    lat: float
    lon: float
    direction: int  # heading, degrees clockwise from north (normalised to 0..359)
    speed_kmh: float
    status: str  # a MarkerStatus value

    def __post_init__(self) -> None:
        if self.status not in STATUS_CODES:
            raise ValueError(f"unknown marker status {self.status!r}")
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"position out of range: {self.lat}, {self.lon}")
        if type(self.direction) is not int or not 0 <= self.direction < 360:
            object.__setattr__(self, "direction", round(self.direction) % 360)


_LITTLE = sys.byteorder == "little"


def _packed(typecode: str, values: Iterable[object]) -> bytes:
    column = array(typecode, values)  # type: ignore[arg-type]
    if not _LITTLE:
        column.byteswap()
    return column.tobytes()


class BatchEncoder:
    """Assigns page slots to vehicles and turns markers into batches (see module doc)."""

    def __init__(self) -> None:
        self._slots: dict[str, int] = {}
        self._plates: dict[str, str] = {}  # the plate the page has for each vehicle
        self._free: list[int] = []
        self._next = 0

    def __len__(self) -> int:
        return len(self._slots)

    def reset(self) -> None:
        """Forget every slot (the page was cleared or reloaded)."""
        self._slots.clear()
        self._plates.clear()
        self._free.clear()
        self._next = 0

    def remove(self, vehicle_ids: Iterable[str]) -> None:
        """Free the slots of removed vehicles; the page frees the same ones."""
        for vehicle_id in vehicle_ids:
            slot = self._slots.pop(vehicle_id, None)
            if slot is not None:
                del self._plates[vehicle_id]
                self._free.append(slot)

    def encode(self, markers: Sequence[Marker]) -> str:
        n = len(markers)
        # One column at a time: a tuple per marker (zip(*...)) would wake the cyclic GC,
        # which then walks every live object, several times per 50,000-marker batch.
        ids = [m.vehicle_id for m in markers]
        plates = [m.plate for m in markers]
        slot_of = self._slots
        slots = list(map(slot_of.get, ids))
        new: list[list[object]] = []
        if None in slots:
            for k, slot in enumerate(slots):
                if slot is None:
                    vehicle_id = ids[k]
                    slot = slot_of.get(vehicle_id)  # a vehicle twice in one batch
                    if slot is None:
                        slot = self._free.pop() if self._free else self._next
                        self._next = max(self._next, slot + 1)
                        slot_of[vehicle_id] = slot
                        self._plates[vehicle_id] = plates[k]
                        new.append([slot, vehicle_id, plates[k]])
                    slots[k] = slot
        known = list(map(self._plates.__getitem__, ids))
        if known != plates:
            for k, (have, plate) in enumerate(zip(known, plates, strict=True)):
                if have != plate:
                    self._plates[ids[k]] = plate
                    new.append([slots[k], ids[k], plate])
        codes = STATUS_CODES
        packed = b"".join(
            (
                _packed("d", [m.lat for m in markers]),
                _packed("d", [m.lon for m in markers]),
                _packed("i", slots),
                _packed("f", [m.speed_kmh for m in markers]),
                _packed("h", [m.direction for m in markers]),
                bytes([codes[m.status] for m in markers]),
            )
        )
        # Written by hand: json.dumps would scan the ~2 MB of base64 for characters to escape,
        # and base64 has none.
        fresh = json.dumps(new, ensure_ascii=False, separators=(",", ":"))
        b64 = base64.b64encode(packed).decode("ascii")
        return f'{{"c":{n},"m":{self._next},"n":{fresh},"b":"{b64}"}}'
