"""A real ``truckwatch-platform`` process (seeded 清远 demo world, SQLite) and, on demand,
a real ``truckwatch-sim`` fleet against it: what the client and console tests talk to.

Imported by the conftest files of ``tests/client`` and ``tests/widgets``.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.children import Children, platform_command, python_command, read_ports
from console.client import PlatformClient

ADMIN_PASSWORD = "admin-pass-1"
DEMO_PASSWORD = "demo-pass-1"


def seed(db: str) -> None:
    subprocess.run(
        python_command(
            "console.platform.service:main",
            "seed",
            "--demo",
            "--db",
            db,
            "--admin-password",
            ADMIN_PASSWORD,
            "--demo-password",
            DEMO_PASSWORD,
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )


@dataclass
class LivePlatform:
    data_dir: Path
    children: Children = field(default_factory=Children)
    ports: dict[str, int] = field(default_factory=dict)
    platform: subprocess.Popen[str] | None = None

    @property
    def db(self) -> str:
        return f"sqlite:///{self.data_dir / 'platform.db'}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['http']}"

    def start(self) -> LivePlatform:
        """Start (or restart, on the same ports) the platform process."""
        if not (self.data_dir / "platform.db").exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            seed(self.db)
        with (self.data_dir / "platform.log").open("a", encoding="utf-8") as log:
            self.platform = self.children.start(
                "platform",
                platform_command(self.db, self.data_dir, self.ports or None),
                stdout=subprocess.PIPE,
                stderr=log,
            )
        self.ports = read_ports(self.platform)
        return self

    def stop_platform(self) -> None:
        if self.platform is not None and self.platform.poll() is None:
            self.platform.terminate()
            self.platform.wait(20)

    def start_fleet(self, vehicles: int = 10, speedup: float = 10.0) -> subprocess.Popen[str]:
        with (self.data_dir / "simulator.log").open("a", encoding="utf-8") as log:
            return self.children.start(
                "simulator",
                python_command(
                    "console.sim.cli:main",
                    "--jt808",
                    f"127.0.0.1:{self.ports['jt808']}",
                    "--api",
                    self.url,
                    "--username",
                    "admin",
                    "--password",
                    ADMIN_PASSWORD,
                    "--vehicles",
                    str(vehicles),
                    "--speedup",
                    str(speedup),
                    "--progress",
                    "0",
                ),
                stdout=log,
                stderr=log,
            )

    def admin_client(self) -> PlatformClient:
        client = PlatformClient(self.url)
        client.login("admin", ADMIN_PASSWORD)
        return client

    def close(self) -> None:
        self.children.stop()


def wait_for(check: Callable[[], Any], timeout_s: float, what: str, poll_s: float = 0.2) -> Any:
    """Poll ``check`` until it gives something true (returned), or fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(poll_s)
    return found
