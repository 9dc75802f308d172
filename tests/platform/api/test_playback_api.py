"""History playback (console/platform/api/video.py ``GET /playback/…``) and the one-at-a-time
resource query (console/platform/api/commands.py) on a real uvicorn server.

Playback runs in front of the real media relay fed over loopback TCP by the terminal-side
sender of ``tests/platform/test_media.py``; the stand-in gateway answers 0x9201 by starting
that sender and 0x9202 "stop" by stopping it, as a terminal does. The resource query runs
through the real gateway to a test terminal over real TCP (``tests/platform/terminal.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from running import terminal_side
from terminal import CST, TestTerminal
from test_media import NOW, FakeGateway, Sender, Sent, until
from test_video_api import Api, read_frames

from console.domain.model import Command, CommandKind, CommandStatus
from console.media.h264 import AccessUnit, encode_test_clip
from console.platform.api.http import HttpServer
from console.platform.media import MediaRelay, MediaSettings
from console.protocol.binary import BcdTime
from console.protocol.jt808.connection import MessageReceived
from console.protocol.jt808.message import Message
from console.protocol.jt808.video import (
    LiveVideoControl,
    PlaybackCommand,
    PlaybackControl,
    PlaybackRequest,
    QueryResources,
    ResourceList,
    ResourceRecord,
)
from console.protocol.jt1078 import PayloadType

pytestmark = pytest.mark.anyio

WIDTH, HEIGHT, GOP = 320, 240, 10
START = datetime(2026, 11, 21, 9, 0, tzinfo=CST)
END = START + timedelta(minutes=10)


@pytest.fixture(scope="module")
def clips() -> dict[int, list[AccessUnit]]:
    return {PayloadType.H264: encode_test_clip(WIDTH, HEIGHT, 25, 2, codec="h264", gop=GOP)}


class PlaybackGateway(FakeGateway):
    """The stand-in gateway, also answering 0x9201 (stream the recording) and 0x9202."""

    async def send(
        self,
        vehicle_id: str,
        kind: CommandKind,
        message: Message,
        *,
        params: dict[str, Any] | None = None,
        user_id: str | None = None,
    ) -> Command:
        if not isinstance(message, PlaybackRequest | PlaybackControl):
            return await super().send(vehicle_id, kind, message, params=params, user_id=user_id)
        self.sent.append(Sent(vehicle_id, kind, message, params, user_id))
        status = CommandStatus.ACKED if vehicle_id in self.online else CommandStatus.OFFLINE
        if status is CommandStatus.ACKED:
            if isinstance(message, PlaybackRequest):
                sender = Sender(
                    message.ip, message.tcp_port, self.phones[vehicle_id], message.channel,
                    self.clips[self.payload_type], self.payload_type, **self.options,
                )  # fmt: skip
                self.senders.append(sender)
            elif message.control == PlaybackCommand.STOP:
                for sender in self.senders:
                    if sender.channel == message.channel:
                        await sender.stop()
        return Command(
            id=f"cmd_{len(self.sent)}", vehicle_id=vehicle_id, kind=kind, status=status,
            created_at=NOW, updated_at=NOW, message_id=message.MESSAGE_ID,
            params=params or {}, created_by=user_id,
        )  # fmt: skip


@pytest.fixture
def env(ctx: SimpleNamespace, world: Any, login: Any) -> SimpleNamespace:
    return SimpleNamespace(ctx=ctx, world=world, login=login)


@contextlib.asynccontextmanager
async def running(env: SimpleNamespace, clips: dict[int, list[AccessUnit]]) -> AsyncIterator[Api]:
    ctx, world = env.ctx, env.world
    ctx.gateway = PlaybackGateway(dict(clips), world.phones)
    ctx.media = MediaRelay(ctx, MediaSettings(grace_s=0.3, tick_s=0.1))
    await ctx.media.start()
    http = HttpServer(ctx)
    port = await http.start()
    api = Api(ctx, f"http://127.0.0.1:{port}", world, env.login)
    try:
        yield api
    finally:
        api.http.close()
        await http.stop()
        await ctx.media.stop()
        await ctx.gateway.close()


def playback_params(start: datetime = START, end: datetime = END) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}


async def open_playback(
    api: Api, headers: dict[str, str], vehicle: str, channel: int, **params: str
) -> requests.Response:
    url = f"{api.base}/api/v1/playback/{vehicle}/{channel}"
    return await asyncio.to_thread(
        requests.get, url, params=params or playback_params(), headers=headers, stream=True,
        timeout=20,
    )  # fmt: skip


# --- playback ----------------------------------------------------------------------------


async def test_playback_sends_0x9201_streams_and_hanging_up_sends_0x9202_stop(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("op_a")
        vehicle = api.vehicle("ent_a1")
        response = await open_playback(api, headers, vehicle, 2)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "video/h264"
        [sent] = api.gateway.of(PlaybackRequest)
        request = sent.message
        assert sent.kind is CommandKind.PLAYBACK and sent.user_id == api.world.users["op_a"]
        assert request.channel == 2 and request.tcp_port == api.relay.port
        assert request.start == BcdTime.from_datetime(START)
        assert request.end == BcdTime.from_datetime(END)
        # UTC in the query is the same moment: the terminal gets Beijing time.
        assert str(request.start) == "2026-11-21 09:00:00"
        [stream] = api.relay.streams()
        assert stream.kind == "playback" and stream.playback == (START, END)

        frames, errors = await asyncio.to_thread(read_frames, response, "h264", 20)
        assert errors == 0 and len(frames) >= 20 and frames[0].key_frame
        assert {(f.width, f.height) for f in frames} == {(WIDTH, HEIGHT)}

        # Hung up: 0x9202 "stop" at once (no grace), the stream is gone.
        await until(lambda: len(api.gateway.of(PlaybackControl)) == 1)
        stop = api.gateway.of(PlaybackControl)[0].message
        assert stop.channel == 2 and stop.control == PlaybackCommand.STOP
        await until(lambda: api.relay.streams() == [])
        assert api.gateway.of(LiveVideoControl) == []  # not a live stop


async def test_the_listing_marks_a_playback(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("admin")
        vehicle = api.vehicle("ent_b1")
        utc = playback_params(START.astimezone(UTC), END.astimezone(UTC))
        response = await open_playback(api, headers, vehicle, 1, **utc)
        assert response.status_code == 200, response.text
        with response:
            [entry] = (await api.request("GET", "/video", headers=headers)).json()["streams"]
        assert entry["kind"] == "playback" and entry["stream_url"] is None
        assert datetime.fromisoformat(entry["playback_start"]) == START


async def test_the_terminal_ending_the_recording_ends_the_stream(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("admin")
        vehicle = api.vehicle("ent_a2")
        response = await open_playback(api, headers, vehicle, 1)
        assert response.status_code == 200

        def read_all() -> int:
            n = 0
            with response:
                for chunk in response.iter_content(chunk_size=None):
                    n += bool(chunk)
            return n

        reader = asyncio.create_task(asyncio.to_thread(read_all))
        await until(lambda: len(api.gateway.senders[0].sent) >= 5)
        await api.gateway.senders[0].stop()  # the recording is over: the terminal hangs up
        assert await asyncio.wait_for(reader, 20) >= 1
        await until(lambda: api.relay.streams() == [])


async def test_playback_is_refused_while_live_video_runs_on_the_channel(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("admin")
        vehicle = api.vehicle("ent_a1")
        r = await api.request(
            "POST", f"/vehicles/{vehicle}/commands/live-video", json={"channel": 1},
            headers=headers,
        )  # fmt: skip
        assert r.status_code == 200, r.text
        busy = await open_playback(api, headers, vehicle, 1)
        assert busy.status_code == 409
        assert busy.json()["error"]["code"] == "channel_busy"
        assert "live video" in busy.json()["error"]["message"]
        assert api.gateway.of(PlaybackRequest) == []
        # Another channel of the same vehicle can play back meanwhile.
        other = await open_playback(api, headers, vehicle, 2)
        assert other.status_code == 200, other.text
        other.close()


async def test_live_video_and_a_second_playback_are_refused_during_a_playback(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("admin")
        vehicle = api.vehicle("ent_a1")
        playing = await open_playback(api, headers, vehicle, 1)
        assert playing.status_code == 200
        with playing:
            live = await asyncio.to_thread(
                requests.get, f"{api.base}/api/v1/video/{vehicle}/1", headers=headers, timeout=20
            )
            assert live.status_code == 409 and live.json()["error"]["code"] == "channel_busy"
            again = await open_playback(api, headers, vehicle, 1)
            assert again.status_code == 409 and again.json()["error"]["code"] == "channel_busy"
            assert len(api.gateway.of(PlaybackRequest)) == 1


async def test_out_of_scope_unknown_offline_and_bad_times(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("ent_a1")
        outside = api.vehicle("ent_b1")
        r = await open_playback(api, headers, outside, 1)
        assert r.status_code == 404
        r = await open_playback(api, headers, "veh_nonexistent", 1)
        assert r.status_code == 404
        mine = api.vehicle("ent_a1")
        naive = {"start": "2026-11-21T09:00:00", "end": "2026-11-21T09:10:00"}
        r = await open_playback(api, headers, mine, 1, **naive)
        assert r.status_code == 422
        r = await open_playback(api, headers, mine, 1, **playback_params(END, START))
        assert r.status_code == 422
        api.gateway.online.discard(mine)
        r = await open_playback(api, headers, mine, 1)
        assert r.status_code == 409 and r.json()["error"]["code"] == "vehicle_offline"
        assert api.gateway.of(PlaybackControl) == []
        assert api.relay.streams() == []


# --- one resource query at a time --------------------------------------------------------


class QueryTerminal(TestTerminal):
    """A test terminal that leaves 0x9205 unanswered until the test answers it."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.queries: list[tuple[int, QueryResources]] = []

    async def _read(self) -> None:
        assert self.reader is not None
        while data := await self.reader.read(65536):
            for event in self.conn.receive_data(data, 0.0):
                if isinstance(event, MessageReceived):
                    message = event.message
                    if isinstance(message, QueryResources):
                        self.queries.append((event.header.serial, message))
                    elif hasattr(message, "reply_serial"):
                        await self.replies.put((message.reply_serial, message))

    def answer(self, serial: int, query: QueryResources) -> None:
        record = ResourceRecord(query.channel, query.start, query.end, 0, 0, 1, 1, 1000)
        self.send(ResourceList.of(serial, (record,)))


