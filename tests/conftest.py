"""Test-wide settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_platform import LivePlatform


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
