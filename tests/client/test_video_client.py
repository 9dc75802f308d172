"""The live video reader (console/client/video.py) against a real platform process and a
real simulated fleet whose terminals answer 0x9101 with H.264 over JT/T 1078."""

from __future__ import annotations

import threading

import pytest
from live_platform import wait_for

from console.client import PlatformClient
from console.client.video import (
    LiveVideo,
    VideoError,
    running_streams,
    sender_time,
    start_live_video,
    stop_live_video,
    timestamp_sei,
)
from console.sim.video import MAIN_SIZE, SUB_SIZE


@pytest.fixture(scope="module")
def client(fleet_client: PlatformClient) -> PlatformClient:
    return fleet_client


@pytest.fixture(scope="module")
def online(fleet_vehicles: dict[str, list[dict]]) -> list[str]:
    return [v["id"] for v in fleet_vehicles["online"]]


@pytest.fixture(scope="module")
def offline(fleet_vehicles: dict[str, list[dict]]) -> str:
    return fleet_vehicles["offline"][0]["id"]


def stream_running(client: PlatformClient, vehicle_id: str, channel: int) -> bool:
    return any(
        s["vehicle_id"] == vehicle_id and s["channel"] == channel for s in running_streams(client)
    )


@pytest.mark.timeout(180)
def test_frames_decode_with_stats_and_closing_stops_the_terminal(
    client: PlatformClient, online: list[str]
) -> None:
    vehicle = online[0]
    with LiveVideo(client, vehicle, 1) as video:
        video.open()
        assert video.codec == "h264" and video.media_type == "video/h264"
        frames = []
        for decoded in video.frames():
            frames.append(decoded)
            if len(frames) >= 40:
                break
        stats = video.stats()
    assert frames[0].frame.key_frame
    assert {(d.frame.width, d.frame.height) for d in frames} == {MAIN_SIZE}
    assert stats.frames_decoded >= 40 and stats.decode_errors == 0
    assert (stats.width, stats.height) == MAIN_SIZE
    assert stats.last_pts is not None and stats.units >= 40
    assert stats.fps > 0 and stats.bitrate_bps > 0 and stats.decode_cpu_s > 0
    # The simulator's frames carry no sender timestamp.
    assert all(d.sent_at is None for d in frames)
    # The last viewer left: after the grace the platform stops the terminal (0x9102).
    wait_for(lambda: not stream_running(client, vehicle, 1), 60, "the stream to stop")


@pytest.mark.timeout(180)
def test_stop_from_another_thread_ends_the_iteration(
    client: PlatformClient, online: list[str]
) -> None:
    video = LiveVideo(client, online[1], 2, stream="sub")
    video.open()
    got: list[int] = []

    def read() -> None:
        for decoded in video.frames():
            got.append(decoded.frame.width)

    reader = threading.Thread(target=read)
    reader.start()
    wait_for(lambda: len(got) >= 5, 30, "frames")
    video.stop()
    reader.join(10)
    assert not reader.is_alive()
    assert video.end_reason == "stopped"
    assert set(got) == {SUB_SIZE[0]}
    video.close()
    wait_for(lambda: not stream_running(client, online[1], 2), 60, "the stream to stop")


@pytest.mark.timeout(180)
def test_start_and_stop_commands(client: PlatformClient, online: list[str]) -> None:
    answer = start_live_video(client, online[0], 3)
    assert answer["stream_url"] == f"/api/v1/video/{online[0]}/3"
    assert answer["command"]["status"] == "acked"
    assert stream_running(client, online[0], 3)
    stopped = stop_live_video(client, online[0], 3)
    assert stopped["was_running"] is True
    assert not stream_running(client, online[0], 3)


def test_an_offline_vehicle_is_a_clear_error(client: PlatformClient, offline: str) -> None:
    with pytest.raises(VideoError) as err:
        LiveVideo(client, offline, 1).open()
    assert err.value.code == "vehicle_offline" and err.value.status == 409
    assert err.value.describe() == "车辆不在线，无法播放视频。"
    with pytest.raises(VideoError) as err:
        start_live_video(client, offline, 1)
    assert err.value.status == 409


def test_an_unknown_vehicle_is_not_found(client: PlatformClient) -> None:
    with pytest.raises(Exception) as err:
        LiveVideo(client, "veh_nonexistent", 1).open()
    assert getattr(err.value, "code", None) == "not_found"


def test_stop_before_open_returns_at_once(client: PlatformClient, online: list[str]) -> None:
    video = LiveVideo(client, online[0], 4)
    video.stop()
    video.open()
    assert list(video.frames()) == []
    assert video.end_reason == "stopped"
    video.close()


@pytest.mark.parametrize("wall", [0.0, 1.5, 1_763_700_000.123456])
def test_sender_timestamps_round_trip(wall: float) -> None:
    slice_ = b"\x00\x00\x00\x01\x65\x88\x84"
    assert sender_time(timestamp_sei(wall) + slice_) == pytest.approx(wall, abs=1e-6)
    # Only before the slice, and only our UUID.
    assert sender_time(slice_ + timestamp_sei(wall)) is None
    assert sender_time(timestamp_sei(wall).replace(b"\x54\x57", b"\x54\x58") + slice_) is None
