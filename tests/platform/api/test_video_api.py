"""The live video routes (console/platform/api/video.py) on a real uvicorn server, read with
``requests`` and decoded with PyAV, in front of the real media relay fed over loopback TCP.

The terminal side and the stand-in gateway are those of ``tests/platform/test_media.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import av
import pytest
import requests
from test_media import FakeGateway, until

from console.domain.model import CommandStatus
from console.media.h264 import AccessUnit, AnnexBDecoder, encode_test_clip
from console.platform.api.http import HttpServer
from console.platform.media import MediaRelay, MediaSettings
from console.protocol.jt808.video import LiveVideoControl, LiveVideoRequest
from console.protocol.jt1078 import PayloadType

pytestmark = pytest.mark.anyio

WIDTH, HEIGHT, GOP = 320, 240, 10


@pytest.fixture(scope="module")
def clips() -> dict[int, list[AccessUnit]]:
    return {
        PayloadType.H264: encode_test_clip(WIDTH, HEIGHT, 25, 2, codec="h264", gop=GOP),
        PayloadType.H265: encode_test_clip(WIDTH, HEIGHT, 25, 2, codec="hevc", gop=GOP),
    }


class Api:
    """The running platform parts of one test and a ``requests`` session towards them."""

    def __init__(self, ctx: SimpleNamespace, base: str, world: Any, login: Any) -> None:
        self.ctx, self.base, self.world, self._login = ctx, base, world, login
        self.gateway: FakeGateway = ctx.gateway
        self.relay: MediaRelay = ctx.media
        self.http = requests.Session()

    async def login(self, username: str) -> dict[str, str]:
        """A bearer token from the conftest's ``login`` (same store, so valid here too)."""
        return await asyncio.to_thread(self._login, username)

    async def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        url = f"{self.base}/api/v1{path}"
        return await asyncio.to_thread(self.http.request, method, url, timeout=20, **kw)

    def vehicle(self, enterprise: str, i: int = 0) -> str:
        return self.world.vehicles[getattr(self.world, enterprise)][i]


@pytest.fixture
def env(ctx: SimpleNamespace, world: Any, login: Any) -> SimpleNamespace:
    """The conftest's API context (store, world of users and vehicles, login)."""
    return SimpleNamespace(ctx=ctx, world=world, login=login)


@contextlib.asynccontextmanager
async def running(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]], **settings: Any
) -> AsyncIterator[Api]:
    ctx, world = env.ctx, env.world
    ctx.gateway = FakeGateway(dict(clips), world.phones)
    ctx.media = MediaRelay(ctx, MediaSettings(**{"grace_s": 0.3, "tick_s": 0.1, **settings}))
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


def read_frames(response: requests.Response, codec: str, n: int) -> tuple[list[Any], int]:
    """Decode the chunked stream as it comes until ``n`` frames, then hang up."""
    decoder = AnnexBDecoder(codec)
    frames: list[Any] = []
    with response:
        for chunk in response.iter_content(chunk_size=None):
            frames += decoder.feed(chunk)
            if len(frames) >= n:
                break
    return frames, decoder.errors


