"""A terminal the registry does not know is refused with 0x8100 "no such vehicle", and the
refusal is listed for admins until the truck is registered and the terminal gets in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from terminal import TestTerminal

from console.domain.model import PLATE_COLOR_YELLOW, VehicleType
from console.platform.config import PlatformConfig
from console.platform.server import Platform
from console.platform.store import Store, registry
from console.protocol.jt808.basic import RegisterResult
from console.protocol.jt808.header import Edition

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]
PHONE = "013912345678"
PLATE = "粤R9Z001"


async def test_a_refused_terminal_is_visible_until_its_truck_is_registered(
    store: Store, world: Any, password: str, tmp_path: Path
) -> None:
    platform = Platform(PlatformConfig(db_url=store.url, data_dir=tmp_path / "data"), store)
    ports = await platform.start()
    terminal = TestTerminal(
        "127.0.0.1", ports.jt808, PHONE, "TNEW001", PLATE, edition=Edition.V2013
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports.http}") as api:
            headers = {}
            for user in ("admin", "op_a"):
                token = (
                    await api.post(
                        "/api/v1/auth/login", json={"username": user, "password": password}
                    )
                ).json()["token"]
                headers[user] = {"Authorization": f"Bearer {token}"}
            await terminal.connect()
            for _ in range(2):
                assert (await terminal.register()).result == RegisterResult.NO_SUCH_VEHICLE
            refused = (
                await api.get("/api/v1/registrations/refused", headers=headers["admin"])
            ).json()
            (item,) = refused["items"]
            assert (item["phone"], item["plate"], item["terminal_id"]) == (PHONE, PLATE, "TNEW001")
            assert (item["reason"], item["result"], item["attempts"]) == ("no_such_vehicle", 2, 2)
            listing = await api.get("/api/v1/registrations/refused", headers=headers["op_a"])
            assert listing.status_code == 403

            # The county puts the truck and its terminal into the registry: it gets in.
            with store.begin() as conn:
                vehicle = registry.add_vehicle(
                    conn,
                    plate=PLATE,
                    plate_color=PLATE_COLOR_YELLOW,
                    enterprise_id=world.ent_a1,
                    vehicle_type=VehicleType.HEAVY_GOODS,
                )
                registry.add_terminal(
                    conn, phone=PHONE, terminal_id="TNEW001", vehicle_id=vehicle.id
                )
            reply = await terminal.register()
            assert reply.result == RegisterResult.SUCCESS and reply.auth_code
            assert (await terminal.authenticate()).result == 0
            refused = (
                await api.get("/api/v1/registrations/refused", headers=headers["admin"])
            ).json()
            assert refused == {"items": [], "total": 0}
    finally:
        await terminal.close()
        await platform.stop()
