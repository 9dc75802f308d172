"""Gateway under load, over loopback: prints ``name: value unit`` lines.

Run: .venv/bin/python tests/bench/bench_gateway.py [--terminals 2000] [--seconds 10]
                                                   [--idle 19500] [--window 8]

The platform runs as its own process (``truckwatch-platform serve``, SQLite), started on a
fresh database with the needed trucks already installed; this script is the load
generator (its own cost is printed too, so it can be told apart).

1. Throughput: N terminals each keep up to ``window`` location reports unacknowledged and
   send the next as acks come back ("as fast as acks allow"): stored positions/s (rows in
   the database per second), ack latency p50/p99. Meanwhile an SSE client (admin) listens
   and one terminal in 50 raises an SOS alarm every 2 s: alarm → SSE latency p50/p99
   (send of the frame → arrival of the alarm event). Platform RSS under that load, and
   the platform's CPU time per stored position (everything the process did, divided by
   the rows stored: the least noisy figure on a shared machine).
2. Idle: ``--idle`` terminals connect, authenticate and stay; platform RSS then.
   (This machine allows 20,000 open files per process, so a single process cannot hold
   20,000 terminal sockets plus its own files: the default is 19,500 and the figure per
   terminal is printed for extrapolation.)
Bounded in time; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from console.children import platform_command, read_ports
from console.platform.auth import hash_password
from console.platform.store import Store
from console.platform.store.schema import (
    counties,
    enterprises,
    positions,
    terminals,
    users,
    vehicles,
)
from console.protocol.binary import BcdTime
from console.protocol.jt808.basic import Authenticate, PlatformResponse
from console.protocol.jt808.connection import Connection, MessageReceived
from console.protocol.jt808.header import Edition
from console.protocol.jt808.location import LocationReport
from console.protocol.jt808.message import Dialect

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
ADMIN_PASSWORD = "bench-" + secrets.token_hex(4)


def build_world(store: Store, count: int, *, registered: bool = True) -> list[dict[str, str]]:
    fleet = [
        {
            "vehicle_id": f"veh_b{n:05d}",
            "plate": f"粤R{n:05d}",
            "phone": f"{13500000000 + n:020d}",
            "code": f"code{n}",
        }
        for n in range(count)
    ]
    with store.begin() as conn:
        conn.execute(insert(counties).values(id="cty", name="清城区", code="441802"))
        conn.execute(
            insert(enterprises).values(
                id="ent", name="清远市压测物流有限公司", county_id="cty", created_at=NOW
            )
        )
        conn.execute(
            insert(users).values(
                id="usr_admin",
                username="admin",
                password_hash=hash_password(ADMIN_PASSWORD),
                role="admin",
                created_at=NOW,
            )
        )
        for start in range(0, count, 5000):
            part = fleet[start : start + 5000]
            conn.execute(
                insert(vehicles),
                [
                    {
                        "id": t["vehicle_id"],
                        "plate": t["plate"],
                        "plate_color": 2,
                        "enterprise_id": "ent",
                        "county_id": "cty",
                        "vehicle_type": "heavy_goods",
                        "speed_limit_kmh": 80,
                        "created_at": NOW,
                    }
                    for t in part
                ],
            )
            # Installed and already registered: the benchmark measures reporting, not 0x0100.
            conn.execute(
                insert(terminals),
                [
                    {
                        "id": f"trm_{t['vehicle_id']}",
                        "phone": t["phone"],
                        "terminal_id": t["vehicle_id"][-7:],
                        "vehicle_id": t["vehicle_id"],
                        "edition": "2019",
                        "dialect": "yuebiao",
                        "auth_code": t["code"] if registered else None,
                        "registered_at": NOW if registered else None,
                    }
                    for t in part
                ],
            )
    return fleet


def start_platform(db: str, data_dir: Path) -> tuple[subprocess.Popen[str], dict[str, int]]:
    cmd = platform_command(db, data_dir)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return proc, read_ports(proc)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Terminal:
    def __init__(self, spec: dict[str, str], port: int) -> None:
        self.spec, self.port = spec, port
        self.conn = Connection(dialect=Dialect.YUEBIAO)
        self.sent: dict[int, float] = {}  # serial → perf_counter at send
        self.latencies: list[float] = []
        self.acked = 0
        self.k = 0
        self.ready = asyncio.Event()
        self.more = asyncio.Event()

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.pump = asyncio.create_task(self._read())
        self._send(Authenticate(self.spec["code"], "860000000000000", "1.0"))
        await asyncio.wait_for(self.ready.wait(), 120)

    def _send(self, message) -> int:
        serial, frames = self.conn.send(message, phone=self.spec["phone"], edition=Edition.V2019)
        self.writer.write(frames[0] if len(frames) == 1 else b"".join(frames))
        return serial

    async def _read(self) -> None:
        try:
            while data := await self.reader.read(65536):
                now = time.perf_counter()
                for event in self.conn.receive_data(data, 0.0):
                    if isinstance(event, MessageReceived) and isinstance(
                        event.message, PlatformResponse
                    ):
                        m = event.message
                        if m.reply_id == 0x0102:
                            self.ready.set()
                        sent = self.sent.pop(m.reply_serial, None)
                        if sent is not None and m.result == 0:
                            self.acked += 1
                            self.latencies.append(now - sent)
                            self.more.set()
        except (ConnectionError, OSError):
            pass

    def report(self, alarm: bool = False) -> float:
        self.k += 1
        when = NOW + timedelta(seconds=self.k)
        message = LocationReport(
            1 if alarm else 0,
            0b11,
            23_680_000 + self.k,
            113_050_000,
            30,
            600,
            90,
            BcdTime.from_datetime(when),
            (),
        )
        t = time.perf_counter()
        self.sent[self._send(message)] = t
        return t

    async def drive(self, window: int, until: float) -> None:
        while time.perf_counter() < until:
            while len(self.sent) < window:
                self.report()
            self.more.clear()
            await self.more.wait()

    def close(self) -> None:
        self.pump.cancel()
        self.writer.close()


async def sse_listener(port: int, token: str, arrivals: dict[tuple[str, float], float]) -> None:
    """An admin console's event stream: when did each alarm event arrive (cancel to stop)."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=None) as client,
        client.stream("GET", "/api/v1/events", headers=headers) as response,
    ):
        kind = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind == "alarm":
                data = json.loads(line[6:])
                started = datetime.fromisoformat(data["started_at"]).timestamp()
                arrivals[(data["vehicle_id"], started)] = time.perf_counter()


