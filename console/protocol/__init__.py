"""Sans-I/O codecs for JT/T 808 (2011/2013/2019, 苏标/粤标) and JT/T 1078.

Bytes in, frozen dataclasses out; ``encode`` for everything either side sends.
Nothing here opens a socket or reads a clock: time is always an argument.
"""

from console.protocol.errors import LocalProtocolError, ProtocolError, RemoteProtocolError

__all__ = ["LocalProtocolError", "ProtocolError", "RemoteProtocolError"]
