"""Issue #3's end-to-end scenario over real loopback TCP and HTTP, with the whole Platform.

A 粤标 terminal registers, authenticates and reports; it raises a DSM alarm with three
attachments and uploads them when asked (one file needs a 0x9212 retransmission); it
answers a TTS command sent through the API. The API then returns the positions, the alarm
with complete evidence (bytes equal) and the command result. An SSE client gets the events
in order, disconnects, reconnects with Last-Event-ID and misses none. An officer of another
enterprise sees none of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from terminal import CST, report, yuebiao_terminal
from uploader import Uploader, info_for

from console.platform.config import PlatformConfig
from console.platform.server import Platform
from console.platform.store import Store
from console.protocol.binary import BcdTime
from console.protocol.jt808.active_safety import AlarmSnapshot, DsmAlarm
from console.protocol.jt808.alarm_ident import AlarmIdentification
from console.protocol.jt808.attachment import AttachmentUploadRequest, UploadResult
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import Dialect

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]
T0 = datetime(2026, 11, 21, 14, 0, tzinfo=CST)


class SseClient:
    """Reads the platform's event stream into a list, like the console will."""

    def __init__(self, base: str, token: str, last_event_id: int | None = None) -> None:
        self.base, self.token, self.last_event_id = base, token, last_event_id
        self.events: list[dict[str, Any]] = []
        self.task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def __aenter__(self) -> SseClient:
        self.task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.connected.wait(), 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    async def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        async with (
            httpx.AsyncClient(base_url=self.base, timeout=None) as client,
            client.stream("GET", "/api/v1/events", headers=headers) as response,
        ):
            assert response.status_code == 200
            self.connected.set()
            block: dict[str, str] = {}
            async for line in response.aiter_lines():
                if line == "":
                    if "data" in block and "id" in block:
                        data = json.loads(block["data"])
                        self.events.append(
                            {"id": int(block["id"]), "kind": block["event"], "data": data}
                        )
                    block = {}
                elif not line.startswith(":") and ":" in line:
                    key, _, value = line.partition(":")
                    block[key] = value.strip()

    async def wait_for(self, predicate, timeout: float = 15.0) -> dict[str, Any]:
        for _ in range(int(timeout / 0.05)):
            for event in self.events:
                if predicate(event):
                    return event
            await asyncio.sleep(0.05)
        raise AssertionError(f"no such event among {[e['kind'] for e in self.events]}")


def dsm_fatigue(terminal_id: str, when: datetime) -> DsmAlarm:
    ident = AlarmIdentification.build(
        terminal_id, BcdTime.from_datetime(when), 0, 3, Dialect.YUEBIAO
    )
    snapshot = AlarmSnapshot(55, 40, 23_700_000, 113_030_000, BcdTime.from_datetime(when), 0x401)
    return DsmAlarm(501, 1, 0x01, 2, 7, bytes(4), snapshot, ident)


EVIDENCE = {
    "00_65_6501_0_{no}.jpg": (0, b"\xff\xd8\xff\xe0" + bytes(range(256)) * 90),
    "00_65_6501_1_{no}.jpg": (0, b"\xff\xd8\xff\xe1" + bytes(range(255, -1, -1)) * 150),
    "02_65_6501_2_{no}.mp4": (2, b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 1200),
}


async def upload_evidence(request: AttachmentUploadRequest, phone: str) -> None:
    """What the terminal does after 0x9208: one file loses a chunk and is completed after
    the platform's 0x9212 asks for exactly that range."""
    no = request.alarm_no.rstrip("\x00")
    files = {name.format(no=no): value for name, value in EVIDENCE.items()}
    async with Uploader(request.tcp_port, phone, Edition.V2019) as up:
        assert (await up.announce(info_for(request.alarm_ident, no, files))).result == 0
        for i, (name, (file_type, data)) in enumerate(files.items()):
            reply = await up.upload(name, data, file_type, skip={1} if i == 2 else set())
            if i == 2:
                assert reply.result == UploadResult.RETRANSMIT and len(reply.retransmit) == 1
                for rng in reply.retransmit:
                    up.send_packet(name, rng.offset, data[rng.offset : rng.offset + rng.length])
                reply = await up.finish(name, file_type, len(data))
            assert reply.result == UploadResult.COMPLETE


