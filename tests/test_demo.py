"""``truckwatch --demo --headless``: the platform and the simulated fleet start as children,
trucks come online, and both stop with the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.timeout(300)
def test_demo_brings_trucks_online_and_cleans_up(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from console.app import main; raise SystemExit(main())",
            "--demo",
            "--headless",
            "--vehicles",
            "20",
            "--duration",
            "30",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=280,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.replace("\r", "\n").splitlines()
    online = [
        int(line.split()[2].split("/")[0]) for line in lines if line.startswith("vehicles online")
    ]
    assert online and max(online) >= 18, lines[-5:]
    demo = tmp_path / "truckwatch" / "demo"
    assert (demo / "demo.db").exists() and (demo / "simulator.log").exists()
    leftovers = subprocess.run(
        ["pgrep", "-f", "--", f"serve .*--data-dir {demo}/platform"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert leftovers.returncode == 1, "the platform outlived the demo"  # 1: none found
