"""``python -m console.protocol decode``: decode frames, bodies, items and packets to JSON.

Input is a hex string, a file (hex text or a raw binary capture), or ``-`` for
standard input. A capture holding several 0x7E frames prints a JSON array.
Bad input prints the error and exits 1.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from console.protocol.errors import ProtocolError
from console.protocol.jsonview import (
    decode_body_json,
    decode_frame_json,
    decode_item_json,
    unescape_json,
)
from console.protocol.jt808.framing import FrameDecoder
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import Dialect

_HEX_NOISE = re.compile(r"0x|[\s,:\-]", re.IGNORECASE)


def read_input(source: str) -> bytes:
    """Hex text, or a file/stdin holding hex text or raw bytes."""
    if source == "-":
        raw = sys.stdin.buffer.read()
    elif _looks_like_hex(source):
        return _hex(source)
    else:
        raw = Path(source).read_bytes()
    try:
        return _hex(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return raw  # a binary capture


def _looks_like_hex(text: str) -> bool:
    cleaned = _HEX_NOISE.sub("", text)
    return bool(cleaned) and len(cleaned) % 2 == 0 and all(c in _HEX_DIGITS for c in cleaned)


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _hex(text: str) -> bytes:
    cleaned = _HEX_NOISE.sub("", text)
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise ValueError(f"not hex: {text[:40]!r}") from None


def _int(text: str) -> int:
    return int(text, 0)


def decode(args: argparse.Namespace, data: bytes) -> Any:
    dialect = Dialect(args.dialect) if args.dialect else None
    if args.body is not None:
        edition = Edition(args.edition or "2013")
        return decode_body_json(args.body, data, edition=edition, dialect=dialect)
    if args.item:
        return decode_item_json(data, dialect=dialect)
    if args.rtp:
        from console.protocol.jt1078.packet import decode_packet

        return decode_packet(data, sim_len=args.sim_len).to_json()
    if args.stream:
        from console.protocol.jt808.attachment import decode_stream_packet

        return decode_stream_packet(data).to_json()
    if args.unescape:
        return unescape_json(data)
    if b"\x7e\x7e" in data:  # back-to-back frames: a capture
        return _decode_capture(data, dialect)
    return decode_frame_json(data, dialect=dialect, lenient=args.lenient)


def _decode_capture(data: bytes, dialect: Dialect | None) -> list[dict[str, Any]]:
    from console.protocol.jsonview import frame_json

    out: list[dict[str, Any]] = []
    for item in FrameDecoder().feed(data):
        if isinstance(item, ProtocolError):
            out.append({"error": str(item), "error_type": type(item).__name__})
        else:
            try:
                out.append(frame_json(item, dialect))
            except ProtocolError as exc:
                out.append({"error": str(exc), "error_type": type(exc).__name__})
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m console.protocol",
        description="Decode JT/T 808 / JT/T 1078 bytes to JSON (field names of vectors.json).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("decode", help="decode hex, a capture file or - (stdin)")
    p.add_argument("input", help="hex string, file (hex text or raw bytes), or - for stdin")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--body", type=_int, metavar="MSG_ID", help="a bare body of that message id")
    what.add_argument("--item", action="store_true", help="one additional item (id, length, value)")
    what.add_argument("--rtp", action="store_true", help="one JT/T 1078 media packet")
    what.add_argument("--stream", action="store_true", help="one attachment data-stream packet")
    what.add_argument("--unescape", action="store_true", help="just undo 0x7D escaping")
    p.add_argument("--dialect", choices=[d.value for d in Dialect], help="active-safety dialect")
    p.add_argument("--edition", choices=[e.value for e in Edition], help="body edition (--body)")
    p.add_argument("--sim-len", type=int, choices=(6, 10), help="JT/T 1078 SIM bytes (--rtp)")
    p.add_argument(
        "--lenient",
        action="store_true",
        help="accept a wrong check code, a raw 0x7E inside the frame (de-escaped captures) "
        "and a body length that disagrees with the header",
    )
    p.add_argument("--compact", action="store_true", help="one line of JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        data = read_input(args.input)
        result = decode(args, data)
    except (ProtocolError, ValueError, OSError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    indent = None if args.compact else 2
    print(json.dumps(result, ensure_ascii=False, indent=indent))
    return 0
