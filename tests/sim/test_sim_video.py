"""Live video: H.264 in JT/T 1078 packets that reassemble into decodable frames."""

from __future__ import annotations

import numpy as np

from console.media.evidence import render_frame
from console.media.h264 import decode_annexb
from console.protocol.jt1078 import DataType, FrameAssembler, MediaFrame, decode_packet
from console.protocol.jt1078.packet import MAGIC
from console.sim.video import AUDIO_FRAME, LiveEncoder, MediaPacketizer, alaw_encode, tone


def stream(sim: str, seconds: float = 2.0, audio: bool = False) -> bytes:
    encoder = LiveEncoder(320, 180, fps=25, gop=25)
    packetizer = MediaPacketizer(sim, channel=2)
    out = []
    for i in range(int(seconds * 25)):
        rgb = render_frame(320, 180, i / 25, ("YUE R12345  CH2 LIVE", f"frame {i}"))
        ts = 1_700_000_000_000 + i * 40
        for data, key in encoder.encode(rgb):
            out.append(packetizer.video(data, key, ts))
        if audio:
            out.append(packetizer.audio(alaw_encode(tone(i, AUDIO_FRAME)), ts))
    return b"".join(out)


def split(data: bytes) -> list[bytes]:
    starts = []
    i = data.find(MAGIC)
    while i >= 0:
        starts.append(i)
        i = data.find(MAGIC, i + 1)
    return [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]


def test_packets_reassemble_into_decodable_h264_with_key_frames_every_second() -> None:
    data = stream("013912345678")
    assembler = FrameAssembler(sim_len=6)
    frames = [f for f in assembler.feed(data) if isinstance(f, MediaFrame)]
    assert assembler.errors == 0 and len(frames) == 50
    keys = [i for i, f in enumerate(frames) if f.data_type == DataType.VIDEO_I]
    assert keys == [0, 25]
    decoded = decode_annexb(b"".join(f.payload for f in frames))
    assert len(decoded) == 50 and (decoded[0].width, decoded[0].height) == (320, 180)


def test_timestamps_and_intervals() -> None:
    frames = [
        f
        for f in FrameAssembler(sim_len=6).feed(stream("013912345678"))
        if isinstance(f, MediaFrame)
    ]
    assert [f.timestamp for f in frames[:3]] == [1_700_000_000_000 + 40 * i for i in range(3)]
    assert frames[0].last_interval == 0 and frames[1].last_interval == 40
    assert frames[24].last_i_interval == 24 * 40 and frames[25].last_i_interval == 0


def test_bodies_stay_within_950_bytes_and_2019_terminals_use_a_bcd10_sim() -> None:
    sim = "00000001440459838935"
    packets = [decode_packet(p, sim_len=10) for p in split(stream(sim, 1.0, audio=True))]
    assert all(len(p.body) <= 950 for p in packets)
    assert {p.sim for p in packets} == {sim}
    assert [p.seq for p in packets] == list(range(len(packets)))
    assert any(p.payload_type == 6 and p.data_type == DataType.AUDIO for p in packets)
    assert any(p.subpackage != 0 for p in packets)  # key frames are split


def test_alaw_of_silence_is_the_alaw_zero() -> None:
    assert set(alaw_encode(np.zeros(8, dtype=np.int16))) == {0xD5}
