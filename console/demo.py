"""The local demo: the embedded platform (SQLite under the user data directory, seeded with
the 清远 demo world once) and the simulated fleet, as child processes of the console.

:func:`start` is what the console window uses (``truckwatch --demo``); :func:`run` is the
same demo without a window (``truckwatch --demo --headless``), with a status line until
Ctrl-C.
"""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.children import Children, platform_command, python_command, read_ports
from console.client import ClientError, PlatformClient

PLATFORM = "console.platform.service:main"
SIMULATOR = "console.sim.cli:main"


def credentials(data_dir: Path) -> dict[str, str]:
    """The demo's passwords: made once per data directory and kept there (local demo only)."""
    path = data_dir / "demo-credentials.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    made = {"admin": secrets.token_urlsafe(9), "demo": secrets.token_urlsafe(9)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(made), encoding="utf-8")
    path.chmod(0o600)
    return made


def ensure_seeded(db: str, data_dir: Path, creds: dict[str, str]) -> None:
    marker = data_dir / "demo-seeded"
    if marker.exists():
        return
    result = subprocess.run(
        python_command(
            PLATFORM,
            "seed",
            "--demo",
            "--db",
            db,
            # "=": a random password may start with "-", which argparse would take for an option
            f"--admin-password={creds['admin']}",
            f"--demo-password={creds['demo']}",
            "--json",
        ),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode not in (0, 3):  # 3: seeded already
        raise RuntimeError(f"seeding the demo database failed:\n{result.stderr[-2000:]}")
    marker.write_text("ok", encoding="utf-8")


def log_file(data_dir: Path, name: str) -> Any:
    data_dir.mkdir(parents=True, exist_ok=True)
    return (data_dir / f"{name}.log").open("a", encoding="utf-8")


def start_platform(children: Children, db: str, data_dir: Path) -> dict[str, int]:
    """Start the platform and read its ports; RuntimeError (with where its log is) if it
    does not come up."""
    with log_file(data_dir, "platform") as log:
        proc = children.start(
            "platform", platform_command(db, data_dir), stdout=subprocess.PIPE, stderr=log
        )
    try:
        return read_ports(proc)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}; see {data_dir / 'platform.log'}") from None


def status(client: PlatformClient) -> dict[str, Any]:
    tree = client.vehicle_tree()
    return {
        "online": tree["online"],
        "total": tree["total"],
        "alarms": client.alarms(limit=1)["total"],
    }


@dataclass(frozen=True)
class LocalDemo:
    """A running embedded demo: where its API is and how to log in."""

    api_url: str
    ports: dict[str, int]
    credentials: dict[str, str]
    data_dir: Path

    def admin_client(self) -> PlatformClient:
        """A client of the demo's platform, logged in as its admin."""
        client = PlatformClient(self.api_url)
        client.login("admin", self.credentials["admin"])
        return client

    @property
    def logs(self) -> list[Path]:
        return [self.data_dir / "platform" / "platform.log", self.data_dir / "simulator.log"]


def start(
    children: Children,
    data_dir: Path,
    *,
    vehicles: int | None = None,
    speedup: float = 10.0,
    fleet: bool = True,
) -> LocalDemo:
    """Seed (once), start the platform and, with ``fleet``, the simulator as ``children``
    (they die with this process, see :mod:`console.children`)."""
    db = f"sqlite:///{data_dir / 'demo.db'}"
    creds = credentials(data_dir)
    ensure_seeded(db, data_dir, creds)
    ports = start_platform(children, db, data_dir / "platform")
    api = f"http://127.0.0.1:{ports['http']}"
    if fleet:
        sim_args = [
            "--jt808",
            f"127.0.0.1:{ports['jt808']}",
            "--api",
            api,
            "--username",
            "admin",
            f"--password={creds['admin']}",
            "--speedup",
            str(speedup),
        ]
        if vehicles:
            sim_args += ["--vehicles", str(vehicles)]
        with log_file(data_dir, "simulator") as log:
            children.start(
                "simulator",
                python_command(SIMULATOR, *sim_args),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    return LocalDemo(api, ports, creds, data_dir)


def run(
    data_dir: Path,
    *,
    vehicles: int | None = None,
    speedup: float = 10.0,
    duration: float | None = None,
) -> int:
    """``truckwatch --demo --headless``: the demo without a window, with a status line."""
    print("TruckWatch demo, headless: the platform and the simulated fleet. Ctrl-C stops both.\n")
    stop = False

    def interrupted(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, interrupted)
    with Children() as children:
        try:
            demo = start(children, data_dir, vehicles=vehicles, speedup=speedup)
        except RuntimeError as exc:
            print(f"the demo could not start: {exc}", file=sys.stderr)
            return 1
        api, creds, ports = demo.api_url, demo.credentials, demo.ports
        client = demo.admin_client()
        print(f"platform API  {api}/docs   (user admin, password {creds['admin']})")
        print(
            f"terminals     127.0.0.1:{ports['jt808']} (JT/T 808), evidence :{ports['attachment']},"
            f" video :{ports['media']}"
        )
        print(f"other users   op_* (county operators), ent_* (officers): password {creds['demo']}")
        print(f"logs          {', '.join(map(str, demo.logs))}\n")
        started = time.monotonic()
        try:
            while not stop and (duration is None or time.monotonic() - started < duration):
                try:
                    s = status(client)
                    print(
                        f"\rvehicles online {s['online']}/{s['total']}   alarms {s['alarms']}   ",
                        end="",
                        flush=True,
                    )
                except ClientError as exc:
                    print(f"\rplatform not answering: {exc.describe('en')}", end="", flush=True)
                time.sleep(5)
        except KeyboardInterrupt:
            pass
        print("\nstopping…")
    return 0


def demo_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("truckwatch", appauthor=False)) / "demo"


def main(argv: list[str] | None = None) -> int:
    return run(demo_dir())


if __name__ == "__main__":
    sys.exit(main())
