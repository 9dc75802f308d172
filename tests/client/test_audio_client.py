"""The live audio reader (console/client/audio.py) against a real platform process and a real
simulated fleet: its terminals answer 0x9101 "audio and video" with H.264 and a G.711A tone
(console/sim/video.py) over JT/T 1078, and the client decodes the tone back to PCM."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from live_platform import wait_for

from console.client import PlatformClient
from console.client.audio import AlawDecoder, AudioError, LiveAudio
from console.client.video import LiveVideo, running_streams
from console.sim.video import AUDIO_RATE, alaw_encode, tone


@pytest.fixture(scope="module")
def client(fleet_client: PlatformClient) -> PlatformClient:
    return fleet_client


@pytest.fixture(scope="module")
def online(fleet_vehicles: dict[str, list[dict]]) -> list[str]:
    return [v["id"] for v in fleet_vehicles["online"]]


class Watching:
    """A live video viewer reading on a thread: what keeps the channel's stream running."""

    def __init__(self, client: PlatformClient, vehicle_id: str, channel: int) -> None:
        self.video = LiveVideo(client, vehicle_id, channel)
        self.video.open()
        self.thread = threading.Thread(target=lambda: [None for _ in self.video.units()])
        self.thread.start()

    def close(self) -> None:
        self.video.stop()
        self.thread.join(10)
        self.video.close()


def stream_running(client: PlatformClient, vehicle_id: str, channel: int) -> bool:
    return any(
        s["vehicle_id"] == vehicle_id and s["channel"] == channel for s in running_streams(client)
    )


def test_the_alaw_decoder_matches_the_simulators_encoder() -> None:
    pcm = tone(3)
    decoded = AlawDecoder().decode(alaw_encode(pcm))
    assert decoded.dtype == np.int16 and len(decoded) == len(pcm)
    assert np.max(np.abs(decoded.astype(int) - pcm)) <= 64  # A-law's coarsest step at ±2000


@pytest.mark.timeout(180)
def test_the_simulators_tone_decodes_to_pcm(client: PlatformClient, online: list[str]) -> None:
    vehicle = online[0]
    watching = Watching(client, vehicle, 5)
    try:
        with LiveAudio(client, vehicle, 5) as audio:
            audio.open()
            blocks = []
            for pcm in audio.samples():
                blocks.append(pcm)
                if sum(len(b) for b in blocks) >= AUDIO_RATE:
                    break
            stats = audio.stats()
    finally:
        watching.close()
    samples = np.concatenate(blocks)
    assert samples.dtype == np.int16 and len(samples) >= AUDIO_RATE
    assert stats.samples_decoded >= AUDIO_RATE and stats.decode_errors == 0
    assert stats.bytes == stats.samples_decoded and stats.chunks > 0
    # The simulator's 440 Hz tone at amplitude 2000.
    assert 1800 <= np.max(np.abs(samples)) <= 2100
    spectrum = np.abs(np.fft.rfft(samples[:AUDIO_RATE].astype(float)))
    assert abs(int(np.argmax(spectrum)) - 440) <= 2  # 1 Hz per bin over one second
    wait_for(lambda: not stream_running(client, vehicle, 5), 60, "the stream to stop")


def test_without_live_video_audio_is_a_clear_error(
    client: PlatformClient, online: list[str]
) -> None:
    with pytest.raises(AudioError) as err:
        LiveAudio(client, online[1], 6).open()
    assert err.value.code == "no_stream" and err.value.status == 409
    assert err.value.describe() == "该通道没有正在播放的实时视频，无法收听。"
    assert not stream_running(client, online[1], 6)  # asking for audio started nothing
    with pytest.raises(Exception) as err:
        LiveAudio(client, "veh_nonexistent", 1).open()
    assert getattr(err.value, "code", None) == "not_found"


@pytest.mark.timeout(180)
def test_stop_from_another_thread_ends_the_iteration(
    client: PlatformClient, online: list[str]
) -> None:
    watching = Watching(client, online[1], 7)
    audio = LiveAudio(client, online[1], 7)
    try:
        audio.open()
        got: list[int] = []

        def read() -> None:
            for pcm in audio.samples():
                got.append(len(pcm))

        reader = threading.Thread(target=read)
        reader.start()
        wait_for(lambda: sum(got) >= 1600, 30, "samples")
        audio.stop()
        reader.join(10)
        assert not reader.is_alive()
        assert audio.end_reason == "stopped"
    finally:
        audio.close()
        watching.close()
