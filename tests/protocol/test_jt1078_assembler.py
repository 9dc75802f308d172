"""JT/T 1078 frame assembler: chunking, resync, reassembly, gaps, bounds, SIM detection."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.protocol.errors import StreamError
from console.protocol.jt1078 import (
    MAGIC,
    DataType,
    FrameAssembler,
    Jt1078Packet,
    MediaFrame,
    PayloadType,
    Subpackage,
    decode_packet,
    packetize,
)

SIM6 = "013912345678"
SIM10 = "00000866496077582164"


def vectors_path() -> Path:
    """The shared vectors live beside the repository: /work/shared next to /work/main."""
    return Path(__file__).parents[3] / "shared/protocol/vectors.json"


def vector(vector_id: str) -> bytes:
    everything = json.loads(vectors_path().read_text(encoding="utf-8"))
    return bytes.fromhex(next(v["hex"] for v in everything if v["id"] == vector_id))


def _frame_packets(
    payload: bytes,
    seq: int,
    *,
    sim: str = SIM6,
    channel: int = 1,
    data_type: DataType = DataType.VIDEO_P,
    timestamp: int | None = 5000,
) -> tuple[list[Jt1078Packet], int]:
    pt = {DataType.AUDIO: PayloadType.G711A, DataType.TRANSPARENT: PayloadType.TRANSPARENT}
    return packetize(
        payload,
        sim=sim,
        channel=channel,
        payload_type=pt.get(data_type, PayloadType.H264),
        data_type=data_type,
        timestamp=None if data_type == DataType.TRANSPARENT else timestamp,
        seq=seq,
    )


def _expected(packets: list[Jt1078Packet]) -> MediaFrame:
    first = packets[0]
    return MediaFrame(
        sim=first.sim,
        channel=first.channel,
        payload_type=first.payload_type,
        data_type=first.data_type,
        timestamp=first.timestamp,
        last_i_interval=first.last_i_interval,
        last_interval=first.last_interval,
        first_seq=first.seq,
        payload=b"".join(p.body for p in packets),
    )


def _mixed_stream(sim: str = SIM6) -> tuple[list[list[Jt1078Packet]], list[MediaFrame]]:
    """Video I/P/B, audio and transparent on two channels, some split, some atomic."""
    rng = random.Random(1078)
    specs = [
        (DataType.VIDEO_I, 1, 4000),
        (DataType.AUDIO, 1, 320),
        (DataType.VIDEO_P, 1, 951),
        (DataType.VIDEO_B, 2, 1900),
        (DataType.TRANSPARENT, 2, 10),
        (DataType.VIDEO_P, 1, 0),
        (DataType.AUDIO, 2, 2000),
    ]
    frames, expected, seq = [], [], 100
    for i, (data_type, channel, size) in enumerate(specs):
        packets, seq = _frame_packets(
            rng.randbytes(size),
            seq,
            sim=sim,
            channel=channel,
            data_type=data_type,
            timestamp=1_700_000_000_000 + 40 * i,
        )
        frames.append(packets)
        expected.append(_expected(packets))
    return frames, expected


def _wire(frames: list[list[Jt1078Packet]]) -> bytes:
    return b"".join(p.encode() for packets in frames for p in packets)


def _feed(assembler: FrameAssembler, data: bytes, sizes: list[int] | None = None) -> list:
    """Feed ``data`` in chunks of the given sizes (cycled), or whole."""
    out: list = []
    if not sizes:
        return assembler.feed(data)
    i, k = 0, 0
    while i < len(data):
        n = sizes[k % len(sizes)]
        out += assembler.feed(data[i : i + n])
        i, k = i + n, k + 1
    return out


def _frames(items: list) -> list[MediaFrame]:
    return [x for x in items if isinstance(x, MediaFrame)]


def _errors(items: list) -> list[StreamError]:
    return [x for x in items if isinstance(x, StreamError)]


# --- whole stream, any chunking ---------------------------------------------------------------


def test_whole_stream_gives_every_frame():
    frames, expected = _mixed_stream()
    out = FrameAssembler(sim_len=6).feed(_wire(frames))
    assert out == expected


def test_one_byte_at_a_time_gives_the_same_frames():
    frames, expected = _mixed_stream()
    assert _feed(FrameAssembler(sim_len=6), _wire(frames), [1]) == expected


@given(st.lists(st.integers(1, 3000), min_size=1, max_size=20))
@settings(max_examples=30, deadline=None)
def test_random_chunk_sizes_give_the_same_frames(sizes):
    frames, expected = _mixed_stream()
    assert _feed(FrameAssembler(sim_len=6), _wire(frames), sizes) == expected


@given(st.lists(st.integers(1, 3000), min_size=1, max_size=20))
@settings(max_examples=30, deadline=None)
def test_auto_detected_sim10_stream_in_random_chunks(sizes):
    frames, expected = _mixed_stream(SIM10)
    assembler = FrameAssembler()
    assert _feed(assembler, _wire(frames), sizes) == expected
    assert assembler.sim_len == 10


def _garbage(rng: random.Random, n: int) -> bytes:
    # Without '0' and 'd' no magic can form inside the garbage or across its edges.
    return bytes(b for b in rng.randbytes(2 * n) if b not in (0x30, 0x64))[:n]


def _with_garbage(frames: list[list[Jt1078Packet]], seed: int = 7) -> bytes:
    rng = random.Random(seed)
    wire = bytearray(_garbage(rng, 50))
    for packets in frames:
        for p in packets:
            wire += p.encode() + _garbage(rng, rng.randrange(0, 40))
    return bytes(wire)


def test_garbage_between_packets_is_skipped_and_reported():
    frames, expected = _mixed_stream()
    out = FrameAssembler(sim_len=6).feed(_with_garbage(frames))
    assert _frames(out) == expected
    assert _errors(out)
    assert all("skipped" in e.message for e in _errors(out))


@pytest.mark.parametrize("sizes", [None, [1], [7, 1, 300, 2, 64]], ids=["whole", "bytes", "mix"])
def test_garbage_any_chunking_gives_the_same_frames(sizes):
    frames, expected = _mixed_stream()
    out = _feed(FrameAssembler(sim_len=6), _with_garbage(frames), sizes)
    assert _frames(out) == expected


def test_garbage_error_reports_count_and_stream_offset():
    packet = _frame_packets(b"abc", 0)[0][0].encode()
    out = FrameAssembler(sim_len=6).feed(packet + b"\xff" * 5 + packet)
    assert [type(x) for x in out] == [MediaFrame, StreamError, MediaFrame]
    assert out[1].offset == len(packet)
    assert "skipped 5 byte(s)" in out[1].message
    assert out[1].frame == b"\xff" * 5


@pytest.mark.parametrize("sizes", [None, [1], [5, 900]], ids=["whole", "bytes", "mix"])
def test_trailing_partial_packet_changes_nothing(sizes):
    frames, expected = _mixed_stream()
    wire = _wire(frames)
    partial = _frame_packets(bytes(500), 9)[0][0].encode()[:-100]
    assembler = FrameAssembler(sim_len=6)
    assert _feed(assembler, wire + partial, sizes) == expected
    assert assembler.buffered == len(partial)


def test_close_reports_the_trailing_partial_packet():
    partial = _frame_packets(bytes(500), 9)[0][0].encode()[:-100]
    assembler = FrameAssembler(sim_len=6)
    assert assembler.feed(partial) == []
    errors = assembler.close()
    assert errors
    assert "stream ended" in errors[0].message
    assert assembler.buffered == 0


def test_close_reports_an_unfinished_frame():
    packets, _ = _frame_packets(bytes(3000), 0)
    assembler = FrameAssembler(sim_len=6)
    assert assembler.feed(b"".join(p.encode() for p in packets[:-1])) == []
    errors = assembler.close()
    assert len(errors) == 1
    assert "inside the frame from seq 0" in errors[0].message


# --- packetize round trip ---------------------------------------------------------------------


@given(
    sizes=st.lists(st.integers(0, 10000), min_size=1, max_size=4),
    seed=st.integers(0, 2**32),
    seq=st.integers(0, 0xFFFF),
    data_type=st.sampled_from(DataType),
    sim=st.sampled_from([SIM6, SIM10]),
)
@settings(max_examples=60, deadline=None)
def test_packetize_then_assemble_round_trips(sizes, seed, seq, data_type, sim):
    rng = random.Random(seed)
    payloads = [rng.randbytes(n) for n in sizes]
    wire = bytearray()
    for payload in payloads:
        packets, seq = _frame_packets(payload, seq, sim=sim, data_type=data_type)
        wire += b"".join(p.encode() for p in packets)
    # Auto-detection may rightly wait on the last packet (a short one fits both layouts
    # until more bytes come), so the stream is closed as a real connection would be.
    assembler = FrameAssembler()
    out = assembler.feed(bytes(wire)) + assembler.close()
    assert [f.payload for f in out] == payloads
    assert {f.sim for f in out} == {sim}
    assert {f.data_type for f in out} == {data_type}


# --- damaged frames ---------------------------------------------------------------------------


def _three_split_frames() -> list[list[Jt1078Packet]]:
    frames, seq = [], 0
    for i in range(3):
        packets, seq = _frame_packets(bytes([i]) * 2500, seq, timestamp=1000 + i)
        assert len(packets) == 3
        frames.append(packets)
    return frames


def test_sequence_gap_drops_exactly_the_damaged_frame():
    frames = _three_split_frames()
    damaged = [frames[0], [frames[1][0], frames[1][2]], frames[2]]
    out = FrameAssembler(sim_len=6).feed(_wire(damaged))
    assert _frames(out) == [_expected(frames[0]), _expected(frames[2])]
    assert len(_errors(out)) == 1
    assert "expected 4" in _errors(out)[0].message


def test_missing_last_packet_drops_its_frame_only():
    frames = _three_split_frames()
    damaged = [frames[0], frames[1][:2], frames[2]]
    out = FrameAssembler(sim_len=6).feed(_wire(damaged))
    assert _frames(out) == [_expected(frames[0]), _expected(frames[2])]
    assert len(_errors(out)) == 1
    assert "never got its last packet" in _errors(out)[0].message


def test_missing_first_packet_drops_the_orphans_with_one_error():
    frames = _three_split_frames()
    damaged = [frames[0], frames[1][1:], frames[2]]
    out = FrameAssembler(sim_len=6).feed(_wire(damaged))
    assert _frames(out) == [_expected(frames[0]), _expected(frames[2])]
    assert len(_errors(out)) == 1
    assert "without a first packet" in _errors(out)[0].message


def test_orphan_last_packet_is_dropped():
    frames = _three_split_frames()
    out = FrameAssembler(sim_len=6).feed(_wire([frames[0][2:], frames[1]]))
    assert _frames(out) == [_expected(frames[1])]
    assert len(_errors(out)) == 1


def test_sequence_wrap_inside_a_frame_is_no_gap():
    packets, _ = _frame_packets(bytes(2500), 65534)
    assert [p.seq for p in packets] == [65534, 65535, 0]
    assert FrameAssembler(sim_len=6).feed(_wire([packets])) == [_expected(packets)]


def test_audio_between_video_pieces_with_one_shared_counter():
    # One counter for the whole channel: video 0, audio 1, video 2 and 3.
    video, _ = _frame_packets(bytes(range(200)) * 10, 0)
    video = [video[0]] + [replace(p, seq=p.seq + 1) for p in video[1:]]
    audio, _ = _frame_packets(b"\xd5" * 160, 1, data_type=DataType.AUDIO)
    wire = b"".join(p.encode() for p in [video[0], audio[0], video[1], video[2]])
    out = FrameAssembler(sim_len=6).feed(wire)
    assert out == [_expected(audio), _expected(video)]


def test_two_channels_interleaved_assemble_separately():
    one, _ = _frame_packets(b"\x01" * 2000, 0, channel=1)
    two, _ = _frame_packets(b"\x02" * 2000, 50, channel=2)
    wire = b"".join(p.encode() for pair in zip(one, two, strict=True) for p in pair)
    out = FrameAssembler(sim_len=6).feed(wire)
    assert out == [_expected(one), _expected(two)]


def test_new_first_packet_before_last_drops_the_old_frame():
    frames = _three_split_frames()
    out = FrameAssembler(sim_len=6).feed(_wire([frames[0][:1], frames[1]]))
    assert _frames(out) == [_expected(frames[1])]
    assert len(_errors(out)) == 1


def test_frame_over_max_frame_size_is_dropped():
    big, seq = _frame_packets(bytes(5000), 0)
    small, _ = _frame_packets(bytes(100), seq)
    out = FrameAssembler(sim_len=6, max_frame_size=2000).feed(_wire([big, small]))
    assert _frames(out) == [_expected(small)]
    assert len(_errors(out)) == 1
    assert "max_frame_size" in _errors(out)[0].message


def test_atomic_packet_over_max_frame_size_is_dropped():
    packets, _ = _frame_packets(bytes(900), 0)
    out = FrameAssembler(sim_len=6, max_frame_size=500).feed(_wire([packets]))
    assert _frames(out) == []
    assert len(_errors(out)) == 1


def test_impossible_header_is_reported_and_stream_resyncs():
    good = _frame_packets(b"ok", 0)[0][0].encode()
    bad = bytearray(good)
    bad[15] = 0x90  # data type 9
    out = FrameAssembler(sim_len=6).feed(bytes(bad) + good)
    assert _frames(out) == [_expected([decode_packet(good)])]
    assert "data type 9" in _errors(out)[0].message
    assert _errors(out)[0].offset == 15


def test_unknown_payload_type_passes_through():
    packets, _ = _frame_packets(b"custom", 0)
    wire = bytearray(packets[0].encode())
    wire[5] = 0x80 | 120
    out = FrameAssembler(sim_len=6).feed(bytes(wire))
    assert [f.payload_type for f in out] == [120]


# --- memory bounds ----------------------------------------------------------------------------


def test_ten_megabytes_without_magic_stay_bounded():
    assembler = FrameAssembler(sim_len=6)
    garbage = _garbage(random.Random(3), 1024 * 1024)
    out: list = []
    for _ in range(10):
        out += assembler.feed(garbage)
        assert assembler.buffered <= assembler.max_buffer
    assert assembler.buffered <= 3
    assert out
    assert all(isinstance(x, StreamError) for x in out)
    out += assembler.close()
    assert sum(int(e.message.split()[1]) for e in out) == 10 * len(garbage)


def test_ten_megabytes_in_one_chunk_stay_bounded():
    assembler = FrameAssembler(max_buffer=4096)
    out = assembler.feed(_garbage(random.Random(4), 10 * 1024 * 1024))
    assert assembler.buffered <= 4096
    assert out
    assert all(isinstance(x, StreamError) for x in out)


def test_false_magics_with_huge_lengths_stay_bounded():
    # A magic with a plausible header claiming a 65535-byte body, again and again.
    fake = MAGIC + bytes.fromhex("81620000 013912345678 01 30") + bytes(8) + b"\xff\xff"
    rng = random.Random(5)
    chunk = b"".join(fake + _garbage(rng, rng.randrange(0, 3000)) for _ in range(400))
    assembler = FrameAssembler(sim_len=6, max_buffer=2048)
    out: list = []
    for _ in range(10):
        out += assembler.feed(chunk)
        assert assembler.buffered <= 2048
    assert all(isinstance(x, StreamError) for x in out)
    assert any("more than the 2048-byte buffer" in e.message for e in out)


def test_random_bytes_never_raise():
    rng = random.Random(6)
    assembler = FrameAssembler()
    for _ in range(200):
        chunk = rng.randbytes(rng.randrange(0, 2000))
        if rng.random() < 0.3:
            chunk += MAGIC + rng.randbytes(40)
        out = assembler.feed(chunk)
        assert all(isinstance(x, (StreamError, MediaFrame)) for x in out)
        assert assembler.buffered <= assembler.max_buffer
    assembler.close()


def test_too_small_max_buffer_is_refused():
    with pytest.raises(ValueError):
        FrameAssembler(max_buffer=16)


# --- SIM length detection ---------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [None, [1], [13, 2]], ids=["whole", "bytes", "mix"])
@pytest.mark.parametrize(
    ("vector_id", "sim_len"), [("tr1078_2019_sim10", 10), ("go1078_g711a_audio", 6)]
)
def test_auto_detect_on_a_vector_stream(vector_id, sim_len, sizes):
    wire = vector(vector_id)
    assembler = FrameAssembler()
    out = _feed(assembler, wire * 3, sizes)
    assert assembler.sim_len == sim_len
    assert len(out) == 3
    assert all(isinstance(f, MediaFrame) for f in out)
    assert all(len(f.sim) == 2 * sim_len for f in out)
    assert out[0].payload == decode_packet(wire).body


@pytest.mark.parametrize(
    ("vector_id", "sim_len"), [("tr1078_2019_sim10", 10), ("go1078_g711a_audio", 6)]
)
def test_auto_detect_on_a_single_packet(vector_id, sim_len):
    assembler = FrameAssembler()
    assert len(assembler.feed(vector(vector_id))) == 1
    assert assembler.sim_len == sim_len


def test_auto_detect_waits_while_undecidable():
    assembler = FrameAssembler()
    assert assembler.feed(MAGIC + b"\x81\xe2\x00\x00") == []
    assert assembler.sim_len is None


def test_given_sim_len_is_not_second_guessed():
    assembler = FrameAssembler(sim_len=10)
    out = assembler.feed(vector("go1078_g711a_audio"))
    assert _frames(out) == []
    assert "data type 9" in _errors(out)[0].message


def test_unfollowed_first_packet_in_auto_mode_is_reported():
    # Garbage right after the only packet: neither layout is confirmed by the next magic.
    wire = vector("sc1078_video_p_frame")
    assembler = FrameAssembler()
    out = assembler.feed(wire + b"\xff\xff\xff\xff\xff")
    assert _frames(out) == []
    assert "cannot tell the SIM length" in _errors(out)[0].message
    assert assembler.sim_len is None


# --- counters ---------------------------------------------------------------------------------


def test_counters_track_packets_frames_bytes_errors():
    frames = _three_split_frames()
    wire = _wire([frames[0], frames[1][1:]]) + b"\xff\xff"
    assembler = FrameAssembler(sim_len=6)
    assembler.feed(wire)
    assembler.close()
    assert (assembler.packets, assembler.frames, assembler.bytes) == (5, 1, len(wire))
    assert assembler.errors == 2  # orphan middle/last, trailing garbage


def test_subpackage_flags_are_kept_per_frame():
    packets, _ = _frame_packets(bytes(2000), 0)
    assert [p.subpackage for p in packets] == [
        Subpackage.FIRST,
        Subpackage.MIDDLE,
        Subpackage.LAST,
    ]