async def test_terminal_to_api_to_event_stream(
    store: Store, world: Any, password: str, tmp_path: Path
) -> None:
    vehicle = world.vehicles[world.ent_a1][0]  # a 2019 粤标 terminal
    other_vehicle = world.vehicles[world.ent_b1][0]
    config = PlatformConfig(db_url=store.url, data_dir=tmp_path / "data", host="127.0.0.1")
    platform = Platform(config, store)
    ports = await platform.start()
    base = f"http://127.0.0.1:{ports.http}"
    terminal = yuebiao_terminal(ports.jt808, world, vehicle)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as api:
            tokens = {}
            for user in ("admin", "ent_b1"):
                reply = await api.post(
                    "/api/v1/auth/login", json={"username": user, "password": password}
                )
                assert reply.status_code == 200, reply.text
                tokens[user] = reply.json()["token"]
            admin = {"Authorization": f"Bearer {tokens['admin']}"}
            stranger = {"Authorization": f"Bearer {tokens['ent_b1']}"}

            async with (
                SseClient(base, tokens["admin"]) as first,
                SseClient(base, tokens["ent_b1"]) as other,
            ):
                await terminal.login()
                for k in range(3):
                    reply = await terminal.request(
                        report(T0 + timedelta(seconds=30 * k), speed=40 + k)
                    )
                    assert reply.result == 0
                alarm_at = T0 + timedelta(seconds=95)
                await terminal.request(report(alarm_at, items=(dsm_fatigue("T000001", alarm_at),)))
                await first.wait_for(lambda e: e["kind"] == "alarm")
            cut = first.events[-1]["id"]  # the Last-Event-ID the console would send

            # The first client is gone; the evidence and the TTS command happen meanwhile.
            for _ in range(200):
                requests = [c for c in terminal.commands if isinstance(c, AttachmentUploadRequest)]
                if requests:
                    break
                await asyncio.sleep(0.05)
            (upload_request,) = requests
            await upload_evidence(upload_request, terminal.phone)
            text = await api.post(
                f"/api/v1/vehicles/{vehicle}/commands/text",
                json={"text": "您已疲劳驾驶，请立即停车休息"},
                headers=admin,
            )
            assert text.status_code == 200, text.text
            command = text.json()
            assert command["status"] == "acked" and terminal.texts == [
                "您已疲劳驾驶，请立即停车休息"
            ]

            # --- what the API returns ------------------------------------------------------
            track = await api.get(
                f"/api/v1/vehicles/{vehicle}/track",
                params={
                    "start": (T0 - timedelta(minutes=1)).isoformat(),
                    "end": (T0 + timedelta(minutes=5)).isoformat(),
                },
                headers=admin,
            )
            assert [p["speed_kmh"] for p in track.json()["positions"]] == [40, 41, 42, 50]
            alarms = (
                await api.get("/api/v1/alarms", params={"vehicle_id": vehicle}, headers=admin)
            ).json()
            (alarm,) = alarms["items"]
            assert alarm["type_code"] == "dsm.01" and alarm["level"] == 2
            for _ in range(100):
                alarm = (await api.get(f"/api/v1/alarms/{alarm['id']}", headers=admin)).json()
                if alarm["evidence_status"] == "complete":
                    break
                await asyncio.sleep(0.05)
            assert alarm["evidence_status"] == "complete"
            listed = (
                await api.get(f"/api/v1/alarms/{alarm['id']}/evidence", headers=admin)
            ).json()["items"]
            no = upload_request.alarm_no.rstrip("\x00")
            assert len(listed) == 3
            for item in listed:
                content = await api.get(item["url"], headers=admin)
                template = item["file_name"].replace(no, "{no}")
                assert content.content == EVIDENCE[template][1]
            done = (await api.get(f"/api/v1/commands/{command['id']}", headers=admin)).json()
            assert done["status"] == "acked"

            # --- scope: another enterprise's officer sees nothing of it ---------------------
            for url in (
                f"/api/v1/vehicles/{vehicle}",
                f"/api/v1/alarms/{alarm['id']}",
                f"/api/v1/alarms/{alarm['id']}/evidence",
                listed[0]["url"],
            ):
                assert (await api.get(url, headers=stranger)).status_code == 404, url
            assert (await api.get("/api/v1/alarms", headers=stranger)).json()["total"] == 0
            assert (
                await api.get(f"/api/v1/vehicles/{other_vehicle}", headers=stranger)
            ).status_code == 200

            # --- resume: the reconnecting client gets everything after its last event -------
            async with SseClient(base, tokens["admin"], last_event_id=cut) as resumed:
                await resumed.wait_for(
                    lambda e: e["kind"] == "command" and e["data"]["status"] == "acked"
                )
                await asyncio.sleep(1.0)  # the coalesced positions of the last moments
            seen = first.events + resumed.events
            ids = [e["id"] for e in seen]
            assert ids == sorted(ids) and len(ids) == len(set(ids)), "in order, none twice"
            from console.domain.model import Scope
            from console.platform.store.events import events_after

            with store.connect() as conn:
                logged, _, _ = events_after(conn, 0, Scope.everything(), limit=10_000)
            start = first.events[0]["id"]
            expected = [e.id for e in logged if start <= e.id <= ids[-1]]
            assert ids == expected, "the two connections together saw every event exactly once"
            kinds = {e["kind"] for e in seen}
            assert {
                "vehicle_online",
                "positions",
                "alarm",
                "evidence",
                "alarm_updated",
                "command",
            } <= kinds
            assert not [e for e in other.events if e.get("vehicle_id") == vehicle]
            assert all(
                p["vehicle_id"] != vehicle
                for e in other.events
                if e["kind"] == "positions"
                for p in e["positions"]
            )
    finally:
        await terminal.close()
        await platform.stop()