async def test_resource_queries_to_one_terminal_go_one_at_a_time(
    env: SimpleNamespace, tmp_path: Path
) -> None:
    ctx, world = env.ctx, env.world
    async with terminal_side(ctx.store, tmp_path, command_timeout_s=30) as platform:
        ctx.gateway = platform.gateway
        http = HttpServer(ctx)
        port = await http.start()
        vehicle = world.vehicles[world.ent_a1][0]
        terminal = QueryTerminal(
            "127.0.0.1", platform.jt808_port, world.phones[vehicle], "T000001",
            world.plates[vehicle],
        )  # fmt: skip
        try:
            await terminal.login()
            headers = await asyncio.to_thread(env.login, "admin")
            url = f"http://127.0.0.1:{port}/api/v1/vehicles/{vehicle}/commands/resources"

            def query(channel: int) -> requests.Response:
                body = {"channel": channel, **playback_params()}
                return requests.post(url, json=body, headers=headers, timeout=40)

            first = asyncio.create_task(asyncio.to_thread(query, 1))
            await until(lambda: len(terminal.queries) == 1, 10)
            second = asyncio.create_task(asyncio.to_thread(query, 2))
            # The second request is in (give it time to reach the terminal if it could) ...
            await asyncio.sleep(0.5)
            assert len(terminal.queries) == 1
            assert not second.done()
            # ... and goes out once the first has its answer.
            terminal.answer(*terminal.queries[0])
            r1 = await asyncio.wait_for(first, 20)
            await until(lambda: len(terminal.queries) == 2, 10)
            assert terminal.queries[1][1].channel == 2
            terminal.answer(*terminal.queries[1])
            r2 = await asyncio.wait_for(second, 20)
            for r, channel in ((r1, 1), (r2, 2)):
                assert r.status_code == 200, r.text
                body = r.json()
                assert body["status"] == "acked" and body["kind"] == "resource_query"
                [record] = body["result"]["records"]
                assert record["channel"] == channel and record["start"] == "2026-11-21 09:00:00"
            # Another vehicle is not held up by this one's queue (nothing answers it: offline).
            other = world.vehicles[world.ent_a1][1]
            r = await asyncio.to_thread(
                requests.post, url.replace(vehicle, other),
                json={"channel": 0, **playback_params()}, headers=headers, timeout=20,
            )  # fmt: skip
            assert r.status_code == 409
        finally:
            await terminal.close()
            await http.stop()
