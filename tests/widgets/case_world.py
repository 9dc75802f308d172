"""A real platform (``live``) with two simulated trucks of one enterprise driving in this
process (the simulator's :class:`~console.sim.fleet.Fleet` on its own asyncio thread,
random alarms off), so a test raises a DSM level-2 alarm on demand and the platform opens
a case for it by its default policy; plus the clients of the people involved: the admin,
the operator of the trucks' county and the safety officer of their enterprise.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from live_platform import ADMIN_PASSWORD, DEMO_PASSWORD, LivePlatform, wait_for

from console.client import PlatformClient
from console.platform.seed import COUNTIES
from console.sim.fleet import Fleet, FleetOptions
from console.sim.world import VehicleSpec, fetch_world

DSM_FATIGUE = 0x01


def login(live: LivePlatform, username: str) -> PlatformClient:
    client = PlatformClient(live.url)
    client.login(username, ADMIN_PASSWORD if username == "admin" else DEMO_PASSWORD)
    return client


@dataclass
class CaseWorld:
    live: LivePlatform
    trucks: list[VehicleSpec]
    fleet: Fleet
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    admin: PlatformClient
    operator: str  # username of the county operator
    officer: str  # username of the enterprise officer
    raised: list[str] = field(default_factory=list)

    def vehicle_id(self, n: int) -> str:
        return self.trucks[n].vehicle_id

    def raise_dsm(self, n: int) -> dict[str, Any]:
        """A DSM level-2 alarm on truck ``n`` (over JT/T 808); answers the case it opened."""
        vehicle_id = self.vehicle_id(n)
        cases = self.admin.cases(vehicle_id=vehicle_id, limit=100)["items"]
        for case in cases:  # a new alarm would attach to an open case of the truck
            if case["state"] not in ("closed", "dismissed"):
                self.admin.case_action(case["id"], "dismiss", {"note": "测试：换一件新工单"})
        before = {c["id"] for c in cases}

        async def raise_it() -> bool:
            return self.fleet.raise_alarm(self.trucks[n].plate, "dsm", DSM_FATIGUE, level=2)

        assert asyncio.run_coroutine_threadsafe(raise_it(), self.loop).result(30)

        def opened() -> dict[str, Any] | None:
            items = self.admin.cases(vehicle_id=vehicle_id, limit=100)["items"]
            return next(
                (c for c in items if c["id"] not in before and c["type_code"].startswith("dsm")),
                None,
            )

        case = wait_for(opened, 60, "a case opened by the DSM alarm")
        self.raised.append(case["id"])
        return case

    def wait_evidence(self, case_id: str, timeout_s: float = 90) -> dict[str, Any]:
        """The case detail once its first alarm's evidence is complete."""

        def complete() -> dict[str, Any] | None:
            detail = self.admin.case(case_id)
            alarms = detail.get("alarms") or []
            return detail if alarms and alarms[0]["evidence_status"] == "complete" else None

        return wait_for(complete, timeout_s, "the alarm's evidence uploaded", poll_s=0.5)

    def close(self) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self.fleet.stop(), self.loop).result(30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


def start_case_world(live: LivePlatform) -> CaseWorld:
    specs = fetch_world(live.url, "admin", ADMIN_PASSWORD)
    by_enterprise: dict[str, list[VehicleSpec]] = {}
    for spec in specs:
        by_enterprise.setdefault(spec.enterprise_id, []).append(spec)
    trucks = next(v for v in by_enterprise.values() if len(v) >= 2)[:2]
    options = FleetOptions(
        host="127.0.0.1",
        port=live.ports["jt808"],
        speedup=10.0,
        seed=7,
        horizon_s=5.0,
        report_s=5.0,
        clip_seconds=2.0,
        evidence_size=(320, 180),
        ramp_s=0.5,
        alarm_scale=0.0,
        offline_episodes=False,
    )
    fleet = Fleet(trucks, options)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="case-world-fleet", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(fleet.start(), loop).result(60)
    admin = login(live, "admin")
    wait_for(
        lambda: all(admin.vehicle(t.vehicle_id)["status"] != "offline" for t in trucks),
        60,
        "the case world's trucks online",
    )
    county_code = trucks[0].county_id.removeprefix("cty_")
    slug = next(slug for code, _n, slug, *_ in COUNTIES if code == county_code)
    officers = admin.get("/users", role="enterprise_officer", enterprise_id=trucks[0].enterprise_id)
    return CaseWorld(
        live=live,
        trucks=trucks,
        fleet=fleet,
        loop=loop,
        thread=thread,
        admin=admin,
        operator=f"op_{slug}",
        officer=officers[0]["username"],
    )
