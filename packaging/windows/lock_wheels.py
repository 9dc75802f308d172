"""Regenerate packaging/windows/requirements-win.txt: the exact Windows wheels (win_amd64,
CPython 3.11) of TruckWatch's dependencies, each pinned by version and sha256.

Run after changing the dependencies in pyproject.toml (needs PyPI):

    .venv/bin/python packaging/windows/lock_wheels.py
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LOCK = HERE / "requirements-win.txt"
PLATFORM = [
    "--platform", "win_amd64", "--python-version", "3.11", "--implementation", "cp",
    "--abi", "cp311", "--abi", "abi3", "--abi", "none", "--only-binary=:all:",
]  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", *PLATFORM, "-d", tmp, str(ROOT)],
            check=True,
        )
        lines = []
        for wheel in sorted(Path(tmp).glob("*.whl"), key=lambda p: p.name.lower()):
            name, version = wheel.name.split("-")[:2]
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            lines.append(f"{name}=={version} --hash=sha256:{digest}")
    LOCK.write_text(
        "# Windows wheels (win_amd64, CPython 3.11) of TruckWatch's dependencies, for the MSI.\n"
        "# Made by packaging/windows/lock_wheels.py; do not edit by hand.\n"
        + "\n".join(lines)
        + "\n"
    )
    print(f"{LOCK}: {len(lines)} wheels")


if __name__ == "__main__":
    main()
