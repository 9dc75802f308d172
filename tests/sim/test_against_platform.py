"""The simulator against the real platform on loopback: registration from the API's world,
positions, active-safety alarms with complete evidence, commands and live video."""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import av
import pytest
import requests
from sqlalchemy import func, select

from console.media.h264 import AnnexBDecoder
from console.platform.config import PlatformConfig
from console.platform.seed import seed_demo
from console.platform.server import Platform
from console.platform.store import Store
from console.platform.store.schema import alarms, evidence, positions
from console.sim.fleet import Fault, Fleet, FleetOptions
from console.sim.world import VehicleSpec, fetch_world

pytestmark = pytest.mark.anyio
PASSWORD = "sim-test-admin"
FFPROBE = shutil.which("ffprobe")


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[SimpleNamespace]:
    store = Store.open(f"sqlite:///{tmp_path / 'platform.sqlite'}")
    with store.begin() as conn:
        seed_demo(conn, admin_password=PASSWORD, demo_password="sim-test-demo")
    config = PlatformConfig(db_url=store.url, data_dir=tmp_path / "data", command_timeout_s=10.0)
    running = Platform(config, store)
    ports = await running.start()
    api = f"http://127.0.0.1:{ports.http}"
    try:
        yield SimpleNamespace(platform=running, store=store, ports=ports, api=api, config=config)
    finally:
        await running.stop()


