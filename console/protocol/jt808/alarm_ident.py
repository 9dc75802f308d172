"""The active-safety alarm identification (报警标识号): 16 bytes in 苏标, 40 in 粤标.

The platform echoes it back in 0x9208 and the terminal repeats it in 0x1210, so
it is kept as the exact bytes received; the fields are read from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.protocol.binary import BcdTime, Reader, Writer, display_text, gbk_decode
from console.protocol.errors import BodyError
from console.protocol.jt808.message import Dialect

#: Size of the identification and of the terminal id inside it, per dialect.
IDENT_SIZE = {Dialect.SUBIAO: 16, Dialect.YUEBIAO: 40}
TERMINAL_ID_SIZE = {Dialect.SUBIAO: 7, Dialect.YUEBIAO: 30}


@dataclass(frozen=True, slots=True)
class AlarmIdentification:
    """``terminal id | time BCD[6] | serial BYTE | attachment count BYTE | reserved``."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) not in (16, 40):
            raise BodyError(f"alarm identification must be 16 or 40 bytes, got {len(self.raw)}")

    @classmethod
    def build(
        cls,
        terminal_id: str,
        time: BcdTime,
        seq: int,
        attachments: int,
        dialect: Dialect = Dialect.SUBIAO,
        reserved: bytes | None = None,
    ) -> AlarmIdentification:
        reserved_size = 1 if dialect is Dialect.SUBIAO else 2
        w = Writer("alarm identification")
        w.text(terminal_id, TERMINAL_ID_SIZE[dialect], "terminal id").time(time)
        w.u8(seq, "serial").u8(attachments, "attachment count")
        w.raw(reserved if reserved is not None else bytes(reserved_size), reserved_size, "reserved")
        return cls(w.getvalue())

    @classmethod
    def read(cls, r: Reader, dialect: Dialect) -> AlarmIdentification:
        return cls(r.raw(IDENT_SIZE[dialect], "alarm identification"))

    @property
    def dialect(self) -> Dialect:
        return Dialect.SUBIAO if len(self.raw) == 16 else Dialect.YUEBIAO

    @property
    def _tid_size(self) -> int:
        return TERMINAL_ID_SIZE[self.dialect]

    @property
    def terminal_id(self) -> str:
        return gbk_decode(self.raw[: self._tid_size].rstrip(b"\x00"))

    @property
    def time(self) -> BcdTime:
        n = self._tid_size
        return BcdTime(self.raw[n : n + 6].hex())

    @property
    def seq(self) -> int:
        return self.raw[self._tid_size + 6]

    @property
    def attachments(self) -> int:
        return self.raw[self._tid_size + 7]

    @property
    def reserved(self) -> bytes:
        return self.raw[self._tid_size + 8 :]

    def to_json(self) -> dict[str, Any]:
        dialect = self.dialect
        return {
            "std": f"{dialect.value}({len(self.raw)})",
            "terminal_id": display_text(self.terminal_id),
            "time": str(self.time),
            "seq": self.seq,
            "attachments": self.attachments,
            # 苏标 has one reserved byte (shown as a number), 粤标 two (shown as hex).
            "reserved": self.reserved[0] if dialect is Dialect.SUBIAO else self.reserved.hex(),
        }
