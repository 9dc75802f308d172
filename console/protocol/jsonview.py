"""Decoded messages as JSON, under the field names of ``shared/protocol/vectors.json``.

This is what ``python -m console.protocol decode`` prints, so an engineer can
hold a capture next to a vector and compare key by key.
"""

from __future__ import annotations

from typing import Any

from console.protocol.errors import BodyError
from console.protocol.jt808.codec import decode_body, decode_message
from console.protocol.jt808.framing import Frame, decode_frame, unescape
from console.protocol.jt808.header import Edition
from console.protocol.jt808.items import decode_item
from console.protocol.jt808.message import DecodeContext, Dialect, hex_id


def frame_json(frame: Frame, dialect: Dialect | None = None) -> dict[str, Any]:
    """Header fields plus the decoded body; a later sub-package shows only its size."""
    header = frame.header
    out: dict[str, Any] = {
        "message_id": hex_id(header.message_id),
        "protocol_version": str(header.edition),
        "version_flag": header.flag_on_wire,
    }
    if header.edition is Edition.V2019:
        out["header_protocol_version"] = header.protocol_version
    out.update(
        phone=header.phone,
        serial=header.serial,
        body_length=frame.body_length,
        subpackage=header.is_subpackage,
    )
    if header.is_subpackage:
        out.update(package_total=header.package_total, package_index=header.package_index)
    out["escaped_on_wire"] = frame.escaped
    if not frame.checksum_ok:
        out["checksum_ok"] = False
    if header.encryption:
        out["encryption"] = header.encryption
    if header.is_subpackage and header.package_index != 1:
        out.update(fragment=True, fragment_len=len(frame.body))
        return out
    try:
        message = decode_message(frame, dialect)
    except BodyError:
        if not header.is_subpackage:
            raise
        # The first packet of a long message may end inside a field; show its size.
        out.update(fragment=True, fragment_len=len(frame.body))
        return out
    if message.edition is not None:
        out["protocol_version"] = str(message.edition)
    out.update(message.to_json())
    if header.is_subpackage:
        out["fragment_len"] = len(frame.body)
    return out


def decode_frame_json(
    data: bytes, *, dialect: Dialect | None = None, lenient: bool = False
) -> dict[str, Any]:
    return frame_json(decode_frame(data, lenient=lenient), dialect)


def decode_body_json(
    message_id: int,
    data: bytes,
    *,
    edition: Edition = Edition.V2013,
    dialect: Dialect | None = None,
) -> dict[str, Any]:
    message = decode_body(message_id, data, edition, dialect)
    out: dict[str, Any] = {"message_id": hex_id(message_id)}
    out["protocol_version"] = str(message.edition or edition)
    out.update(message.to_json())
    return out


def decode_item_json(data: bytes, *, dialect: Dialect | None = None) -> dict[str, Any]:
    """One additional item given with its id and length bytes."""
    if len(data) < 2:
        raise BodyError(f"an item needs its id and length bytes, got {len(data)} byte(s)", 0)
    item_id, length = data[0], data[1]
    if len(data) != 2 + length:
        raise BodyError(f"item 0x{item_id:02X} declares {length} bytes, {len(data) - 2} follow", 1)
    item = decode_item(item_id, data[2:], DecodeContext(Edition.V2013, dialect))
    out: dict[str, Any] = {"item_ids": [f"0x{item_id:02X}"], "item_length": length}
    out.update(item.json_fields())
    return out


def unescape_json(data: bytes) -> dict[str, Any]:
    """The JT/T 808 §4.4.2 escape example: undo escaping between the delimiters."""
    inner = data[1:-1] if data[:1] == b"\x7e" and data[-1:] == b"\x7e" else data
    return {"unescaped": (b"\x7e" + unescape(inner) + b"\x7e").hex()}
