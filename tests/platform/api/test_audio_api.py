"""The live audio route (``GET /api/v1/audio/{vehicle}/{channel}`` in
console/platform/api/video.py) on a real uvicorn server in front of the real media relay, fed
over loopback TCP by the terminal stand-in of ``tests/platform/test_media.py`` (G.711A frames
between its video frames)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
import requests
from test_media import until
from test_video_api import clips, env, read_frames, running  # noqa: F401 (fixtures)

from console.media.h264 import AccessUnit
from console.protocol.jt808.video import LiveVideoControl, LiveVideoRequest

pytestmark = pytest.mark.anyio

AUDIO_FRAME = bytes(range(160))  # the stand-in terminal's G.711A payload


def read_audio(response: requests.Response, size: int) -> bytes:
    got = b""
    with response:
        for chunk in response.iter_content(chunk_size=None):
            got += chunk
            if len(got) >= size:
                break
    return got


async def test_audio_flows_while_the_live_video_runs(
    env: SimpleNamespace,  # noqa: F811
    clips: dict[int, list[AccessUnit]],  # noqa: F811
) -> None:
    async with running(env, clips) as api:
        api.gateway.options["audio"] = True
        headers = await api.login("ent_a1")
        vehicle = api.vehicle("ent_a1")
        video = await asyncio.to_thread(
            requests.get, f"{api.base}/api/v1/video/{vehicle}/1", headers=headers, stream=True,
            timeout=10,
        )  # fmt: skip
        assert video.status_code == 200
        [request] = api.gateway.of(LiveVideoRequest)
        assert request.message.data_type == 0 and request.params["data_type"] == 0

        audio = await asyncio.to_thread(
            requests.get, f"{api.base}/api/v1/audio/{vehicle}/1", headers=headers, stream=True,
            timeout=10,
        )  # fmt: skip
        assert audio.status_code == 200, audio.text
        assert audio.headers["content-type"] == "audio/PCMA"
        assert audio.headers["x-audio-rate"] == "8000"
        assert audio.headers.get("transfer-encoding") == "chunked"
        got = await asyncio.to_thread(read_audio, audio, 20 * len(AUDIO_FRAME))
        assert got[: 20 * len(AUDIO_FRAME)] == AUDIO_FRAME * 20
        # The video was not disturbed, and listening started no second request.
        frames, errors = await asyncio.to_thread(read_frames, video, "h264", 20)
        assert errors == 0 and len(frames) >= 20 and frames[0].key_frame
        assert len(api.gateway.of(LiveVideoRequest)) == 1
        # Both hung up: the stream stops after the grace.
        await until(lambda: len(api.gateway.of(LiveVideoControl)) == 1)
        assert api.relay.streams() == []


async def test_audio_ends_with_the_video_stream(
    env: SimpleNamespace,  # noqa: F811
    clips: dict[int, list[AccessUnit]],  # noqa: F811
) -> None:
    async with running(env, clips) as api:
        api.gateway.options["audio"] = True
        headers = await api.login("admin")
        vehicle = api.vehicle("ent_b1")
        r = await api.request(
            "POST", f"/vehicles/{vehicle}/commands/live-video", json={"channel": 2},
            headers=headers,
        )  # fmt: skip
        assert r.status_code == 200, r.text

        def listen_to_the_end() -> int:
            url = f"{api.base}/api/v1/audio/{vehicle}/2"
            with requests.get(url, headers=headers, stream=True, timeout=10) as response:
                assert response.status_code == 200, response.text
                return sum(len(c) for c in response.iter_content(chunk_size=None))

        listening = asyncio.ensure_future(asyncio.to_thread(listen_to_the_end))
        await until(lambda: api.relay.stream(vehicle, 2).stats()["audio_listeners"] == 1)
        await until(lambda: api.relay.stream(vehicle, 2).audio_frames > 10)
        r = await api.request(
            "POST", f"/vehicles/{vehicle}/commands/stop-video", json={"channel": 2},
            headers=headers,
        )  # fmt: skip
        assert r.status_code == 200 and r.json()["was_running"] is True
        received = await asyncio.wait_for(listening, 10)  # the response ended
        assert received > 0


async def test_no_live_stream_is_409_and_starts_nothing(
    env: SimpleNamespace,  # noqa: F811
    clips: dict[int, list[AccessUnit]],  # noqa: F811
) -> None:
    async with running(env, clips) as api:
        api.gateway.options["audio"] = True
        headers = await api.login("admin")
        vehicle = api.vehicle("ent_a2")
        r = await api.request("GET", f"/audio/{vehicle}/1", headers=headers)
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "no_stream"
        assert api.gateway.sent == [] and api.relay.streams() == []


async def test_audio_outside_the_scope_is_404(
    env: SimpleNamespace,  # noqa: F811
    clips: dict[int, list[AccessUnit]],  # noqa: F811
) -> None:
    async with running(env, clips) as api:
        api.gateway.options["audio"] = True
        admin = await api.login("admin")
        vehicle = api.vehicle("ent_a1")
        # A live stream runs, but someone from another enterprise may not hear it.
        await api.request(
            "POST", f"/vehicles/{vehicle}/commands/live-video", json={"channel": 1}, headers=admin
        )
        assert api.relay.stream(vehicle, 1) is not None
        other = await api.login("ent_b1")
        for path in (f"/audio/{vehicle}/1", "/audio/veh_nonexistent/1"):
            r = await api.request("GET", path, headers=other)
            assert r.status_code == 404, r.text
            assert r.json()["error"]["code"] == "not_found"
        assert api.relay.stream(vehicle, 1).stats()["audio_listeners"] == 0
        r = await api.request("GET", f"/audio/{vehicle}/1")
        assert r.status_code == 401
        r = await api.request("GET", f"/audio/{vehicle}/0", headers=admin)
        assert r.status_code == 422
