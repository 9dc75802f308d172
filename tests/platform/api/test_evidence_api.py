"""Evidence over HTTP: the list of an alarm's files, the download with HTTP Range (seeking
in a video), scoping, and asking the terminal again (0x9208)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import insert, select

from console.domain.model import Command, CommandKind, CommandStatus, FileType
from console.platform.config import PlatformConfig
from console.platform.store import Store
from console.platform.store.evidence import (
    mark_complete,
    refresh_evidence_status,
    upsert_evidence,
)
from console.platform.store.schema import alarms
from console.protocol.binary import BcdTime
from console.protocol.jt808.alarm_ident import AlarmIdentification
from console.protocol.jt808.attachment import AttachmentUploadRequest
from console.protocol.jt808.message import Dialect, Message

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
IDENT = AlarmIdentification.build("GD00001", BcdTime("261121160000"), 0, 2, Dialect.YUEBIAO)
ALARM_NO = "0123456789ABCDEF0123456789ABCDEF"
VIDEO = random.Random(1).randbytes(300_000)
PHOTO = b"\xff\xd8\xff\xe0" + random.Random(2).randbytes(5000)


class RecordingCommander:
    """The gateway's Commander protocol, recording what it is asked to send."""

    def __init__(self, status: CommandStatus = CommandStatus.ACKED) -> None:
        self.status = status
        self.calls: list[dict[str, Any]] = []

    def is_online(self, vehicle_id: str) -> bool:
        return self.status is not CommandStatus.OFFLINE

    async def send(
        self,
        vehicle_id: str,
        kind: CommandKind,
        message: Message,
        *,
        params: dict[str, Any] | None = None,
        user_id: str | None = None,
    ) -> Command:
        self.calls.append(
            {
                "vehicle_id": vehicle_id,
                "kind": kind,
                "message": message,
                "params": params,
                "user_id": user_id,
            }
        )
        return Command(
            id="cmd_test",
            vehicle_id=vehicle_id,
            kind=kind,
            status=self.status,
            created_at=NOW,
            updated_at=NOW,
            message_id=message.message_id,
            serial=7,
            params=params or {},
            result={"result": 0} if self.status is CommandStatus.ACKED else {},
            created_by=user_id,
        )


def add_alarm(
    store: Store,
    alarm_id: str,
    vehicle_id: str,
    county_id: str,
    enterprise_id: str,
    *,
    ident: AlarmIdentification | None = IDENT,
    alarm_no: str | None = ALARM_NO,
    status: str = "pending",
) -> None:
    with store.begin() as conn:
        conn.execute(
            insert(alarms).values(
                id=alarm_id,
                vehicle_id=vehicle_id,
                county_id=county_id,
                enterprise_id=enterprise_id,
                type_code="dsm.01",
                family="dsm",
                severity=2,
                source="terminal",
                alarm_key=f"key:{alarm_id}",
                started_at=NOW,
                evidence_status=status,
                attachment_count=ident.attachments if ident else 0,
                alarm_no=alarm_no,
                alarm_ident=ident.raw.hex() if ident else None,
                detail={},
                created_at=NOW,
                updated_at=NOW,
            )
        )


def add_file(ctx: Any, alarm_id: str, name: str, data: bytes, *, complete: bool = True) -> str:
    """An evidence file as the attachment server leaves it."""
    relative = f"evidence/{alarm_id}/{name}"
    path = Path(ctx.config.data_dir) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if complete:
        path.write_bytes(data)
    with ctx.store.begin() as conn:
        row = upsert_evidence(
            conn,
            alarm_id,
            name,
            file_type=FileType.VIDEO if name.endswith(".mp4") else FileType.PHOTO,
            size=len(data),
            path=relative,
            received=len(data) if complete else len(data) // 3,
            now=NOW,
        )
        if complete:
            mark_complete(conn, row.id, now=NOW)
    return row.id


