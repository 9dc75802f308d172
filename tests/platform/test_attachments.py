"""The evidence (attachment) server over real loopback TCP, with the real store, event bus
and metrics. The terminal side is a small uploader built on the protocol core."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select
from uploader import CHUNK, Uploader, info_for

from console.domain.model import EventKind, EvidenceStatus, FileType, Scope
from console.platform.attachments import (
    AttachmentServer,
    domain_file_type,
    safe_file_name,
    upload_request_for,
    upload_request_for_alarm,
)
from console.platform.config import PlatformConfig
from console.platform.events import EventBus
from console.platform.metrics import Metrics
from console.platform.store import Store
from console.platform.store.events import events_after
from console.platform.store.evidence import get_alarm_ref, list_evidence
from console.platform.store.schema import alarms, counties, enterprises, evidence, vehicles
from console.protocol.binary import BcdTime
from console.protocol.jt808.alarm_ident import AlarmIdentification
from console.protocol.jt808.attachment import (
    STREAM_MAGIC,
    AttachmentUploadRequest,
    ByteRange,
    FileInfo,
    FileUploadCompleteResponse,
    InfoType,
    StreamPacket,
    UploadResult,
)
from console.protocol.jt808.basic import Heartbeat, PlatformResponse, ResponseResult
from console.protocol.jt808.codec import encode_message
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import Dialect

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
ALARM_TIME = BcdTime("261121160000")
YUE_PHONE = "00000000013800000001"
SU_PHONE = "013800000002"


# --- the world ------------------------------------------------------------------------------


def seed(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(insert(counties), [{"id": "cty_1", "name": "清城区"}])
        conn.execute(
            insert(enterprises),
            [{"id": "ent_1", "name": "安达物流", "county_id": "cty_1", "created_at": NOW}],
        )
        conn.execute(
            insert(vehicles),
            [
                {
                    "id": vid,
                    "plate": plate,
                    "plate_color": 2,
                    "enterprise_id": "ent_1",
                    "county_id": "cty_1",
                    "vehicle_type": "heavy_goods",
                    "speed_limit_kmh": 80,
                    "created_at": NOW,
                }
                for vid, plate in (("veh_yue", "粤R10001"), ("veh_su", "粤R10002"))
            ],
        )


def add_alarm(
    store: Store, alarm_id: str, ident: AlarmIdentification, alarm_no: str, *, vehicle: str
) -> None:
    with store.begin() as conn:
        conn.execute(
            insert(alarms).values(
                id=alarm_id,
                vehicle_id=vehicle,
                county_id="cty_1",
                enterprise_id="ent_1",
                type_code="dsm.01",
                family="dsm",
                severity=2,
                source="terminal",
                alarm_key=f"as:{ident.raw.hex()}",
                started_at=NOW,
                evidence_status="pending",
                attachment_count=ident.attachments,
                alarm_no=alarm_no,
                alarm_ident=ident.raw.hex(),
                detail={},
                created_at=NOW,
                updated_at=NOW,
            )
        )


def yue_ident(seq: int = 0, attachments: int = 3) -> AlarmIdentification:
    return AlarmIdentification.build("GD00001", ALARM_TIME, seq, attachments, Dialect.YUEBIAO)


def su_ident(seq: int = 0, attachments: int = 2) -> AlarmIdentification:
    return AlarmIdentification.build("SU00002", ALARM_TIME, seq, attachments, Dialect.SUBIAO)


def blob(n: int, head: bytes = b"", seed: int = 0) -> bytes:
    return head + random.Random(seed).randbytes(n - len(head))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
MP4 = b"\x00\x00\x00\x20ftypisom"


@pytest.fixture
def store(store: Store) -> Store:
    """The migrated store of ``conftest`` (SQLite; PostgreSQL too when configured), seeded."""
    seed(store)
    return store


def make_platform(store: Store, data_dir: Path, **settings) -> SimpleNamespace:
    config = PlatformConfig(db_url=store.url, data_dir=data_dir, **settings)
    return SimpleNamespace(
        config=config, store=store, bus=EventBus(), metrics=Metrics(), clock=time.time
    )


@contextlib.asynccontextmanager
async def running(store: Store, tmp_path: Path, **kw) -> AsyncIterator[AttachmentServer]:
    platform = make_platform(store, tmp_path / "data")
    server = AttachmentServer(platform, **kw)
    platform.attachments = server
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def yue_files(alarm_no: str) -> dict[str, tuple[int, bytes]]:
    return {
        f"00_65_6501_0_{alarm_no}.jpg": (0, blob(23_456, JPEG, 1)),
        f"00_65_6501_1_{alarm_no}.jpg": (0, blob(41_000, JPEG, 2)),
        f"02_65_6501_2_{alarm_no}.mp4": (2, blob(307_200 + 123, MP4, 3)),
    }


def stored_files(store: Store, alarm_id: str) -> dict[str, object]:
    with store.connect() as conn:
        return {e.file_name: e for e in list_evidence(conn, alarm_id)}


def alarm_status(store: Store, alarm_id: str) -> EvidenceStatus:
    with store.connect() as conn:
        return get_alarm_ref(conn, alarm_id).evidence_status


def all_events(store: Store) -> list:
    with store.connect() as conn:
        return events_after(conn, 0, Scope.everything())[0]


async def eventually(check, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def evidence_path(tmp_path: Path, alarm_id: str, name: str) -> Path:
    return tmp_path / "data" / "evidence" / alarm_id / name


# --- the upload -----------------------------------------------------------------------------


async def test_yuebiao_alarm_uploads_three_files(store: Store, tmp_path: Path) -> None:
    alarm_no = "0123456789ABCDEF0123456789ABCDEF"
    ident = yue_ident()
    add_alarm(store, "alm_yue", ident, alarm_no, vehicle="veh_yue")
    files = yue_files(alarm_no)
    async with running(store, tmp_path) as server:
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            serial = terminal.send(info_for(ident, alarm_no, files))
            header, ack = await terminal.receive()
            # The answer speaks the terminal's own header: its phone and edition.
            assert (header.phone, header.edition, header.message_id) == (
                YUE_PHONE,
                Edition.V2019,
                0x8001,
            )
            assert ack == PlatformResponse(serial, 0x1210, ResponseResult.SUCCESS)
            assert alarm_status(store, "alm_yue") is EvidenceStatus.PENDING
            for name, (file_type, data) in files.items():
                reply = await terminal.upload(name, data, file_type)
                assert reply == FileUploadCompleteResponse(name, file_type, UploadResult.COMPLETE)
        metrics = server.metrics
        assert metrics.get("attachment_files_complete") == 3
        assert metrics.get("attachment_bytes_received") == sum(len(d) for _, d in files.values())
        assert metrics.get("attachment_errors") == 0
        bus_last = server.bus.last_id
    for name, (_, data) in files.items():
        assert evidence_path(tmp_path, "alm_yue", name).read_bytes() == data
    assert sorted(p.name for p in (tmp_path / "data/evidence/alm_yue").iterdir()) == sorted(files)
    rows = stored_files(store, "alm_yue")
    assert {n: (e.size, e.received, e.complete) for n, e in rows.items()} == {
        n: (len(d), len(d), True) for n, (_, d) in files.items()
    }
    video = rows[f"02_65_6501_2_{alarm_no}.mp4"]
    assert (video.file_type, video.content_type) == (FileType.VIDEO, "video/mp4")
    photo = rows[f"00_65_6501_0_{alarm_no}.jpg"]
    assert (photo.file_type, photo.content_type) == (FileType.PHOTO, "image/jpeg")
    assert alarm_status(store, "alm_yue") is EvidenceStatus.COMPLETE
    events = all_events(store)
    assert [e.kind for e in events] == [EventKind.EVIDENCE] * 3 + [EventKind.ALARM_UPDATED]
    assert {e.payload["file_name"] for e in events[:3]} == set(files)
    assert events[-1].payload["evidence_status"] == "complete"
    assert all(e.vehicle_id == "veh_yue" and e.enterprise_id == "ent_1" for e in events)
    assert bus_last == events[-1].id


async def test_missing_packets_are_asked_for_until_complete(store: Store, tmp_path: Path) -> None:
    alarm_no = "11111111111111111111111111111111"
    ident = yue_ident(seq=1, attachments=1)
    add_alarm(store, "alm_gap", ident, alarm_no, vehicle="veh_yue")
    name = f"02_65_6501_2_{alarm_no}.mp4"
    data = blob(300_000, MP4, 7)
    async with running(store, tmp_path) as server:
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            ack = await terminal.announce(info_for(ident, alarm_no, {name: (2, data)}))
            assert ack.result == ResponseResult.SUCCESS
            _, ack = await terminal.request(FileInfo(name, 2, len(data)))
            assert ack.result == ResponseResult.SUCCESS
            dropped = terminal.send_file_data(name, data, skip={1, 3})
            assert dropped == [ByteRange(65536, 65536), ByteRange(196608, 65536)]
            reply = await terminal.finish(name, 2, len(data))
            assert reply.result == UploadResult.RETRANSMIT
            assert reply.retransmit == tuple(dropped)
            assert stored_files(store, "alm_gap")[name].received == len(data) - 2 * 65536
            # Re-send one of the two: the answer names exactly the other one.
            first, second = dropped
            terminal.send_packet(name, first.offset, data[first.offset : first.end])
            reply = await terminal.finish(name, 2, len(data))
            assert reply.retransmit == (second,)
            # Re-sent in two overlapping pieces: complete.
            terminal.send_packet(name, second.offset, data[second.offset : second.offset + 40_000])
            terminal.send_packet(
                name, second.offset + 30_000, data[second.offset + 30_000 : second.end]
            )
            reply = await terminal.finish(name, 2, len(data))
            assert reply.result == UploadResult.COMPLETE and reply.retransmit == ()
        assert server.metrics.get("attachment_retransmit_requests") == 2
    assert evidence_path(tmp_path, "alm_gap", name).read_bytes() == data
    assert alarm_status(store, "alm_gap") is EvidenceStatus.COMPLETE


async def test_dropped_connection_leaves_evidence_incomplete_then_reupload_resumes(
    store: Store, tmp_path: Path
) -> None:
    alarm_no = "22222222222222222222222222222222"
    ident = yue_ident(seq=2)
    add_alarm(store, "alm_drop", ident, alarm_no, vehicle="veh_yue")
    files = yue_files(alarm_no)
    (photo, (_, photo_data)), _, (video, (_, video_data)) = files.items()
    async with running(store, tmp_path) as server:
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            await terminal.announce(info_for(ident, alarm_no, files))
            assert (await terminal.upload(photo, photo_data, 0)).result == 0
            _, ack = await terminal.request(FileInfo(video, 2, len(video_data)))
            # Half the video, then the link drops.
            terminal.send_file_data(video, video_data[: 3 * CHUNK])
            terminal.send_packet(video, 3 * CHUNK, video_data[3 * CHUNK : 3 * CHUNK + 1000][:500])
            await terminal.writer.drain()
        await eventually(lambda: server.connections == 0)  # the server has seen the drop
        assert alarm_status(store, "alm_drop") is EvidenceStatus.INCOMPLETE
        rows = stored_files(store, "alm_drop")
        assert rows[photo].complete
        assert (rows[video].received, rows[video].complete) == (3 * CHUNK + 500, False)
        assert server.metrics.get("attachment_files_incomplete") == 2  # the video, photo 2
        events = all_events(store)
        assert events[-1].kind is EventKind.ALARM_UPDATED
        assert events[-1].payload["evidence_status"] == "incomplete"
        assert not evidence_path(tmp_path, "alm_drop", video).exists()

        # 补传: the terminal lists only the unfinished files and asks what is missing.
        unfinished = {n: v for n, v in files.items() if n != photo}
        (photo2, (_, photo2_data)), _ = unfinished.items()
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            info = info_for(ident, alarm_no, unfinished, InfoType.REUPLOAD)
            assert (await terminal.announce(info)).result == ResponseResult.SUCCESS
            assert alarm_status(store, "alm_drop") is EvidenceStatus.PENDING
            _, ack = await terminal.request(FileInfo(video, 2, len(video_data)))
            assert ack.result == ResponseResult.SUCCESS
            reply = await terminal.finish(video, 2, len(video_data))
            held = 3 * CHUNK + 500
            assert reply.retransmit == (ByteRange(held, len(video_data) - held),)
            terminal.send_packet(video, held, video_data[held:])
            assert (await terminal.finish(video, 2, len(video_data))).result == 0
            assert (await terminal.upload(photo2, photo2_data, 0)).result == 0
    for name, (_, data) in files.items():
        assert evidence_path(tmp_path, "alm_drop", name).read_bytes() == data
    assert alarm_status(store, "alm_drop") is EvidenceStatus.COMPLETE
    assert [
        p.name for p in (tmp_path / "data/evidence/alm_drop").iterdir() if p.name[0] == "."
    ] == []


async def test_reupload_of_whole_files_overwrites_the_partial_one(
    store: Store, tmp_path: Path
) -> None:
    alarm_no = "33333333333333333333333333333333"
    ident = yue_ident(seq=3, attachments=1)
    add_alarm(store, "alm_over", ident, alarm_no, vehicle="veh_yue")
    name = f"02_65_6501_2_{alarm_no}.mp4"
    data = blob(200_000, MP4, 9)
    async with running(store, tmp_path) as server:
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            await terminal.announce(info_for(ident, alarm_no, {name: (2, data)}))
            await terminal.request(FileInfo(name, 2, len(data)))
            # Garbage where the real bytes go later: a re-upload must overwrite it.
            terminal.send_packet(name, 0, b"\x00" * 70_000)
            await terminal.writer.drain()
        await eventually(lambda: server.connections == 0)
        assert alarm_status(store, "alm_over") is EvidenceStatus.INCOMPLETE
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            info = info_for(ident, alarm_no, {name: (2, data)}, InfoType.REUPLOAD)
            await terminal.announce(info)
            assert (await terminal.upload(name, data, 2)).result == 0
    assert evidence_path(tmp_path, "alm_over", name).read_bytes() == data
    assert alarm_status(store, "alm_over") is EvidenceStatus.COMPLETE


async def test_a_complete_file_sent_again_is_kept(store: Store, tmp_path: Path) -> None:
    alarm_no = "44444444444444444444444444444444"
    ident = yue_ident(seq=4, attachments=1)
    add_alarm(store, "alm_again", ident, alarm_no, vehicle="veh_yue")
    name = f"00_65_6501_0_{alarm_no}.jpg"
    data = blob(10_000, JPEG, 4)
    async with running(store, tmp_path) as server:
        for payload in (data, b"\x00" * len(data)):
            async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
                await terminal.announce(info_for(ident, alarm_no, {name: (0, data)}))
                _, ack = await terminal.request(FileInfo(name, 0, len(data)))
                assert ack.result == ResponseResult.SUCCESS
                terminal.send_file_data(name, payload)
                assert (await terminal.finish(name, 0, len(data))).result == 0
        assert server.metrics.get("attachment_files_complete") == 1
    assert evidence_path(tmp_path, "alm_again", name).read_bytes() == data
    evidence_events = [e for e in all_events(store) if e.kind is EventKind.EVIDENCE]
    assert len(evidence_events) == 1


async def test_subiao_alarm_with_16_byte_identification(store: Store, tmp_path: Path) -> None:
    alarm_no = "5555555555555555555555555555555A"
    ident = su_ident()
    assert len(ident.raw) == 16
    add_alarm(store, "alm_su", ident, alarm_no, vehicle="veh_su")
    files = {
        f"00_64_6401_0_{alarm_no}.jpg": (0, blob(30_000, JPEG, 5)),
        f"02_64_6401_1_{alarm_no}.h264": (2, blob(150_000, b"\x00\x00\x00\x01\x67", 6)),
    }
    async with (
        running(store, tmp_path) as server,
        Uploader(server.port, SU_PHONE, Edition.V2013) as terminal,
    ):
        info = info_for(ident, alarm_no, files)
        assert info.dialect is Dialect.SUBIAO and len(info.terminal_id) <= 7
        serial = terminal.send(info)
        header, ack = await terminal.receive()
        assert (header.phone, header.edition) == (SU_PHONE, Edition.V2013)
        assert ack == PlatformResponse(serial, 0x1210, ResponseResult.SUCCESS)
        for name, (file_type, data) in files.items():
            assert (await terminal.upload(name, data, file_type)).result == 0
    for name, (_, data) in files.items():
        assert evidence_path(tmp_path, "alm_su", name).read_bytes() == data
    rows = stored_files(store, "alm_su")
    video = rows[f"02_64_6401_1_{alarm_no}.h264"]
    assert (video.file_type, video.content_type) == (FileType.VIDEO, "video/h264")
    assert alarm_status(store, "alm_su") is EvidenceStatus.COMPLETE


async def test_without_alarm_number_the_identification_links(store: Store, tmp_path: Path) -> None:
    ident = su_ident(seq=9, attachments=1)
    add_alarm(store, "alm_noid", ident, "6" * 32, vehicle="veh_su")
    name = "00_64_6401_0_photo.jpg"
    data = blob(5000, JPEG, 8)
    async with (
        running(store, tmp_path) as server,
        Uploader(server.port, SU_PHONE, Edition.V2013) as terminal,
    ):
        ack = await terminal.announce(info_for(ident, "", {name: (0, data)}))
        assert ack.result == ResponseResult.SUCCESS
        assert (await terminal.upload(name, data, 0)).result == 0
    assert alarm_status(store, "alm_noid") is EvidenceStatus.COMPLETE


async def test_unknown_alarm_number_is_refused(store: Store, tmp_path: Path) -> None:
    add_alarm(store, "alm_known", yue_ident(seq=5), "7" * 32, vehicle="veh_yue")
    async with running(store, tmp_path) as server:
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            files = {"00_65_6501_0_x.jpg": (0, b"x" * 10)}
            # A known identification does not help: the number is the key.
            ack = await terminal.announce(info_for(yue_ident(seq=5), "8" * 32, files))
            assert ack.result == ResponseResult.FAILURE
            assert await terminal.closed_by_server()
        assert server.metrics.get("attachment_refused") == 1
    with store.connect() as conn:
        assert conn.execute(select(evidence)).all() == []


async def test_messages_before_0x1210_are_refused_but_the_link_lives(
    store: Store, tmp_path: Path
) -> None:
    alarm_no = "9" * 32
    ident = yue_ident(seq=6, attachments=1)
    add_alarm(store, "alm_order", ident, alarm_no, vehicle="veh_yue")
    name = f"00_65_6501_0_{alarm_no}.jpg"
    data = blob(3000, JPEG)
    async with running(store, tmp_path) as server:
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            _, ack = await terminal.request(FileInfo(name, 0, len(data)))
            assert ack.result == ResponseResult.FAILURE
            terminal.send_packet(name, 0, data)
            _, ack = await terminal.request(Heartbeat())
            assert ack.result == ResponseResult.SUCCESS
            await terminal.announce(info_for(ident, alarm_no, {name: (0, data)}))
            assert (await terminal.upload(name, data, 0)).result == 0
        assert server.metrics.get("attachment_errors") == 2  # 0x1211 and data before 0x1210
    assert evidence_path(tmp_path, "alm_order", name).read_bytes() == data


async def test_garbage_and_oversize_input_is_counted_and_bounded(
    store: Store, tmp_path: Path
) -> None:
    alarm_no = "A" * 32
    ident = yue_ident(seq=7, attachments=1)
    add_alarm(store, "alm_junk", ident, alarm_no, vehicle="veh_yue")
    name = f"00_65_6501_0_{alarm_no}.jpg"
    data = blob(100_000, JPEG, 11)
    async with running(store, tmp_path, max_file_size=1_000_000) as server:
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            await terminal.announce(info_for(ident, alarm_no, {name: (0, data)}))
            good = encode_message(Heartbeat(), phone=YUE_PHONE, serial=99, edition=Edition.V2019)
            bad_checksum = good[:-2] + bytes([good[-2] ^ 0x55]) + good[-1:]
            huge_packet = STREAM_MAGIC + name.encode().ljust(50, b"\0") + bytes(4) + b"\xff" * 4
            junk = [
                b"\x24\x24garbage before anything",  # garbage
                bad_checksum,  # a frame with a wrong check code
                huge_packet,  # a data packet declaring 4 GiB
                b"\x7e" + b"\x01" * 10_000,  # a frame that never closes
                b"\x7e\x7e",  # (closes the long frame's rescan)
                StreamPacket(name, len(data) - 10, b"z" * 20).encode(),  # past the end
                StreamPacket("not_listed.jpg", 0, b"z" * 20).encode(),  # unknown file
            ]
            for piece in junk:
                terminal.writer.write(piece)
                await terminal.writer.drain()
                await asyncio.sleep(0.01)
                for link in server._links:  # bounded, whatever the peer sends
                    assert link.decoder.buffered <= link.decoder.max_buffered
            # A file too large for the server is refused.
            _, ack = await terminal.request(FileInfo("02_65_6501_2_big.mp4", 2, 5_000_000))
            assert ack.result == ResponseResult.FAILURE
            # The link lives on: the real upload still works.
            assert (await terminal.upload(name, data, 0)).result == 0
        errors = server.metrics.get("attachment_errors")
        assert errors >= 7
    assert evidence_path(tmp_path, "alm_junk", name).read_bytes() == data


async def test_too_many_errors_close_the_link(store: Store, tmp_path: Path) -> None:
    async with running(store, tmp_path) as server:
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            for i in range(200):
                terminal.send_packet(f"x{i}.jpg", 0, b"z")
            await terminal.writer.drain()
            assert await terminal.closed_by_server()
        assert 100 < server.metrics.get("attachment_errors") <= 200


async def test_idle_connections_are_closed(store: Store, tmp_path: Path) -> None:
    async with running(store, tmp_path, idle_timeout=0.2) as server:
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            started = time.monotonic()
            assert await terminal.closed_by_server(timeout=5)
            assert time.monotonic() - started < 3
        await eventually(lambda: server.connections == 0)
        assert server.metrics.get("attachment_idle_timeouts") == 1


async def test_a_link_without_an_alarm_gets_one_idle_period(store: Store, tmp_path: Path) -> None:
    async with (
        running(store, tmp_path, idle_timeout=0.5) as server,
        Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal,
    ):
        started = time.monotonic()
        with pytest.raises(ConnectionError):
            for _ in range(100):  # heartbeats are answered, but do not keep the link
                await terminal.request(Heartbeat())
                await asyncio.sleep(0.05)
        assert 0.4 < time.monotonic() - started < 3


async def test_a_new_connection_for_the_alarm_replaces_a_stale_one(
    store: Store, tmp_path: Path
) -> None:
    alarm_no = "B" * 32
    ident = yue_ident(seq=8, attachments=1)
    add_alarm(store, "alm_twice", ident, alarm_no, vehicle="veh_yue")
    name = f"02_65_6501_2_{alarm_no}.mp4"
    data = blob(150_000, MP4, 12)
    async with (
        running(store, tmp_path) as server,
        Uploader(server.port, YUE_PHONE, Edition.V2019) as stale,
    ):
        await stale.announce(info_for(ident, alarm_no, {name: (2, data)}))
        stale.send_file_data(name, data[:CHUNK])
        await stale.request(Heartbeat())  # the server has taken the data
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as fresh:
            info = info_for(ident, alarm_no, {name: (2, data)}, InfoType.REUPLOAD)
            assert (await fresh.announce(info)).result == ResponseResult.SUCCESS
            assert await stale.closed_by_server()
            reply = await fresh.finish(name, 2, len(data))
            assert reply.retransmit == (ByteRange(CHUNK, len(data) - CHUNK),)
            fresh.send_packet(name, CHUNK, data[CHUNK:])
            assert (await fresh.finish(name, 2, len(data))).result == 0
    assert evidence_path(tmp_path, "alm_twice", name).read_bytes() == data
    assert alarm_status(store, "alm_twice") is EvidenceStatus.COMPLETE


async def test_a_name_longer_than_the_packet_field(store: Store, tmp_path: Path) -> None:
    alarm_no = "C" * 32
    ident = yue_ident(seq=10, attachments=1)
    add_alarm(store, "alm_long", ident, alarm_no, vehicle="veh_yue")
    name = f"00_65_6501_0_{alarm_no}_extra_long_suffix.jpg"
    cut = name.encode()[:50].decode()
    data = blob(2000, JPEG, 13)
    async with (
        running(store, tmp_path) as server,
        Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal,
    ):
        await terminal.announce(info_for(ident, alarm_no, {name: (0, data)}))
        await terminal.request(FileInfo(name, 0, len(data)))
        terminal.send_packet(cut, 0, data)
        assert (await terminal.finish(name, 0, len(data))).result == 0
    assert evidence_path(tmp_path, "alm_long", name).read_bytes() == data


async def test_stop_with_an_open_upload_saves_it(store: Store, tmp_path: Path) -> None:
    alarm_no = "D" * 32
    ident = yue_ident(seq=11, attachments=1)
    add_alarm(store, "alm_stop", ident, alarm_no, vehicle="veh_yue")
    name = f"02_65_6501_2_{alarm_no}.mp4"
    data = blob(100_000, MP4, 14)
    server_cm = running(store, tmp_path)
    server = await server_cm.__aenter__()
    try:
        async with Uploader(server.port, YUE_PHONE, Edition.V2019) as terminal:
            await terminal.announce(info_for(ident, alarm_no, {name: (2, data)}))
            _, ack = await terminal.request(FileInfo(name, 2, len(data)))
            assert ack.result == ResponseResult.SUCCESS
            terminal.send_file_data(name, data[:CHUNK])
            _, ack = await terminal.request(Heartbeat())  # the data has been processed
            assert ack.result == ResponseResult.SUCCESS
            await server.stop()
            assert await terminal.closed_by_server()
    finally:
        await server_cm.__aexit__(None, None, None)
    assert alarm_status(store, "alm_stop") is EvidenceStatus.INCOMPLETE
    assert stored_files(store, "alm_stop")[name].received == CHUNK


async def test_pending_uploads_become_incomplete_at_start(store: Store, tmp_path: Path) -> None:
    alarm_no = "E" * 32
    ident = yue_ident(seq=12, attachments=1)
    add_alarm(store, "alm_crash", ident, alarm_no, vehicle="veh_yue")
    with store.begin() as conn:
        conn.execute(
            insert(evidence).values(
                id="evd_crash",
                alarm_id="alm_crash",
                file_name="a.jpg",
                file_type=0,
                content_type="image/jpeg",
                size=100,
                received=10,
                complete=False,
                path="evidence/alm_crash/a.jpg",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    async with running(store, tmp_path):
        assert alarm_status(store, "alm_crash") is EvidenceStatus.INCOMPLETE


# --- 0x9208 ---------------------------------------------------------------------------------


def test_upload_request_for_builds_the_9208(store: Store, tmp_path: Path) -> None:
    alarm_no = "F" * 32
    ident = yue_ident(seq=13)
    add_alarm(store, "alm_req", ident, alarm_no, vehicle="veh_yue")
    config = PlatformConfig(
        db_url=store.url, data_dir=tmp_path, public_host="203.0.113.5", attachment_port=7001
    )
    with store.connect() as conn:
        row = conn.execute(select(alarms).where(alarms.c.id == "alm_req")).one()
        ref = get_alarm_ref(conn, "alm_req")
    for given in (row, row._mapping, ref, {"alarm_ident": ident.raw.hex(), "alarm_no": alarm_no}):
        request = upload_request_for(given, config)
        assert request == AttachmentUploadRequest("203.0.113.5", 7001, 0, ident, alarm_no)
        assert AttachmentUploadRequest.decode(request.encode()) == request
    assert upload_request_for(ref, config, port=9000).tcp_port == 9000
    with pytest.raises(ValueError, match="identification"):
        upload_request_for({"alarm_ident": None, "alarm_no": alarm_no}, config)
    with pytest.raises(ValueError, match="alarm number"):
        upload_request_for({"alarm_ident": ident.raw.hex(), "alarm_no": None}, config)
    free = PlatformConfig(db_url=store.url, data_dir=tmp_path)
    with pytest.raises(ValueError, match="port"):
        upload_request_for(ref, free)
    assert upload_request_for(ref, free, port=7002).ip == "127.0.0.1"


async def test_upload_request_for_an_alarm_id_uses_the_bound_port(
    store: Store, tmp_path: Path
) -> None:
    ident = su_ident(seq=14)
    add_alarm(store, "alm_bound", ident, "1" * 32, vehicle="veh_su")
    async with running(store, tmp_path) as server:
        platform = SimpleNamespace(config=server.config, attachments=server)
        with store.connect() as conn:
            request = upload_request_for_alarm(conn, "alm_bound", platform)
            assert upload_request_for(conn, "alm_bound", platform) == request
            assert upload_request_for_alarm(conn, "alm_nope", platform) is None
        assert request is not None
        assert (request.tcp_port, request.alarm_ident, request.alarm_no) == (
            server.port,
            ident,
            "1" * 32,
        )
        assert server.upload_request_for(get_alarm_ref_of(store, "alm_bound")) == request


def get_alarm_ref_of(store: Store, alarm_id: str):
    with store.connect() as conn:
        return get_alarm_ref(conn, alarm_id)


# --- helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("00_65_6501_0_ABC.jpg", "00_65_6501_0_ABC.jpg"),
        ("../../etc/passwd", None),
        ("照片.jpg", None),
        (".hidden", None),
        ("", None),
    ],
)
def test_safe_file_name(name: str, expected: str | None) -> None:
    safe = safe_file_name(name)
    if expected is not None:
        assert safe == expected
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".") and safe
    assert os.path.basename(safe) == safe


def test_safe_file_name_keeps_distinct_names_distinct() -> None:
    assert safe_file_name("照片一.jpg") != safe_file_name("照片二.jpg")
    assert safe_file_name("照片一.jpg").endswith(".jpg")


@pytest.mark.parametrize(
    ("code", "dialect", "expected"),
    [
        (0, Dialect.SUBIAO, FileType.PHOTO),
        (2, Dialect.SUBIAO, FileType.VIDEO),
        (4, Dialect.SUBIAO, FileType.OTHER),
        (4, Dialect.YUEBIAO, FileType.PHOTO),  # 粤标: face picture
        (5, Dialect.YUEBIAO, FileType.OTHER),
        (9, Dialect.YUEBIAO, FileType.VIDEO),  # undocumented: from the name (.mp4)
        (None, None, FileType.VIDEO),
    ],
)
def test_domain_file_type(code, dialect, expected) -> None:
    assert domain_file_type(code, dialect, "x.mp4") is expected
