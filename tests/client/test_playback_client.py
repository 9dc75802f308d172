"""History playback (console/client/playback.py) against a real platform process and a real
simulated fleet whose terminals answer 0x9205 with their recordings and 0x9201 by streaming
the recording (H.264 over JT/T 1078)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from live_platform import wait_for

from console.client import PlatformClient
from console.client.playback import (
    BEIJING,
    Playback,
    Recording,
    RecordingQueryError,
    query_recordings,
)
from console.client.video import LiveVideo, VideoError, running_streams
from console.sim.video import MAIN_SIZE


@pytest.fixture(scope="module")
def client(fleet_client: PlatformClient) -> PlatformClient:
    return fleet_client


@pytest.fixture(scope="module")
def online(fleet_vehicles: dict[str, list[dict]]) -> list[str]:
    return [v["id"] for v in fleet_vehicles["online"]]


@pytest.fixture(scope="module")
def offline(fleet_vehicles: dict[str, list[dict]]) -> str:
    return fleet_vehicles["offline"][0]["id"]


def last_two_hours() -> tuple[datetime, datetime]:
    end = datetime.now(BEIJING).replace(second=0, microsecond=0)
    return end - timedelta(hours=2), end


def streams_of(client: PlatformClient, vehicle_id: str, channel: int) -> list[dict]:
    return [
        s
        for s in running_streams(client)
        if s["vehicle_id"] == vehicle_id and s["channel"] == channel
    ]


@pytest.mark.timeout(180)
def test_recordings_of_a_channel_in_a_range(client: PlatformClient, online: list[str]) -> None:
    start, end = last_two_hours()
    recordings = query_recordings(client, online[0], 1, start, end)
    assert recordings and all(isinstance(r, Recording) for r in recordings)
    assert {r.channel for r in recordings} == {1}
    assert recordings == sorted(recordings, key=lambda r: r.start)
    for r in recordings:
        assert start <= r.start < r.end <= end
        assert r.start.utcoffset() == timedelta(hours=8) and r.size > 0
    # All channels at once: the simulator records several.
    every = query_recordings(client, online[0], 0, start, end)
    assert len({r.channel for r in every}) > 1


@pytest.mark.timeout(180)
def test_concurrent_queries_to_one_terminal_both_answer(
    client: PlatformClient, online: list[str]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    start, end = last_two_hours()
    with ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(query_recordings, client, online[1], ch, start, end) for ch in (1, 2)
        ]
        answers = [f.result(timeout=90) for f in futures]
    assert [{r.channel for r in a} for a in answers] == [{1}, {2}]


@pytest.mark.timeout(180)
def test_a_recording_plays_and_closing_stops_it(client: PlatformClient, online: list[str]) -> None:
    vehicle = online[0]
    recording = query_recordings(client, vehicle, 3, *last_two_hours())[0]
    with Playback.of(client, vehicle, recording) as playback:
        playback.open()
        assert playback.codec == "h264"
        [stream] = streams_of(client, vehicle, 3)
        assert stream["kind"] == "playback"
        assert datetime.fromisoformat(stream["playback_start"]) == recording.start
        frames = []
        for decoded in playback.frames():
            frames.append(decoded)
            if len(frames) >= 30:
                break
        stats = playback.stats()
    assert frames[0].frame.key_frame
    assert {(d.frame.width, d.frame.height) for d in frames} == {MAIN_SIZE}
    assert stats.decode_errors == 0 and stats.frames_decoded >= 30
    # Hung up: the platform sends 0x9202 stop and the relay's stream goes away.
    wait_for(lambda: not streams_of(client, vehicle, 3), 60, "the playback to stop")


@pytest.mark.timeout(180)
def test_playback_is_refused_while_the_channel_is_live(
    client: PlatformClient, online: list[str]
) -> None:
    vehicle = online[1]
    start, _ = last_two_hours()
    with LiveVideo(client, vehicle, 4) as live:
        live.open()
        with pytest.raises(VideoError) as err:
            Playback(client, vehicle, 4, start, start + timedelta(minutes=10)).open()
    assert err.value.code == "channel_busy" and err.value.status == 409
    assert err.value.describe() == "该通道正在播放实时视频或录像回放。"
    wait_for(lambda: not streams_of(client, vehicle, 4), 60, "the live stream to stop")


def test_an_offline_vehicle_has_no_recordings(client: PlatformClient, offline: str) -> None:
    with pytest.raises(RecordingQueryError) as err:
        query_recordings(client, offline, 1, *last_two_hours())
    assert err.value.code == "offline"
    assert err.value.describe() == "车辆不在线，无法查询录像。"


def test_times_need_a_zone(client: PlatformClient, online: list[str]) -> None:
    naive = datetime(2026, 11, 21, 9, 0)
    with pytest.raises(ValueError):
        query_recordings(client, online[0], 1, naive, naive + timedelta(hours=1))
    with pytest.raises(ValueError):
        Playback(client, online[0], 1, naive, naive + timedelta(hours=1))