@pytest.fixture
def files(world, ctx) -> SimpleNamespace:
    """An alarm of enterprise A1 (county A) with a video, a photo and an unfinished file;
    an alarm of enterprise B1 (county B)."""
    a1 = world.vehicles[world.ent_a1][0]
    b1 = world.vehicles[world.ent_b1][0]
    add_alarm(ctx.store, "alm_a1", a1, world.county_a, world.ent_a1)
    add_alarm(ctx.store, "alm_b1", b1, world.county_b, world.ent_b1, alarm_no="B" * 32)
    made = SimpleNamespace(
        vehicle=a1,
        video=add_file(ctx, "alm_a1", f"02_65_6501_2_{ALARM_NO}.mp4", VIDEO),
        photo=add_file(ctx, "alm_a1", f"00_65_6501_0_{ALARM_NO}.jpg", PHOTO),
        partial=add_file(ctx, "alm_a1", "00_65_6501_1_partial.jpg", PHOTO, complete=False),
        other=add_file(ctx, "alm_b1", "00_65_6501_0_other.jpg", PHOTO),
    )
    with ctx.store.begin() as conn:  # the upload of alm_a1 stopped short
        refresh_evidence_status(conn, "alm_a1", uploading=False, now=NOW)
    return made


def content(client, login, evidence_id: str, user: str = "admin", **headers: str):
    return client.get(f"/api/v1/evidence/{evidence_id}/content", headers={**login(user), **headers})


# --- list -----------------------------------------------------------------------------------


def test_list_of_an_alarms_evidence(client, login, files) -> None:
    response = client.get("/api/v1/alarms/alm_a1/evidence", headers=login("op_a"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["alarm_id"], body["evidence_status"], body["attachment_count"]) == (
        "alm_a1",
        "incomplete",
        2,
    )
    items = {item["id"]: item for item in body["items"]}
    assert set(items) == {files.video, files.photo, files.partial}
    video = items[files.video]
    assert video == {
        "id": files.video,
        "alarm_id": "alm_a1",
        "file_name": f"02_65_6501_2_{ALARM_NO}.mp4",
        "file_type": 2,
        "file_kind": "video",
        "content_type": "video/mp4",
        "size": len(VIDEO),
        "received": len(VIDEO),
        "complete": True,
        "created_at": NOW.isoformat(),
        "url": f"/api/v1/evidence/{files.video}/content",
    }
    partial = items[files.partial]
    assert (partial["complete"], partial["received"]) == (False, len(PHOTO) // 3)


@pytest.mark.parametrize("user", ["op_b", "ent_a2", "ent_b1"])
def test_list_outside_the_scope_is_404(client, login, files, user: str) -> None:
    response = client.get("/api/v1/alarms/alm_a1/evidence", headers=login(user))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_needs_a_login(client, files) -> None:
    assert client.get("/api/v1/alarms/alm_a1/evidence").status_code == 401


# --- content --------------------------------------------------------------------------------


def test_whole_file(client, login, files) -> None:
    response = content(client, login, files.video, "ent_a1")
    assert response.status_code == 200
    assert response.content == VIDEO
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["content-length"] == str(len(VIDEO))
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"].startswith('"') and files.video in response.headers["etag"]
    assert "content-range" not in response.headers
    photo = content(client, login, files.photo)
    assert (photo.status_code, photo.headers["content-type"]) == (200, "image/jpeg")
    assert photo.content == PHOTO


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),  # the first bytes (a player reading the header)
        ("bytes=150000-150999", 150_000, 150_999),  # the middle (a seek)
        ("bytes=-500", 300_000 - 500, 299_999),  # the suffix (mp4 moov at the end)
        ("bytes=299000-", 299_000, 299_999),  # from an offset to the end
        ("bytes=299990-400000", 299_990, 299_999),  # past the end: clipped
        ("bytes=-999999", 0, 299_999),  # a suffix longer than the file
        ("bytes=0-0", 0, 0),
    ],
)
def test_range(client, login, files, header: str, first: int, last: int) -> None:
    response = content(client, login, files.video, Range=header)
    assert response.status_code == 206, response.text
    assert response.content == VIDEO[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/{len(VIDEO)}"
    assert response.headers["content-length"] == str(last - first + 1)
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize("header", ["bytes=300000-", "bytes=400000-400010", "bytes=-0"])
def test_unsatisfiable_range_is_416(client, login, files, header: str) -> None:
    response = content(client, login, files.video, Range=header)
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(VIDEO)}"
    assert response.json()["error"]["code"] == "range_not_satisfiable"


@pytest.mark.parametrize(
    "header", ["bytes=0-1,5-6", "items=0-10", "bytes=10-5", "bytes=abc", "bytes=-"]
)
def test_ranges_we_ignore_give_the_whole_file(client, login, files, header: str) -> None:
    response = content(client, login, files.video, Range=header)
    assert response.status_code == 200
    assert response.content == VIDEO


