"""Start the platform's terminal side (ingest + gateway + evidence + media servers) on
loopback for a test, with the real components and a real store."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from console.platform.config import PlatformConfig
from console.platform.events import EventBus
from console.platform.gateway import Gateway
from console.platform.ingest import Ingest
from console.platform.metrics import Metrics
from console.platform.store import Store
from console.platform.workflow import Workflow


@asynccontextmanager
async def terminal_side(
    store: Store, data_dir: Path, **settings: Any
) -> AsyncIterator[SimpleNamespace]:
    config = PlatformConfig(db_url=store.url, data_dir=data_dir, **settings)
    platform = SimpleNamespace(
        config=config, store=store, bus=EventBus(), metrics=Metrics(), clock=time.time
    )
    platform.workflow = Workflow(platform)
    platform.ingest = Ingest(platform)
    platform.gateway = Gateway(platform)
    await platform.ingest.start()
    platform.jt808_port = await platform.gateway.start()
    try:
        yield platform
    finally:
        await platform.gateway.stop()
        await platform.ingest.stop()
