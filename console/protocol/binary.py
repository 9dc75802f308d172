"""Reading and writing the JT/T 808 field types: BYTE, WORD, DWORD, BCD[n], STRING (GBK).

Every read names the field and the offset when the data runs short, so an error
message says *what* was missing and *where*.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from console.protocol.errors import BodyError, LocalProtocolError

#: JT/T 808 times are Beijing time (GMT+8), on the wire without a zone.
CHINA_TZ = timezone(timedelta(hours=8), "CST")

_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")


def gbk_decode(raw: bytes) -> str:
    """GBK text as sent by terminals; undecodable bytes survive as surrogates (lossless)."""
    return raw.decode("gbk", errors="surrogateescape")


def gbk_encode(text: str, field: str = "text") -> bytes:
    try:
        return text.encode("gbk", errors="surrogateescape")
    except UnicodeEncodeError as exc:
        raise LocalProtocolError(
            f"{field}: character {text[exc.start]!r} at position {exc.start} cannot be sent in GBK"
        ) from None


def display_text(text: str) -> str:
    """Text for people and JSON: padding NULs dropped (some terminals pad on the left),
    undecodable bytes shown as U+FFFD."""
    return gbk_decode_display(gbk_encode(text.strip("\x00")))


def gbk_decode_display(raw: bytes) -> str:
    return raw.decode("gbk", errors="replace")


@dataclass(frozen=True, slots=True)
class BcdTime:
    """A BCD[6] ``YYMMDDhhmmss`` time exactly as sent (GMT+8).

    Kept as the 12 wire digits so that impossible dates from broken terminals
    (month 20, hex nibbles) still decode, print and re-encode byte for byte;
    :meth:`to_datetime` says whether it is a real moment.
    """

    digits: str  # 12 lower-case hex digits, normally all decimal

    ZERO = "000000000000"

    @classmethod
    def from_datetime(cls, moment: datetime) -> BcdTime:
        if moment.tzinfo is not None:
            moment = moment.astimezone(CHINA_TZ)
        if not 2000 <= moment.year <= 2099:
            raise LocalProtocolError(f"year {moment.year} cannot be sent as BCD YY")
        return cls(moment.strftime("%y%m%d%H%M%S"))

    @classmethod
    def from_text(cls, text: str) -> BcdTime:
        """Parse ``YYYY-MM-DD hh:mm:ss`` (the form :meth:`__str__` prints)."""
        return cls.from_datetime(datetime.strptime(text, "%Y-%m-%d %H:%M:%S"))

    def to_datetime(self) -> datetime | None:
        """The moment as an aware datetime in GMT+8, or None when the digits are no date."""
        d = self.digits
        try:  # int() per field: several times faster than strptime, on the ingest hot path
            return datetime(
                2000 + int(d[0:2]),
                int(d[2:4]),
                int(d[4:6]),
                int(d[6:8]),
                int(d[8:10]),
                int(d[10:12]),
                tzinfo=CHINA_TZ,
            )
        except ValueError:  # hex nibbles, month 20, ...
            return None

    @property
    def is_zero(self) -> bool:
        return self.digits == self.ZERO

    def __str__(self) -> str:
        d = self.digits
        return f"20{d[0:2]}-{d[2:4]}-{d[4:6]} {d[6:8]}:{d[8:10]}:{d[10:12]}"


class Reader:
    """Sequential big-endian reader over one message body (or item)."""

    __slots__ = ("base", "data", "pos", "what")

    def __init__(self, data: bytes, what: str = "body", base: int = 0) -> None:
        self.data = data
        self.pos = 0
        self.what = what
        self.base = base  # offset of data[0] inside the enclosing body, for messages

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def _need(self, n: int, field: str) -> int:
        start = self.pos
        if start + n > len(self.data):
            raise BodyError(
                f"{self.what}: {field} needs {n} byte(s), only {len(self.data) - start} left",
                self.base + start,
            )
        self.pos = start + n
        return start

    def u8(self, field: str) -> int:
        return self.data[self._need(1, field)]

    def u16(self, field: str) -> int:
        return _U16.unpack_from(self.data, self._need(2, field))[0]

    def u32(self, field: str) -> int:
        return _U32.unpack_from(self.data, self._need(4, field))[0]

    def u64(self, field: str) -> int:
        return _U64.unpack_from(self.data, self._need(8, field))[0]

    def raw(self, n: int, field: str) -> bytes:
        start = self._need(n, field)
        return self.data[start : start + n]

    def bcd(self, n: int, field: str) -> str:
        return self.raw(n, field).hex()

    def time(self, field: str) -> BcdTime:
        return BcdTime(self.raw(6, field).hex())

    def text(self, n: int, field: str) -> str:
        """A fixed-width STRING: trailing NUL padding is not part of the value."""
        return gbk_decode(self.raw(n, field).rstrip(b"\x00"))

    def text_u8(self, field: str) -> str:
        """A STRING preceded by its BYTE length."""
        return gbk_decode(self.raw(self.u8(field + " length"), field))

    def rest(self) -> bytes:
        start, self.pos = self.pos, len(self.data)
        return self.data[start:]

    def text_rest(self) -> str:
        """A STRING that runs to the end of the body, kept exactly (NULs included)."""
        return gbk_decode(self.rest())

    def end(self) -> None:
        """Layouts with nothing after the last field: extra bytes are an error."""
        if self.pos != len(self.data):
            raise BodyError(
                f"{self.what}: {len(self.data) - self.pos} unexpected byte(s) after the last field",
                self.base + self.pos,
            )


class Writer:
    """Big-endian writer with range checks (a value that does not fit is our bug)."""

    __slots__ = ("buf", "what")

    def __init__(self, what: str = "body") -> None:
        self.buf = bytearray()
        self.what = what

    def _check(self, value: int, bits: int, field: str) -> int:
        if not 0 <= value < (1 << bits):
            raise LocalProtocolError(f"{self.what}: {field}={value} does not fit in {bits} bits")
        return value

    def u8(self, value: int, field: str = "byte") -> Writer:
        self.buf.append(self._check(value, 8, field))
        return self

    def u16(self, value: int, field: str = "word") -> Writer:
        self.buf += _U16.pack(self._check(value, 16, field))
        return self

    def u32(self, value: int, field: str = "dword") -> Writer:
        self.buf += _U32.pack(self._check(value, 32, field))
        return self

    def u64(self, value: int, field: str = "qword") -> Writer:
        self.buf += _U64.pack(self._check(value, 64, field))
        return self

    def raw(self, data: bytes, n: int | None = None, field: str = "bytes") -> Writer:
        if n is not None and len(data) != n:
            raise LocalProtocolError(f"{self.what}: {field} must be {n} bytes, got {len(data)}")
        self.buf += data
        return self

    def bcd(self, digits: str, n: int, field: str = "bcd") -> Writer:
        if len(digits) > 2 * n:
            raise LocalProtocolError(f"{self.what}: {field} {digits!r} longer than BCD[{n}]")
        try:
            self.buf += bytes.fromhex(digits.rjust(2 * n, "0"))
        except ValueError:
            raise LocalProtocolError(f"{self.what}: {field} {digits!r} is not BCD") from None
        return self

    def time(self, value: BcdTime, field: str = "time") -> Writer:
        return self.bcd(value.digits, 6, field)

    def text(self, value: str, n: int | None = None, field: str = "text") -> Writer:
        """STRING in GBK; with ``n``, NUL-padded on the right to exactly n bytes."""
        data = gbk_encode(value, field)
        if n is not None:
            if len(data) > n:
                raise LocalProtocolError(
                    f"{self.what}: {field} is {len(data)} bytes in GBK, at most {n} fit"
                )
            data = data.ljust(n, b"\x00")
        self.buf += data
        return self

    def text_u8(self, value: str, field: str = "text") -> Writer:
        data = gbk_encode(value, field)
        self.u8(len(data), field + " length")
        self.buf += data
        return self

    def getvalue(self) -> bytes:
        return bytes(self.buf)
