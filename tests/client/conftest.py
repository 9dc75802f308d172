from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_platform import LivePlatform  # tests/ is on sys.path (tests/conftest.py)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePlatform]:
    """A real platform process on loopback with the seeded demo world."""
    platform = LivePlatform(tmp_path_factory.mktemp("platform")).start()
    try:
        yield platform
    finally:
        platform.close()
