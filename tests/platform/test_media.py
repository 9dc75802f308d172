"""The JT/T 1078 media relay (console/platform/media.py) over real loopback TCP.

The terminal side is a small sender that packetizes real H.264/H.265 access units (PyAV)
with the protocol core and writes them to the relay's media port. The only stand-in is the
gateway: :class:`FakeGateway` implements the Commander protocol, records the 0x9101/0x9102 it
is asked to send and, on 0x9101, starts the sender towards the address in the message, as a
terminal would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import insert

from console.domain.model import Command, CommandKind, CommandStatus
from console.media.h264 import (
    AccessUnit,
    AnnexBDecoder,
    annexb,
    encode_test_clip,
    iter_nal_units,
    parameter_sets,
)
from console.platform.config import PlatformConfig
from console.platform.media import (
    CommandFailed,
    CommandTimedOut,
    MediaRelay,
    MediaSettings,
    NoStream,
    VehicleOffline,
    Viewer,
    g711_payload,
)
from console.platform.metrics import Metrics
from console.platform.store import Store
from console.platform.store.schema import counties, enterprises, terminals, vehicles
from console.protocol.jt808.message import Message
from console.protocol.jt808.video import LiveVideoControl, LiveVideoRequest
from console.protocol.jt1078 import DataType, PayloadType, packetize

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
# vehicle, terminal phone (= SIM of its media packets), edition
TRUCKS = {
    "veh_gd": ("00000000013800000001", "2019"),  # 粤标, BCD[10] SIM
    "veh_su": ("013800000002", "2013"),  # BCD[6] SIM
    "veh_zz": ("00000000013800000003", "2019"),
}
WIDTH, HEIGHT, FPS, GOP = 320, 240, 25, 10


@pytest.fixture(scope="module")
def h264_clip() -> list[AccessUnit]:
    return encode_test_clip(WIDTH, HEIGHT, FPS, 2, codec="h264", gop=GOP)


@pytest.fixture(scope="module")
def h265_clip() -> list[AccessUnit]:
    return encode_test_clip(WIDTH, HEIGHT, FPS, 2, codec="hevc", gop=GOP)


@pytest.fixture(autouse=True)
def trucks(store: Store) -> None:
    """Our vehicles and terminals, in the conftest's ``store`` (SQLite, and PostgreSQL when
    TRUCKWATCH_TEST_PG is set)."""
    with store.begin() as conn:
        conn.execute(insert(counties), [{"id": "cty_qc", "name": "清城区", "code": "441802"}])
        conn.execute(
            insert(enterprises),
            [
                {
                    "id": "ent_a",
                    "name": "清远市安达物流有限公司",
                    "county_id": "cty_qc",
                    "created_at": NOW,
                }
            ],
        )
        for n, (vehicle_id, (phone, edition)) in enumerate(TRUCKS.items()):
            conn.execute(
                insert(vehicles),
                {
                    "id": vehicle_id,
                    "plate": f"粤R1000{n}",
                    "plate_color": 2,
                    "enterprise_id": "ent_a",
                    "county_id": "cty_qc",
                    "vehicle_type": "heavy_goods",
                    "speed_limit_kmh": 80,
                    "created_at": NOW,
                },
            )
            conn.execute(
                insert(terminals),
                {
                    "id": f"trm_{vehicle_id}",
                    "phone": phone,
                    "terminal_id": f"T{n}",
                    "vehicle_id": vehicle_id,
                    "edition": edition,
                    "dialect": "yuebiao",
                },
            )


# --- the terminal's media side -----------------------------------------------------------


class Sender:
    """Streams access units (looping) to the relay like a terminal after 0x9101."""

    def __init__(
        self,
        host: str,
        port: int,
        sim: str,
        channel: int,
        units: list[AccessUnit],
        payload_type: int,
        *,
        start: int = 0,
        fps: float = 100.0,
        audio: bool = False,
    ) -> None:
        self.host, self.port, self.sim, self.channel = host, port, sim, channel
        self.units, self.payload_type = units, payload_type
        self.start, self.interval, self.audio = start, 1 / fps, audio
        self.sent: list[AccessUnit] = []
        self.closed_by_relay = asyncio.Event()
        self.connected = asyncio.Event()
        self.paused = False
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.connected.set()
        watch = asyncio.create_task(self._watch(reader))
        seq, i, ts = 0, self.start, 1_700_000_000_000
        try:
            while not self.closed_by_relay.is_set():
                if not self.paused and self.units:
                    unit = self.units[i % len(self.units)]
                    i += 1
                    dtype = DataType.VIDEO_I if unit.key else DataType.VIDEO_P
                    packets, seq = packetize(
                        unit.data, sim=self.sim, channel=self.channel,
                        payload_type=self.payload_type, data_type=dtype, timestamp=ts,
                        last_interval=40, seq=seq,
                    )  # fmt: skip
                    out = b"".join(p.encode() for p in packets)
                    if self.audio:
                        audio, seq = packetize(
                            bytes(range(160)), sim=self.sim, channel=self.channel,
                            payload_type=PayloadType.G711A, data_type=DataType.AUDIO,
                            timestamp=ts, seq=seq,
                        )  # fmt: skip
                        out += b"".join(p.encode() for p in audio)
                    writer.write(out)
                    await writer.drain()
                    self.sent.append(unit)
                    ts += 40
                await asyncio.sleep(self.interval)
        except (ConnectionError, OSError):
            self.closed_by_relay.set()
        finally:
            watch.cancel()
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _watch(self, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while await reader.read(1024):
                pass
        self.closed_by_relay.set()

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


# --- the only fake: the gateway ------------------------------------------------------------


@dataclass
class Sent:
    vehicle_id: str
    kind: CommandKind
    message: Message
    params: dict[str, Any] | None
    user_id: str | None
    at: float = field(default_factory=time.monotonic)


class FakeGateway:
    """The Commander protocol of console/platform/commander.py, answering like terminals."""

    def __init__(
        self, clips: dict[int, list[AccessUnit]], phones: dict[str, str] | None = None
    ) -> None:
        self.clips = clips  # payload type → units
        self.phones = phones or {v: phone for v, (phone, _) in TRUCKS.items()}  # SIM per vehicle
        self.payload_type = PayloadType.H264
        self.online = set(self.phones)
        self.answer = CommandStatus.ACKED  # for 0x9101
        self.delay = 0.0
        self.obey_stop = True  # a terminal that keeps streaming after 0x9102 when False
        self.options: dict[str, Any] = {}  # Sender keyword arguments (start, fps, audio)
        self.sent: list[Sent] = []
        self.senders: list[Sender] = []

    def is_online(self, vehicle_id: str) -> bool:
        return vehicle_id in self.online

    def of(self, message_type: type) -> list[Sent]:
        return [s for s in self.sent if isinstance(s.message, message_type)]

    async def send(
        self,
        vehicle_id: str,
        kind: CommandKind,
        message: Message,
        *,
        params: dict[str, Any] | None = None,
        user_id: str | None = None,
    ) -> Command:
        self.sent.append(Sent(vehicle_id, kind, message, params, user_id))
        status = CommandStatus.ACKED if vehicle_id in self.online else CommandStatus.OFFLINE
        if isinstance(message, LiveVideoRequest) and status == CommandStatus.ACKED:
            status = self.answer
            await asyncio.sleep(self.delay)
            if status == CommandStatus.ACKED:
                sender = Sender(
                    message.ip, message.tcp_port, self.phones[vehicle_id], message.channel,
                    self.clips[self.payload_type], self.payload_type, **self.options,
                )  # fmt: skip
                self.senders.append(sender)
        elif isinstance(message, LiveVideoControl) and self.obey_stop:
            for sender in self.senders:
                if sender.channel == message.channel:
                    await sender.stop()
        return Command(
            id=f"cmd_{len(self.sent)}", vehicle_id=vehicle_id, kind=kind, status=status,
            created_at=NOW, updated_at=NOW, message_id=message.MESSAGE_ID,
            params=params or {}, created_by=user_id,
        )  # fmt: skip

    async def close(self) -> None:
        for sender in self.senders:
            await sender.stop()


@contextlib.asynccontextmanager
async def relay_for(
    store: Store, tmp_path: Path, gateway: FakeGateway, **settings: Any
) -> AsyncIterator[MediaRelay]:
    config = PlatformConfig(db_url=store.url, data_dir=tmp_path)
    platform = SimpleNamespace(
        config=config, store=store, metrics=Metrics(), clock=time.time, gateway=gateway
    )
    defaults = {"grace_s": 0.3, "tick_s": 0.1}
    relay = MediaRelay(platform, MediaSettings(**{**defaults, **settings}))
    await relay.start()
    try:
        yield relay
    finally:
        await relay.stop()
        await gateway.close()


@pytest.fixture
def gateway(h264_clip: list[AccessUnit], h265_clip: list[AccessUnit]) -> FakeGateway:
    return FakeGateway({PayloadType.H264: h264_clip, PayloadType.H265: h265_clip})


async def take(viewer: Viewer, n: int, timeout: float = 10.0) -> list[bytes]:
    out = []
    async with asyncio.timeout(timeout):
        async for unit in viewer:
            out.append(unit)
            if len(out) == n:
                break
    return out


def decode(units: list[bytes], codec: str = "h264") -> tuple[list[Any], int]:
    decoder = AnnexBDecoder(codec)
    frames = [f for u in units for f in decoder.decode_unit(u)] + decoder.flush()
    return frames, decoder.errors


async def until(predicate: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


# --- tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("vehicle_id", ["veh_gd", "veh_su"], ids=["bcd10_2019", "bcd6_2013"])
async def test_viewer_receives_decodable_frames(
    store: Store, tmp_path: Path, gateway: FakeGateway, vehicle_id: str
) -> None:
    async with relay_for(store, tmp_path, gateway) as relay:
        viewer = await relay.open_viewer(vehicle_id, 1, user_id="usr_1")
        assert viewer.codec is None or viewer.codec == "h264"
        units = await take(viewer, 30)
        frames, errors = decode(units)
        assert errors == 0
        assert len(frames) >= 29
        assert {(f.width, f.height) for f in frames} == {(WIDTH, HEIGHT)}
        assert frames[0].key_frame
        assert viewer.media_type == "video/h264"
        [request] = gateway.of(LiveVideoRequest)
        message = request.message
        assert (message.ip, message.tcp_port, message.udp_port) == ("127.0.0.1", relay.port, 0)
        # Audio and video (data type 0): the relay passes the audio on to its listeners.
        assert (message.channel, message.data_type, message.stream_type) == (1, 0, 0)
        assert request.kind == CommandKind.LIVE_VIDEO and request.user_id == "usr_1"
        assert relay.stream(vehicle_id, 1).sim == TRUCKS[vehicle_id][0]
        viewer.close()


async def test_first_viewer_starts_at_a_key_frame_when_the_terminal_starts_with_p_frames(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    gateway.options["start"] = 3  # the terminal begins in the middle of a GOP
    async with relay_for(store, tmp_path, gateway) as relay:
        viewer = await relay.open_viewer("veh_gd", 2)
        units = await take(viewer, 15)
        assert parameter_sets(units[0], "h264")
        frames, errors = decode(units)
        assert errors == 0 and frames[0].key_frame and len(frames) == 15
        assert viewer.skipped == GOP - 3


async def test_viewer_joining_mid_stream_starts_at_the_next_key_frame(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    async with relay_for(store, tmp_path, gateway) as relay:
        first = await relay.open_viewer("veh_gd", 1)
        await take(first, GOP + 3)  # the stream is now in the middle of a GOP
        late = await relay.open_viewer("veh_gd", 1)
        units = await take(late, 2 * GOP)
        frames, errors = decode(units)
        assert errors == 0
        assert frames[0].key_frame and len(frames) == 2 * GOP
        assert len(gateway.of(LiveVideoRequest)) == 1  # one terminal stream for both


async def test_two_viewers_get_the_same_frames(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    async with relay_for(store, tmp_path, gateway) as relay:
        a, b = await asyncio.gather(
            relay.open_viewer("veh_gd", 1, user_id="usr_a"),
            relay.open_viewer("veh_gd", 1, user_id="usr_b"),
        )
        got_a, got_b = await asyncio.gather(take(a, 40), take(b, 40))
        assert got_a == got_b
        assert len(gateway.of(LiveVideoRequest)) == 1
        assert relay.stream("veh_gd", 1).stats()["viewers"] == 2


async def test_closing_the_last_viewer_sends_one_0x9102_after_the_grace_and_closes_the_link(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    gateway.obey_stop = False  # the relay itself must drop the terminal's connection
    async with relay_for(store, tmp_path, gateway, grace_s=0.5) as relay:
        a = await relay.open_viewer("veh_su", 3)
        b = await relay.open_viewer("veh_su", 3)
        await take(a, 5)
        a.close()
        await asyncio.sleep(0.2)
        b.close()
        closed_at = time.monotonic()
        [sender] = gateway.senders
        await asyncio.wait_for(sender.closed_by_relay.wait(), 5)
        stops = gateway.of(LiveVideoControl)
        assert len(stops) == 1
        assert stops[0].at - closed_at >= 0.45
        assert stops[0].kind == CommandKind.STOP_VIDEO
        assert stops[0].message == LiveVideoControl(3, 0, 0, 0)
        assert relay.stream("veh_su", 3) is None
        await until(lambda: relay.link_count == 0)
        await asyncio.sleep(0.3)
        assert len(gateway.of(LiveVideoControl)) == 1
        assert relay.platform.metrics.get("media.streams") == 0


async def test_reopening_within_the_grace_reuses_the_stream(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    async with relay_for(store, tmp_path, gateway, grace_s=1.0) as relay:
        viewer = await relay.open_viewer("veh_gd", 1)
        await take(viewer, 5)
        stream = relay.stream("veh_gd", 1)
        viewer.close()
        await asyncio.sleep(0.3)
        again = await relay.open_viewer("veh_gd", 1)
        assert relay.stream("veh_gd", 1) is stream
        units = await take(again, GOP)
        frames, errors = decode(units)
        assert errors == 0 and frames[0].key_frame
        await asyncio.sleep(1.2)  # past the first grace: still running, nothing stopped
        assert len(gateway.of(LiveVideoRequest)) == 1
        assert gateway.of(LiveVideoControl) == []
        assert len(gateway.senders) == 1 and not gateway.senders[0].closed_by_relay.is_set()
        again.close()


async def test_reopening_after_the_stop_starts_a_new_stream(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    async with relay_for(store, tmp_path, gateway, grace_s=0.1) as relay:
        viewer = await relay.open_viewer("veh_gd", 1)
        await take(viewer, 3)
        viewer.close()
        await until(lambda: len(gateway.of(LiveVideoControl)) == 1)
        viewer = await relay.open_viewer("veh_gd", 1)
        units = await take(viewer, GOP)
        assert decode(units)[1] == 0
        assert len(gateway.of(LiveVideoRequest)) == 2
        kinds = [type(s.message).__name__ for s in gateway.sent]
        assert kinds == ["LiveVideoRequest", "LiveVideoControl", "LiveVideoRequest"]


async def test_a_slow_viewer_is_bounded_and_does_not_stall_a_fast_one(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    async with relay_for(store, tmp_path, gateway, viewer_max_frames=8) as relay:
        fast = await relay.open_viewer("veh_gd", 1)
        slow = await relay.open_viewer("veh_gd", 1)
        got = await take(fast, 60)  # the slow one reads nothing meanwhile
        frames, errors = decode(got)
        assert errors == 0 and len(frames) == 60
        assert fast.dropped == 0 and fast.max_queued <= 8
        assert slow.max_queued <= 8 and slow.queued <= 8
        assert slow.dropped > 0 and slow.overflows > 0
        # What the slow viewer still gets is decodable: it resumed at a key frame.
        rest = await take(slow, max(slow.queued, GOP))
        assert parameter_sets(rest[0], "h264")
        frames, errors = decode(rest)
        assert errors == 0 and frames[0].key_frame
        stats = relay.stream("veh_gd", 1).stats()
        assert stats["dropped"] >= slow.dropped


async def test_a_slow_viewer_is_also_bounded_in_bytes(
    store: Store, tmp_path: Path, gateway: FakeGateway, h264_clip: list[AccessUnit]
) -> None:
    limit = 6 * max(len(u.data) for u in h264_clip)
    async with relay_for(store, tmp_path, gateway, viewer_max_bytes=limit) as relay:
        fast = await relay.open_viewer("veh_su", 1)
        slow = await relay.open_viewer("veh_su", 1)
        assert len(await take(fast, 40)) == 40
        assert 0 < slow.max_queued_bytes <= limit and slow.overflows > 0
        assert fast.dropped == 0


async def test_h265_is_relayed_as_h265(store: Store, tmp_path: Path, gateway: FakeGateway) -> None:
    gateway.payload_type = PayloadType.H265
    gateway.options["start"] = 4
    async with relay_for(store, tmp_path, gateway) as relay:
        viewer = await relay.open_viewer("veh_su", 1)
        units = await take(viewer, 25)
        assert viewer.codec == "hevc" and viewer.media_type == "video/h265"
        frames, errors = decode(units, "hevc")
        assert errors == 0 and len(frames) == 25 and frames[0].key_frame
        assert {(f.width, f.height) for f in frames} == {(WIDTH, HEIGHT)}
        assert relay.stream("veh_su", 1).stats()["codec"] == "hevc"


def without_parameter_sets(unit: AccessUnit) -> AccessUnit:
    nals = [n for n in iter_nal_units(unit.data) if n[0] & 0x1F not in (7, 8)]
    return AccessUnit(annexb(nals), unit.key, unit.index)


def first_key_frame_only(clip: list[AccessUnit]) -> list[AccessUnit]:
    """SPS/PPS only with the first key frame of the stream."""
    return [clip[0], *(without_parameter_sets(u) for u in clip[1:])]


def as_separate_frames(clip: list[AccessUnit]) -> list[AccessUnit]:
    """SPS/PPS as a frame of their own, typed as a P-frame, before each key frame."""
    out = []
    for unit in clip:
        if unit.key:
            out.append(AccessUnit(annexb(parameter_sets(unit.data, "h264")), False, unit.index))
            unit = without_parameter_sets(unit)
        out.append(unit)
    return out


@pytest.mark.parametrize("layout", [first_key_frame_only, as_separate_frames])
async def test_parameter_sets_are_added_when_a_key_frame_lacks_them(
    store: Store, tmp_path: Path, gateway: FakeGateway, h264_clip: list[AccessUnit], layout: Any
) -> None:
    clip = layout(h264_clip)
    assert not any(parameter_sets(u.data, "h264") for u in clip[1:] if u.key)
    gateway.clips[PayloadType.H264] = clip
    async with relay_for(store, tmp_path, gateway) as relay:
        early = await relay.open_viewer("veh_gd", 1)
        await take(early, 2 * GOP)
        late = await relay.open_viewer("veh_gd", 1)
        units = await take(late, GOP)
        assert parameter_sets(units[0], "h264")
        frames, errors = decode(units)
        assert errors == 0 and len(frames) == GOP


async def test_audio_frames_are_kept_and_do_not_disturb_video(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    gateway.options["audio"] = True
    async with relay_for(store, tmp_path, gateway, audio_keep=10) as relay:
        viewer = await relay.open_viewer("veh_gd", 1)
        frames, errors = decode(await take(viewer, 20))
        assert errors == 0 and len(frames) == 20
        stream = relay.stream("veh_gd", 1)
        assert stream.audio_frames >= 19 and len(stream.audio) == 10
        assert stream.audio_payload_type == PayloadType.G711A
        assert stream.stats()["audio_payload_type"] == 6


AUDIO_FRAME = bytes(range(160))  # what the Sender sends as G.711A with audio=True


async def test_audio_listeners_get_the_g711a_frames_while_video_plays_on(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    gateway.options["audio"] = True
    async with relay_for(store, tmp_path, gateway) as relay:
        viewer = await relay.open_viewer("veh_su", 1)
        first = relay.open_audio("veh_su", 1, user_id="usr_1")
        second = relay.open_audio("veh_su", 1)
        assert relay.stream("veh_su", 1).stats()["audio_listeners"] == 2
        assert relay.platform.metrics.snapshot()["media.audio_listeners"] == 2
        chunks = []
        async with asyncio.timeout(10):
            async for chunk in first:
                chunks.append(chunk)
                if len(chunks) == 10:
                    break
        assert chunks == [AUDIO_FRAME] * 10
        assert await second.next(5) == AUDIO_FRAME
        # The video path is untouched by the audio packets in between.
        frames, errors = decode(await take(viewer, 20))
        assert errors == 0 and len(frames) == 20
        first.close()
        assert relay.stream("veh_su", 1).stats()["audio_listeners"] == 1
        viewer.close()
        # Listening does not keep the stream: it stops after the grace, ending the listener.
        async with asyncio.timeout(5):
            while (await second.next(5)) is not None:
                pass
        assert second.end_reason == "no viewers"
        assert relay.stream("veh_su", 1) is None
        assert len(gateway.of(LiveVideoControl)) == 1


async def test_audio_needs_a_running_live_stream(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    gateway.options["audio"] = True
    async with relay_for(store, tmp_path, gateway) as relay:
        with pytest.raises(NoStream) as err:
            relay.open_audio("veh_gd", 1)
        assert err.value.status == "no_stream"
        assert gateway.sent == []  # nothing was started
        viewer = await relay.open_viewer("veh_gd", 1)
        with pytest.raises(NoStream):
            relay.open_audio("veh_gd", 2)  # another channel
        listener = relay.open_audio("veh_gd", 1)
        assert await listener.next(5) == AUDIO_FRAME
        await relay.stop_stream("veh_gd", 1)
        assert await listener.next(1) is None and listener.end_reason == "stopped by user"
        viewer.close()


async def test_a_slow_audio_listener_drops_its_oldest_frames(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    gateway.options["audio"] = True
    async with relay_for(store, tmp_path, gateway, audio_max_frames=5) as relay:
        viewer = await relay.open_viewer("veh_gd", 1)
        listener = relay.open_audio("veh_gd", 1)
        stream = relay.stream("veh_gd", 1)
        start = stream.audio_frames
        await until(lambda: stream.audio_frames >= start + 20)
        assert listener.queued == 5 and listener.dropped >= 15
        assert await listener.next(1) == AUDIO_FRAME
        listener.close()
        viewer.close()


def test_the_hisilicon_audio_header_is_removed() -> None:
    body = bytes(range(1, 161))
    assert g711_payload(bytes([0, 1, 80, 0]) + body) == body
    assert g711_payload(body) == body
    assert g711_payload(bytes([0, 1, 79, 0]) + body) == bytes([0, 1, 79, 0]) + body


async def test_stats(store: Store, tmp_path: Path, gateway: FakeGateway) -> None:
    gateway.options["fps"] = 25
    async with relay_for(store, tmp_path, gateway, stats_window_s=1.0) as relay:
        before = time.time()
        viewer = await relay.open_viewer("veh_gd", 1)
        await take(viewer, 40)
        stats = relay.stream("veh_gd", 1).stats()
        assert stats["vehicle_id"] == "veh_gd" and stats["channel"] == 1
        assert stats["stream"] == "main" and stats["state"] == "live" and stats["connected"]
        assert stats["viewers"] == 1 and stats["codec"] == "h264" and stats["payload_type"] == 98
        assert stats["frames"] >= 40 and stats["key_frames"] >= 4 and stats["bytes"] > 0
        assert 15 <= stats["fps"] <= 30
        assert stats["bitrate"] > 0
        started = datetime.fromisoformat(stats["started_at"]).timestamp()
        assert before - 1 <= started <= time.time()
        metrics = relay.platform.metrics
        assert metrics.get("media.streams") == 1 and metrics.get("media.viewers") == 1
        assert metrics.get("media.frames_in") >= 40


async def test_opening_fails_clearly_when_the_vehicle_is_offline(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    gateway.online.discard("veh_gd")
    async with relay_for(store, tmp_path, gateway) as relay:
        with pytest.raises(VehicleOffline, match="offline"):
            await relay.open_viewer("veh_gd", 1)
        assert relay.streams() == []
        assert gateway.of(LiveVideoRequest) == []


@pytest.mark.parametrize(
    ("answer", "error"),
    [(CommandStatus.FAILED, CommandFailed), (CommandStatus.TIMED_OUT, CommandTimedOut)],
)
async def test_opening_fails_clearly_when_the_terminal_refuses_or_times_out(
    store: Store, tmp_path: Path, gateway: FakeGateway, answer: CommandStatus, error: type
) -> None:
    gateway.answer = answer
    async with relay_for(store, tmp_path, gateway) as relay:
        with pytest.raises(error) as info:
            await relay.open_viewer("veh_gd", 1)
        assert info.value.status == answer.value
        assert relay.streams() == []
        assert relay.platform.metrics.get("media.start_failures") == 1
        gateway.answer = CommandStatus.ACKED  # the next attempt starts afresh
        viewer = await relay.open_viewer("veh_gd", 1)
        assert await take(viewer, 1)
        assert gateway.of(LiveVideoControl) == []  # nothing to close for the refused one


async def test_viewers_opening_together_share_one_request(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    gateway.delay = 0.2
    async with relay_for(store, tmp_path, gateway) as relay:
        viewers = await asyncio.gather(*(relay.open_viewer("veh_gd", 1) for _ in range(5)))
        assert len(gateway.of(LiveVideoRequest)) == 1
        got = await asyncio.gather(*(take(v, 10) for v in viewers))
        assert all(g == got[0] for g in got)


async def test_channels_are_separate_streams(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    async with relay_for(store, tmp_path, gateway, grace_s=0.1) as relay:
        one = await relay.open_viewer("veh_gd", 1)
        two = await relay.open_viewer("veh_gd", 2)
        await asyncio.gather(take(one, 5), take(two, 5))
        assert {(s.vehicle_id, s.channel) for s in relay.streams()} == {
            ("veh_gd", 1),
            ("veh_gd", 2),
        }
        one.close()
        await until(lambda: len(gateway.of(LiveVideoControl)) == 1)
        assert gateway.of(LiveVideoControl)[0].message.channel == 1
        assert await take(two, 5)  # channel 2 goes on


async def test_force_stop_ends_the_viewers(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    async with relay_for(store, tmp_path, gateway) as relay:
        viewer = await relay.open_viewer("veh_gd", 1)
        await take(viewer, 3)
        command = await relay.stop_stream("veh_gd", 1, user_id="usr_admin")
        assert command is not None and command.status == CommandStatus.ACKED
        async with asyncio.timeout(5):
            rest = [u async for u in viewer]
        assert len(rest) <= relay.settings.viewer_max_frames
        assert viewer.end_reason == "stopped by user"
        viewer.close()
        await asyncio.sleep(0.5)
        [stop] = gateway.of(LiveVideoControl)
        assert stop.user_id == "usr_admin"
        # Nothing running: a forced stop still reaches an online terminal.
        assert (await relay.stop_stream("veh_gd", 4)).status == CommandStatus.ACKED
        assert len(gateway.of(LiveVideoControl)) == 2


async def test_a_stream_whose_terminal_goes_quiet_ends(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    async with relay_for(store, tmp_path, gateway, stall_timeout_s=0.5) as relay:
        viewer = await relay.open_viewer("veh_gd", 1)
        await take(viewer, 3)
        gateway.senders[0].paused = True
        async with asyncio.timeout(5):
            async for _ in viewer:
                pass
        assert viewer.end_reason == "no video from the terminal"
        await until(lambda: len(gateway.of(LiveVideoControl)) == 1)
        assert relay.platform.metrics.get("media.stalls") == 1


async def test_garbage_on_the_media_port_is_counted_and_harmless(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    async with relay_for(store, tmp_path, gateway, idle_timeout_s=0.5) as relay:
        reader, writer = await asyncio.open_connection("127.0.0.1", relay.port)
        writer.write(
            os.urandom(5000) + b"GET / HTTP/1.1\r\n\r\n" + b"\x30\x31\x63\x64" + b"\xff" * 40
        )
        await writer.drain()
        # The garbage link is dropped once it has sent nothing useful for idle_timeout_s ...
        async with asyncio.timeout(5):
            assert await reader.read() == b""
        writer.close()
        metrics = relay.platform.metrics
        assert metrics.get("media.stream_errors") >= 1
        assert metrics.get("media.idle_disconnects") == 1
        # ... and the relay still works.
        viewer = await relay.open_viewer("veh_gd", 1)
        assert decode(await take(viewer, 5))[1] == 0


async def test_a_silent_link_is_disconnected(
    store: Store, tmp_path: Path, gateway: FakeGateway
) -> None:
    async with relay_for(store, tmp_path, gateway, idle_timeout_s=0.3) as relay:
        reader, writer = await asyncio.open_connection("127.0.0.1", relay.port)
        started = time.monotonic()
        async with asyncio.timeout(5):
            assert await reader.read() == b""
        assert time.monotonic() - started >= 0.25
        writer.close()
        assert relay.platform.metrics.get("media.idle_disconnects") == 1


async def test_frames_nobody_asked_for_are_counted_not_relayed(
    store: Store, tmp_path: Path, gateway: FakeGateway, h264_clip: list[AccessUnit]
) -> None:
    async with relay_for(store, tmp_path, gateway, idle_timeout_s=0.5) as relay:
        unknown = Sender("127.0.0.1", relay.port, "099999999999", 1, h264_clip, 98)
        unasked = Sender("127.0.0.1", relay.port, TRUCKS["veh_zz"][0], 1, h264_clip, 98)
        try:
            await asyncio.wait_for(unknown.closed_by_relay.wait(), 5)
            await asyncio.wait_for(unasked.closed_by_relay.wait(), 5)
        finally:
            await unknown.stop()
            await unasked.stop()
        metrics = relay.platform.metrics
        assert metrics.get("media.unknown_sim") > 0
        assert metrics.get("media.frames_unrequested") > 0
        assert relay.streams() == []


async def test_a_reconnecting_terminal_takes_over_its_stream(
    store: Store, tmp_path: Path, gateway: FakeGateway, h264_clip: list[AccessUnit]
) -> None:
    async with relay_for(store, tmp_path, gateway) as relay:
        viewer = await relay.open_viewer("veh_gd", 1)
        await take(viewer, 5)
        old = gateway.senders[0]
        old.paused = True
        new = Sender("127.0.0.1", relay.port, TRUCKS["veh_gd"][0], 1, h264_clip, 98, start=5)
        gateway.senders.append(new)
        units = await take(viewer, 20)
        assert parameter_sets(units[0], "h264")  # resumed at the new link's first key frame
        frames, errors = decode(units)
        assert errors == 0 and len(frames) == 20
        assert viewer.dropped == GOP - 5
        await asyncio.wait_for(old.closed_by_relay.wait(), 5)  # the stale link is let go
        assert not new.closed_by_relay.is_set()


async def test_stop_ends_everything(store: Store, tmp_path: Path, gateway: FakeGateway) -> None:
    async with relay_for(store, tmp_path, gateway) as relay:
        viewer = await relay.open_viewer("veh_gd", 1)
        await take(viewer, 2)
    assert viewer.end_reason == "platform stopping"
    assert len(gateway.of(LiveVideoControl)) == 1
    assert relay.link_count == 0


async def test_settings_come_from_the_config_extra(store: Store, tmp_path: Path) -> None:
    config = PlatformConfig(
        db_url=store.url, data_dir=tmp_path, extra={"media.grace_s": "5", "media.max_links": "7"}
    )
    settings = MediaSettings.from_config(config)
    assert settings.grace_s == 5.0 and settings.max_links == 7
    assert settings.idle_timeout_s == MediaSettings().idle_timeout_s
