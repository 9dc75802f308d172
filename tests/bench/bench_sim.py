"""The simulator's load modes against a real platform, over loopback: prints
``name: value unit`` lines, so that gateway benchmarks can subtract the simulator's cost.

Run: .venv/bin/python tests/bench/bench_sim.py [--idle 19500] [--rate 2000] [--seconds 20]

1. ``truckwatch-sim --idle``: N terminals register, authenticate and keep heartbeating from
   ONE simulator process; time until all are online, the simulator's RSS per terminal.
   (This machine allows 20,000 open files per process: 19,500 is the most one process
   can hold next to its own files.)
2. ``truckwatch-sim --rate R``: the fleet drives R messages/s; the rate reached and the
   simulator's own CPU per 1,000 msgs/s as it prints it.
Bounded in time; loopback only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import requests
from bench_gateway import ADMIN_PASSWORD, build_world, rss_mb, start_platform

from console.children import python_command
from console.platform.store import Store


def online(api: str, token: str) -> int:
    reply = requests.get(
        f"{api}/api/v1/vehicles",
        params={"tree": 1},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    return reply.json()["online"]


def simulator(ports: dict[str, int], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        python_command(
            "console.sim.cli:main",
            "--jt808",
            f"127.0.0.1:{ports['jt808']}",
            "--api",
            f"http://127.0.0.1:{ports['http']}",
            "--username",
            "admin",
            "--password",
            ADMIN_PASSWORD,
            "--log-level",
            "WARNING",
            *args,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def idle_phase(api: str, token: str, ports: dict[str, int], vehicles: int) -> None:
    sim = simulator(ports, "--vehicles", str(vehicles), "--idle", "--duration", "900")
    started = time.perf_counter()
    count = 0
    while time.perf_counter() - started < 600:
        time.sleep(5)
        count = online(api, token)
        if count >= vehicles:
            break
    took = time.perf_counter() - started
    rss = rss_mb(sim.pid)
    sim.terminate()
    sim.communicate(timeout=120)
    print(f"simulator idle terminals online: {count} terminals")
    print(f"simulator idle time to all online: {took:.0f} s")
    print(f"simulator RSS with idle terminals: {rss:.0f} MB")
    print(f"simulator RSS per idle terminal: {rss * 1024 / max(count, 1):.1f} KB")


def rate_phase(ports: dict[str, int], vehicles: int, rate: float, seconds: float) -> None:
    sim = simulator(
        ports, "--vehicles", str(vehicles), "--rate", str(rate), "--duration", str(seconds)
    )
    out, _ = sim.communicate(timeout=seconds + 600)
    summary = next((json.loads(line) for line in out.splitlines() if line.startswith("{")), {})
    print(f"simulator target rate: {rate:.0f} msgs/s")
    print(f"simulator messages sent: {summary.get('messages_sent', 0)} messages")
    print(f"simulator rate reached: {summary.get('messages_per_s', 0):.0f} msgs/s")
    cost = summary.get("cpu_cores_per_1k_msgs_per_s")
    if cost is not None:
        print(f"simulator CPU per 1000 msgs/s: {cost * 100:.1f} % of one core")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=int, default=19_500, help="0: skip the idle phase")
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--rate-vehicles", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.sqlite"
        store = Store.open(db)
        build_world(store, max(args.idle, args.rate_vehicles), registered=False)
        store.close()
        platform, ports = start_platform(db, Path(tmp) / "data")
        api = f"http://127.0.0.1:{ports['http']}"
        try:
            token = requests.post(
                f"{api}/api/v1/auth/login",
                json={"username": "admin", "password": ADMIN_PASSWORD},
                timeout=30,
            ).json()["token"]
            if args.idle:
                idle_phase(api, token, ports, args.idle)
            rate_phase(ports, args.rate_vehicles, args.rate, args.seconds)
        finally:
            platform.terminate()
            platform.wait(60)


if __name__ == "__main__":
    main()
