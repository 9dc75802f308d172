"""One platform process: the terminal gateway, ingest, the evidence and media servers,
the platform rules and the HTTP API, all on one asyncio loop."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

from console.platform.config import PlatformConfig
from console.platform.events import EventBus
from console.platform.metrics import Metrics
from console.platform.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Ports:
    jt808: int
    attachment: int
    media: int
    http: int


class Component(Protocol):
    async def start(self) -> int:
        """Start serving; return the bound port (0 for components without one)."""
        ...

    async def stop(self) -> None: ...


class Platform:
    def __init__(
        self, config: PlatformConfig, store: Store, *, clock: Callable[[], float] = time.time
    ) -> None:
        from console.platform.api.http import HttpServer
        from console.platform.attachments import AttachmentServer
        from console.platform.gateway import Gateway
        from console.platform.ingest import Ingest
        from console.platform.media import MediaRelay
        from console.platform.notify import Notifier
        from console.platform.workflow import Workflow

        self.config = config
        self.store = store
        self.clock = clock
        self.bus = EventBus()
        self.metrics = Metrics()
        self.workflow = Workflow(self)
        self.notifier = Notifier(self)
        self.ingest = Ingest(self)
        self.gateway = Gateway(self)
        self.attachments = AttachmentServer(self)
        self.media = MediaRelay(self)
        self.http = HttpServer(self)
        self.ports: Ports | None = None

    async def start(self) -> Ports:
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        await self.ingest.start()
        await self.workflow.start()
        await self.notifier.start()
        self.ports = Ports(
            jt808=await self.gateway.start(),
            attachment=await self.attachments.start(),
            media=await self.media.start(),
            http=await self.http.start(),
        )
        (self.config.data_dir / "ports.json").write_text(json.dumps(asdict(self.ports)))
        log.info("platform up: %s", self.ports)
        return self.ports

    async def stop(self) -> None:
        for component in (
            self.http,
            self.media,
            self.attachments,
            self.gateway,
            self.workflow,
            self.notifier,
        ):
            try:
                await component.stop()
            except Exception:  # one failing component must not keep the others running
                log.exception("stopping %s", type(component).__name__)
        await self.ingest.stop()

    async def serve_forever(self) -> None:
        ports = await self.start()
        print(json.dumps(asdict(ports)), flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()
