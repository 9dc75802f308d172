"""Additional information items (附加信息项) of a 0x0200 location report.

An item is ``id BYTE | length BYTE | value``. Every known id has a frozen
dataclass here or in :mod:`active_safety`; unknown ids (vendor items 0xE1-0xFF
and the like) stay :class:`RawItem`; a known id whose value does not fit its
layout becomes :class:`MalformedItem` with the reason, so that one broken item
never costs the position it came with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar

from console.protocol.errors import BodyError
from console.protocol.jt808.message import DEFAULT_CONTEXT, DecodeContext


class Item:
    """Base of all additional items; subclasses are frozen dataclasses."""

    __slots__ = ()
    ITEM_ID: ClassVar[int]

    @property
    def item_id(self) -> int:
        return self.ITEM_ID

    @classmethod
    def decode(cls, data: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Item:
        """Decode the value bytes; raise BodyError when they do not fit the layout."""
        raise NotImplementedError

    def encode_value(self) -> bytes:
        raise NotImplementedError

    def json_fields(self) -> dict[str, Any]:
        """Keys this item contributes to the location's JSON view."""
        return {}


ITEMS: dict[int, type[Item]] = {}

_I = TypeVar("_I", bound=type[Item])


def register_item(cls: _I) -> _I:
    if cls.ITEM_ID in ITEMS:
        raise RuntimeError(f"item 0x{cls.ITEM_ID:02X} registered twice")
    ITEMS[cls.ITEM_ID] = cls
    return cls


@dataclass(frozen=True, slots=True)
class RawItem(Item):
    """An item id with no layout here, kept byte for byte."""

    id: int
    data: bytes

    @property
    def item_id(self) -> int:
        return self.id

    def encode_value(self) -> bytes:
        return self.data

    def json_fields(self) -> dict[str, Any]:
        return {"raw_items": {f"0x{self.id:02X}": self.data.hex()}}


@dataclass(frozen=True, slots=True)
class MalformedItem(Item):
    """A known item id whose value broke its layout; kept raw with the reason."""

    id: int
    data: bytes
    reason: str

    @property
    def item_id(self) -> int:
        return self.id

    def encode_value(self) -> bytes:
        return self.data

    def json_fields(self) -> dict[str, Any]:
        return {
            "malformed_items": {
                f"0x{self.id:02X}": {"data": self.data.hex(), "reason": self.reason}
            }
        }


def decode_item(item_id: int, data: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Item:
    cls = ITEMS.get(item_id)
    if cls is None:
        return RawItem(item_id, data)
    try:
        return cls.decode(data, ctx)
    except BodyError as exc:
        return MalformedItem(item_id, data, exc.message)


def check_length(cls: type, data: bytes, *sizes: int) -> None:
    if len(data) not in sizes:
        expected = " or ".join(str(s) for s in sizes)
        raise BodyError(f"item 0x{cls.ITEM_ID:02X} must be {expected} bytes, got {len(data)}")


# --- unsigned scalar items ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UIntItem(Item):
    """An item whose value is one big-endian unsigned integer of SIZE bytes."""

    SIZE: ClassVar[int] = 4
    value: int

    @classmethod
    def decode(cls, data: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        if len(data) != cls.SIZE:
            check_length(cls, data, cls.SIZE)
        return cls(int.from_bytes(data, "big"))

    def encode_value(self) -> bytes:
        return self.value.to_bytes(self.SIZE, "big")
