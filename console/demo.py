"""The local demo without the console window: the embedded platform (SQLite under the user
data directory, seeded with the 清远 demo world once) and the simulated fleet, as child
processes, with a status line until Ctrl-C.

This is what ``truckwatch --demo`` runs until the Qt console exists (issue #5); the console
will start the same two children.
"""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from console.children import Children, platform_command, python_command, read_ports

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
            "--admin-password",
            creds["admin"],
            "--demo-password",
            creds["demo"],
            "--json",
        ),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode not in (0, 3):  # 3: seeded already
        raise SystemExit(f"seeding the demo database failed:\n{result.stderr}")
    marker.write_text("ok", encoding="utf-8")


def log_file(data_dir: Path, name: str) -> Any:
    data_dir.mkdir(parents=True, exist_ok=True)
    return (data_dir / f"{name}.log").open("a", encoding="utf-8")


def start_platform(children: Children, db: str, data_dir: Path) -> dict[str, int]:
    proc = children.start(
        "platform",
        platform_command(db, data_dir),
        stdout=subprocess.PIPE,
        stderr=log_file(data_dir, "platform"),
    )
    try:
        return read_ports(proc)
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None


def status(api: str, token: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    tree = requests.get(f"{api}/api/v1/vehicles", params={"tree": 1}, headers=headers, timeout=10)
    alarms = requests.get(f"{api}/api/v1/alarms", params={"limit": 1}, headers=headers, timeout=10)
    return {
        "online": tree.json()["online"],
        "total": tree.json()["total"],
        "alarms": alarms.json()["total"],
    }


def run(
    data_dir: Path,
    *,
    vehicles: int | None = None,
    speedup: float = 10.0,
    duration: float | None = None,
) -> int:
    db = f"sqlite:///{data_dir / 'demo.db'}"
    creds = credentials(data_dir)
    print(
        "TruckWatch demo — the console window arrives with issue #5; running the platform and the"
    )
    print("simulated fleet headless. Ctrl-C stops both.\n")
    ensure_seeded(db, data_dir, creds)
    stop = False

    def interrupted(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, interrupted)
    with Children() as children:
        ports = start_platform(children, db, data_dir / "platform")
        api = f"http://127.0.0.1:{ports['http']}"
        sim_args = [
            "--jt808",
            f"127.0.0.1:{ports['jt808']}",
            "--api",
            api,
            "--username",
            "admin",
            "--password",
            creds["admin"],
            "--speedup",
            str(speedup),
        ]
        if vehicles:
            sim_args += ["--vehicles", str(vehicles)]
        children.start(
            "simulator",
            python_command(SIMULATOR, *sim_args),
            stdout=log_file(data_dir, "simulator"),
            stderr=subprocess.STDOUT,
        )
        token = requests.post(
            f"{api}/api/v1/auth/login",
            json={"username": "admin", "password": creds["admin"]},
            timeout=30,
        ).json()["token"]
        print(f"platform API  {api}/docs   (user admin, password {creds['admin']})")
        print(
            f"terminals     127.0.0.1:{ports['jt808']} (JT/T 808), evidence :{ports['attachment']},"
            f" video :{ports['media']}"
        )
        print(f"other users   op_* (county operators), ent_* (officers): password {creds['demo']}")
        logs = f"{data_dir / 'platform' / 'platform.log'}, {data_dir / 'simulator.log'}"
        print(f"logs          {logs}\n")
        started = time.monotonic()
        try:
            while not stop and (duration is None or time.monotonic() - started < duration):
                try:
                    s = status(api, token)
                    print(
                        f"\rvehicles online {s['online']}/{s['total']}   alarms {s['alarms']}   ",
                        end="",
                        flush=True,
                    )
                except requests.RequestException as exc:
                    print(f"\rplatform not answering: {exc}", end="", flush=True)
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