def login(port: int) -> str:
    import requests

    reply = requests.post(
        f"http://127.0.0.1:{port}/api/v1/auth/login",
        json={"username": "admin", "password": ADMIN_PASSWORD},
        timeout=30,
    )
    reply.raise_for_status()
    return reply.json()["token"]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


async def throughput(
    fleet: list[dict[str, str]], ports: dict[str, int], args: argparse.Namespace, pid: int, db: str
) -> None:
    terminals = [Terminal(spec, ports["jt808"]) for spec in fleet[: args.terminals]]
    for start in range(0, len(terminals), 500):
        await asyncio.gather(*(t.open() for t in terminals[start : start + 500]))
    token = await asyncio.to_thread(login, ports["http"])
    arrivals: dict[tuple[str, float], float] = {}
    listener = asyncio.create_task(sse_listener(ports["http"], token, arrivals))
    await asyncio.sleep(0.5)

    store = Store.open(db, migrate=False)
    with store.connect() as conn:
        before = conn.execute(select(func.count()).select_from(positions)).scalar_one()
    alarm_sent: dict[tuple[str, float], float] = {}
    alarmers = terminals[::50]

    async def raise_alarms(until: float) -> None:
        while time.perf_counter() < until - 1:
            for t in alarmers:
                t.report(alarm=False)  # clear, then raise: one SOS edge each round
                sent = t.report(alarm=True)
                started = (NOW + timedelta(seconds=t.k)).timestamp()
                alarm_sent[(t.spec["vehicle_id"], started)] = sent
            await asyncio.sleep(2)

    cpu0, own0 = cpu_s(pid), time.process_time()
    start = time.perf_counter()
    until = start + args.seconds
    peak_rss = 0.0

    async def watch_rss() -> None:
        nonlocal peak_rss
        while time.perf_counter() < until:
            peak_rss = max(peak_rss, rss_mb(pid))
            await asyncio.sleep(0.5)

    await asyncio.gather(
        *(t.drive(args.window, until) for t in terminals), raise_alarms(until), watch_rss()
    )
    elapsed = time.perf_counter() - start
    await asyncio.sleep(1.5)  # let the last alarms reach the stream
    listener.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await listener
    with store.connect() as conn:
        after = conn.execute(select(func.count()).select_from(positions)).scalar_one()
    store.close()
    acked = sum(t.acked for t in terminals)
    latencies = [x for t in terminals for x in t.latencies]
    alarm_latencies = [arrivals[k] - v for k, v in alarm_sent.items() if k in arrivals]
    platform_cpu = cpu_s(pid) - cpu0
    own_cpu = time.process_time() - own0
    print(f"terminals reporting: {len(terminals)} terminals")
    print(f"stored positions/s: {(after - before) / elapsed:.0f} positions/s")
    print(f"acknowledged reports/s: {acked / elapsed:.0f} reports/s")
    print(f"ack latency p50: {pct(latencies, 0.50):.1f} ms")
    print(f"ack latency p99: {pct(latencies, 0.99):.1f} ms")
    print(f"alarm to SSE latency p50: {pct(alarm_latencies, 0.50):.1f} ms")
    print(f"alarm to SSE latency p99: {pct(alarm_latencies, 0.99):.1f} ms")
    print(f"alarms delivered over SSE: {len(alarm_latencies)} of {len(alarm_sent)} alarms")
    print(f"platform RSS under load (peak): {peak_rss:.0f} MB")
    print(f"platform CPU under load: {platform_cpu / elapsed * 100:.0f} % of one core")
    stored = max(after - before, 1)
    print(f"platform CPU per stored position: {platform_cpu / stored * 1e6:.0f} us")
    per_kmsg = own_cpu / elapsed / max(acked / elapsed / 1000, 1e-9) * 100
    print(f"load generator CPU per 1000 msgs/s: {per_kmsg:.1f} % of one core")
    for t in terminals:
        t.close()


async def idle(fleet: list[dict[str, str]], ports: dict[str, int], count: int, pid: int) -> None:
    base = rss_mb(pid)
    terminals = [Terminal(spec, ports["jt808"]) for spec in fleet[:count]]
    started = time.perf_counter()
    for start in range(0, len(terminals), 1000):
        await asyncio.gather(*(t.open() for t in terminals[start : start + 1000]))
    await asyncio.sleep(3)
    rss = rss_mb(pid)
    print(f"idle terminals connected: {len(terminals)} terminals")
    print(f"idle connect+authenticate time: {time.perf_counter() - started:.1f} s")
    print(f"platform RSS with idle terminals: {rss:.0f} MB")
    print(f"platform RSS per idle terminal: {(rss - base) * 1024 / max(len(terminals), 1):.1f} KB")
    for t in terminals:
        t.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--terminals", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--window", type=int, default=8, help="unacknowledged reports per terminal")
    parser.add_argument("--idle", type=int, default=19_500)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.sqlite"
        store = Store.open(db)
        fleet = build_world(store, max(args.terminals, args.idle))
        store.close()
        proc, ports = start_platform(db, Path(tmp) / "data")
        try:
            asyncio.run(throughput(fleet, ports, args, proc.pid, db))
        finally:
            proc.terminate()
            proc.wait(30)
        if args.idle:
            proc, ports = start_platform(db, Path(tmp) / "data")
            try:
                asyncio.run(idle(fleet, ports, args.idle, proc.pid))
            finally:
                proc.terminate()
                proc.wait(60)


if __name__ == "__main__":
    main()
