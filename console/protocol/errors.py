"""One exception tree for everything the codecs can object to.

Errors say whose fault it was (after h11): ``RemoteProtocolError`` means the
bytes we received are wrong; ``LocalProtocolError`` means we were asked to
encode something the protocol cannot carry. Every error carries the offset
where the problem was found, when there is one.
"""

from __future__ import annotations


class ProtocolError(Exception):
    """Base of every codec error. ``offset`` is relative to what was being decoded."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        self.message = message
        self.offset = offset
        self.frame: bytes | None = None  # the offending bytes, for a hex excerpt in logs
        super().__init__(f"{message} (at offset {offset})" if offset is not None else message)


class RemoteProtocolError(ProtocolError):
    """The peer sent bytes that do not follow the protocol."""


class LocalProtocolError(ProtocolError):
    """We were asked to encode a value the protocol cannot represent."""


# --- framing (JT/T 808 §4.4) ---------------------------------------------------------------
class FramingError(RemoteProtocolError):
    """Delimiters or escapes are wrong."""


class GarbageError(FramingError):
    """Bytes outside a 0x7E...0x7E frame were skipped."""


class FrameTooLongError(FramingError):
    """A frame grew past the decoder's bound without a closing 0x7E."""


class EscapeError(FramingError):
    """0x7D followed by something other than 0x01 or 0x02."""


class ChecksumError(RemoteProtocolError):
    """The XOR check code does not match the header and body."""


class HeaderError(RemoteProtocolError):
    """The message header is short or inconsistent with the frame length."""


# --- bodies ---------------------------------------------------------------------------------
class BodyError(RemoteProtocolError):
    """A message body is shorter than its layout or holds an impossible value."""


class ReassemblyError(RemoteProtocolError):
    """Sub-packages that cannot be put together (bounds exceeded, inconsistent totals)."""


# --- JT/T 1078 and the attachment data stream ------------------------------------------------
class StreamError(RemoteProtocolError):
    """A JT/T 1078 media packet or an attachment data packet is malformed."""
