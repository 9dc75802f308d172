"""Synthetic Annex-B clips and their decoding (console/media/h264.py), with real PyAV codecs."""

from __future__ import annotations

import itertools

import pytest

from console.media.h264 import (
    AnnexBDecoder,
    TestClipEncoder,
    annexb,
    codec_name,
    decode_annexb,
    encode_test_clip,
    iter_nal_units,
    nal_spans,
    nal_type,
    parameter_sets,
)

CODECS = ["h264", "hevc"]
# NAL types that make a picture decodable on its own.
IDR = {"h264": {5}, "hevc": {16, 17, 18, 19, 20, 21}}


@pytest.mark.parametrize("codec", CODECS)
def test_clip_has_one_access_unit_per_frame_and_a_closed_gop(codec: str) -> None:
    units = encode_test_clip(160, 96, 10, 2, codec=codec, gop=5)
    assert len(units) == 20
    assert [u.index for u in units] == list(range(20))
    assert [i for i, u in enumerate(units) if u.key] == [0, 5, 10, 15]
    for unit in units:
        assert unit.data.startswith(b"\x00\x00\x00\x01")


@pytest.mark.parametrize("codec", CODECS)
def test_every_key_frame_carries_its_parameter_sets(codec: str) -> None:
    units = encode_test_clip(160, 96, 10, 1, codec=codec, gop=5)
    for unit in units:
        types = {nal_type(nal, codec) for nal in iter_nal_units(unit.data)}
        assert bool(types & IDR[codec]) == unit.key
        assert bool(parameter_sets(unit.data, codec)) == unit.key
    assert len(parameter_sets(units[5].data, codec)) == (2 if codec == "h264" else 3)


@pytest.mark.parametrize("codec", CODECS)
def test_whole_clip_decodes_to_distinct_frames_of_the_right_size(codec: str) -> None:
    units = encode_test_clip(320, 240, 25, 1, codec=codec, gop=10, text=lambda i: f"R {i:03d}")
    frames = decode_annexb(b"".join(u.data for u in units), codec)
    assert len(frames) == 25
    assert {(f.width, f.height) for f in frames} == {(320, 240)}
    assert frames[0].key_frame
    planes = [f.to_ndarray(format="gray").tobytes() for f in frames[:5]]
    assert len(set(planes)) == 5  # the pattern moves


@pytest.mark.parametrize("codec", CODECS)
def test_live_decoder_accepts_any_chunking(codec: str) -> None:
    data = b"".join(u.data for u in encode_test_clip(160, 96, 10, 1, codec=codec, gop=5))
    decoder = AnnexBDecoder(codec)
    frames, pos = [], 0
    for step in itertools.cycle([1, 7, 1000, 3]):  # single bytes and odd sizes
        if pos >= len(data):
            break
        frames += decoder.feed(data[pos : pos + step])
        pos += step
    frames += decoder.flush()
    assert len(frames) == 10
    assert decoder.errors == 0


@pytest.mark.parametrize("codec", CODECS)
def test_decoding_from_a_later_key_frame_works_and_p_frames_first_are_skipped(codec: str) -> None:
    units = encode_test_clip(160, 96, 10, 2, codec=codec, gop=5)
    from_key = decode_annexb([u.data for u in units[5:]], codec)
    assert len(from_key) == 15 and from_key[0].key_frame
    decoder = AnnexBDecoder(codec)
    frames = [f for u in units[3:] for f in decoder.decode_unit(u.data)] + decoder.flush()
    assert frames and frames[0].key_frame
    assert len(frames) <= 15


def test_streaming_encoder_returns_each_frame_at_once() -> None:
    encoder = TestClipEncoder(160, 96, 25, gop=4)
    got = [encoder.encode() for _ in range(8)]
    assert [len(g) for g in got] == [1] * 8
    assert [g[0].key for g in got] == [True, False, False, False] * 2
    assert encoder.flush() == []


def test_nal_helpers() -> None:
    data = b"junk" + annexb([b"\x67abc", b"\x68d"]) + b"\x00\x00\x01\x65slice"
    assert list(iter_nal_units(data)) == [b"\x67abc", b"\x68d", b"\x65slice"]
    assert [nal_type(data[s:e], "h264") for s, e in nal_spans(data)] == [7, 8, 5]
    assert parameter_sets(data, "h264") == [b"\x67abc", b"\x68d"]
    assert codec_name("H.265") == "hevc" and codec_name("avc") == "h264"
    with pytest.raises(ValueError):
        codec_name("vp9")
    with pytest.raises(ValueError):
        TestClipEncoder(161, 96, 25)
