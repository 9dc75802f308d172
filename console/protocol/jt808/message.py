"""The common base of all JT/T 808 message bodies and the message-id registry.

Each message is a frozen dataclass that knows its own layout variant (for
example a 2019 ``Authenticate`` carries an IMEI), so ``encode()`` needs no
context and ``decode(encode(m)) == m``. Decoding needs a :class:`DecodeContext`:
the header's edition and the terminal's active-safety dialect.
Unknown message ids decode to :class:`RawMessage`, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Self, TypeVar

from console.protocol.jt808.header import Edition


class Dialect(StrEnum):
    """The active-safety extension a terminal speaks."""

    SUBIAO = "subiao"  # T/JSATL 12-2017 (Jiangsu): 16-byte alarm identification
    YUEBIAO = "yuebiao"  # T/GDRTA 002-2020 (Guangdong): 40-byte alarm identification


@dataclass(frozen=True, slots=True)
class DecodeContext:
    edition: Edition = Edition.V2013
    dialect: Dialect | None = None  # None: detect from item lengths where unambiguous


DEFAULT_CONTEXT = DecodeContext()


class Message:
    """Base class: a message body. Subclasses are frozen dataclasses."""

    __slots__ = ()
    MESSAGE_ID: ClassVar[int]

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        raise NotImplementedError

    def encode(self) -> bytes:
        raise NotImplementedError

    @property
    def message_id(self) -> int:
        return self.MESSAGE_ID

    @property
    def edition(self) -> Edition | None:
        """The body edition when the body alone decides it (e.g. a 2011 registration)."""
        return None

    def to_json(self) -> dict[str, Any]:
        """The decoded fields under the names of ``shared/protocol/vectors.json``."""
        raise NotImplementedError


MESSAGES: dict[int, type[Message]] = {}


_M = TypeVar("_M", bound=type[Message])


def register(cls: _M) -> _M:
    if cls.MESSAGE_ID in MESSAGES:
        raise RuntimeError(f"message 0x{cls.MESSAGE_ID:04X} registered twice")
    MESSAGES[cls.MESSAGE_ID] = cls
    return cls


@dataclass(frozen=True, slots=True)
class RawMessage(Message):
    """A message id we have no layout for; the body is kept as sent."""

    id: int
    body: bytes

    @property
    def message_id(self) -> int:
        return self.id

    def encode(self) -> bytes:
        return self.body

    def to_json(self) -> dict[str, Any]:
        return {"raw_body": self.body.hex()}


@dataclass(frozen=True, slots=True)
class EmptyMessage(Message):
    """Base of messages with no body (heartbeat, logout, ...)."""

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        # Terminals sometimes pad these; the content carries no meaning, so it is ignored.
        return cls()

    def encode(self) -> bytes:
        return b""

    def to_json(self) -> dict[str, Any]:
        return {}


def hex_id(value: int, digits: int = 4) -> str:
    return f"0x{value:0{digits}X}"


def set_bits(value: int, width: int = 32) -> list[int]:
    return [bit for bit in range(width) if value >> bit & 1]
