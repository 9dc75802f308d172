"""Issue #7's acceptance scenario over real loopback TCP and HTTP, with the whole Platform:

a 粤标 terminal raises a level-2 DSM alarm and a case opens; the county operator reminds the
driver (the terminal acks the TTS and the ack shows on the case) and notifies the enterprise
(a webhook receiver gets the 通报); the enterprise officer, logged in separately, finds it in
the inbox and submits feedback with an attachment; the county closes it; the audit trail has
every step and the live stream carried them. Officers of other enterprises can neither see
nor touch it. A second case passes its deadline and escalates on its own.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from terminal import CST, report, yuebiao_terminal
from test_end_to_end import SseClient, dsm_fatigue

from console.platform.config import PlatformConfig
from console.platform.server import Platform
from console.platform.store import Store
from console.protocol.binary import BcdTime
from console.protocol.jt808.active_safety import AlarmSnapshot, DsmAlarm
from console.protocol.jt808.alarm_ident import AlarmIdentification
from console.protocol.jt808.message import Dialect

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]
T0 = datetime(2026, 11, 21, 15, 0, tzinfo=CST)
PROOF = b"\xff\xd8\xff\xe0" + "整改记录".encode() * 500


class Receiver(BaseHTTPRequestHandler):
    """A group robot: records what it is sent and answers like WeCom does."""

    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(json.loads(body))
        answer = b'{"errcode": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def robot() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: ClassVar[list[dict[str, Any]]] = []
    handler = type("Robot", (Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield (
            f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=0123456789abcdef",
            received,
        )
    finally:
        server.shutdown()
        server.server_close()


def dsm_phone(terminal_id: str, when: datetime) -> DsmAlarm:
    ident = AlarmIdentification.build(
        terminal_id, BcdTime.from_datetime(when), 1, 0, Dialect.YUEBIAO
    )
    snapshot = AlarmSnapshot(48, 40, 23_700_000, 113_030_000, BcdTime.from_datetime(when), 0x401)
    return DsmAlarm(502, 1, 0x02, 2, 0, bytes(4), snapshot, ident)


async def poll(call: Any, predicate: Any, timeout: float = 15.0) -> Any:
    for _ in range(int(timeout / 0.1)):
        value = await call()
        if predicate(value):
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"never true; last: {value}")


async def test_a_case_goes_round_the_closed_loop(
    store: Store, world: Any, password: str, tmp_path: Path, robot: Any
) -> None:
    robot_url, robot_received = robot
    vehicle = world.vehicles[world.ent_a1][0]  # a 2019 粤标 terminal
    config = PlatformConfig(
        db_url=store.url,
        data_dir=tmp_path / "data",
        case_sweep_s=0.2,
        outbox_poll_s=0.2,
    )
    platform = Platform(config, store)
    ports = await platform.start()
    base = f"http://127.0.0.1:{ports.http}"
    terminal = yuebiao_terminal(ports.jt808, world, vehicle)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as api:
            h = {}
            for user in ("admin", "op_a", "ent_a1", "ent_a2", "ent_b1"):
                reply = await api.post(
                    "/api/v1/auth/login", json={"username": user, "password": password}
                )
                h[user] = {"Authorization": f"Bearer {reply.json()['token']}"}
            # The admin: a WeCom robot for the enterprise's group, and phone-use cases due
            # within 3 seconds (to see one escalate).
            hooks = [
                {
                    "id": "wh_a1",
                    "name": "企业安全群",
                    "kind": "wecom",
                    "url": robot_url,
                    "enterprise_id": world.ent_a1,
                    "actions": ["notify", "escalate"],
                }
            ]
            assert (await api.put("/api/v1/webhooks", json=hooks, headers=h["admin"])).is_success
            policy = (await api.get("/api/v1/policies", headers=h["admin"])).json()
            policy["rules"].append({"match": "dsm.02", "deadlines_min": {"new": 0.05}})
            reply = await api.put("/api/v1/policies", json=policy, headers=h["admin"])
            assert reply.status_code == 200, reply.text

            async with SseClient(base, h["ent_a1"]["Authorization"][7:]) as officer_stream:
                await terminal.login()
                assert (await terminal.request(report(T0, speed=45))).result == 0
                alarm_at = T0 + timedelta(seconds=30)
                await terminal.request(report(alarm_at, items=(dsm_fatigue("T000001", alarm_at),)))

                # --- a case opens -----------------------------------------------------------
                async def county_cases() -> Any:
                    return (await api.get("/api/v1/cases", headers=h["op_a"])).json()

                listed = await poll(county_cases, lambda r: r["total"] == 1)
                (case,) = listed["items"]
                assert case["state"] == "new" and case["type_code"] == "dsm.01"
                assert case["plate"] == world.plates[vehicle]
                assert case["actions"]["remind"]["allowed"]
                assert not case["actions"]["feedback"]["allowed"]
                url = f"/api/v1/cases/{case['id']}"

                # --- the county reminds: the terminal acks the TTS ---------------------------
                reply = await api.post(f"{url}/actions/remind", json={}, headers=h["op_a"])
                assert reply.status_code == 200, reply.text
                detail = reply.json()
                assert detail["state"] == "reminded" and detail["reminder_status"] == "acked"
                assert terminal.texts == [detail["reminder_text"]]
                assert detail["reminder_text"] == "您已出现疲劳驾驶，请立即在安全地点停车休息。"
                remind = detail["events"][-1]
                assert (
                    remind["action"] == "remind" and remind["detail"]["command_status"] == "acked"
                )

                # --- and notifies the enterprise -----------------------------------------------
                deadline = (datetime.now(CST) + timedelta(hours=4)).replace(microsecond=0)
                reply = await api.post(
                    f"{url}/actions/notify",
                    json={"deadline": deadline.isoformat(), "note": "请核实并对驾驶员进行教育"},
                    headers=h["op_a"],
                )
                assert reply.status_code == 200, reply.text
                assert datetime.fromisoformat(reply.json()["deadline"]) == deadline

                # --- the enterprise officer finds it in the inbox -----------------------------
                inbox = (
                    await api.get(
                        "/api/v1/cases", params={"state": "notified"}, headers=h["ent_a1"]
                    )
                ).json()
                assert [c["id"] for c in inbox["items"]] == [case["id"]]
                assert inbox["items"][0]["actions"]["feedback"]["allowed"]
                uploaded = await api.post(
                    "/api/v1/attachments",
                    params={"name": "整改记录.jpg"},
                    content=PROOF,
                    headers={**h["ent_a1"], "Content-Type": "image/jpeg"},
                )
                assert uploaded.status_code == 200, uploaded.text
                attachment = uploaded.json()
                reply = await api.post(
                    f"{url}/actions/feedback",
                    json={
                        "measures": ["criticism", "training"],
                        "note": "已对驾驶员批评教育，安排安全培训",
                        "attachments": [attachment["id"]],
                    },
                    headers=h["ent_a1"],
                )
                assert reply.status_code == 200, reply.text
                assert reply.json()["state"] == "feedback"

                # --- the county reviews and closes --------------------------------------------
                review = (
                    await api.get("/api/v1/cases", params={"state": "feedback"}, headers=h["op_a"])
                ).json()
                assert [c["id"] for c in review["items"]] == [case["id"]]
                reply = await api.post(
                    f"{url}/actions/close", json={"note": "整改到位，同意办结"}, headers=h["op_a"]
                )
                assert reply.status_code == 200, reply.text
                closed = reply.json()
                assert closed["state"] == "closed" and closed["closed_at"]

                # --- the audit trail has every step -------------------------------------------
                trail = [
                    (e["action"], e["from_state"], e["to_state"], e["username"])
                    for e in closed["events"]
                ]
                assert trail == [
                    ("open", None, "new", "system"),
                    ("remind", "new", "reminded", "op_a"),
                    ("notify", "reminded", "notified", "op_a"),
                    ("feedback", "notified", "feedback", "ent_a1"),
                    ("close", "feedback", "closed", "op_a"),
                ]
                (proof,) = closed["events"][3]["attachments"]
                assert proof["file_name"] == "整改记录.jpg"
                content = await api.get(proof["url"], headers=h["op_a"])
                assert content.content == PROOF
                assert closed["alarms"][0]["type_code"] == "dsm.01"

                # The officer's live stream carried every step of it.
                await officer_stream.wait_for(
                    lambda e: e["kind"] == "case" and e["data"]["event"]["action"] == "close"
                )
                streamed = [
                    e["data"]["event"]["action"]
                    for e in officer_stream.events
                    if e["kind"] == "case" and e["data"]["case"]["id"] == case["id"]
                ]
                assert streamed == ["open", "remind", "notify", "feedback", "close"]

            # --- another enterprise's officer can neither see nor touch it -------------------
            for stranger in ("ent_a2", "ent_b1"):
                assert (await api.get("/api/v1/cases", headers=h[stranger])).json()["total"] == 0
                assert (await api.get(url, headers=h[stranger])).status_code == 404
                reply = await api.post(
                    f"{url}/actions/reopen", json={"note": "x"}, headers=h[stranger]
                )
                assert reply.status_code == 404
                assert (await api.get(proof["url"], headers=h[stranger])).status_code == 404

            # --- the webhook told the enterprise's group about the 通报 ------------------------
            await poll(lambda: _async(robot_received), lambda r: any("通报" in str(m) for m in r))
            (sent,) = [m for m in robot_received if "通报" in str(m)]
            assert sent["msgtype"] == "markdown"
            assert world.plates[vehicle] in sent["markdown"]["content"]

            # --- a second case passes its deadline and escalates ---------------------------
            phone_at = T0 + timedelta(minutes=2)
            await terminal.request(report(phone_at, items=(dsm_phone("T000001", phone_at),)))
            second = await poll(
                lambda: _json(
                    api.get("/api/v1/cases", params={"overdue": "true"}, headers=h["op_a"])
                ),
                lambda r: r["total"] == 1,
            )
            (late,) = second["items"]
            assert late["type_code"] == "dsm.02@yuebiao" and late["escalation_level"] == 1
            assert late["supervisor"] == "县区交通运输主管部门"
            late_detail = (await api.get(f"/api/v1/cases/{late['id']}", headers=h["op_a"])).json()
            escalated = late_detail["events"][-1]
            assert escalated["action"] == "escalate" and escalated["username"] == "system"
            delivered = await poll(
                lambda: _json(api.get(f"/api/v1/cases/{late['id']}", headers=h["admin"])),
                lambda d: [x["status"] for x in d["deliveries"]] == ["sent"],
            )
            assert delivered["deliveries"][0]["channel_id"] == "wh_a1"
    finally:
        await terminal.close()
        await platform.stop()


async def _async(value: Any) -> Any:
    return value


async def _json(request: Any) -> Any:
    return (await request).json()