async def test_live_video_command_then_the_stream_decodes(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("op_a")
        vehicle = api.vehicle("ent_a1")
        r = await api.request(
            "POST", f"/vehicles/{vehicle}/commands/live-video",
            json={"channel": 2, "stream": "sub"}, headers=headers,
        )  # fmt: skip
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["stream_url"] == f"/api/v1/video/{vehicle}/2"
        assert body["stream"] == "sub" and body["channel"] == 2
        assert body["command"]["status"] == "acked" and body["command"]["kind"] == "live_video"
        assert body["video"]["state"] == "live"
        [request] = api.gateway.of(LiveVideoRequest)
        assert request.message.stream_type == 1 and request.message.channel == 2
        assert request.user_id == api.world.users["op_a"]

        response = await asyncio.to_thread(
            requests.get, api.base + body["stream_url"], headers=headers, stream=True, timeout=10
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == "video/h264"
        assert response.headers.get("transfer-encoding") == "chunked"
        frames, errors = await asyncio.to_thread(read_frames, response, "h264", 30)
        assert errors == 0 and len(frames) >= 30
        assert frames[0].key_frame
        assert {(f.width, f.height) for f in frames} == {(WIDTH, HEIGHT)}
        assert len(api.gateway.of(LiveVideoRequest)) == 1  # the stream was already running

        # The client hung up: its viewer goes, and after the grace the terminal is stopped.
        await until(lambda: len(api.gateway.of(LiveVideoControl)) == 1)
        assert api.gateway.of(LiveVideoControl)[0].message.channel == 2
        assert api.relay.streams() == []


async def test_the_stream_can_be_opened_directly_and_read_with_av_open(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("admin")
        vehicle = api.vehicle("ent_b1", 1)
        api.gateway.options["start"] = 4  # the terminal starts mid-GOP

        def watch() -> list[Any]:
            url = f"{api.base}/api/v1/video/{vehicle}/1"
            with requests.get(url, headers=headers, stream=True, timeout=10) as response:
                assert response.status_code == 200, response.text
                options = {"probesize": "32", "analyzeduration": "0"}
                with av.open(response.raw, format="h264", options=options) as container:
                    frames = []
                    for frame in container.decode(video=0):
                        frames.append(frame)
                        if len(frames) == 20:
                            return frames
            return frames

        frames = await asyncio.to_thread(watch)
        assert len(frames) == 20 and frames[0].key_frame
        assert (frames[0].width, frames[0].height) == (WIDTH, HEIGHT)
        await until(lambda: len(api.gateway.of(LiveVideoControl)) == 1)
        assert api.relay.streams() == []


async def test_h265_is_served_as_video_h265(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        api.gateway.payload_type = PayloadType.H265
        headers = await api.login("ent_a2")
        vehicle = api.vehicle("ent_a2")
        response = await asyncio.to_thread(
            requests.get, f"{api.base}/api/v1/video/{vehicle}/1", headers=headers, stream=True,
            timeout=10,
        )  # fmt: skip
        assert response.headers["content-type"] == "video/h265"
        assert response.headers["x-video-codec"] == "hevc"
        frames, errors = await asyncio.to_thread(read_frames, response, "hevc", 20)
        assert errors == 0 and len(frames) >= 20 and frames[0].key_frame


async def test_two_clients_share_one_terminal_stream_and_list_shows_it(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("ent_a1")
        vehicle = api.vehicle("ent_a1")
        url = f"{api.base}/api/v1/video/{vehicle}/1"
        responses = await asyncio.gather(
            *(
                asyncio.to_thread(requests.get, url, headers=headers, stream=True, timeout=10)
                for _ in range(2)
            )
        )
        await until(lambda: api.relay.stream(vehicle, 1).stats()["viewers"] == 2)
        listing = (await api.request("GET", "/video", headers=headers)).json()["streams"]
        [entry] = listing
        assert entry["vehicle_id"] == vehicle and entry["viewers"] == 2
        assert entry["stream_url"] == f"/api/v1/video/{vehicle}/1"
        assert entry["codec"] == "h264" and entry["media_type"] == "video/h264"
        assert entry["frames"] > 0 and entry["started_at"]
        for key in ("fps", "bitrate", "bytes", "key_frames", "dropped", "state"):
            assert key in entry
        # Someone from another enterprise sees none of it.
        other = await api.login("ent_b1")
        assert (await api.request("GET", "/video", headers=other)).json() == {"streams": []}
        results = await asyncio.gather(
            *(asyncio.to_thread(read_frames, r, "h264", 15) for r in responses)
        )
        for frames, errors in results:
            assert errors == 0 and len(frames) >= 15 and frames[0].key_frame
        assert len(api.gateway.of(LiveVideoRequest)) == 1
        await until(lambda: len(api.gateway.of(LiveVideoControl)) == 1)


async def test_stop_video_ends_the_clients_streams(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("admin")
        vehicle = api.vehicle("ent_a2", 1)

        def watch_to_the_end() -> int:
            url = f"{api.base}/api/v1/video/{vehicle}/3"
            with requests.get(url, headers=headers, stream=True, timeout=10) as response:
                return sum(len(c) for c in response.iter_content(chunk_size=None))

        watching = asyncio.ensure_future(asyncio.to_thread(watch_to_the_end))
        await until(lambda: api.relay.stream(vehicle, 3) is not None)
        await until(lambda: api.relay.stream(vehicle, 3).frames > 10)
        r = await api.request(
            "POST", f"/vehicles/{vehicle}/commands/stop-video", json={"channel": 3}, headers=headers
        )
        assert r.status_code == 200, r.text
        assert r.json()["was_running"] is True
        assert r.json()["command"]["status"] == "acked"
        assert r.json()["command"]["kind"] == "stop_video"
        received = await asyncio.wait_for(watching, 10)  # the response ended
        assert received > 0
        assert len(api.gateway.of(LiveVideoControl)) == 1


async def test_a_vehicle_outside_the_scope_is_404_everywhere(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("ent_a2")
        for vehicle in (api.vehicle("ent_a1"), api.vehicle("ent_b1"), "veh_nonexistent"):
            for method, path, body in (
                ("POST", f"/vehicles/{vehicle}/commands/live-video", {"channel": 1}),
                ("POST", f"/vehicles/{vehicle}/commands/stop-video", {"channel": 1}),
                ("GET", f"/video/{vehicle}/1", None),
            ):
                r = await api.request(method, path, json=body, headers=headers)
                assert r.status_code == 404, (method, path, r.text)
                assert r.json()["error"]["code"] == "not_found"
        operator = await api.login("op_b")
        r = await api.request(
            "POST", f"/vehicles/{api.vehicle('ent_a1')}/commands/live-video",
            json={"channel": 1}, headers=operator,
        )  # fmt: skip
        assert r.status_code == 404
        assert api.gateway.sent == []
        r = await api.request("GET", f"/video/{api.vehicle('ent_a2')}/1")
        assert r.status_code == 401


@pytest.mark.parametrize(
    ("answer", "status", "code"),
    [
        (CommandStatus.OFFLINE, 409, "vehicle_offline"),
        (CommandStatus.FAILED, 502, "terminal_refused"),
        (CommandStatus.TIMED_OUT, 504, "terminal_timeout"),
    ],
)
async def test_start_failures_have_clear_statuses(
    env: SimpleNamespace,
    clips: dict[int, list[AccessUnit]],
    answer: CommandStatus,
    status: int,
    code: str,
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("admin")
        vehicle = api.vehicle("ent_a1", 1)
        if answer == CommandStatus.OFFLINE:
            api.gateway.online.discard(vehicle)
        else:
            api.gateway.answer = answer
        for method, path, body in (
            ("POST", f"/vehicles/{vehicle}/commands/live-video", {"channel": 1}),
            ("GET", f"/video/{vehicle}/1", None),
        ):
            r = await api.request(method, path, json=body, headers=headers)
            assert r.status_code == status, r.text
            assert r.json()["error"]["code"] == code
        assert api.relay.streams() == []


async def test_a_terminal_that_accepts_but_sends_nothing_is_504(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips, stall_timeout_s=0.5) as api:
        headers = await api.login("admin")
        vehicle = api.vehicle("ent_b1")
        api.gateway.clips[PayloadType.H264] = []  # the sender has nothing to send
        api.gateway.options["fps"] = 1000
        started = time.monotonic()
        r = await api.request("GET", f"/video/{vehicle}/1", headers=headers)
        assert r.status_code == 504 and r.json()["error"]["code"] == "no_video"
        assert time.monotonic() - started < 5
        await until(lambda: len(api.gateway.of(LiveVideoControl)) == 1)


async def test_bad_requests_are_422(
    env: SimpleNamespace, clips: dict[int, list[AccessUnit]]
) -> None:
    async with running(env, clips) as api:
        headers = await api.login("admin")
        vehicle = api.vehicle("ent_a1")
        for body in ({"channel": 0}, {"channel": 1, "stream": "best"}):
            r = await api.request(
                "POST", f"/vehicles/{vehicle}/commands/live-video", json=body, headers=headers
            )
            assert r.status_code == 422, body
        r = await api.request("GET", f"/video/{vehicle}/0", headers=headers)
        assert r.status_code == 422
        assert api.gateway.sent == []