async def world(api: str, n: int) -> list[VehicleSpec]:
    vehicles = await asyncio.to_thread(fetch_world, api, "admin", PASSWORD)
    # Both dialects and both editions among the first n.
    subiao = [v for v in vehicles if v.dialect.value == "subiao"]
    yuebiao = [v for v in vehicles if v.dialect.value == "yuebiao"]
    return (subiao[: n // 2] + yuebiao[: n - n // 2])[:n]


def settled(fleet: Fleet) -> bool:
    """Every truck whose terminal has power and signal is online (a simulated truck may be
    in a power-off or no-signal episode, which is its behaviour, not a failure)."""
    return all(
        u.terminal.online or (u.driver is not None and u.driver.connectivity.value != "online")
        for u in fleet.units
    )


def fleet_for(vehicles: list[VehicleSpec], port: int, **kw: object) -> Fleet:
    options = FleetOptions(
        host="127.0.0.1",
        port=port,
        speedup=300.0,
        seed=4,
        horizon_s=20.0,
        clip_seconds=2.0,
        evidence_size=(320, 180),
        ramp_s=0.5,
        **kw,  # type: ignore[arg-type]
    )
    return Fleet(vehicles, options)


async def eventually(check, timeout: float = 30.0, step: float = 0.25):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await asyncio.to_thread(check)
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(step)


def ids_of(store: Store, plates: list[str]) -> dict[str, str]:
    from console.platform.store.schema import vehicles

    with store.connect() as conn:
        rows = conn.execute(
            select(vehicles.c.plate, vehicles.c.id).where(vehicles.c.plate.in_(plates))
        )
        return {row.plate: row.id for row in rows}


async def test_twenty_trucks_report_raise_alarms_and_upload_complete_evidence(
    platform: SimpleNamespace,
) -> None:
    vehicles = await world(platform.api, 20)
    fleet = fleet_for(vehicles, platform.ports.jt808)
    await fleet.start()
    try:
        assert await eventually(lambda: settled(fleet), 20)
        # One alarm of each family on demand, besides those the trucks raise by themselves.
        for plate, family, code in [
            (vehicles[0].plate, "dsm", 0x01),
            (vehicles[1].plate, "adas", 0x01),
            (vehicles[-1].plate, "bsd", 0x02),
            (vehicles[-2].plate, "tpms", 2),
        ]:
            assert fleet.raise_alarm(plate, family, code)
        ids = set(ids_of(platform.store, [v.plate for v in vehicles]).values())

        def positions_for_all() -> bool:
            with platform.store.connect() as conn:
                query = select(func.count(func.distinct(positions.c.vehicle_id))).where(
                    positions.c.vehicle_id.in_(ids)
                )
                return conn.execute(query).scalar_one() == 20

        assert await eventually(positions_for_all, 30)

        def families() -> set[str]:
            with platform.store.connect() as conn:
                return {
                    row.family
                    for row in conn.execute(
                        select(alarms.c.family).where(alarms.c.vehicle_id.in_(ids))
                    )
                }

        assert await eventually(lambda: {"adas", "dsm", "bsd", "tpms"} <= families(), 30)

        def complete() -> list:
            with platform.store.connect() as conn:
                return conn.execute(
                    select(alarms.c.id, alarms.c.family).where(
                        alarms.c.vehicle_id.in_(ids), alarms.c.evidence_status == "complete"
                    )
                ).all()

        assert await eventually(lambda: len({r.family for r in complete()}) >= 4, 60)
        done = await asyncio.to_thread(complete)
        assert {r.family for r in done} >= {"adas", "dsm", "bsd", "tpms"}
    finally:
        summary = fleet.summary()
        await fleet.stop()
    assert summary["evidence_failed"] == 0 and summary["positions"] > 40

    # The evidence: 3 JPEG photos and an H.264 MP4 clip per alarm, stored whole.
    with platform.store.connect() as conn:
        files = conn.execute(
            select(evidence).where(evidence.c.alarm_id == done[0].id).order_by(evidence.c.file_name)
        ).all()
    assert len(files) == 4 and all(f.complete and f.received == f.size for f in files)
    clip = next(f for f in files if f.file_name.endswith(".mp4"))
    data = (platform.config.data_dir / clip.path).read_bytes()
    assert len(data) == clip.size
    with av.open(io.BytesIO(data)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
    if FFPROBE:
        out = subprocess.run(
            [
                FFPROBE,
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
                str(platform.config.data_dir / clip.path),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert abs(float(out) - 2.0) <= 0.2


def login(api: str) -> requests.Session:
    session = requests.Session()
    token = session.post(
        f"{api}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}, timeout=10
    ).json()["token"]
    session.headers["Authorization"] = f"Bearer {token}"
    return session


async def test_commands_reach_the_trucks_tts_photo_and_live_video(
    platform: SimpleNamespace,
) -> None:
    vehicles = await world(platform.api, 2)
    fleet = fleet_for(vehicles, platform.ports.jt808, alarm_scale=0.0, offline_episodes=False)
    await fleet.start()
    session = await asyncio.to_thread(login, platform.api)
    try:
        assert await eventually(lambda: settled(fleet), 20)
        target = vehicles[1]
        vehicle_id = ids_of(platform.store, [target.plate])[target.plate]
        base = f"{platform.api}/api/v1/vehicles/{vehicle_id}/commands"

        answer = await asyncio.to_thread(
            lambda: session.post(f"{base}/text", json={"text": "请减速慢行"}, timeout=20).json()
        )
        assert answer["status"] == "acked", answer
        assert fleet.by_plate[target.plate].terminal.tts_text == "请减速慢行"

        answer = await asyncio.to_thread(
            lambda: session.post(
                f"{base}/photo", json={"channel": 1, "count": 1}, timeout=20
            ).json()
        )
        assert answer["status"] == "acked", answer
        assert await eventually(lambda: fleet.stats.photos >= 1, 10)

        def watch() -> int:
            decoder = AnnexBDecoder()
            url = f"{platform.api}/api/v1/video/{vehicle_id}/1"
            with session.get(url, stream=True, timeout=30) as response:
                assert response.status_code == 200, response.text
                for chunk in response.iter_content(16384):
                    frames = decoder.feed(chunk)
                    if decoder.frames >= 10:
                        return frames[-1].width if frames else decoder.frames
            return 0

        assert await asyncio.wait_for(asyncio.to_thread(watch), 60)
        assert fleet.stats.streams >= 1

        # A dropped link comes back by itself and the truck is online again.
        fleet.inject(target.plate, Fault.DROP)
        await asyncio.sleep(0.2)
        assert await eventually(lambda: settled(fleet), 20)
    finally:
        session.close()
        await fleet.stop()


async def test_idle_trucks_only_register_authenticate_and_heartbeat(
    platform: SimpleNamespace,
) -> None:
    vehicles = await world(platform.api, 20)
    fleet = fleet_for(vehicles, platform.ports.jt808, idle=True, heartbeat_s=0.5)
    await fleet.start()
    try:
        assert await eventually(lambda: settled(fleet), 20)
        await asyncio.sleep(1.5)
    finally:
        await fleet.stop()
    sent = fleet.stats.messages
    assert set(sent) == {0x0100, 0x0102, 0x0002}
    assert sent[0x0100] == sent[0x0102] == 20 and sent[0x0002] >= 20
    assert fleet.stats.positions == 0


async def test_rate_mode_drives_the_message_rate(platform: SimpleNamespace) -> None:
    vehicles = await world(platform.api, 20)
    fleet = fleet_for(vehicles, platform.ports.jt808, rate=100.0)
    await fleet.start()
    try:
        assert await eventually(lambda: settled(fleet), 20)
        before, t0 = fleet.stats.messages[0x0200], asyncio.get_running_loop().time()
        await asyncio.sleep(3.0)
        after, t1 = fleet.stats.messages[0x0200], asyncio.get_running_loop().time()
    finally:
        summary = fleet.summary()
        await fleet.stop()
    rate = (after - before) / (t1 - t0)
    assert 70 <= rate <= 130, rate
    assert sum(summary["alarms"].values()) == 0  # positions only
    assert summary["cpu_cores_per_1k_msgs_per_s"] is not None


async def test_the_command_line_tool_runs_a_fleet_from_the_api(
    platform: SimpleNamespace,
) -> None:
    import json
    import os
    import sys

    env = {**os.environ, "TRUCKWATCH_SIM_PASSWORD": PASSWORD}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from console.sim.cli import main; raise SystemExit(main())",
        "--jt808",
        f"127.0.0.1:{platform.ports.jt808}",
        "--api",
        platform.api,
        "--vehicles",
        "5",
        "--speedup",
        "60",
        "--seed",
        "3",
        "--duration",
        "4",
        "--progress",
        "1",
        "--clip-seconds",
        "1",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    summary = json.loads(out.decode().strip().splitlines()[-1])
    assert summary["vehicles"] == 5 and summary["positions"] > 0
    assert summary["connects"] >= 5
    assert b"CPU cores per 1,000 msgs/s" in err
    assert b"online" in err  # the progress lines


async def test_random_faults_do_not_lose_acknowledged_data(platform: SimpleNamespace) -> None:
    vehicles = await world(platform.api, 10)
    fleet = fleet_for(vehicles, platform.ports.jt808, fault_every_s=0.2, ack_timeout_s=1.0)
    await fleet.start()
    try:
        await asyncio.sleep(4.0)
        for unit in fleet.units:  # lift what is still in force, then let everything settle
            unit.terminal.faults.stop_acking = False
            unit.terminal.faults.delay_s = 0.0
        fleet.options.fault_every_s = None
        online = await eventually(lambda: settled(fleet), 40)
        assert online, [
            (
                u.spec.plate,
                u.terminal.state.value,
                u.transport is not None,
                u.reconnect_at,
                u.driver.connectivity.value if u.driver else None,
            )
            for u in fleet.units
            if not u.terminal.online
        ]
    finally:
        await fleet.stop()
    assert sum(fleet.stats.faults.values()) >= 10
    assert fleet.stats.faults["drop"] >= 1 or fleet.stats.disconnects >= 1
    assert fleet.stats.positions > 0
