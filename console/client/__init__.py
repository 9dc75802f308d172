"""The platform's API client (Qt-free): REST calls, the live event stream with
reconnect and resume. Used by the console's widgets through worker threads, and by
scripts."""

from console.client.api import PlatformClient
from console.client.errors import ApiFailure, AuthFailure, ClientError, Unreachable
from console.client.events import EventStream, StreamState
from console.client.sse import StreamEvent

__all__ = [
    "ApiFailure",
    "AuthFailure",
    "ClientError",
    "EventStream",
    "PlatformClient",
    "StreamEvent",
    "StreamState",
    "Unreachable",
]
