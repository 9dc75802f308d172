"""The JT/T 808 message header (消息头), 2011/2013 and 2019 layouts."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import StrEnum

from console.protocol._fast import fast_constructor
from console.protocol.errors import HeaderError, LocalProtocolError


class Edition(StrEnum):
    """Which edition of JT/T 808 a header or body follows."""

    V2011 = "2011"
    V2013 = "2013"
    V2019 = "2019"


MAX_BODY_LENGTH = 0x3FF  # 10 bits of the body-properties word
_SUBPACKAGE = 0x2000
_VERSION_FLAG = 0x4000
_RESERVED = 0x8000

_H2013 = struct.Struct(">HH6sH")
_H2019 = struct.Struct(">HHB10sH")
_PKG = struct.Struct(">HH")
_ID_PROPS = struct.Struct(">HH")


@dataclass(frozen=True, slots=True)
class Header:
    """Everything in front of the body.

    ``phone`` is the full BCD digit string as sent (12 digits before 2019, 20 in
    2019); trimming leading zeros is a display concern only. ``version_flag`` is
    bit 14 as sent: some 2013 terminals set it without sending the 2019 layout.
    """

    message_id: int
    phone: str
    serial: int
    edition: Edition = Edition.V2013  # header layout: V2013 (also 2011) or V2019
    protocol_version: int = 1  # the 2019 header's version byte
    version_flag: bool | None = None  # None: as the edition implies
    encryption: int = 0  # bits 10-12; 0 = plain, 1 = RSA
    reserved_bit: bool = False  # bit 15
    package_total: int | None = None
    package_index: int | None = None

    @property
    def is_subpackage(self) -> bool:
        return self.package_total is not None

    @property
    def flag_on_wire(self) -> bool:
        if self.version_flag is not None:
            return self.version_flag
        return self.edition is Edition.V2019

    @property
    def size(self) -> int:
        return (17 if self.edition is Edition.V2019 else 12) + (4 if self.is_subpackage else 0)

    def encode(self, body_length: int) -> bytes:
        if not 0 <= body_length <= MAX_BODY_LENGTH:
            raise LocalProtocolError(
                f"body of {body_length} bytes exceeds {MAX_BODY_LENGTH}: send it sub-packaged"
            )
        if not 0 <= self.encryption <= 7:
            raise LocalProtocolError(f"encryption {self.encryption} does not fit in 3 bits")
        props = body_length | (self.encryption << 10)
        if self.is_subpackage:
            props |= _SUBPACKAGE
        if self.flag_on_wire:
            props |= _VERSION_FLAG
        if self.reserved_bit:
            props |= _RESERVED
        digits = 20 if self.edition is Edition.V2019 else 12
        phone = _BCD_PHONES.get((self.phone, digits))
        if phone is None:
            if len(self.phone) > digits:
                raise LocalProtocolError(f"phone {self.phone!r} longer than {digits} digits")
            try:
                phone = bytes.fromhex(self.phone.rjust(digits, "0"))
            except ValueError:
                raise LocalProtocolError(f"phone {self.phone!r} is not BCD") from None
            if len(_BCD_PHONES) >= 65536:
                _BCD_PHONES.clear()
            _BCD_PHONES[self.phone, digits] = phone
        try:
            if self.edition is Edition.V2019:
                out = _H2019.pack(self.message_id, props, self.protocol_version, phone, self.serial)
            else:
                out = _H2013.pack(self.message_id, props, phone, self.serial)
            if self.is_subpackage:
                out += _PKG.pack(self.package_total, self.package_index)
        except struct.error as exc:
            raise LocalProtocolError(f"header field out of range: {exc}") from None
        return out


def parse_header(content: bytes, *, lenient: bool = False) -> tuple[Header, int, int]:
    """Read the header at the front of ``content`` (header + body + check code, unescaped).

    Returns ``(header, body_start, declared_body_length)``. The edition comes
    from bit 14, except that a frame whose length only fits the 2013 layout is
    read as 2013 even when bit 14 is set (a known terminal quirk). A declared body
    length that disagrees with the frame is an error unless ``lenient``.
    """
    n = len(content)
    if n < 13:  # 12-byte header + check code
        raise HeaderError(f"frame of {n} bytes is shorter than a header", 0)
    message_id, props = _ID_PROPS.unpack_from(content, 0)
    body_length = props & MAX_BODY_LENGTH
    # Hot path: a whole (not sub-packaged) message whose length agrees with the header.
    layout = props & (_VERSION_FLAG | _SUBPACKAGE)
    if layout == _VERSION_FLAG and n - 18 == body_length:
        _, _, version, phone, serial = _H2019.unpack_from(content, 0)
        encryption = (props >> 10) & 0x7
        header = _make_header(
            message_id,
            phone.hex(),
            serial,
            Edition.V2019,
            version,
            None,
            encryption,
            props >= _RESERVED,
            None,
            None,
        )
        return header, 17, body_length
    if layout == 0 and n - 13 == body_length:
        _, _, phone, serial = _H2013.unpack_from(content, 0)
        encryption = (props >> 10) & 0x7
        header = _make_header(
            message_id,
            phone.hex(),
            serial,
            Edition.V2013,
            1,
            None,
            encryption,
            props >= _RESERVED,
            None,
            None,
        )
        return header, 12, body_length
    subpackage = bool(props & _SUBPACKAGE)
    flag = bool(props & _VERSION_FLAG)
    extra = 4 if subpackage else 0
    available = n - 1  # minus the check code

    edition = Edition.V2013
    if flag:
        fits_2019 = available - 17 - extra == body_length
        fits_2013 = available - 12 - extra == body_length
        if not fits_2019 and fits_2013:
            edition = Edition.V2013
        elif fits_2019 or available >= 17 + extra:
            edition = Edition.V2019
    header_size = (17 if edition is Edition.V2019 else 12) + extra
    if available < header_size:
        raise HeaderError(
            f"frame of {len(content)} bytes is shorter than its {header_size}-byte header", 0
        )
    if available - header_size != body_length and not lenient:
        raise HeaderError(
            f"header declares a {body_length}-byte body but the frame holds "
            f"{available - header_size}",
            2,
        )

    if edition is Edition.V2019:
        _, _, version, phone, serial = _H2019.unpack_from(content, 0)
    else:
        _, _, phone, serial = _H2013.unpack_from(content, 0)
        version = 1
    total = index = None
    if subpackage:
        total, index = _PKG.unpack_from(content, header_size - 4)
        if (total == 0 or not 1 <= index <= total) and not lenient:
            raise HeaderError(f"sub-package {index} of {total} is impossible", header_size - 4)
    header = _make_header(
        message_id,
        phone.hex(),
        serial,
        edition,
        version,
        flag if flag != (edition is Edition.V2019) else None,  # version_flag
        (props >> 10) & 0x7,  # encryption
        bool(props & _RESERVED),
        total,
        index,
    )
    return header, header_size, body_length


_make_header = fast_constructor(Header)
#: Positional constructor of :class:`Header` taking every field (no defaults).
make_header = _make_header
# The BCD bytes of the phones the platform answers (one reply per message).
_BCD_PHONES: dict[tuple[str, int], bytes] = {}
