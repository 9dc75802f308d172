"""The platform's HTTP server: uvicorn serving ``create_app(platform)`` on the platform's
own asyncio loop, as one platform component (``start() -> port``, ``stop()``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn

from console.platform.api.app import create_app

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 3.0  # live streams (SSE, video) are cut after this at stop


class _Server(uvicorn.Server):
    """Signals belong to the platform process, not to its HTTP part."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpServer:
    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self.port: int | None = None
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> int:
        """Listen on ``config.host``/``config.http_port`` (0: a free port); return the port."""
        config = self.platform.config
        sock = _bind(config.host, config.http_port)
        self.port = sock.getsockname()[1]
        uv_config = uvicorn.Config(
            create_app(self.platform),
            log_config=None,  # keep the process's logging set-up
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
            server_header=False,
            log_level="warning",
        )
        self._server = _Server(uv_config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="http")
        while not self._server.started:
            if self._task.done():
                sock.close()
                self._task.result()  # raises what stopped it
                raise RuntimeError("the HTTP server stopped while starting")
            await asyncio.sleep(0.01)
        log.info("HTTP API on http://%s:%d/api/v1", config.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(self._task), SHUTDOWN_GRACE_S + 2)
        except TimeoutError:
            self._server.force_exit = True
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, 2)
        self._server = self._task = None
        log.info("HTTP API stopped")


def _bind(host: str, port: int) -> socket.socket:
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(2048)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock
