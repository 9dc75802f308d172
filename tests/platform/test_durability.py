"""Acknowledged means stored: the platform is killed (SIGKILL) while 200 terminals stream
positions and alarms; after a restart and the terminals' resends, every acknowledged
message is in the store and no alarm exists twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from terminal import CST, report
from world import build_fleet, build_world

from console.children import platform_command, read_ports
from console.platform.store import Store
from console.platform.store.schema import alarms, positions
from console.protocol.jt808.basic import Authenticate, PlatformResponse, Register, RegisterResponse
from console.protocol.jt808.connection import Connection, MessageReceived
from console.protocol.jt808.header import Edition
from console.protocol.jt808.location import LocationReport
from console.protocol.jt808.message import Dialect

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(240)]
TERMINALS = 200
T0 = datetime(2026, 11, 21, 10, 0, tzinfo=CST)


def start_platform(
    db: str, data_dir: Path, ports: dict[str, int] | None = None
) -> tuple[subprocess.Popen[str], dict[str, int]]:
    cmd = platform_command(db, data_dir, ports)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return proc, read_ports(proc)


class Truck:
    """A terminal that pipelines reports and remembers which ones were acknowledged."""

    def __init__(self, spec: dict[str, str], port: int) -> None:
        self.spec, self.port = spec, port
        self.unacked: dict[int, LocationReport] = {}  # serial → report
        self.acked: list[LocationReport] = []
        self.auth_code: str | None = None
        self.next_k = 0

    async def connect(self) -> None:
        self.conn = Connection(dialect=Dialect.YUEBIAO)
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.replies: asyncio.Queue = asyncio.Queue()
        self.pump = asyncio.create_task(self._read())

    def send(self, message) -> int:
        serial, frames = self.conn.send(message, phone=self.spec["phone"], edition=Edition.V2019)
        self.writer.write(b"".join(frames))
        return serial

    async def _read(self) -> None:
        try:
            while data := await self.reader.read(65536):
                for event in self.conn.receive_data(data, 0.0):
                    if not isinstance(event, MessageReceived):
                        continue
                    m = event.message
                    if isinstance(m, PlatformResponse) and m.reply_id == 0x0200 and m.result == 0:
                        sent = self.unacked.pop(m.reply_serial, None)
                        if sent is not None:
                            self.acked.append(sent)
                    elif isinstance(m, PlatformResponse | RegisterResponse):
                        await self.replies.put(m)
        except (ConnectionError, OSError):
            pass

    async def login(self) -> None:
        if self.auth_code is None:
            self.send(
                Register(
                    44,
                    1800,
                    "TW",
                    "TW",
                    self.spec["terminal_id"],
                    2,
                    self.spec["plate"],
                    Edition.V2019,
                )
            )
            reply = await asyncio.wait_for(self.replies.get(), 30)
            assert reply.result == 0, reply
            self.auth_code = reply.auth_code
        self.send(Authenticate(self.auth_code, "860000000000000", "1.0"))
        reply = await asyncio.wait_for(self.replies.get(), 30)
        assert reply.result == 0

    def report(self) -> None:
        k = self.next_k
        self.next_k += 1
        # every 10th report raises SOS (bit 0), the next clears it: one alarm per edge
        flags = 1 if k % 10 == 5 else 0
        message = report(T0 + timedelta(seconds=k), lat=23.6 + k * 1e-4, alarm_flags=flags)
        self.unacked[self.send(message)] = message

    def resend(self) -> None:
        pending = list(self.unacked.values())
        self.unacked.clear()
        for message in pending:
            self.unacked[self.send(message)] = message

    async def close(self) -> None:
        self.pump.cancel()
        self.writer.close()


async def stream(trucks: list[Truck], seconds: float) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        for truck in trucks:
            if len(truck.unacked) < 20:
                with contextlib.suppress(ConnectionError, OSError, RuntimeError):
                    truck.report()
        await asyncio.sleep(0.01)


async def test_every_acknowledged_message_survives_sigkill(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = Store.open(db)
    build_world(store)
    fleet = build_fleet(store, TERMINALS)
    store.close()

    proc, ports = start_platform(db, tmp_path / "data")
    trucks = [Truck(spec, ports["jt808"]) for spec in fleet]
    try:
        for truck in trucks:
            await truck.connect()
        await asyncio.gather(*(t.login() for t in trucks))
        await stream(trucks, 3.0)
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream: some messages are in flight
        proc.wait()
        acked_before = sum(len(t.acked) for t in trucks)
        in_flight = sum(len(t.unacked) for t in trucks)
        assert acked_before > 1000 and in_flight > 0, (acked_before, in_flight)
        for truck in trucks:
            await truck.close()

        proc, _ = start_platform(db, tmp_path / "data", ports)
        for truck in trucks:
            await truck.connect()
        await asyncio.gather(*(t.login() for t in trucks))
        for truck in trucks:
            truck.resend()  # JT/T 808: what was not acknowledged is sent again
        for _ in range(300):
            if not any(t.unacked for t in trucks):
                break
            await asyncio.sleep(0.1)
        assert not any(t.unacked for t in trucks)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        for truck in trucks:
            if hasattr(truck, "pump"):
                await truck.close()

    store = Store.open(db)
    with store.connect() as conn:
        stored = {
            (r.vehicle_id, r.time)
            for r in conn.execute(select(positions.c.vehicle_id, positions.c.time))
        }
        for truck in trucks:
            for message in truck.acked:
                assert (truck.spec["vehicle_id"], message.time.to_datetime()) in stored
        sos_edges = sum(1 for t in trucks for m in t.acked if m.alarm_flags)
        alarm_count = conn.execute(select(func.count()).select_from(alarms)).scalar_one()
        distinct = conn.execute(select(func.count(func.distinct(alarms.c.alarm_key)))).scalar_one()
    assert alarm_count == distinct == sos_edges
