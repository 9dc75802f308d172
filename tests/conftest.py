"""Test-wide settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from live_platform import LivePlatform, wait_for

from console.client import PlatformClient


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``@pytest.mark.anyio``) run on asyncio, like the platform."""
    return "asyncio"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePlatform]:
    """A real platform process on loopback with the seeded demo world (tests/live_platform.py)."""
    platform = LivePlatform(tmp_path_factory.mktemp("platform")).start()
    try:
        yield platform
    finally:
        platform.close()


FLEET = 2  # simulated trucks of the video tests


@pytest.fixture(scope="module")
def fleet_client(live: LivePlatform) -> PlatformClient:
    """The admin's client of ``live`` with a small simulated fleet driving."""
    live.start_fleet(vehicles=FLEET, speedup=10)
    return live.admin_client()


@pytest.fixture(scope="module")
def fleet_vehicles(fleet_client: PlatformClient) -> dict[str, list[dict[str, Any]]]:
    """Once the fleet is online: ``{"online": [...], "offline": [...]}`` (API vehicles)."""

    def online() -> list[dict[str, Any]]:
        return [v for v in fleet_client.vehicles() if v["status"] != "offline"]

    wait_for(lambda: len(online()) >= FLEET, 90, "the simulated trucks online")
    offline = [v for v in fleet_client.vehicles() if v["status"] == "offline"]
    return {"online": sorted(online(), key=lambda v: v["id"]), "offline": offline}
