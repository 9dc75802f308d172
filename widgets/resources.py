"""Where the console's resources are: ``resources/`` of a source checkout, or the
directory a packaged build puts beside the code (``TRUCKWATCH_RESOURCES`` overrides both)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resource_dir() -> Path:
    override = os.environ.get("TRUCKWATCH_RESOURCES")
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller one-folder build
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


def resource_path(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)