def test_conditional_requests(client, login, files) -> None:
    etag = content(client, login, files.photo).headers["etag"]
    assert content(client, login, files.photo, **{"If-None-Match": etag}).status_code == 304
    fresh = content(client, login, files.photo, Range="bytes=0-9", **{"If-Range": etag})
    assert (fresh.status_code, fresh.content) == (206, PHOTO[:10])
    stale = content(client, login, files.photo, Range="bytes=0-9", **{"If-Range": '"old"'})
    assert (stale.status_code, stale.content) == (200, PHOTO)


@pytest.mark.parametrize("user", ["ent_a2", "ent_b1", "op_b"])
def test_another_enterprises_evidence_is_404(client, login, files, user: str) -> None:
    response = content(client, login, files.video, user, Range="bytes=0-9")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert content(client, login, files.other, "ent_b1").status_code == 200
    assert content(client, login, files.other, "ent_a1").status_code == 404


def test_unknown_evidence_is_404(client, login, files) -> None:
    assert content(client, login, "evd_nope").status_code == 404


def test_incomplete_evidence_is_409(client, login, files) -> None:
    response = content(client, login, files.partial, Range="bytes=0-9")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "evidence_incomplete"
    assert f"{len(PHOTO) // 3} of {len(PHOTO)} bytes" in error["message"]


def test_a_missing_file_is_404_not_500(client, login, files, ctx) -> None:
    (Path(ctx.config.data_dir) / f"evidence/alm_a1/00_65_6501_0_{ALARM_NO}.jpg").unlink()
    assert content(client, login, files.photo).status_code == 404


# --- ask the terminal again -----------------------------------------------------------------


@pytest.fixture
def commander(ctx) -> RecordingCommander:
    ctx.gateway = RecordingCommander()
    ctx.config = PlatformConfig(
        db_url=ctx.store.url,
        data_dir=ctx.config.data_dir,
        public_host="203.0.113.9",
        attachment_port=7100,
    )
    return ctx.gateway


def test_request_sends_0x9208(client, login, files, commander, world) -> None:
    response = client.post("/api/v1/alarms/alm_a1/evidence/request", headers=login("ent_a1"))
    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["id"], body["kind"], body["status"]) == ("cmd_test", "evidence_request", "acked")
    assert body["message_id"] == "0x9208" and body["vehicle_id"] == files.vehicle
    [call] = commander.calls
    assert call["vehicle_id"] == files.vehicle
    assert call["kind"] is CommandKind.EVIDENCE_REQUEST
    assert call["user_id"] == world.users["ent_a1"]
    assert call["params"] == {"alarm_id": "alm_a1", "alarm_no": ALARM_NO}
    assert call["message"] == AttachmentUploadRequest("203.0.113.9", 7100, 0, IDENT, ALARM_NO)


def test_request_assigns_a_missing_alarm_number(client, login, world, ctx, commander) -> None:
    vehicle = world.vehicles[world.ent_a1][1]
    add_alarm(ctx.store, "alm_nono", vehicle, world.county_a, world.ent_a1, alarm_no=None)
    response = client.post("/api/v1/alarms/alm_nono/evidence/request", headers=login("admin"))
    assert response.status_code == 202
    with ctx.store.connect() as conn:
        stored = conn.execute(select(alarms.c.alarm_no).where(alarms.c.id == "alm_nono")).scalar()
    assert stored and len(stored) == 32
    assert commander.calls[0]["message"].alarm_no == stored


@pytest.mark.parametrize("user", ["ent_a2", "op_b"])
def test_request_outside_the_scope_is_404(client, login, files, commander, user) -> None:
    response = client.post("/api/v1/alarms/alm_a1/evidence/request", headers=login(user))
    assert response.status_code == 404
    assert commander.calls == []


def test_request_to_an_offline_terminal_is_409(client, login, files, commander) -> None:
    commander.status = CommandStatus.OFFLINE
    response = client.post("/api/v1/alarms/alm_a1/evidence/request", headers=login("admin"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "terminal_offline"


def test_request_for_an_alarm_without_attachments_is_409(
    client, login, world, ctx, commander
) -> None:
    vehicle = world.vehicles[world.ent_a1][0]
    add_alarm(
        ctx.store, "alm_flag", vehicle, world.county_a, world.ent_a1, ident=None, alarm_no=None
    )
    response = client.post("/api/v1/alarms/alm_flag/evidence/request", headers=login("admin"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_attachments"
    assert commander.calls == []


def test_request_without_a_gateway_is_503(client, login, files) -> None:
    response = client.post("/api/v1/alarms/alm_a1/evidence/request", headers=login("admin"))
    assert response.status_code == 503
